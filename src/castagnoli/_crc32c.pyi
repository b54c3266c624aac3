import sys

if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    from typing_extensions import Buffer

version: str

def crc32c(data: Buffer, value: int = 0, *, threads: int | None = None) -> int:
    """The CRC-32C of `data`, continuing from `value` like zlib.crc32.

    `data` is any C-contiguous buffer (bytes, bytearray, memoryview, array,
    mmap...); it is read in place, never copied. `threads` reads a buffer of
    several MiB on up to that many threads (None: one).
    """

def crc32c_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32C of A + B from crc1 = crc32c(A), crc2 = crc32c(B) and length2 = len(B)."""

def _update(data: Buffer, value: int, threads: int | None, who: str, /) -> int: ...
def kernel() -> str:
    """'auto' (each size gets the kernel dispatch() names), or the kernel forced with use_kernel()."""

def kernels() -> dict[str, str]:
    """Every kernel (a named layout): 'ok', 'unsupported' or 'failed self-test'."""

def dispatch(*cpuid: tuple[int, int, int, int] | int) -> tuple[str, str, tuple[tuple[int, str], ...]]:
    """This CPU's row of the CPU table: (cpu, measured, ((from_size, kernel), ...)).

    Given CPUID leaves 0, 1 and 7 (EAX, EBX, ECX, EDX each) and XCR0, the row such a CPU gets (tests).
    """

def use_kernel(name: str, /) -> None: ...
