/* CPU detection, the kernel table, the self-test and the dispatch.
 *
 *   avx512    VPCLMULQDQ on zmm (AVX-512F, OS saves zmm state)       fold.c
 *   avx2      VPCLMULQDQ on ymm (AVX2, OS saves ymm state)           fold.c
 *   pclmul    three CRC32 streams joined with PCLMULQDQ; xmm folding
 *             beside four CRC32 streams on 24 KiB-2 MiB buffers         streams.c, fold.c
 *   sse42     three CRC32 streams joined with shift tables           streams.c
 *   portable  slicing-by-8, any CPU and byte order                   portable.c
 *
 * At init every kernel the CPU and OS support is checked against the portable
 * one on inputs that reach each of its paths (self_test below); a kernel that
 * disagrees (a miscompiled build, a CPU or hypervisor that mis-executes an
 * instruction) is never chosen, and castagnoli_kernel_status says so.
 *
 * Buffers past the caches (FAR_STREAMS_FROM and more) are read by six far-apart
 * CRC32 streams whatever the kernel (streams.c), which doubles what one stream
 * gets from memory, except on AMD Zen 4 and later with AVX-512, where zmm
 * folding was measured fastest (Zen 5, 2026-11) and is kept.
 *
 * Which layout each CPU gets, and where it was measured (from 2 to 8 MiB each
 * kernel folds, or runs its three streams, alone; the hybrids are folding
 * beside CRC32 streams, fold.c):
 *   CPU                              24/32/48 KiB - 2 MiB         from 8 MiB
 *   AMD Zen 4/5 (AVX-512)            avx512 hybrid (Zen 5)        zmm folding (Zen 5)
 *   AMD Zen 3 (AVX2 + VPCLMULQDQ)    avx2 hybrid (Zen 5, forced)  six far streams (not measured)
 *   Intel, AVX-512 + VPCLMULQDQ      zmm folding (Xeon 2026-12:   six far streams (Xeon 2026-12:
 *                                    115-119 GB/s, the hybrid     the fastest layout from 16 MiB,
 *                                    82-88)                       crc32c-rs's)
 *   other AVX2 + VPCLMULQDQ          ymm folding (not measured)   six far streams (not measured)
 *   PCLMULQDQ only (AMD Zen 2...)    xmm hybrid (Zen 2 2026-12)   six far streams (Zen 2 2026-12)
 *   other x86-64 with SSE4.2         three streams                six far streams (not measured)
 * A CPU with VPCLMULQDQ not named gets folding alone, which depends least on
 * how its CRC32 and carry-less multiply units compare. */
#include <string.h>

#include "crc32c.h"
#include "internal.h"

#if defined(CASTAGNOLI_X86) && !(defined(_MSC_VER) && !defined(__clang__))
#  include <cpuid.h>
#endif

#ifdef CASTAGNOLI_X86

enum { HAS_SSE42 = 1, HAS_PCLMUL = 2, HAS_AVX2_VPCLMUL = 4, HAS_AVX512_VPCLMUL = 8, IS_AMD_ZEN3_PLUS = 16 };

static void cpuid(int leaf, int subleaf, unsigned int regs[4])
{
#  if defined(_MSC_VER) && !defined(__clang__)
    int r[4];
    __cpuidex(r, leaf, subleaf);
    regs[0] = (unsigned int)r[0];
    regs[1] = (unsigned int)r[1];
    regs[2] = (unsigned int)r[2];
    regs[3] = (unsigned int)r[3];
#  else
    if (!__get_cpuid_count((unsigned int)leaf, (unsigned int)subleaf, &regs[0], &regs[1], &regs[2], &regs[3]))
        regs[0] = regs[1] = regs[2] = regs[3] = 0;
#  endif
}

/* XCR0: which register states the OS saves on a context switch. */
static uint64_t xcr0(void)
{
#  if defined(_MSC_VER) && !defined(__clang__)
    return _xgetbv(0);
#  else
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
#  endif
}

static int cpu_features(void)
{
    unsigned int leaf0[4], leaf1[4], leaf7[4] = {0, 0, 0, 0};
    int features = 0;
    uint64_t os_state = 0;
    cpuid(0, 0, leaf0);
    cpuid(1, 0, leaf1);
    if (leaf0[0] >= 7)
        cpuid(7, 0, leaf7);
    /* "AuthenticAMD", family 0x19 (Zen 3, Zen 4) or later (base family 0xF plus the extended one) */
    if (leaf0[1] == 0x68747541u && leaf0[3] == 0x69746E65u && leaf0[2] == 0x444D4163u &&
        ((leaf1[0] >> 8) & 0xFu) + ((leaf1[0] >> 20) & 0xFFu) >= 0x19)
        features |= IS_AMD_ZEN3_PLUS;
    if (leaf1[2] & (1u << 20))
        features |= HAS_SSE42;
    if ((features & HAS_SSE42) && (leaf1[2] & (1u << 1)))
        features |= HAS_PCLMUL;
    if (!(features & HAS_PCLMUL) || !(leaf1[2] & (1u << 27))) /* OSXSAVE: xgetbv usable */
        return features;
    os_state = xcr0();
    /* AVX2 (leaf 7 EBX bit 5) + VPCLMULQDQ (ECX bit 10); OS saves xmm+ymm (XCR0 bits 1, 2). */
    if ((leaf7[1] & (1u << 5)) && (leaf7[2] & (1u << 10)) && (os_state & 0x6) == 0x6) {
        features |= HAS_AVX2_VPCLMUL;
        /* AVX-512F (EBX bit 16); OS saves opmask, zmm0-15 high halves, zmm16-31 (XCR0 bits 5-7). */
        if ((leaf7[1] & (1u << 16)) && (os_state & 0xE6) == 0xE6)
            features |= HAS_AVX512_VPCLMUL;
    }
    return features;
}

