"""CRC-32C speed of castagnoli beside every other CRC-32C package that installs as a wheel, with zlib.crc32 for reference.

Every function is timed in the same process, in interleaved rounds (one batch of
each per round, in a shuffled order), and the median batch is kept, so the ratios compare like with
like even when the machine's speed drifts. A benchmark, not a test: it prints,
it never asserts. `make bench` runs it; `--rounds` and `--sizes` trade time for
precision. `--kernels` times every kernel this CPU runs instead, and prints the
CPU table's row for it (src/native/cpu.c): what a new row is measured with.

Goals (issues 17 and 23), against the best of crc32c-rs, fastcrc, awscrt, crc32c and
google-crc32c at each size: >= 1.15x from 16 B to 4 KiB, >= 1.05x at 64 KiB and
1 MiB, >= 1.0x from 16 MiB; per call no slower than today; threads=2 at 256 MiB
>= 1.8x one thread on two cores.
"""

from __future__ import annotations

import argparse
import array
import mmap
import os
import platform
import random
import statistics
import sys
import threading
import time
import timeit
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import awscrt.checksums
import crc32c as crc32c_package
import crc32c_rs
import fastcrc
import google_crc32c

import castagnoli
from castagnoli import _crc32c
from table import aligned

SIZES = {
    "16 B": 16,
    "64 B": 64,
    "256 B": 256,
    "1 KiB": 1 << 10,
    "4 KiB": 4 << 10,
    "16 KiB": 16 << 10,
    "64 KiB": 64 << 10,
    "256 KiB": 256 << 10,
    "1 MiB": 1 << 20,
    "4 MiB": 4 << 20,
    "8 MiB": 8 << 20,
    "16 MiB": 16 << 20,
    "32 MiB": 32 << 20,
    "64 MiB": 64 << 20,
    "256 MiB": 256 << 20,
}
# what `make bench` compares by default, and what --kernels compares (every kernel, around its bands)
PEER_SIZES = ["16 B", "64 B", "256 B", "1 KiB", "4 KiB", "64 KiB", "1 MiB", "16 MiB", "256 MiB"]
KERNEL_SIZES = ["1 KiB", "4 KiB", "16 KiB", "64 KiB", "256 KiB", "1 MiB", "4 MiB", "8 MiB", "16 MiB", "32 MiB"]
PEERS: dict[str, Callable[..., int]] = {
    "crc32c-rs": crc32c_rs.crc32c,
    "fastcrc": fastcrc.crc32.iscsi,
    "awscrt": awscrt.checksums.crc32c,
    "crc32c": crc32c_package.crc32c,
    "google-crc32c": google_crc32c.value,
}
REFERENCE: dict[str, Callable[..., int]] = {"zlib.crc32": zlib.crc32}
BATCH_SECONDS = 0.01
# "auto": each size gets the kernel the CPU table gives this CPU (castagnoli.dispatch())
AUTO = "auto"


def batch_seconds(func: Callable[..., int], data: object, loops: int) -> float:
    """Seconds per call of `func(data)` over one batch of `loops` calls.

    The call is timeit's statement itself, on local names: no lambda or other
    Python frame in between.
    """
    timer = timeit.Timer("f(d)", setup="f = func; d = data", globals={"func": func, "data": data})
    return timer.timeit(loops) / loops


def loops_for(func: Callable[..., int], data: object) -> int:
    """Calls per batch so that one batch takes about BATCH_SECONDS."""
    once = batch_seconds(func, data, 1)
    return max(1, int(BATCH_SECONDS / max(once, 1e-9)))


# (kernel to switch on, or None for a peer; the function; its argument)
Entry = tuple[str | None, Callable[..., int], Any]


