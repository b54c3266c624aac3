"""The wheel on CPUs this machine is not: the host wheel run under QEMU user-mode emulation of older x86-64
models, each of which must get the CPU table's row its features give, right answers from every kernel it runs,
and a refusal to force a kernel it lacks. (QEMU 7.2 emulates no VPCLMULQDQ or AVX-512: the ymm and zmm kernels
are tested by the package tests on CPUs that have them, and their choice by test_dispatch.py.)"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import crc32c as reference
import pytest
from conftest import require_tool

# model -> the kernels of the row its CPUID must get (SSE4.2 from Nehalem, PCLMULQDQ from Westmere; Haswell has
# AVX2 but no VPCLMULQDQ).
XMM_ROW = ["crc_s3_clmul", "xmm_v4s4w4", "crc_s3_clmul", "crc_s6_far"]
MODELS = {"qemu64": ["portable"], "Nehalem": ["crc_s3", "crc_s6_far"], "Westmere": XMM_ROW, "Haswell": XMM_ROW}

# Around every block boundary of the kernels the models can run (8-byte words, the three-stream blocks of
# 3 x 256 and 3 x 4096 bytes, crc_s3_clmul's blocks of up to 3 x 4096, xmm_v4s4w4's from 6 KiB), at two alignments,
# and chained.
LENGTHS = [0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 63, 64, 65, 255, 256, 257, 767, 768, 769, 1000, 4095, 4096, 6143, 6144, 6145,
           4097, 12287, 12288, 12289, 24575, 24576, 24577, 32768 + 5, 49152 + 77, 100_003]
OFFSETS = [0, 3]
SEED = 20261204

PROGRAM = r"""
import json, random, sys
sys.path.insert(0, sys.argv[1])
import castagnoli
from castagnoli import _crc32c
lengths, offsets = json.loads(sys.argv[2]), json.loads(sys.argv[3])
data = random.Random(int(sys.argv[4])).randbytes(max(lengths) + max(offsets))
out = {"row": castagnoli.dispatch(), "kernels": castagnoli.kernels(), "crcs": {}, "refused": {}}
for name, status in castagnoli.kernels().items():
    if status == "ok":
        _crc32c.use_kernel(name)
        crcs = [castagnoli.crc32c(memoryview(data)[o:o + n]) for o in offsets for n in lengths]
        crc = 0
        for piece in (data[:1000], data[1000:50000], data[50000:]):
            crc = castagnoli.crc32c(piece, crc)
        out["crcs"][name] = crcs + [crc]
    else:
        try:
            _crc32c.use_kernel(name)
            out["refused"][name] = None
        except ValueError as exc:
            out["refused"][name] = str(exc)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def unpacked_wheel(host_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(host_wheel) as zf:
        zf.extractall(target)
    return target


def expected_crcs() -> list[int]:
    data = random.Random(SEED).randbytes(max(LENGTHS) + max(OFFSETS))
    return [reference.crc32c(data[o:o + n]) for o in OFFSETS for n in LENGTHS] + [reference.crc32c(data)]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("model", MODELS)
def test_each_emulated_cpu_gets_its_row_right_answers_and_refuses_the_others(
        model: str, unpacked_wheel: Path) -> None:
    qemu = require_tool("qemu-x86_64", "qemu-user")
    python = str(Path(sys.executable).resolve())
    result = subprocess.run([qemu, "-cpu", model, python, "-S", "-E", "-c", PROGRAM, str(unpacked_wheel),
                             json.dumps(LENGTHS), json.dumps(OFFSETS), str(SEED)],
                            capture_output=True, text=True, timeout=540)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    cpu, _, bands = out["row"]
    print(f"{model} -> {cpu}: {bands}")
    assert [name for _, name in bands] == MODELS[model]
    assert "failed self-test" not in out["kernels"].values()
    assert all(status == "unsupported" for name, status in out["kernels"].items() if name[:3] in ("ymm", "zmm"))
    expected = expected_crcs()
    for name, crcs in out["crcs"].items():
        assert crcs == expected, name
    assert out["refused"] and all(message and "does not support" in message for message in out["refused"].values())
