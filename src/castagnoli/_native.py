"""Loads the bundled native library with ctypes and checks it matches the package."""

from __future__ import annotations

import ctypes
import sys
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def library_filename(platform: str = sys.platform) -> str:
    """The shared library's file name as CMake names it on `platform`."""
    if platform == "win32":
        return "castagnoli.dll"
    if platform == "darwin":
        return "libcastagnoli.dylib"
    return "libcastagnoli.so"


def library_path() -> Path:
    return PACKAGE_DIR / library_filename()


def package_version() -> str:
    try:
        return metadata.version("castagnoli")
    except metadata.PackageNotFoundError as exc:
        raise ImportError(
            "castagnoli is not installed, so its version is unknown: "
            "install it with 'pip install castagnoli' (or 'pip install -e .' from a checkout)"
        ) from exc


def load(path: Path | None = None, expected_version: str | None = None) -> ctypes.CDLL:
    """Load the library at `path` and check it reports `expected_version`."""
    path = library_path() if path is None else path
    expected = package_version() if expected_version is None else expected_version
    if not path.is_file():
        raise ImportError(
            f"castagnoli's native library is missing: expected {path}; "
            "reinstall the package ('pip install --force-reinstall castagnoli') "
            "or, in a checkout, rebuild it with 'pip install -e .'"
        )
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as exc:
        raise ImportError(f"castagnoli's native library {path} could not be loaded: {exc}") from exc
    lib.castagnoli_crc32c_update.argtypes = (ctypes.c_uint32, ctypes.c_void_p, ctypes.c_size_t)
    lib.castagnoli_crc32c_update.restype = ctypes.c_uint32
    lib.castagnoli_version.argtypes = ()
    lib.castagnoli_version.restype = ctypes.c_char_p
    found = lib.castagnoli_version().decode("ascii")
    if found != expected:
        raise ImportError(
            f"castagnoli's native library {path} is version {found}, "
            f"but the installed package is version {expected}: "
            "reinstall the package so both come from the same build"
        )
    return lib