def race(entries: dict[str, Entry], rounds: int) -> dict[str, float]:
    """Median seconds per call of each entry, timed in interleaved rounds.

    An entry is (kernel, function, data): castagnoli's kernel is switched on
    before each of its batches; a peer has kernel None. Each round takes the
    entries in another order: in a fixed order the first one was measured
    slower at 16 MiB (0.65-0.80x where a shuffled order gives 1.00x).
    """
    def select(kernel: str | None) -> None:
        if kernel is not None:
            _crc32c.use_kernel(kernel)

    loops = {}
    for label, (kernel, func, data) in entries.items():
        select(kernel)
        loops[label] = loops_for(func, data)
    samples: dict[str, list[float]] = {label: [] for label in entries}
    order = list(entries)
    shuffle = random.Random(len(order)).shuffle  # the same orders in every run
    for _ in range(rounds):
        shuffle(order)  # no entry always runs first, or always after the slowest
        for label in order:
            kernel, func, data = entries[label]
            select(kernel)
            samples[label].append(batch_seconds(func, data, loops[label]))
    _crc32c.use_kernel(AUTO)
    return {label: statistics.median(times) for label, times in samples.items()}


def rate(size: int, seconds: float) -> str:
    return f"{size / seconds / 1e6:,.0f}"


def contenders(data: object) -> dict[str, Entry]:
    """castagnoli (its automatic kernel), the two peers and zlib.crc32, all on `data`."""
    entries: dict[str, Entry] = {"castagnoli": (AUTO, castagnoli.crc32c, data)}
    entries |= {name: (None, func, data) for name, func in (PEERS | REFERENCE).items()}
    return entries


def kernels_agree(kernels: Sequence[str], data: bytes, label: str) -> bool:
    """Whether every kernel gives the crc32c package's CRC of `data`; else says which does not."""
    expected = crc32c_package.crc32c(data)
    for name in kernels:
        _crc32c.use_kernel(name)
        if castagnoli.crc32c(data) != expected:
            print(f"error: kernel {name} disagrees with the crc32c package at {label}: "
                  "this build is broken, run `make test`", file=sys.stderr)
            return False
    return True


def throughput_tables(sizes: Sequence[str], rounds: int) -> int:
    kernels = [name for name, status in _crc32c.kernels().items() if status == "ok"]
    print(f"Throughput, MB/s (median of {rounds} interleaved rounds); "
          f"castagnoli uses kernel {_crc32c.kernel()}")
    columns = ["castagnoli", *PEERS, *REFERENCE]
    print(f"{'size':>8} | " + " ".join(f"{name:>13}" for name in columns) + f" | {'best peer':>13} "
          f"{'castagnoli/best':>15}")
    per_kernel: dict[str, list[str]] = {name: [] for name in kernels}
    for label in sizes:
        size = SIZES[label]
        data = os.urandom(size)
        if not kernels_agree(kernels, data, label):
            return 1
        entries = contenders(data)
        entries |= {f"kernel {name}": (name, castagnoli.crc32c, data) for name in kernels}
        times = race(entries, rounds)
        best = min(PEERS, key=lambda name: times[name])
        best_peer = times[best]
        print(f"{label:>8} | " + " ".join(f"{rate(size, times[name]):>13}" for name in columns)
              + f" | {best:>13} {best_peer / times['castagnoli']:>14.2f}x")
        for name in kernels:
            per_kernel[name].append(f"{best_peer / times[f'kernel {name}']:.2f}x")
        del data, entries

    print("\nEach kernel forced for every size (castagnoli._crc32c.use_kernel), ratio to the best peer;")
    print("--kernels compares them around the CPU table's bands:")
    print("\n".join(aligned([["kernel", *sizes], *([name, *ratios] for name, ratios in per_kernel.items())])))
    return 0


