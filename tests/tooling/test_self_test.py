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
from conftest import KERNEL_SOURCES, ROOT, run_all

UNSUPPORTED, OK, FAILED_SELF_TEST = 0, 1, 2


def compiler_flags() -> list[str]:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler")
    return [compiler, "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-DCASTAGNOLI_SHARED"]


def prepare(tmp_path: Path, broken: list[str | None]) -> None:
    """The objects, compiled on every core at once: the sources other than dispatch.c (once), and dispatch.c
    once per kernel in `broken` made wrong by CASTAGNOLI_BREAK_KERNEL (None: healthy), which acts there alone."""
    flags = compiler_flags()
    objects = tmp_path / "objects"
    jobs = []
    if not objects.exists():
        objects.mkdir()
        jobs += [[*flags, "-c", str(source), "-o", str(objects / f"{source.stem}.o")]
                 for source in KERNEL_SOURCES if source.name != "dispatch.c"]
    for name in broken:
        define = [f'-DCASTAGNOLI_BREAK_KERNEL="{name}"'] if name else []
        jobs.append([*flags, *define, "-c", str(ROOT / "src" / "native" / "dispatch.c"),
                     "-o", str(tmp_path / f"dispatch-{name or 'healthy'}.o")])
    run_all(jobs)


def build(tmp_path: Path, broken: str | None = None) -> ctypes.CDLL:
    """The kernels as a shared library (-Werror clean) with `broken` made wrong, loaded and initialised."""
    dispatch = tmp_path / f"dispatch-{broken or 'healthy'}.o"
    if not dispatch.exists():
        prepare(tmp_path, [broken])
    out = tmp_path / f"libcastagnoli-{broken or 'healthy'}.so"
    objects = sorted(str(o) for o in (tmp_path / "objects").glob("*.o"))
    subprocess.run([compiler_flags()[0], "-shared", "-o", str(out), str(dispatch), *objects], check=True)
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
    broken = sorted(set(used) - {"portable"})
    prepare(tmp_path, list(broken))
    for name in broken:
        lib = build(tmp_path, name)
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


@pytest.mark.parametrize("layout", ["zmm, 5, 2, 4", "ymm, 4, 9, 1"])
def test_a_layout_beyond_the_hybrid_arrays_does_not_compile(tmp_path: Path, layout: str) -> None:
    """A CASTAGNOLI_HYBRIDS entry with more accumulators or streams than hybrid_template.h's arrays hold is a
    compile error, not a silent stack overflow."""
    native = tmp_path / "native"
    shutil.copytree(ROOT / "src" / "native", native)
    internal = native / "internal.h"
    listed = "    X(xmm, 4, 4, 4)\n"
    assert listed in internal.read_text()
    internal.write_text(internal.read_text().replace(listed, f"    X(xmm, 4, 4, 4) \\\n    X({layout})\n"))
    compiled = subprocess.run([*compiler_flags(), "-c", str(native / "hybrid.c"), "-o", str(tmp_path / "h.o")],
                              capture_output=True, text=True)
    assert compiled.returncode != 0 and "layout_fits_arrays_" in compiled.stderr, compiled.stderr
