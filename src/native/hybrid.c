/* The hybrid kernels: carry-less folding beside CRC32 streams, which run on
 * other execution units, so that both work at once (hybrid_template.h). Each
 * is named by its shape, after corsix/fast-crc32's names: width, vN vector
 * accumulators, sM CRC32 streams, and the block size; the CRC32 streams' share
 * of the bytes is M * (stream bytes) / block. Which CPU gets which is the CPU
 * table's business (cpu.c), from measured rows. */
#include "fold.h"

#ifdef CASTAGNOLI_X86

/* c * k, unreduced (c 32 bits, k below 2^32: at most 63 bits). */
XMM_TARGET static ALWAYS_INLINE uint64_t clmul_32x64(uint32_t c, uint64_t k)
{
    return (uint64_t)_mm_cvtsi128_si64(
        _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)c), _mm_cvtsi64_si128((long long)k), 0x00));
}

/* Blocks of 2^CASTAGNOLI_HYBRID_MIN_LOG to 2^HYBRID_MAX_LOG steps: each block as
 * long as the bytes left allow, so a buffer takes few blocks and few joins. */
#  define HYBRID_MIN_LOG CASTAGNOLI_HYBRID_MIN_LOG
#  define HYBRID_MAX_LOG 14
/* The most accumulators and streams a layout may have (the template's arrays). */
#  define HYBRID_MAX_V 4
#  define HYBRID_MAX_S 8

#  define HYBRID hybrid_xmm
#  define VEC __m128i
#  define VBYTES 16
#  define VTARGET XMM_TARGET
#  define VLOAD(p) _mm_loadu_si128((const __m128i *)(p))
#  define VFIRST(p, crc) _mm_xor_si128(VLOAD(p), _mm_cvtsi32_si128((int)(crc)))
#  define VKEY(bits) fold_key_xmm(bits)
#  define VFOLD(x, k, next) fold_xmm(x, k, next)
#  define VFINISH(a) finish_xmm(a, NULL, 0)
#  define VALIGN 0
#  define VTAIL castagnoli_crc_s3_clmul
#  include "hybrid_template.h"

#  define HYBRID hybrid_ymm
#  define VEC __m256i
#  define VBYTES 32
#  define VTARGET YMM_TARGET
#  define VLOAD(p) _mm256_loadu_si256((const __m256i *)(p))
#  define VFIRST(p, crc) _mm256_xor_si256(VLOAD(p), _mm256_zextsi128_si256(_mm_cvtsi32_si128((int)(crc))))
#  define VKEY(bits) fold_key_ymm(bits)
#  define VFOLD(x, k, next) fold_ymm(x, k, next)
#  define VFINISH(a) finish_ymm(a, NULL, 0)
#  define VALIGN 0
#  define VTAIL castagnoli_ymm_v4
#  include "hybrid_template.h"

#  define HYBRID hybrid_zmm
#  define VEC __m512i
#  define VBYTES 64
#  define VTARGET ZMM_TARGET
#  define VLOAD(p) _mm512_loadu_si512(p)
#  define VFIRST(p, crc) _mm512_xor_si512(VLOAD(p), _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)(crc))))
#  define VKEY(bits) fold_key_zmm(bits)
#  define VFOLD(x, k, next) fold_zmm(x, k, next)
#  define VFINISH(a) finish_zmm(a, NULL, 0)
#  define VALIGN 1
#  define VTAIL castagnoli_zmm_v4
#  include "hybrid_template.h"

#  define TARGET_xmm XMM_TARGET
#  define TARGET_ymm YMM_TARGET
#  define TARGET_zmm ZMM_TARGET
#  define SHIFTS (HYBRID_MAX_LOG - HYBRID_MIN_LOG + 1)
/* A layout beyond the template's arrays is a compile error (C99's static assertion: an array of size -1). */
#  define DEFINE_HYBRID(width, V, S, K) \
    typedef char layout_fits_arrays_##width##_v##V##s##S##w##K[(V) >= 1 && (V) <= HYBRID_MAX_V && (S) >= 1 && \
                                                                (S) <= HYBRID_MAX_S && (K) >= 1 ? 1 : -1]; \
    static uint64_t shift_##width##_v##V##s##S##w##K[SHIFTS][HYBRID_MAX_S]; \
    TARGET_##width uint32_t castagnoli_##width##_v##V##s##S##w##K(uint32_t crc, const unsigned char *p, size_t len) \
    { \
        return hybrid_##width(crc, p, len, V, S, K, \
                              (const uint64_t(*)[HYBRID_MAX_S])shift_##width##_v##V##s##S##w##K); \
    }
CASTAGNOLI_HYBRIDS(DEFINE_HYBRID)

/* shift[j][m - 1] = x^(8 * L * m - 33) for the streams of a block of 2^(HYBRID_MIN_LOG + j)
 * steps (L = 8 * K * 2^(HYBRID_MIN_LOG + j) bytes each), by doubling from the first. */
static void init_shifts(uint64_t shift[SHIFTS][HYBRID_MAX_S], int streams, int words)
{
    uint64_t bits = 8 * 8 * (uint64_t)words << HYBRID_MIN_LOG; /* 8 * L for the smallest block */
    uint32_t past = castagnoli_xpow(bits - 33), stream = castagnoli_xpow(bits), power;
    int j, m;
    for (j = 0; j < SHIFTS; j++) {
        for (m = 0, power = past; m < streams; m++, power = castagnoli_mulmod(power, stream))
            shift[j][m] = power;
        past = castagnoli_mulmod(past, stream);     /* x^(16 L - 33) */
        stream = castagnoli_mulmod(stream, stream); /* x^(16 L) */
    }
}

#  define INIT_HYBRID(width, V, S, K) init_shifts(shift_##width##_v##V##s##S##w##K, S, K);

void castagnoli_init_hybrid(void)
{
    CASTAGNOLI_HYBRIDS(INIT_HYBRID)
}

#endif /* CASTAGNOLI_X86 */
