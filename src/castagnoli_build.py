"""setuptools wiring that builds the native core with CMake (named in setup.cfg).

Not part of the installed package: it runs only inside the build backend.

- ``build_py`` configures and builds CMakeLists.txt with the cmake from the
  build requirements, passing the package version and the limited API version,
  and puts the extension module ``castagnoli._crc32c`` inside the package: in a
  fresh build tree for a wheel (so files deleted from ``src/`` never linger),
  in ``src/castagnoli/`` for an editable install.
- ``bdist_wheel`` marks the distribution as platform-specific and tags the
  wheel ``cpXY-abi3-<platform>``.

The limited API version is the floor of ``requires-python`` (``>=3.X``): the
one place the oldest supported CPython is written. The release check reads it
with this module's requires_python_floor; setuptools is imported only when the
build asks for the commands, so that costs the check nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import functools
import struct
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

PACKAGE = "castagnoli"
MODULE = "_crc32c"
ROOT = Path(__file__).resolve().parent.parent


def requires_python_floor(requires: str) -> int | None:
    """X of requires-python '>=3.X' as packaging parses it, or None; the release check (scripts/config.py) calls
    this one too."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        (spec,) = SpecifierSet(requires)
    except (InvalidSpecifier, ValueError):  # not a specifier, or not exactly one
        return None
    match = re.fullmatch(r"3\.(1[1-9]|[2-9][0-9])", spec.version)
    return int(match[1]) if spec.operator == ">=" and match else None


def limited_api(distribution: Any) -> tuple[int, int]:
    """(3, X) from requires-python '>=3.X'."""
    requires = str(distribution.python_requires or "")
    floor = requires_python_floor(requires)
    if floor is None:
        raise RuntimeError(f"requires-python is {requires!r}: expected '>=3.X' (X >= 11), the oldest CPython "
                           "whose limited API the extension is built against")
    return 3, floor


def _cmake() -> str:
    import cmake  # the build requirement, not whatever is on PATH

    return str(Path(cmake.CMAKE_BIN_DIR) / "cmake")


def unsupported_build() -> str | None:
    """Why this Python cannot build castagnoli, in one line, or None."""
    if struct.calcsize("P") != 8:
        return ("castagnoli builds for 64-bit Pythons only (this one is 32-bit): use a 64-bit CPython 3.11 or "
                "newer; x86-64 gets the fast kernels, other 64-bit CPUs the portable one")
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return ("castagnoli cannot be built for a free-threaded CPython (this one): its extension uses the stable "
                "ABI (abi3), which free-threaded builds cannot load; use the same CPython version without the 't'")
    return None


def platform_args(platform: str, generator: str) -> list[str]:
    """-A x64 for Visual Studio generators on Windows (CMake's default there); others, Ninja among them, refuse -A."""
    if platform == "win32" and (not generator or generator.startswith("Visual Studio")):
        return ["-A", "x64"]
    return []


def stale_cache(build_temp: Path) -> None:
    """Remove our CMake build tree when it was configured for another source directory (a checkout copied
    with its build/ into cibuildwheel's container, or moved): CMake refuses such a cache."""
    cache = build_temp / "CMakeCache.txt"
    if not cache.is_file():
        return
    home = re.search(r"^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$", cache.read_text(errors="replace"), flags=re.M)
    if home is None or Path(home[1]).resolve() != ROOT:
        shutil.rmtree(build_temp)


def __getattr__(name: str) -> type:
    """setup.cfg's commands (BuildPy, BdistWheel), made on first use (PEP 562)."""
    commands = _commands()
    if name not in commands:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return commands[name]


@functools.cache
def _commands() -> dict[str, type]:
    from setuptools.command.bdist_wheel import bdist_wheel
    from setuptools.command.build_py import build_py
    from setuptools.errors import PlatformError

    class BuildPy(build_py):
        def run(self) -> None:
            problem = unsupported_build()
            if problem is not None:
                raise PlatformError(problem)  # setuptools prints it as one 'error:' line
            if not self.editable_mode:
                shutil.rmtree(Path(self.build_lib) / PACKAGE, ignore_errors=True)  # our own build output
            super().run()
            build_temp = Path(self.get_finalized_command("build").build_temp) / "cmake"
            destination = ROOT / "src" / PACKAGE if self.editable_mode else Path(self.build_lib) / PACKAGE
            module = self._build_native(build_temp)
            destination.mkdir(parents=True, exist_ok=True)
            for stale in destination.glob(f"{MODULE}.*"):
                if stale.suffix in (".so", ".pyd"):
                    stale.unlink()
            shutil.copy2(module, destination / module.name)

        def _build_native(self, build_temp: Path) -> Path:
            major, minor = limited_api(self.distribution)
            stale_cache(build_temp)
            configure = [_cmake(), "-S", str(ROOT), "-B", str(build_temp),
                         f"-DCASTAGNOLI_VERSION={self.distribution.get_version()}",
                         f"-DCASTAGNOLI_LIMITED_API={major}.{minor}",
                         f"-DPython_EXECUTABLE={sys.executable}", "-DCMAKE_BUILD_TYPE=Release"]
            configure += platform_args(sys.platform, os.environ.get("CMAKE_GENERATOR", ""))
            subprocess.run(configure, check=True)
            subprocess.run([_cmake(), "--build", str(build_temp), "--config", "Release",
                            "--parallel", str(os.cpu_count() or 1)], check=True)
            built = [p for p in (build_temp / "out").glob(f"{MODULE}.*") if p.suffix in (".so", ".pyd")]
            if len(built) != 1:
                raise RuntimeError(f"CMake finished but {build_temp / 'out'} holds {built}: expected one {MODULE} "
                                   "module")
            return built[0]

    class BdistWheel(bdist_wheel):
        def finalize_options(self) -> None:
            # Platform-specific content: install into platlib, Root-Is-Purelib false.
            self.distribution.has_ext_modules = lambda: True  # type: ignore[method-assign]
            major, minor = limited_api(self.distribution)
            self.py_limited_api = f"cp{major}{minor}"
            super().finalize_options()

    return {"BuildPy": BuildPy, "BdistWheel": BdistWheel}
