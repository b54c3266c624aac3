"""CRC-32C (Castagnoli) checksums computed by a bundled native extension.

>>> crc32c(b"123456789") == 0xE3069283
True
>>> crc32c(b"6789", crc32c(b"12345")) == crc32c(b"123456789")
True
>>> crc32c_combine(crc32c(b"12345"), crc32c(b"6789"), 4) == crc32c(b"123456789")
True
>>> Crc32c(b"123456789").hexdigest()
'e3069283'
"""

from __future__ import annotations

import io
import os
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (milliseconds at every import)
if TYPE_CHECKING:
    from typing import Protocol

    if sys.version_info >= (3, 12):
        from collections.abc import Buffer
    else:
        from typing_extensions import Buffer

    class BinaryReader(Protocol):
        """What crc32c_file reads: a binary file (open(path, "rb"), io.BytesIO, sys.stdin.buffer...)."""

        def readinto(self, buffer: memoryview, /) -> int | None: ...

try:
    from . import _crc32c
except ImportError as exc:  # pragma: no cover - a broken install
    raise ImportError(
        f"castagnoli's native extension castagnoli._crc32c cannot be imported ({exc}): "
        "reinstall the package ('pip install --force-reinstall castagnoli'), or in a checkout "
        "rebuild it with 'pip install -e .'"
    ) from exc

from ._crc32c import crc32c, crc32c_combine, dispatch, kernel, kernels

__all__ = ["Crc32c", "crc32c", "crc32c_combine", "crc32c_file", "dispatch", "kernel", "kernels", "native_version",
           "__version__"]


def _installed_version() -> str:
    """The version of the installed distribution: from the one castagnoli-X.Y.Z.dist-info beside the package,
    as a wheel installs it (importing importlib.metadata costs tens of milliseconds), else from
    importlib.metadata (editable installs, unusual layouts)."""
    prefix, suffix = "castagnoli-", ".dist-info"
    try:
        with os.scandir(os.path.dirname(os.path.dirname(__file__))) as entries:
            beside = [entry.name[len(prefix):-len(suffix)] for entry in entries
                      if entry.name.startswith(prefix) and entry.name.endswith(suffix)]
    except OSError:
        beside = []
    if len(beside) == 1:
        return beside[0]
    from importlib import metadata

    try:
        return metadata.version("castagnoli")
    except metadata.PackageNotFoundError as exc:
        raise ImportError(
            "castagnoli is not installed, so its version is unknown: "
            "install it with 'pip install castagnoli' (or 'pip install -e .' from a checkout)"
        ) from exc


def _check_native_version(native: str, installed: str) -> None:
    """ImportError unless the extension was built for the installed version."""
    if native != installed:
        raise ImportError(
            f"castagnoli's native extension {_crc32c.__file__} is version {native}, "
            f"but the installed package is version {installed}: "
            "reinstall the package so both come from the same build"
        )


__version__: str = _installed_version()
_check_native_version(_crc32c.version, __version__)


def native_version() -> str:
    """The version the bundled native extension was built for."""
    return _crc32c.version


class Crc32c:
    """A hashlib-style CRC-32C object: update(), digest(), hexdigest(), copy(), and value.

    `Crc32c(data, value=stored)` resumes from a CRC stored earlier. `usedforsecurity`
    is accepted, and ignored, as by hashlib's constructors: a CRC is never a security hash.
    """

    name = "crc32c"
    digest_size = 4
    block_size = 1

    __slots__ = ("_value",)

    def __init__(self, data: Buffer = b"", value: int = 0, *, usedforsecurity: bool = True) -> None:
        """Start a CRC-32C from `value` (0: empty), over `data` when given."""
        self._value: int = _crc32c._update(data, value, None, "Crc32c()")

    @property
    def value(self) -> int:
        """The CRC-32C so far as an int: crc32c(more, h.value) continues it."""
        return self._value

    def update(self, data: Buffer, *, threads: int | None = None) -> None:
        """Continue the CRC-32C over `data` (any C-contiguous buffer, read in place)."""
        self._value = _crc32c._update(data, self._value, threads, "Crc32c.update()")

    def digest(self) -> bytes:
        """The CRC-32C so far as 4 bytes, big-endian."""
        return self._value.to_bytes(4, "big")

    def hexdigest(self) -> str:
        """The CRC-32C so far as 8 lowercase hex digits."""
        return f"{self._value:08x}"

    def copy(self) -> Crc32c:
        """An independent copy of this object, with the same CRC so far."""
        other = Crc32c.__new__(Crc32c)
        other._value = self._value
        return other

    def __repr__(self) -> str:
        return f"<castagnoli.Crc32c {self.hexdigest()}>"


_CHUNK = 1 << 20  # per thread: large enough to release the GIL, small enough to stay in the caches


def crc32c_file(file: str | bytes | os.PathLike[str] | os.PathLike[bytes] | BinaryReader, *,
                threads: int | None = None) -> int:
    """The CRC-32C of a file (a path, or a binary file open for reading, read from where it is).

    The file is read in chunks into one reused buffer (bounded memory for any size),
    each checksummed with the GIL released.
    """
    _crc32c._update(b"", 0, threads, "crc32c_file()")  # crc32c's checks of `threads`, before any I/O
    if isinstance(file, (str, bytes, os.PathLike)):
        with open(file, "rb") as handle:
            return crc32c_file(handle, threads=threads)
    if not callable(getattr(file, "readinto", None)):
        raise TypeError(f"crc32c_file() expects a path or a binary file, got {type(file).__name__}: open files "
                        "with 'rb'")
    readable = getattr(file, "readable", None)
    if callable(readable) and not readable():
        raise io.UnsupportedOperation(f"crc32c_file() expects a file open for reading, got a "
                                      f"{type(file).__name__} that cannot be read (open for writing only): "
                                      "open it with 'rb'")
    view = memoryview(bytearray(_CHUNK * min(threads or 1, 64)))
    crc = 0
    while n := file.readinto(view):
        crc = crc32c(view[:n], crc, threads=threads)
    if n is None:  # a non-blocking file with nothing to read yet
        raise BlockingIOError("crc32c_file() needs a blocking file: this one has no data ready")
    return crc
