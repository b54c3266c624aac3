"""The choice per CPU: the CPU table (src/native/cpu.c) handed made-up CPUID answers for each of its rows, and the
kernel it then gives each size checked, without running any kernel."""

from __future__ import annotations

import pytest

from castagnoli import dispatch

# CPUID bits: leaf 1 ECX; leaf 7 EBX, ECX, EDX
SSE42, PCLMUL, OSXSAVE = 1 << 20, 1 << 1, 1 << 27
AVX2, AVX512F, AVX512VL = 1 << 5, 1 << 16, 1 << 31
VPCLMUL = 1 << 10
AVX512FP16, AMX_TILE = 1 << 23, 1 << 24
XCR0_ZMM, XCR0_YMM = 0xE7, 0x07  # x87, xmm, ymm (+ opmask, zmm halves, zmm16-31)

XMM = {"sse42", "pclmul"}
YMM = XMM | {"avx2", "vpclmul"}
ZMM = YMM | {"avx512"}


def cpuid(vendor: str, family: int, model: int, features: set[str], xcr0: int = XCR0_ZMM) -> tuple[object, ...]:
    """CPUID leaves 0, 1 and 7 and XCR0 as a CPU of this vendor, display family and model, with these features,
    reports them."""
    ebx, edx, ecx = (int.from_bytes(vendor.encode()[i:i + 4], "little") for i in (0, 4, 8))
    base, extended = (family, 0) if family < 0xF else (0xF, family - 0xF)
    eax1 = (extended << 20) | ((model >> 4) << 16) | (base << 8) | ((model & 0xF) << 4)
    ecx1 = OSXSAVE | (SSE42 if "sse42" in features else 0) | (PCLMUL if "pclmul" in features else 0)
    ebx7 = ((AVX2 if "avx2" in features else 0)
            | (AVX512F | AVX512VL if "avx512" in features else 0))
    ecx7 = VPCLMUL if "vpclmul" in features else 0
    edx7 = (AMX_TILE if "amx" in features else 0) | (AVX512FP16 if "fp16" in features else 0)
    return (0xD, ebx, ecx, edx), (eax1, 0, ecx1, 0), (0, ebx7, ecx7, edx7), xcr0


INTEL, AMD = "GenuineIntel", "AuthenticAMD"
KIB, MIB = 1 << 10, 1 << 20
PROBES = [1 * KIB, 20 * KIB, 64 * KIB, 1 * MIB, 4 * MIB, 64 * MIB]

