"""CRC-32C throughput: castagnoli beside a pure-Python table CRC and the crc32c package.

Goals on the development machine: >= 1 GB/s at 1 MiB, and >= 50x pure Python.
A benchmark, not a test: it prints, it does not assert.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import crc32c as crc32c_package

from castagnoli import crc32c

SIZES = {"1 KiB": 1 << 10, "64 KiB": 1 << 16, "1 MiB": 1 << 20}


def _table() -> list[int]:
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


TABLE = _table()


def pure_python(data: bytes, crc: int = 0) -> int:
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def throughput(func: Callable[[bytes], int], data: bytes, budget: float = 0.4) -> float:
    """Median MB/s over repeated timed batches that together take about `budget` seconds."""
    start = time.perf_counter()
    func(data)
    once = max(time.perf_counter() - start, 1e-7)
    loops = max(1, int(budget / 5 / once))
    rates = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(loops):
            func(data)
        rates.append(len(data) * loops / (time.perf_counter() - start) / 1e6)
    return statistics.median(rates)


def main() -> int:
    print("CRC-32C throughput, MB/s (median of 5 batches)")
    print(f"{'size':>7} {'castagnoli':>11} {'crc32c pkg':>11} {'pure Py':>9} {'vs pure Py':>11} {'vs crc32c':>10}")
    for label, size in SIZES.items():
        data = os.urandom(size)
        if not crc32c(data) == crc32c_package.crc32c(data) == pure_python(data):
            print(f"error: the three implementations disagree at {label}")
            return 1
        ours = throughput(crc32c, data)
        theirs = throughput(crc32c_package.crc32c, data)
        pure = throughput(pure_python, data, budget=0.3)
        print(f"{label:>7} {ours:11.0f} {theirs:11.0f} {pure:9.2f} {ours / pure:10.0f}x {ours / theirs:9.2f}x")
    print("goals: >= 1000 MB/s at 1 MiB, >= 50x pure Python")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