def kernels_table(sizes: Sequence[str], rounds: int) -> int:
    """Every kernel this CPU runs, per size, in one process and interleaved rounds, beside the best peer.

    What a maintainer on a new CPU needs to add its row to the CPU table (src/native/cpu.c): the row it gets
    today, and the fastest kernel at each size.
    """
    cpu, measured, bands = _crc32c.dispatch()
    kernels = [name for name, status in _crc32c.kernels().items() if status == "ok"]
    print(f"This CPU's row in the CPU table (src/native/cpu.c): {cpu}\n  measured: {measured}\n  kernels: "
          + ", ".join(f"{name} from {size:,} B" for size, name in bands))
    print(f"\nEvery kernel it runs, MB/s (median of {rounds} interleaved rounds), the best peer beside them:")
    rows: dict[str, list[float]] = {name: [] for name in ["auto", *kernels, "best peer"]}
    fastest = []
    for label in sizes:
        size = SIZES[label]
        data = os.urandom(size)
        if not kernels_agree(kernels, data, label):
            return 1
        entries: dict[str, Entry] = {name: (name, castagnoli.crc32c, data) for name in ["auto", *kernels]}
        entries |= {name: (None, func, data) for name, func in PEERS.items()}
        times = race(entries, rounds)
        for name in ["auto", *kernels]:
            rows[name].append(size / times[name] / 1e6)
        best = min(PEERS, key=lambda name: times[name])
        rows["best peer"].append(size / times[best] / 1e6)
        fastest.append(min(kernels, key=lambda name: times[name]))
        del data, entries
    table = [["kernel", *sizes], *([name, *(f"{speed:,.0f}" for speed in speeds)] for name, speeds in rows.items()),
             ["fastest", *fastest]]
    print("\n".join(aligned(table)))
    return 0


