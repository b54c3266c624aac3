"""python -m castagnoli [FILE ...]: print the CRC-32C of each file, like the common checksum tools.

`--kernels` prints this CPU's row of the CPU table and every kernel with its status here.

One line per file, `<crc> <name>`; `-` or no FILE reads standard input. A name
holding a newline or carriage return is escaped as sha256sum does it (the line
starts with a backslash; backslash, newline and CR become \\, \n and \r), so
each file is one line. A file that cannot be read gets one `error:` line on
stderr and the others go on; the exit status is then 1. In a pipeline it ends
quietly when the reader goes away (`| head -1`), and on Ctrl-C with status 130.
The `castagnoli` command is this same program.
"""

from __future__ import annotations

import argparse
import base64
import errno
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


def escaped(name: str) -> tuple[str, str]:
    """(the line's mark, the name) as sha256sum writes them: a name holding a newline or CR gets the mark '\\'
    and its backslashes, newlines and CRs escaped; any other name is written as it is."""
    if "\n" not in name and "\r" not in name:
        return "", name
    return "\\", name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def checksum_files(args: argparse.Namespace) -> int:
    """One line per file on standard output; 1 when a file could not be read."""
    show = FORMATS[args.format]
    terminal = sys.stderr.buffer if sys.stderr.isatty() else None
    status = 0
    for name in args.files or ["-"]:
        mark, shown = escaped(name)
        try:
            with open(name, "rb") if name != "-" else nullcontext(sys.stdin.buffer) as handle:
                reader = Progress(handle, shown, terminal)
                try:
                    crc = crc32c_file(reader, threads=args.threads)
                finally:
                    reader.clear()
        except OSError as exc:
            print(f"error: {shown}: cannot read it ({exc.strerror or exc}): expected a readable file; "
                  "check the path and its permissions", file=sys.stderr)
            status = 1
            continue
        try:
            print(f"{mark}{show(crc)} {shown}", flush=True)
        except OSError as exc:
            if isinstance(exc, BrokenPipeError) or (sys.platform == "win32" and exc.errno == errno.EINVAL):
                raise BrokenPipeError from exc  # Windows says EINVAL for a pipe whose reader left
            print(f"error: cannot write to standard output ({exc.strerror or exc}): expected it writable; "
                  "check where the output goes (a full disk, a closed file)", file=sys.stderr)
            silence_stdout()
            return 1
    return status


def silence_stdout() -> None:
    """Point standard output at the null device, so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind sys.stdout (a test's capture): nothing to flush
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.kernels:
        if args.files:
            parser.error(f"--kernels reads no file, got {len(args.files)} FILE argument(s): run it alone "
                         "(python -m castagnoli --kernels), or without --kernels to checksum files")
        print(kernel_table())
        return 0
    try:
        return checksum_files(args)
    except BrokenPipeError:  # the reader went away (| head -1): end quietly, as the checksum tools do
        silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for them
    except KeyboardInterrupt:  # Ctrl-C: no traceback, the status a shell gives for SIGINT
        return 130


if __name__ == "__main__":
    sys.exit(main())
