/* What the CPU is, and which kernel each kind of CPU gets per size band.
 *
 * A CPU's signature is its vendor, family, model and features, read from CPUID.
 * Features count as much as the model: a VM may report another model than its
 * CPU's (the Intel Xeon of 2026-12 reports family 6 model 167, a Rocket Lake
 * number, though AMX and AVX512-FP16 make it a Sapphire Rapids or later).
 *
 * The table is read from the top: a CPU gets the first row whose signature it
 * matches and all of whose kernels passed their self-test here (dispatch.c), so
 * a kernel that fails is never chosen and the CPU falls to a more general row.
 * Each row says where its choice was measured: on this project's machines
 * (`make bench BENCH=--kernels` prints the row and every kernel's speed), or
 * which published figure it follows where no machine of the project had that
 * CPU. A CPU no row names gets the default row of its widest instructions:
 * folding alone with VPCLMULQDQ (the layout that depends least on how its CRC32
 * and carry-less multiply units compare), the Zen 2 row with PCLMULQDQ alone,
 * three CRC32 streams with SSE4.2 alone, else the portable kernel. */
#include "internal.h"

#if defined(CASTAGNOLI_X86) && !(defined(_MSC_VER) && !defined(__clang__))
#  include <cpuid.h>
#endif

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)
#define ZMM CASTAGNOLI_NEEDS_zmm
#define YMM CASTAGNOLI_NEEDS_ymm
#define XMM CASTAGNOLI_NEEDS_xmm