def threads_table(rounds: int) -> None:
    """crc32c(data, threads=N) against one thread, at 256 MiB, for N up to the CPUs here."""
    size = 256 << 20
    data = os.urandom(size)
    counts = sorted({2, os.cpu_count() or 1} - {1})
    entries: dict[str, Entry] = {"one thread": (AUTO, castagnoli.crc32c, data)}
    entries |= {f"threads={n}": (AUTO, lambda d, n=n: castagnoli.crc32c(d, threads=n), data) for n in counts}
    times = race(entries, max(3, rounds // 2))
    print(f"\nThreads at 256 MiB ({os.cpu_count()} CPUs here), MB/s and speed-up over one thread:")
    for label, seconds in times.items():
        print(f"  {label:>12}: {rate(size, seconds):>9}  {times['one thread'] / seconds:.2f}x")


def cpu_name() -> str:
    """The CPU's model name (Linux: /proc/cpuinfo), else what platform says."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def per_call_table(rounds: int) -> None:
    """Per call at 0 and 1 byte, and net of timeit's own loop (timed on a no-op statement)."""
    loop = statistics.median(timeit.Timer("pass").timeit(1_000_000) / 1_000_000 for _ in range(rounds))
    print(f"\nPer call, ns, at 0 and 1 byte; net: minus timeit's own loop ({loop * 1e9:.1f} ns):")
    print(f"{'':>14} | {'0 B':>6} {'1 B':>6} | {'net 0 B':>7} {'net 1 B':>7}")
    empty, one = race(contenders(b""), rounds), race(contenders(b"x"), rounds)
    for label in empty:
        print(f"{label:>14} | {empty[label] * 1e9:6.1f} {one[label] * 1e9:6.1f} | "
              f"{(empty[label] - loop) * 1e9:7.1f} {(one[label] - loop) * 1e9:7.1f}")


def buffer_types_table(rounds: int) -> int:
    print("\nEach buffer type, ns per call (castagnoli reads it in place, never copies):")
    print(f"{'type':>12} | {'16 B':>7} {'1 MiB':>8}")
    results: dict[str, list[float]] = {}
    for size in (16, 1 << 20):
        raw = os.urandom(size)
        with mmap.mmap(-1, size) as mapped:
            mapped.write(raw)
            inputs: dict[str, object] = {"bytes": raw, "bytearray": bytearray(raw),
                                         "memoryview": memoryview(raw), "array": array.array("B", raw),
                                         "mmap": mapped}
            for name, value in inputs.items():
                if castagnoli.crc32c(value) != castagnoli.crc32c(raw):
                    print(f"error: castagnoli.crc32c({name}) differs from bytes at {size} B: "
                      "this build is broken, run `make test`", file=sys.stderr)
                    return 1
            entries: dict[str, Entry] = {name: (AUTO, castagnoli.crc32c, value)
                                         for name, value in inputs.items()}
            for name, seconds in race(entries, rounds).items():
                results.setdefault(name, []).append(seconds)
            del inputs, entries
    for name, (small, large) in results.items():
        print(f"{name:>12} | {small * 1e9:7.1f} {large * 1e9:8,.0f}")
    return 0


def gil_table(rounds: int) -> None:
    """What releasing the GIL costs at its threshold, and what it buys: another thread runs meanwhile."""
    print("\nThe GIL is released from 64 KiB on (RELEASE_GIL_FROM in src/native/module.c):")
    entries: dict[str, Entry] = {
        "64 KiB - 64 B, GIL held": (AUTO, castagnoli.crc32c, os.urandom((64 << 10) - 64)),
        "64 KiB, GIL released": (AUTO, castagnoli.crc32c, os.urandom(64 << 10)),
    }
    for label, seconds in race(entries, rounds).items():
        size = len(entries[label][2])
        print(f"  {label:>24}: {seconds * 1e9:7,.0f} ns per call, {rate(size, seconds):>7} MB/s")
    for size in ((64 << 10) - 64, 1 << 20):
        share = other_thread_share(os.urandom(size))
        print(f"  while crc32c hashes {size:>7,} B buffers, another Python thread runs at "
              f"{share:.0%} of its speed alone")


def other_thread_share(data: bytes, seconds: float = 0.2) -> float:
    """How fast a pure-Python thread counts while this thread calls crc32c(data), relative to alone."""
    count, stop = [0], threading.Event()

    def counter() -> None:
        while not stop.is_set():
            count[0] += 1

    def counted(busy: Callable[[], None]) -> float:
        count[0] = 0
        stop.clear()
        thread = threading.Thread(target=counter)
        thread.start()
        start = time.perf_counter()
        busy()
        elapsed = time.perf_counter() - start
        stop.set()
        thread.join()
        return count[0] / elapsed

    def hashing() -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            castagnoli.crc32c(data)

    return counted(hashing) / counted(lambda: time.sleep(seconds))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per size (default 7)")
    parser.add_argument("--sizes", help="comma-separated sizes among: " + ", ".join(SIZES)
                        + f" (default: {', '.join(PEER_SIZES)}; with --kernels: {', '.join(KERNEL_SIZES)})")
    parser.add_argument("--kernels", action="store_true",
                        help="every kernel this CPU runs instead, per size, and the CPU table's row for this CPU")
    args = parser.parse_args(argv)
    by_key = {label.replace(" ", "").lower(): label for label in SIZES}
    chosen = args.sizes if args.sizes is not None else ",".join(KERNEL_SIZES if args.kernels else PEER_SIZES)
    given = [label.replace(" ", "").lower() for label in chosen.split(",") if label.strip()]
    unknown = [label for label in given if label not in by_key]
    sizes = [by_key[label] for label in given if label in by_key]
    if unknown or args.rounds < 1:
        parser.error(f"expected sizes among {', '.join(SIZES)} (spaces optional) and --rounds >= 1, "
                     f"got {unknown or args.rounds}")
    print(f"castagnoli {castagnoli.__version__}, Python {sys.version.split()[0]}, CPU: {cpu_name()} "
          f"({os.cpu_count()} CPUs), kernels: {', '.join(k for k, status in _crc32c.kernels().items() if status == 'ok')}\n")
    if args.kernels:
        return kernels_table(sizes, args.rounds)
    if throughput_tables(sizes, args.rounds) or buffer_types_table(args.rounds):
        return 1
    per_call_table(args.rounds)
    gil_table(args.rounds)
    threads_table(args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
