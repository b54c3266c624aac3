/* The kernel table, the self-test, and the dispatch by size band.
 *
 * Every kernel is a named layout (its name says its shape, after corsix/fast-
 * crc32's names):
 *   zmm_v4, ymm_v4       four zmm or ymm accumulators folding alone          fold.c
 *   zmm_r2               zmm_v4's folding in two far regions side by side
 *   <width>_vVsSwK       V accumulators folding beside S CRC32 streams that
 *                        read K words a step each                            hybrid.c
 *   crc_s6_far           six far-apart CRC32 streams over the whole buffer
 *   crc_s3_clmul         three CRC32 streams, joined by PCLMULQDQ
 *   crc_s3               three CRC32 streams, joined by shift tables         streams.c
 *   portable             slicing-by-8, any CPU and byte order                portable.c
 *
 * At init every kernel the CPU and OS support is checked against the portable
 * one on inputs that reach each of its paths; a kernel that disagrees (a
 * miscompiled build, a CPU or hypervisor that mis-executes an instruction) is
 * never used, and castagnoli_kernel_status says so. Then the CPU table (cpu.c)
 * gives the kernel for each size band; use_kernel forces one for all sizes. */
#include <string.h>

#include "crc32c.h"
#include "internal.h"

struct kernel {
    const char *name;
    castagnoli_fn fn;
    int needs;    /* the CPU features it runs on */
    size_t block; /* the block its longest path reads: the self-test reaches two and a tail */
    int status;   /* CASTAGNOLI_UNSUPPORTED, CASTAGNOLI_OK or CASTAGNOLI_FAILED_SELF_TEST */
};