#endif /* CASTAGNOLI_X86 */

/* --- the self-test ---------------------------------------------------------- */

/* Prefix lengths of one buffer that reach every path of every kernel: the short
 * tails (CRC32 bytes and words, 16-byte folds), the 64- and 256-byte folding
 * steps, the sse42/pclmul three-stream blocks (3 x 256, 3 x 4096 bytes), and
 * the avx2 and avx512 blocks of folding beside four streams, each with a tail. */
static const size_t self_test_lengths[] = {
    0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 257, 319, 320, 511, 767, 768, 769, 1021,
#ifdef CASTAGNOLI_X86
    3 * 4096 + 5, /* the last prefix the portable kernel reads: sse42's paths end here */
    CASTAGNOLI_HYBRID_BLOCK + 77, CASTAGNOLI_HYBRID_BLOCK_ZMM + 3 * 64 + 13,
#endif
};
#define SELF_TEST_COUNT (sizeof self_test_lengths / sizeof self_test_lengths[0])
#define SELF_TEST_OFFSET 3 /* an odd address: no kernel may rely on alignment */
#ifdef CASTAGNOLI_X86
#  define SELF_TEST_BYTES (CASTAGNOLI_HYBRID_BLOCK_ZMM + 512)
#  define PORTABLE_PREFIXES (SELF_TEST_COUNT - 2)
#else
#  define SELF_TEST_BYTES 1024
#  define PORTABLE_PREFIXES SELF_TEST_COUNT
#endif

/* 1 when `fn` gives the expected CRC on the first `count` prefixes, else 0. */
static int self_test(castagnoli_fn fn, const unsigned char *data, const uint32_t *expected, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++)
        if (fn(0x5EED5EEDu, data, self_test_lengths[i]) != expected[i])
            return 0;
    return 1;
}

/* expected[first..count): the CRC of each prefix by `fn`, in one pass over the data. */
static void reference(castagnoli_fn fn, const unsigned char *data, uint32_t *expected, size_t first, size_t count)
{
    uint32_t crc = first ? expected[first - 1] : 0x5EED5EEDu;
    size_t i, done = first ? self_test_lengths[first - 1] : 0;
    for (i = first; i < count; i++) {
        crc = fn(crc, data + done, self_test_lengths[i] - done);
        done = self_test_lengths[i];
        expected[i] = crc;
    }
}

#ifdef CASTAGNOLI_BREAK_KERNEL
/* A deliberately wrong kernel for the tests of the self-test (a throwaway build
 * with -DCASTAGNOLI_BREAK_KERNEL=\"name\"): right below 4 KiB, wrong above. */
static castagnoli_fn broken_original;
static uint32_t broken(uint32_t crc, const unsigned char *p, size_t len)
{
    return broken_original(crc, p, len) ^ (len > 4096 ? 1u : 0u);
}
#endif

/* --- the kernel table and the dispatch -------------------------------------- */

struct kernel {
    const char *name;
    castagnoli_fn fn;
    int status; /* CASTAGNOLI_UNSUPPORTED, CASTAGNOLI_OK or CASTAGNOLI_FAILED_SELF_TEST */
};

static struct kernel kernels[] = {
#ifdef CASTAGNOLI_X86
    {"avx512", castagnoli_avx512, CASTAGNOLI_UNSUPPORTED},
    {"avx2", castagnoli_avx2, CASTAGNOLI_UNSUPPORTED},
    {"pclmul", castagnoli_pclmul_hybrid, CASTAGNOLI_UNSUPPORTED},
    {"sse42", castagnoli_sse42, CASTAGNOLI_UNSUPPORTED},
#endif
    {"portable", castagnoli_portable, CASTAGNOLI_OK},
};
#define KERNELS ((int)(sizeof kernels / sizeof kernels[0]))

static const struct kernel *current = &kernels[KERNELS - 1];

#ifdef CASTAGNOLI_X86
/* From this size on, six far streams (SIZE_MAX: never; set at init). */
#  define FAR_STREAMS_FROM ((size_t)8 << 20)
static size_t far_streams_from = (size_t)-1;
#endif