# CPU -> (its CPUID, a word of the row it must get, the kernel at each of PROBES)
CPUS = {
    "AMD Zen 4 (Genoa)": (cpuid(AMD, 0x19, 0x11, ZMM), "Zen 4",
                          ["zmm_v4", "zmm_v3s2w4", "zmm_v3s2w4", "zmm_v3s2w4", "zmm_v3s2w4", "zmm_r2"]),
    "AMD Zen 4 (Phoenix)": (cpuid(AMD, 0x19, 0x74, ZMM), "Zen 4",
                            ["zmm_v4", "zmm_v3s2w4", "zmm_v3s2w4", "zmm_v3s2w4", "zmm_v3s2w4", "zmm_r2"]),
    "AMD Zen 5 (Turin)": (cpuid(AMD, 0x1A, 0x02, ZMM), "Zen 5",
                          ["zmm_v4", "zmm_v4", "zmm_v4s4w4", "zmm_v4s4w4", "zmm_v4", "zmm_v4"]),
    "AMD Zen 3 (Milan)": (cpuid(AMD, 0x19, 0x01, YMM | {"avx2"}), "Zen 3",
                          ["ymm_v4", "ymm_v4", "ymm_v4s4w4", "ymm_v4s4w4", "ymm_v4s4w4", "ymm_v4s4w4"]),
    "AMD Zen 2 (Rome)": (cpuid(AMD, 0x17, 0x31, XMM | {"avx2"}), "Zen 2",
                         ["crc_s3_clmul", "crc_s3_clmul", "xmm_v4s4w4", "xmm_v4s4w4", "crc_s3_clmul", "crc_s6_far"]),
    "Intel Sapphire Rapids": (cpuid(INTEL, 6, 0x8F, ZMM | {"amx", "fp16"}), "Sapphire",
                              ["zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "crc_s6_far"]),
    "Intel Emerald Rapids": (cpuid(INTEL, 6, 0xCF, ZMM | {"amx", "fp16"}), "Sapphire",
                             ["zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "crc_s6_far"]),
    "Intel Granite Rapids": (cpuid(INTEL, 6, 0xAD, ZMM | {"amx", "fp16"}), "Sapphire",
                             ["zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "crc_s6_far"]),
    # the Xeon of 2026-12: a VM that reports model 167 (Rocket Lake's number) of a CPU with AMX and AVX512-FP16
    "a VM reporting another model": (cpuid(INTEL, 6, 167, ZMM | {"amx", "fp16"}), "Sapphire",
                                     ["zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "crc_s6_far"]),
    "Intel Ice Lake server": (cpuid(INTEL, 6, 0x6A, ZMM), "Ice Lake",
                              ["zmm_v4", "zmm_v4", "zmm_v4s5w2", "zmm_v4s5w2", "zmm_v4", "crc_s6_far"]),
    "Intel Rocket Lake": (cpuid(INTEL, 6, 0xA7, ZMM), "Ice Lake",
                          ["zmm_v4", "zmm_v4", "zmm_v4s5w2", "zmm_v4s5w2", "zmm_v4", "crc_s6_far"]),
    "Intel Cascade Lake": (cpuid(INTEL, 6, 0x55, XMM | {"avx2", "avx512"}), "Cascade Lake",
                           ["crc_s3_clmul", "crc_s3_clmul", "xmm_v4s4w4", "xmm_v4s4w4", "crc_s3_clmul",
                            "crc_s6_far"]),
    "Intel Haswell": (cpuid(INTEL, 6, 0x3C, XMM | {"avx2"}), "with PCLMULQDQ",
                      ["crc_s3_clmul", "crc_s3_clmul", "xmm_v4s4w4", "xmm_v4s4w4", "crc_s3_clmul", "crc_s6_far"]),
    "Intel Alder Lake": (cpuid(INTEL, 6, 0x97, YMM), "with AVX2 and VPCLMULQDQ",
                         ["ymm_v4", "ymm_v4", "ymm_v4", "ymm_v4", "ymm_v4", "crc_s6_far"]),
    "Intel Nehalem": (cpuid(INTEL, 6, 0x1A, {"sse42"}), "with SSE4.2",
                      ["crc_s3", "crc_s3", "crc_s3", "crc_s3", "crc_s3", "crc_s6_far"]),
    "an unknown CPU with AVX-512": (cpuid("HygonGenuine", 0x18, 0x01, ZMM), "other x86-64 with AVX-512",
                                    ["zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "zmm_v4", "crc_s6_far"]),
    "Zen 4 under an OS that saves no zmm state": (cpuid(AMD, 0x19, 0x11, ZMM, xcr0=XCR0_YMM), "Zen 3",
                                                  ["ymm_v4", "ymm_v4", "ymm_v4s4w4", "ymm_v4s4w4", "ymm_v4s4w4",
                                                   "ymm_v4s4w4"]),
    "a CPU without SSE4.2": (cpuid(INTEL, 6, 0x17, set()), "any other CPU", ["portable"] * 6),
}


def kernel_at(bands: tuple[tuple[int, str], ...], size: int) -> str:
    return [name for start, name in bands if size >= start][-1]


@pytest.mark.parametrize("name", CPUS)
def test_each_cpu_gets_its_row_and_the_kernel_of_that_row_at_each_size(name: str) -> None:
    answers, row_word, expected = CPUS[name]
    cpu, measured, bands = dispatch(*answers)
    assert row_word in cpu, (name, cpu)
    assert measured
    assert [kernel_at(bands, size) for size in PROBES] == expected, (name, cpu, bands)


def test_every_row_of_the_table_is_reached_by_one_of_these_cpus() -> None:
    rows = {dispatch(*answers)[0] for answers, _, _ in CPUS.values()}
    assert len(rows) == 12, sorted(rows)  # the rows of castagnoli_rows in src/native/cpu.c


def test_the_rows_name_where_they_were_measured_or_the_published_figure_they_follow() -> None:
    for answers, _, _ in CPUS.values():
        cpu, measured, _ = dispatch(*answers)
        assert measured.startswith(("this project: ", "published (", "the default", "the portable")), (cpu, measured)


def test_made_up_cpuid_answers_of_the_wrong_shape_are_refused() -> None:
    with pytest.raises(TypeError):
        dispatch((0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), 0)  # type: ignore[arg-type]
