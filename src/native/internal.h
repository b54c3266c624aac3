/* What the C files of castagnoli share and the Python binding does not see:
 * the polynomial arithmetic, the kernels' signatures and the x86 target macro.
 * Every kernel works on the raw (inverted) CRC register. */
#ifndef CASTAGNOLI_INTERNAL_H
#define CASTAGNOLI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crc32c.h" /* CASTAGNOLI_MAX_BANDS */

#if (defined(__x86_64__) || defined(_M_X64)) && !defined(CASTAGNOLI_PORTABLE_ONLY)
#  define CASTAGNOLI_X86 1
#  include <immintrin.h>
#  if defined(_MSC_VER) && !defined(__clang__)
#    include <intrin.h>
#    define TARGET(features) /* MSVC compiles every intrinsic without /arch */
#  else
#    define TARGET(features) __attribute__((target(features)))
#  endif
#endif

#define CASTAGNOLI_POLY 0x82F63B78u /* reflected; bit 31 is x^0 */

typedef uint32_t (*castagnoli_fn)(uint32_t crc, const unsigned char *p, size_t len);

/* combine.c: arithmetic modulo the polynomial (reflected: bit 31 is x^0). */
uint32_t castagnoli_mulmod(uint32_t a, uint32_t b);
uint32_t castagnoli_xpow(uint64_t n);       /* x^n mod P */
uint32_t castagnoli_shift(uint32_t crc, uint64_t bytes); /* crc * x^(8 bytes) mod P */
void castagnoli_init_combine(void);

/* portable.c */
void castagnoli_init_portable(void);
uint32_t castagnoli_portable(uint32_t crc, const unsigned char *p, size_t len);

/* What a kernel needs of the CPU and OS (cpu.c reads it; AVX2 and AVX-512 count
 * only where the OS saves their registers), and what tells CPUs apart. */
enum {
    CASTAGNOLI_SSE42 = 1, CASTAGNOLI_PCLMUL = 2, CASTAGNOLI_AVX2 = 4, CASTAGNOLI_VPCLMUL = 8,
    CASTAGNOLI_AVX512 = 16, /* F and VL */
    CASTAGNOLI_AMX = 32, CASTAGNOLI_AVX512FP16 = 64 /* Sapphire Rapids and later: no kernel needs them */
};
/* What the kernels of each vector width need. */
#define CASTAGNOLI_NEEDS_xmm (CASTAGNOLI_SSE42 | CASTAGNOLI_PCLMUL)
#define CASTAGNOLI_NEEDS_ymm (CASTAGNOLI_NEEDS_xmm | CASTAGNOLI_AVX2 | CASTAGNOLI_VPCLMUL)
#define CASTAGNOLI_NEEDS_zmm (CASTAGNOLI_NEEDS_ymm | CASTAGNOLI_AVX512)

/* cpu.c: what the CPU is, from CPUID (leaves 0, 1 and 7, and XCR0), and the
 * table that gives each kind of CPU its kernel per size band. */
struct castagnoli_cpu {
    int vendor;      /* CASTAGNOLI_INTEL, CASTAGNOLI_AMD or 0 */
    unsigned family; /* the display family and model, extended parts included */
    unsigned model;
    int features;
};
enum { CASTAGNOLI_INTEL = 1, CASTAGNOLI_AMD = 2 };
void castagnoli_decode_cpuid(const uint32_t cpuid[3][4], uint64_t xcr0, struct castagnoli_cpu *cpu);
void castagnoli_read_cpu(struct castagnoli_cpu *cpu);

struct castagnoli_row {
    const char *cpu;                /* the CPUs it names */
    int vendor;                     /* 0: any */
    unsigned family;                /* 0: any */
    unsigned char models[8];        /* 0-terminated; none: any */
    int needs, any, lacks;          /* features it must have, at least one of (0: none), none of */
    const char *measured;           /* where its choice was measured, or which published figure it follows */
    struct { size_t from; const char *kernel; } bands[CASTAGNOLI_MAX_BANDS]; /* from 0 up; kernel NULL: unused */
};
extern const struct castagnoli_row castagnoli_rows[];
extern const int castagnoli_row_count;

#ifdef CASTAGNOLI_X86
/* 8 bytes at any address (x86 is little-endian; memcpy keeps it well-defined). */
static inline uint64_t castagnoli_load64(const unsigned char *p)
{
    uint64_t word;
    memcpy(&word, p, 8);
    return word;
}

/* streams.c: the CRC32 instruction alone. */
void castagnoli_init_streams(void);
uint32_t castagnoli_crc_1way(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_crc_s3(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_crc_s3_clmul(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_crc_s6_far(uint32_t crc, const unsigned char *p, size_t len);

/* fold.c (and fold.h): folding alone. */
void castagnoli_init_fold(void);
uint32_t castagnoli_ymm_v4(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_zmm_v4(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_zmm_r2(uint32_t crc, const unsigned char *p, size_t len);

/* hybrid.c: folding beside CRC32 streams, one kernel per entry of this list,
 * X(width, V accumulators, S streams, K words each stream reads per step),
 * named width_vVsSwK. A step folds V * width bytes while the streams read
 * S * 8 * K: the CRC32 streams' share of the bytes. */
#  define CASTAGNOLI_HYBRIDS(X) \
    X(zmm, 3, 2, 4) \
    X(zmm, 3, 1, 2) \
    X(zmm, 4, 4, 4) \
    X(zmm, 4, 5, 2) \
    X(ymm, 4, 4, 4) \
    X(xmm, 4, 4, 4)
#  define CASTAGNOLI_HYBRID_MIN_LOG 4 /* the smallest block: 2^4 steps (zmm_v3s2w4: 4 KiB) */
void castagnoli_init_hybrid(void);
#  define CASTAGNOLI_DECLARE_HYBRID(width, V, S, K) \
    uint32_t castagnoli_##width##_v##V##s##S##w##K(uint32_t crc, const unsigned char *p, size_t len);
CASTAGNOLI_HYBRIDS(CASTAGNOLI_DECLARE_HYBRID)
#endif

#endif
