"""python -m castagnoli [FILE ...]: print the CRC-32C of each file, like the common checksum tools.

`--kernels` prints this CPU's row of the CPU table and every kernel with its status here.

One line per file, `<crc> <name>`; `-` or no FILE reads standard input. A file
that cannot be read gets one `error:` line on stderr and the others go on; the
exit status is then 1.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, BinaryIO

from . import __version__, crc32c, crc32c_file, dispatch, kernel, kernels

if TYPE_CHECKING:
    from . import BinaryReader

FORMATS: dict[str, Callable[[int], str]] = {
    "hex": lambda crc: f"{crc:08x}",
    "int": str,
    # Google Cloud Storage's x-goog-hash crc32c=, as `gsutil hash -c` prints it
    "base64": lambda crc: base64.b64encode(crc.to_bytes(4, "big")).decode("ascii"),
}
PROGRESS_AFTER = 1.0  # seconds: only files that take longer show progress on a terminal


class Progress:
    """A binary file whose reads draw `name: N MiB (P%)` on a terminal once they take a while."""

    def __init__(self, handle: BinaryIO | BinaryReader, name: str, terminal: BinaryIO | None) -> None:
        self.handle, self.name, self.terminal = handle, name, terminal
        self.done, self.start, self.drawn, self.shown = 0, time.monotonic(), 0.0, False
        try:
            self.total = os.fstat(handle.fileno()).st_size  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            self.total = 0

    def readinto(self, view: memoryview, /) -> int | None:
        n: int | None = self.handle.readinto(view)  # type: ignore[union-attr]
        self.done += n or 0
        now = time.monotonic()
        if self.terminal is not None and now - self.start > PROGRESS_AFTER and now - self.drawn > 0.1:
            self.drawn = now  # ten redraws a second at most
            share = f" ({100 * self.done // self.total}%)" if self.total else ""
            self.terminal.write(f"\r{self.name}: {self.done >> 20} MiB{share}".encode(errors="replace"))
            self.terminal.flush()
            self.shown = True
        return n

    def clear(self) -> None:
        if self.shown and self.terminal is not None:
            self.terminal.write(b"\r\x1b[K")
            self.terminal.flush()


def thread_count(text: str) -> int:
    """--threads N: a number of threads from 1 to 1024 (argparse type)."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= 1024:
        raise argparse.ArgumentTypeError(f"expected a number of threads from 1 to 1024, got {text!r}; "
                                         f"this machine has {os.cpu_count() or 1} CPUs")
    return count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m castagnoli", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("files", nargs="*", metavar="FILE", help="files to read ('-' or none: standard input)")
    parser.add_argument("--format", choices=sorted(FORMATS), default="hex",
                        help="hex (default), int, or base64: the big-endian CRC as Google Cloud Storage shows it")
    parser.add_argument("--threads", type=thread_count, default=None, metavar="N",
                        help="read each chunk of a large file on up to N threads (default: one)")
    parser.add_argument("--kernels", action="store_true",
                        help="print this CPU's row of the CPU table and every kernel with its status here, then exit")
    parser.add_argument("--version", action="version", version=f"castagnoli {__version__}")
    return parser


def kernel_table() -> str:
    """This CPU's row of the CPU table, and every kernel with its status here (cibuildwheel's test log shows it)."""
    cpu, measured, bands = dispatch()
    used = {name for _, name in bands}
    lines = [f"castagnoli {__version__}: kernel in use: {kernel()}", f"  CPU table row: {cpu}",
             f"  measured: {measured}"]
    lines += [f"  from {size:>12,} B: {name}" for size, name in bands]
    lines += [f"  {name:<13} {status}{' (in the row)' if name in used else ''}" for name, status in kernels().items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.kernels:
        print(kernel_table())
        return 0
    show = FORMATS[args.format]
    terminal = sys.stderr.buffer if sys.stderr.isatty() else None
    status = 0
    for name in args.files or ["-"]:
        try:
            with open(name, "rb") if name != "-" else nullcontext(sys.stdin.buffer) as handle:
                reader = Progress(handle, name, terminal)
                try:
                    crc = crc32c_file(reader, threads=args.threads)
                finally:
                    reader.clear()
        except OSError as exc:
            print(f"error: {name}: cannot read it ({exc.strerror or exc}): expected a readable file; "
                  "check the path and its permissions", file=sys.stderr)
            status = 1
            continue
        print(f"{show(crc)} {name}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