void castagnoli_init(void)
{
    static unsigned char buffer[SELF_TEST_OFFSET + SELF_TEST_BYTES + 8];
    const unsigned char *data = buffer + SELF_TEST_OFFSET;
    uint32_t expected[SELF_TEST_COUNT];
    uint64_t state = 0x9E3779B97F4A7C15u;
    size_t i, count;
    int k;
#ifdef CASTAGNOLI_X86
    int features, zen4_plus;
#endif

    castagnoli_init_combine();
    castagnoli_init_portable();
#ifdef CASTAGNOLI_X86
    {
        features = cpu_features();
        castagnoli_init_streams();
        castagnoli_init_fold();
        castagnoli_vector_hybrid = (features & IS_AMD_ZEN3_PLUS) != 0;
        kernels[0].status = (features & HAS_AVX512_VPCLMUL) ? CASTAGNOLI_OK : CASTAGNOLI_UNSUPPORTED;
        kernels[1].status = (features & HAS_AVX2_VPCLMUL) ? CASTAGNOLI_OK : CASTAGNOLI_UNSUPPORTED;
        kernels[2].status = (features & HAS_PCLMUL) ? CASTAGNOLI_OK : CASTAGNOLI_UNSUPPORTED;
        kernels[3].status = (features & HAS_SSE42) ? CASTAGNOLI_OK : CASTAGNOLI_UNSUPPORTED;
    }
#endif
#ifdef CASTAGNOLI_BREAK_KERNEL
    for (k = 0; k < KERNELS; k++) {
        if (strcmp(kernels[k].name, CASTAGNOLI_BREAK_KERNEL) == 0 && kernels[k].fn != broken) {
            broken_original = kernels[k].fn;
            kernels[k].fn = broken;
        }
    }
#endif

    /* Only as many prefixes as the fastest supported kernel needs, the data
     * (xorshift64), and the reference CRC of each prefix: the portable kernel's
     * up to the longest prefix the sse42 kernel's paths need; past it (the
     * folding kernels' big blocks), the sse42 kernel's once it agreed with the
     * portable one on all of those (a quarter of the time, same trust). */
    count = PORTABLE_PREFIXES;
#ifdef CASTAGNOLI_X86
    if (kernels[0].status == CASTAGNOLI_OK)
        count = SELF_TEST_COUNT; /* avx512's blocks */
    else if (kernels[1].status == CASTAGNOLI_OK || kernels[2].status == CASTAGNOLI_OK)
        count = SELF_TEST_COUNT - 1; /* avx2's and pclmul's */
#endif
    for (i = 0; i < SELF_TEST_OFFSET + self_test_lengths[count - 1]; i += 8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        memcpy(buffer + i, &state, 8);
    }
    reference(castagnoli_portable, data, expected, 0, PORTABLE_PREFIXES);
#ifdef CASTAGNOLI_X86
    reference(kernels[3].status == CASTAGNOLI_OK && self_test(kernels[3].fn, data, expected, PORTABLE_PREFIXES)
              ? kernels[3].fn : castagnoli_portable, data, expected, PORTABLE_PREFIXES, count);
#endif

#ifdef CASTAGNOLI_X86
    /* The far streams on the longest prefix (six parts and a tail), if the CRC32 instruction is there. */
    far_streams_from = (size_t)-1;
    zen4_plus = (features & IS_AMD_ZEN3_PLUS) && (features & HAS_AVX512_VPCLMUL);
    if (kernels[3].status == CASTAGNOLI_OK && !zen4_plus &&
        castagnoli_far_streams(0x5EED5EEDu, data, self_test_lengths[count - 1]) == expected[count - 1])
        far_streams_from = FAR_STREAMS_FROM;
#endif

    current = &kernels[KERNELS - 1];
    for (k = KERNELS - 1; k >= 0; k--) {
        if (kernels[k].status != CASTAGNOLI_OK || k == KERNELS - 1)
            continue;
        if (!self_test(kernels[k].fn, data, expected, count))
            kernels[k].status = CASTAGNOLI_FAILED_SELF_TEST;
        else
            current = &kernels[k]; /* the fastest that passed: the table is fastest first */
    }
}

uint32_t castagnoli_crc32c(uint32_t crc, const void *data, size_t len)
{
#ifdef CASTAGNOLI_X86
    if (len >= far_streams_from && current != &kernels[KERNELS - 1])
        return ~castagnoli_far_streams(~crc, (const unsigned char *)data, len);
#endif
    return ~current->fn(~crc, (const unsigned char *)data, len);
}

const char *castagnoli_kernel_name(int index)
{
    return index >= 0 && index < KERNELS ? kernels[index].name : NULL;
}

int castagnoli_kernel_status(int index)
{
    return index >= 0 && index < KERNELS ? kernels[index].status : CASTAGNOLI_UNSUPPORTED;
}

const char *castagnoli_kernel(void)
{
    return current->name;
}

int castagnoli_use_kernel(const char *name)
{
    int i;
    for (i = 0; i < KERNELS; i++) {
        if (strcmp(kernels[i].name, name) == 0) {
            if (kernels[i].status != CASTAGNOLI_OK)
                return kernels[i].status == CASTAGNOLI_FAILED_SELF_TEST ? -3 : -2;
            current = &kernels[i];
            return 0;
        }
    }
    return -1;
}