const struct castagnoli_row castagnoli_rows[] = {
    {"AMD Zen 4 (family 19h with AVX-512: Genoa, Bergamo, Raphael, Phoenix)", CASTAGNOLI_AMD, 0x19, {0}, ZMM, 0, 0,
     "this project: AMD EPYC, family 25 model 17, KVM, 2 vCPUs, 2026-12-06/07: zmm_v3s2w4 the fastest from "
     "4 KiB (16-step blocks: 48-50 GB/s against 42-43 for zmm_v4) to 16 MiB (66-75 GB/s from 1 to 4 MiB "
     "against 55-56), zmm_r2 from 20 MiB, past the L3 (20-256 MiB: 2-10% over zmm_v4, which every hybrid "
     "falls 20-30% below there); the published best on Genoa has the same shape below the L3 (corsix "
     "v3s2x4 71.95 GB/s against v3x2 54.77)",
     {{0, "zmm_v4"}, {4 * KiB, "zmm_v3s2w4"}, {20 * MiB, "zmm_r2"}}},
    {"AMD Zen 5 (family 1Ah)", CASTAGNOLI_AMD, 0x1A, {0}, ZMM, 0, 0,
     "this project: AMD EPYC Zen 5, KVM, 2026-11: zmm folding beside CRC32 streams 99.6 GB/s at 1 MiB, "
     "folding alone 71",
     {{0, "zmm_v4"}, {48 * KiB, "zmm_v4s4w4"}, {2 * MiB, "zmm_v4"}}},
    {"AMD Zen 3 (family 19h without AVX-512: Milan, Vermeer)", CASTAGNOLI_AMD, 0x19, {0}, YMM, 0,
     CASTAGNOLI_AVX512,
     "this project: AMD EPYC, family 25 model 1, KVM, 2 vCPUs, 2026-12-07 (the team's perf notes; set "
     "on a Zen 4 from those figures, to be taken again on a Zen 3), every kernel forced: ymm_v4s4w4 the fastest from 64 KiB to 16 MiB (37-38 GB/s against 25 "
     "for ymm_v4 and crc_s6_far) and on a par past the caches (24.2 at 256 MiB, crc_s6_far 23.3); ymm_v4 "
     "below (20.5 GB/s at 4 KiB)",
     {{0, "ymm_v4"}, {32 * KiB, "ymm_v4s4w4"}}},
    {"AMD Zen, Zen+, Zen 2 (family 17h: Naples, Rome)", CASTAGNOLI_AMD, 0x17, {0}, XMM, 0, 0,
     "this project: AMD EPYC, family 23 model 49, KVM, 2026-12-04: xmm hybrid 25 GB/s against 20 for three "
     "streams from 64 KiB to 4 MiB, six far streams 15-16 against 8 from 16 MiB",
     {{0, "crc_s3_clmul"}, {24 * KiB, "xmm_v4s4w4"}, {2 * MiB, "crc_s3_clmul"}, {8 * MiB, "crc_s6_far"}}},
    {"Intel Sapphire, Emerald, Granite Rapids (AVX-512 with AMX or AVX512-FP16, whatever model is reported)",
     CASTAGNOLI_INTEL, 6, {0}, ZMM, CASTAGNOLI_AMX | CASTAGNOLI_AVX512FP16, 0,
     "this project: Intel Xeon reporting family 6 model 167 with AMX, KVM, 2026-12-02/06: zmm folding "
     "115-119 GB/s at 1 MiB against 82-88 for zmm_v4s4w4; six far streams fastest from 16 MiB; "
     "published best (corsix, Xeon 8481C, 512 KiB) v3s1_s3 97.30",
     {{0, "zmm_v4"}, {8 * MiB, "crc_s6_far"}}},
    {"Intel Ice Lake, Tiger Lake, Rocket Lake (AVX-512 with VPCLMULQDQ, no AMX)", CASTAGNOLI_INTEL, 6,
     {0x6A, 0x6C, 0x7D, 0x7E, 0x8C, 0x8D, 0xA7}, ZMM, 0, CASTAGNOLI_AMX | CASTAGNOLI_AVX512FP16,
     "published (corsix/fast-crc32, Ice Lake server, 512 KiB): v4s5x3, four zmm accumulators beside five CRC32 "
     "streams, 63.98 GB/s against 47.50 for folding alone; not measured by this project",
     {{0, "zmm_v4"}, {32 * KiB, "zmm_v4s5w2"}, {2 * MiB, "zmm_v4"}, {8 * MiB, "crc_s6_far"}}},
    {"Intel Skylake-X, Cascade Lake, Cooper Lake (AVX-512 without VPCLMULQDQ)", CASTAGNOLI_INTEL, 6,
     {0x55}, XMM | CASTAGNOLI_AVX2 | CASTAGNOLI_AVX512, 0, CASTAGNOLI_VPCLMUL,
     "published (corsix/fast-crc32, Cascade Lake): avx512 v9s3x4e, xmm folding beside three CRC32 streams, "
     "31.55 GB/s; xmm_v4s4w4 is the nearest layout here; not measured by this project",
     {{0, "crc_s3_clmul"}, {24 * KiB, "xmm_v4s4w4"}, {2 * MiB, "crc_s3_clmul"}, {8 * MiB, "crc_s6_far"}}},
    {"other x86-64 with AVX-512 and VPCLMULQDQ", 0, 0, {0}, ZMM, 0, 0,
     "the default: folding alone (the Intel Xeon's choice)", {{0, "zmm_v4"}, {8 * MiB, "crc_s6_far"}}},
    {"other x86-64 with AVX2 and VPCLMULQDQ (Intel Alder Lake and later clients...)", 0, 0, {0}, YMM, 0, 0,
     "the default: folding alone", {{0, "ymm_v4"}, {8 * MiB, "crc_s6_far"}}},
    {"other x86-64 with PCLMULQDQ (Intel Westmere to Skylake...)", 0, 0, {0}, XMM, 0, 0,
     "the default: the Zen 2 row", 
     {{0, "crc_s3_clmul"}, {24 * KiB, "xmm_v4s4w4"}, {2 * MiB, "crc_s3_clmul"}, {8 * MiB, "crc_s6_far"}}},
    {"other x86-64 with SSE4.2 (Intel Nehalem...)", 0, 0, {0}, CASTAGNOLI_SSE42, 0, 0,
     "the default: three streams, six far streams past the caches", {{0, "crc_s3"}, {8 * MiB, "crc_s6_far"}}},
    {"any other CPU", 0, 0, {0}, 0, 0, 0, "the portable kernel", {{0, "portable"}}},
};
const int castagnoli_row_count = (int)(sizeof castagnoli_rows / sizeof castagnoli_rows[0]);

