"""CRC-32C (Castagnoli) checksums computed by a small bundled native library.

>>> crc32c(b"123456789") == 0xE3069283
True
>>> crc32c(b"6789", crc32c(b"12345")) == crc32c(b"123456789")
True
>>> Crc32c(b"123456789").hexdigest()
'e3069283'
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING

from . import _native

if TYPE_CHECKING:
    from collections.abc import Buffer  # Python 3.12+, used in annotations only

__all__ = ["Crc32c", "crc32c", "native_version", "__version__"]

_lib = _native.load()
__version__: str = _native.package_version()


class _PyBuffer(ctypes.Structure):
    """CPython's Py_buffer, filled by PyObject_GetBuffer without copying."""

    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.py_object),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.POINTER(ctypes.c_ssize_t)),
        ("strides", ctypes.POINTER(ctypes.c_ssize_t)),
        ("suboffsets", ctypes.POINTER(ctypes.c_ssize_t)),
        ("internal", ctypes.c_void_p),
    ]


_PyBUF_C_CONTIGUOUS = 0x0020 | 0x0010 | 0x0008  # PyBUF_C_CONTIGUOUS: contiguous, with shape and strides
_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = (ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int)
_get_buffer.restype = ctypes.c_int
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = (ctypes.POINTER(_PyBuffer),)
_release_buffer.restype = None
_update = _lib.castagnoli_crc32c_update


def _describe(data: object) -> str:
    return type(data).__name__


def _checked_value(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"crc32c() value must be an int, got {_describe(value)}")
    if not 0 <= value <= 0xFFFFFFFF:
        raise ValueError(f"crc32c() value must be in 0..0xFFFFFFFF, got {value}")
    return value


def _crc(data: Buffer, value: int) -> int:
    if isinstance(data, bytes):  # the common case: ctypes passes bytes by pointer
        return int(_update(value, data, len(data)))
    if isinstance(data, str):
        raise TypeError("crc32c() expects a bytes-like object, got str: encode it first, e.g. text.encode('utf-8')")
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(
            f"crc32c() expects a bytes-like object (bytes, bytearray, memoryview or another "
            f"buffer), got {_describe(data)}"
        ) from None
    with view:
        if not view.c_contiguous:
            raise TypeError(
                "crc32c() expects a C-contiguous buffer, got a non-contiguous "
                f"{_describe(data)}: pass a contiguous copy, e.g. bytes(view)"
            )
        if view.nbytes == 0:
            return value
    pybuf = _PyBuffer()
    if _get_buffer(data, ctypes.byref(pybuf), _PyBUF_C_CONTIGUOUS) != 0:  # pragma: no cover - raises
        raise TypeError(f"crc32c() could not read the buffer of {_describe(data)}")
    try:
        return int(_update(value, pybuf.buf, pybuf.len))
    finally:
        _release_buffer(ctypes.byref(pybuf))


def crc32c(data: Buffer, value: int = 0) -> int:
    """Return the CRC-32C of `data`, continuing from `value` like zlib.crc32.

    `data` is any C-contiguous buffer (bytes, bytearray, memoryview, array,
    mmap...); it is read in place, never copied.
    """
    return _crc(data, _checked_value(value))


def native_version() -> str:
    """The version the bundled native library was built for."""
    return str(_lib.castagnoli_version().decode("ascii"))


class Crc32c:
    """A hashlib-style CRC-32C object: update(), digest(), hexdigest(), copy()."""

    name = "crc32c"
    digest_size = 4
    block_size = 1

    __slots__ = ("_value",)

    def __init__(self, data: Buffer = b"") -> None:
        self._value = 0
        self.update(data)

    def update(self, data: Buffer) -> None:
        self._value = _crc(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(4, "big")

    def hexdigest(self) -> str:
        return f"{self._value:08x}"

    def copy(self) -> Crc32c:
        other = Crc32c.__new__(Crc32c)
        other._value = self._value
        return other

    def __repr__(self) -> str:
        return f"<castagnoli.Crc32c {self.hexdigest()}>"
