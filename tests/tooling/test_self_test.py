"""The kernels' self-test at init: a deliberately broken kernel of this CPU's row of the CPU table (a throwaway
build with -DCASTAGNOLI_BREAK_KERNEL, which makes it wrong above 4 KiB only) is reported as failing, the CPU falls
to a row without it, it cannot be forced, and every CRC stays right."""

from __future__ import annotations

import ctypes
import random
import shutil
import subprocess
from pathlib import Path

import crc32c as reference
import pytest
from conftest import KERNEL_SOURCES, ROOT

UNSUPPORTED, OK, FAILED_SELF_TEST = 0, 1, 2


def build(tmp_path: Path, *defines: str) -> ctypes.CDLL:
    """The kernels as a shared library (-Werror clean), loaded and initialised. CASTAGNOLI_BREAK_KERNEL acts in
    dispatch.c only: the other sources are compiled once and linked again."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler")
    flags = [compiler, "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-DCASTAGNOLI_SHARED"]
    objects = tmp_path / "objects"
    if not objects.exists():
        objects.mkdir()
        for source in KERNEL_SOURCES:
            if source.name != "dispatch.c":
                subprocess.run([*flags, "-c", str(source), "-o", str(objects / f"{source.stem}.o")], check=True)
    index = len(list(tmp_path.glob("*.so")))
    dispatch = tmp_path / f"dispatch{index}.o"
    subprocess.run([*flags, *defines, "-c", str(ROOT / "src" / "native" / "dispatch.c"), "-o", str(dispatch)],
                   check=True)
    out = tmp_path / f"libcastagnoli{index}.so"
    subprocess.run([compiler, "-shared", "-o", str(out), str(dispatch), *map(str, sorted(objects.glob("*.o")))],
                   check=True)
    lib = ctypes.CDLL(str(out))
    lib.castagnoli_kernel_name.restype = ctypes.c_char_p
    lib.castagnoli_kernel.restype = ctypes.c_char_p
    lib.castagnoli_crc32c.restype = ctypes.c_uint32
    lib.castagnoli_crc32c.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
    lib.castagnoli_init()
    return lib


def row(lib: ctypes.CDLL) -> tuple[str, list[str]]:
    """This CPU's row of the CPU table: what it names, and its kernels per size band."""
    cpu, measured = ctypes.c_char_p(), ctypes.c_char_p()
    starts, kernels = (ctypes.c_uint64 * 4)(), (ctypes.c_char_p * 4)()
    count = lib.castagnoli_dispatch(None, ctypes.c_uint64(0), ctypes.byref(cpu), ctypes.byref(measured), starts,
                                    kernels)
    return (cpu.value or b"").decode(), [(kernels[i] or b"").decode() for i in range(count)]


def statuses(lib: ctypes.CDLL) -> dict[str, int]:
    result = {}
    index = 0
    while (name := lib.castagnoli_kernel_name(index)) is not None:
        result[name.decode()] = lib.castagnoli_kernel_status(index)
        index += 1
    return result


def test_a_broken_kernel_fails_its_self_test_is_never_used_and_crcs_stay_right(tmp_path: Path) -> None:
    lib = build(tmp_path)
    healthy, (cpu, used) = statuses(lib), row(lib)
    assert FAILED_SELF_TEST not in healthy.values()
    if used == ["portable"]:
        pytest.skip("this CPU runs only the portable kernel, the reference itself")
    data = random.Random(4).randbytes(20 << 20)  # past every band of every row
    for name in sorted(set(used) - {"portable"}):
        lib = build(tmp_path, f'-DCASTAGNOLI_BREAK_KERNEL="{name}"')
        after = statuses(lib)
        assert after[name] == FAILED_SELF_TEST, (name, after)
        assert {k: v for k, v in after.items() if k != name} == {k: v for k, v in healthy.items() if k != name}
        fallback, kernels = row(lib)
        assert fallback != cpu and name not in kernels and all(healthy[k] == OK for k in kernels), kernels
        assert lib.castagnoli_kernel().decode() == "auto"
        assert lib.castagnoli_use_kernel(name.encode()) == -3
        for size in (100, 5000, 100_000, 3 << 20, len(data)):
            assert lib.castagnoli_crc32c(0, data, size) == reference.crc32c(data[:size]), (name, size)
        print(f"broken {name}: refused by the self-test; {cpu!r} -> {fallback!r} {kernels}")