#define BYTES_xmm 16
#define BYTES_ymm 32
#define BYTES_zmm 64
#define HYBRID_ENTRY(width, V, S, K) \
    {#width "_v" #V "s" #S "w" #K, castagnoli_##width##_v##V##s##S##w##K, CASTAGNOLI_NEEDS_##width, \
     ((V) * BYTES_##width + 8 * (S) * (K)) << CASTAGNOLI_HYBRID_MIN_LOG, CASTAGNOLI_UNSUPPORTED},

static struct kernel kernels[] = {
#ifdef CASTAGNOLI_X86
    {"zmm_v4", castagnoli_zmm_v4, CASTAGNOLI_NEEDS_zmm, 4096, CASTAGNOLI_UNSUPPORTED},
    {"zmm_r2", castagnoli_zmm_r2, CASTAGNOLI_NEEDS_zmm, 8192 + 64, CASTAGNOLI_UNSUPPORTED},
    {"ymm_v4", castagnoli_ymm_v4, CASTAGNOLI_NEEDS_ymm, 128, CASTAGNOLI_UNSUPPORTED},
    CASTAGNOLI_HYBRIDS(HYBRID_ENTRY)
    {"crc_s6_far", castagnoli_crc_s6_far, CASTAGNOLI_SSE42, 4096, CASTAGNOLI_UNSUPPORTED},
    {"crc_s3_clmul", castagnoli_crc_s3_clmul, CASTAGNOLI_NEEDS_xmm, 4096, CASTAGNOLI_UNSUPPORTED},
    {"crc_s3", castagnoli_crc_s3, CASTAGNOLI_SSE42, 4096, CASTAGNOLI_UNSUPPORTED},
#endif
    {"portable", castagnoli_portable, 0, 0, CASTAGNOLI_OK},
};
#define KERNELS ((int)(sizeof kernels / sizeof kernels[0]))
#define PORTABLE (&kernels[KERNELS - 1])

static struct kernel *find(const char *name)
{
    int i;
    for (i = 0; i < KERNELS; i++)
        if (strcmp(kernels[i].name, name) == 0)
            return &kernels[i];
    return NULL;
}

/* --- the self-test ---------------------------------------------------------- */

/* Prefix lengths of one buffer that reach every short path: CRC32 bytes and
 * words, 16-, 32- and 64-byte folds, the 256-byte folding steps, the
 * three-stream blocks (3 x 256, 3 x 4096 bytes); then, per kernel, one block
 * and two blocks with tails (blocks_tested). */
static const size_t self_test_lengths[] = {0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 257,
                                           319, 320, 511, 767, 768, 769, 1021, 3 * 4096 + 5};
#define SELF_TEST_COUNT (sizeof self_test_lengths / sizeof self_test_lengths[0])
#define SELF_TEST_OFFSET 3 /* an odd address: no kernel may rely on alignment */
#define SELF_TEST_SEED 0x5EED5EEDu
#define SELF_TEST_BYTES ((size_t)64 << 10) /* past two of the largest block and a tail */

static size_t blocks_tested(const struct kernel *k, int which)
{
    return which == 0 ? k->block + 77 : 2 * k->block + 3 * 64 + 13;
}

/* 1 when `k` gives the reference CRC on every prefix that reaches its paths. */
static int self_test(const struct kernel *k, const unsigned char *data, const uint32_t *expected,
                     castagnoli_fn reference)
{
    size_t i;
    int which;
    for (i = 0; i < SELF_TEST_COUNT; i++)
        if (k->fn(SELF_TEST_SEED, data, self_test_lengths[i]) != expected[i])
            return 0;
    if (blocks_tested(k, 1) > SELF_TEST_BYTES)
        return 0; /* a kernel whose blocks this test cannot reach is not used */
    for (which = 0; which < 2 && k->block > 1024; which++)
        if (k->fn(SELF_TEST_SEED, data, blocks_tested(k, which)) != reference(SELF_TEST_SEED, data,
                                                                               blocks_tested(k, which)))
            return 0;
    return 1;
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

/* --- the choice by CPU, and the dispatch ------------------------------------ */

struct plan {
    const struct castagnoli_row *row;
    int bands;
    size_t from[CASTAGNOLI_MAX_BANDS];
    castagnoli_fn fn[CASTAGNOLI_MAX_BANDS];
};

static struct plan plan = {NULL, 1, {0}, {castagnoli_portable}};
static const struct kernel *forced; /* use_kernel's, or NULL: the plan's */

static int row_matches(const struct castagnoli_row *row, const struct castagnoli_cpu *cpu)
{
    int i;
    if ((row->vendor && row->vendor != cpu->vendor) || (row->family && row->family != cpu->family) ||
        (cpu->features & row->needs) != row->needs || (row->any && !(cpu->features & row->any)) ||
        (cpu->features & row->lacks))
        return 0;
    for (i = 0; i < (int)sizeof row->models && row->models[i]; i++)
        if (row->models[i] == cpu->model)
            return 1;
    return i == 0;
}

/* The first row that names `cpu` and whose kernels all run there: supported by
 * its features, and (self_tested) passed their self-test here. */
static const struct castagnoli_row *choose(const struct castagnoli_cpu *cpu, int self_tested)
{
    int r, b;
    for (r = 0; r < castagnoli_row_count; r++) {
        const struct castagnoli_row *row = &castagnoli_rows[r];
        int usable = row_matches(row, cpu);
        for (b = 0; usable && b < CASTAGNOLI_MAX_BANDS && row->bands[b].kernel; b++) {
            const struct kernel *k = find(row->bands[b].kernel);
            usable = k != NULL && (k->needs & cpu->features) == k->needs &&
                     (!self_tested || k->status == CASTAGNOLI_OK);
        }
        if (usable)
            return row;
    }
    return &castagnoli_rows[castagnoli_row_count - 1];
}

/* Runs its work once per process: a second call (a module exec'd again after it was deleted from
 * sys.modules, a subinterpreter) returns at once, so the plan, the kernel statuses and a forced kernel
 * never change under a thread that is in a kernel. Call it before any other thread can (the module's
 * exec holds the GIL). */
void castagnoli_init(void)
{
    static int done;
    static unsigned char buffer[SELF_TEST_OFFSET + SELF_TEST_BYTES + 8];
    const unsigned char *data = buffer + SELF_TEST_OFFSET;
    uint32_t expected[SELF_TEST_COUNT];
    castagnoli_fn reference = castagnoli_portable;
    uint64_t state = 0x9E3779B97F4A7C15u;
    struct castagnoli_cpu cpu;
    struct kernel *k;
    size_t i, longest = self_test_lengths[SELF_TEST_COUNT - 1];
    int b;

    if (done)
        return;
    done = 1;
    castagnoli_init_combine();
    castagnoli_init_portable();
    castagnoli_read_cpu(&cpu);
#ifdef CASTAGNOLI_X86
    castagnoli_init_streams();
    castagnoli_init_fold();
    castagnoli_init_hybrid();
#endif
    for (k = kernels; k < PORTABLE; k++) {
        k->status = (k->needs & cpu.features) == k->needs ? CASTAGNOLI_OK : CASTAGNOLI_UNSUPPORTED;
        if (k->status == CASTAGNOLI_OK && blocks_tested(k, 1) > longest && blocks_tested(k, 1) <= SELF_TEST_BYTES)
            longest = blocks_tested(k, 1);
#ifdef CASTAGNOLI_BREAK_KERNEL
        if (strcmp(k->name, CASTAGNOLI_BREAK_KERNEL) == 0 && k->fn != broken) {
            broken_original = k->fn;
            k->fn = broken;
        }
#endif
    }

    /* The data (xorshift64) as far as the longest prefix any supported kernel
     * reads, and the portable kernel's CRC of each short prefix. Past those,
     * the reference is crc_s3 once it agreed with the portable kernel on all of
     * them (same trust, a tenth of the time). */
    for (i = 0; i < SELF_TEST_OFFSET + longest; i += 8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        memcpy(buffer + i, &state, 8);
    }
    for (i = 0; i < SELF_TEST_COUNT; i++)
        expected[i] = castagnoli_portable(SELF_TEST_SEED, data, self_test_lengths[i]);
#ifdef CASTAGNOLI_X86
    k = find("crc_s3");
    if (k->status == CASTAGNOLI_OK && self_test(k, data, expected, castagnoli_portable))
        reference = k->fn;
#endif
    for (k = kernels; k < PORTABLE; k++)
        if (k->status == CASTAGNOLI_OK && !self_test(k, data, expected, reference))
            k->status = CASTAGNOLI_FAILED_SELF_TEST;

    plan.row = choose(&cpu, 1);
    for (b = 0; b < CASTAGNOLI_MAX_BANDS && plan.row->bands[b].kernel; b++) {
        plan.from[b] = plan.row->bands[b].from;
        plan.fn[b] = find(plan.row->bands[b].kernel)->fn;
    }
    plan.bands = b;
}

uint32_t castagnoli_crc32c(uint32_t crc, const void *data, size_t len)
{
    const struct kernel *k = forced;
    int b = 0;
    if (k != NULL)
        return ~k->fn(~crc, (const unsigned char *)data, len);
    while (b + 1 < plan.bands && len >= plan.from[b + 1])
        b++;
    return ~plan.fn[b](~crc, (const unsigned char *)data, len);
}

int castagnoli_dispatch(const uint32_t cpuid[3][4], uint64_t xcr0, const char **cpu, const char **measured,
                        uint64_t from[CASTAGNOLI_MAX_BANDS], const char *kernel[CASTAGNOLI_MAX_BANDS])
{
    const struct castagnoli_row *row = plan.row;
    int b;
    if (cpuid != NULL) {
        struct castagnoli_cpu made_up;
        castagnoli_decode_cpuid(cpuid, xcr0, &made_up);
        row = choose(&made_up, 0);
    }
    *cpu = row->cpu;
    *measured = row->measured;
    for (b = 0; b < CASTAGNOLI_MAX_BANDS && row->bands[b].kernel; b++) {
        from[b] = row->bands[b].from;
        kernel[b] = row->bands[b].kernel;
    }
    return b;
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
    return forced != NULL ? forced->name : "auto";
}

int castagnoli_use_kernel(const char *name)
{
    const struct kernel *k = find(name);
    if (strcmp(name, "auto") == 0) {
        forced = NULL;
        return 0;
    }
    if (k == NULL)
        return -1;
    if (k->status != CASTAGNOLI_OK)
        return k->status == CASTAGNOLI_FAILED_SELF_TEST ? -3 : -2;
    forced = k;
    return 0;
}
