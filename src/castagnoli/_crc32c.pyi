import sys

if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    from typing_extensions import Buffer

version: str

def crc32c(data: Buffer, value: int = 0) -> int:
    """The CRC-32C of `data`, continuing from `value` like zlib.crc32.

    `data` is any C-contiguous buffer (bytes, bytearray, memoryview, array,
    mmap...); it is read in place, never copied.
    """

def _update(data: Buffer, value: int) -> int: ...
def kernel() -> str: ...
def kernels() -> dict[str, bool]: ...
def use_kernel(name: str) -> None: ...