void castagnoli_decode_cpuid(const uint32_t cpuid[3][4], uint64_t xcr0, struct castagnoli_cpu *cpu)
{
    static const uint32_t absent[4] = {0, 0, 0, 0};
    const uint32_t *leaf0 = cpuid[0], *leaf1 = cpuid[1], *leaf7 = leaf0[0] >= 7 ? cpuid[2] : absent;
    unsigned base_family = (leaf1[0] >> 8) & 0xFu;
    int f = 0;
    cpu->vendor = 0;
    /* EBX, EDX, ECX spell the vendor */
    if (leaf0[1] == 0x756E6547u && leaf0[3] == 0x49656E69u && leaf0[2] == 0x6C65746Eu)
        cpu->vendor = CASTAGNOLI_INTEL;
    if (leaf0[1] == 0x68747541u && leaf0[3] == 0x69746E65u && leaf0[2] == 0x444D4163u)
        cpu->vendor = CASTAGNOLI_AMD;
    cpu->family = base_family + (base_family == 0xF ? (leaf1[0] >> 20) & 0xFFu : 0);
    cpu->model = ((leaf1[0] >> 4) & 0xFu) | (base_family == 6 || base_family == 0xF ? (leaf1[0] >> 12) & 0xF0u : 0);
    if (leaf1[2] & (1u << 20))
        f |= CASTAGNOLI_SSE42;
    if ((f & CASTAGNOLI_SSE42) && (leaf1[2] & (1u << 1)))
        f |= CASTAGNOLI_PCLMUL;
    if (leaf7[3] & (1u << 24))
        f |= CASTAGNOLI_AMX; /* AMX-TILE: part of the signature only */
    if (leaf7[3] & (1u << 23))
        f |= CASTAGNOLI_AVX512FP16;
    /* OSXSAVE (xgetbv usable), AVX2 (leaf 7 EBX bit 5), the OS saves xmm and ymm (XCR0 bits 1, 2) */
    if ((f & CASTAGNOLI_PCLMUL) && (leaf1[2] & (1u << 27)) && (leaf7[1] & (1u << 5)) &&
        (xcr0 & 0x6) == 0x6) {
        f |= CASTAGNOLI_AVX2;
        if (leaf7[2] & (1u << 10)) /* VPCLMULQDQ */
            f |= CASTAGNOLI_VPCLMUL;
        /* AVX-512F and VL (EBX bits 16, 31); the OS saves opmask and zmm state (XCR0 bits 5-7) */
        if ((leaf7[1] & (1u << 16)) && (leaf7[1] & (1u << 31)) && (xcr0 & 0xE6) == 0xE6)
            f |= CASTAGNOLI_AVX512;
    }
    cpu->features = f;
}

void castagnoli_read_cpu(struct castagnoli_cpu *cpu)
{
    uint32_t cpuid[3][4] = {{0}};
    uint64_t xcr0 = 0;
#ifdef CASTAGNOLI_X86
    int leaf;
    for (leaf = 0; leaf < 3; leaf++) {
        unsigned int number = leaf == 2 ? 7 : (unsigned int)leaf;
        if (leaf > 0 && cpuid[0][0] < number)
            break;
#  if defined(_MSC_VER) && !defined(__clang__)
        {
            int r[4], i;
            __cpuidex(r, (int)number, 0);
            for (i = 0; i < 4; i++)
                cpuid[leaf][i] = (uint32_t)r[i];
        }
#  else
        __cpuid_count(number, 0, cpuid[leaf][0], cpuid[leaf][1], cpuid[leaf][2], cpuid[leaf][3]);
#  endif
    }
    if (cpuid[1][2] & (1u << 27)) { /* OSXSAVE: XCR0 says which register states the OS saves */
#  if defined(_MSC_VER) && !defined(__clang__)
        xcr0 = _xgetbv(0);
#  else
        unsigned int eax, edx;
        __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
        xcr0 = ((uint64_t)edx << 32) | eax;
#  endif
    }
#endif
    castagnoli_decode_cpuid((const uint32_t(*)[4])cpuid, xcr0, cpu);
}
