"""The C core on its own: both implementations (SSE4.2 and portable slicing-by-8) agree with the crc32c package."""

from __future__ import annotations

import ctypes
import random
import shutil
import subprocess
from pathlib import Path

import crc32c as reference
import pytest
from conftest import ROOT

CC = shutil.which("cc") or shutil.which("gcc")
SOURCE = ROOT / "src" / "native" / "crc32c.c"


def build(tmp_path: Path, name: str, *defines: str) -> ctypes.CDLL:
    assert CC is not None
    out = tmp_path / f"{name}.so"
    subprocess.run([CC, "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-fvisibility=hidden",
                    "-DCASTAGNOLI_BUILDING", '-DCASTAGNOLI_VERSION="9.8.7"', *defines, "-o", out, SOURCE], check=True)
    lib = ctypes.CDLL(str(out))
    lib.castagnoli_crc32c_update.restype = ctypes.c_uint32
    lib.castagnoli_crc32c_update.argtypes = (ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t)
    lib.castagnoli_version.restype = ctypes.c_char_p
    return lib


@pytest.mark.skipif(CC is None, reason="no C compiler")
# "dispatching" takes the SSE4.2 path on CPUs that have it (x86-64 CI runners do).
@pytest.mark.parametrize("variant", [(), ("-DCASTAGNOLI_PORTABLE_ONLY",)], ids=["dispatching", "portable-only"])
def test_each_implementation_matches_the_crc32c_package(tmp_path: Path, variant: tuple[str, ...]) -> None:
    lib = build(tmp_path, "lib", *variant)
    update = lib.castagnoli_crc32c_update
    rng = random.Random(42)
    data = rng.randbytes(1 << 16)
    for length in [*range(0, 80), 255, 256, 4095, 4096, 65535]:
        for start in (0, 1, 3, 7):  # every alignment of the 8-byte loads
            chunk = data[start:start + length]
            assert update(0, chunk, len(chunk)) == reference.crc32c(chunk), (variant, length, start)
    assert update(update(0, data[:1001], 1001), data[1001:], len(data) - 1001) == reference.crc32c(data)
    assert lib.castagnoli_version() == b"9.8.7"

