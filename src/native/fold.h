/* Carry-less folding on xmm, ymm and zmm registers, after Intel's "Fast CRC
 * Computation for Generic Polynomials Using PCLMULQDQ": the steps that the
 * folding kernels (fold.c) and the hybrid kernels (hybrid.c) are made of.
 * Every constant is computed at init from the polynomial (castagnoli_xpow):
 * there is no table of magic numbers to get wrong. */
#ifndef CASTAGNOLI_FOLD_H
#define CASTAGNOLI_FOLD_H

#include "internal.h"

#ifdef CASTAGNOLI_X86

#  define XMM_TARGET TARGET("sse4.2,pclmul")
#  define YMM_TARGET TARGET("avx2,vpclmulqdq,pclmul,sse4.2")
#  define ZMM_TARGET TARGET("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.2")

#  if defined(_MSC_VER) && !defined(__clang__)
#    define ALWAYS_INLINE __forceinline
#  else
#    define ALWAYS_INLINE inline __attribute__((always_inline))
#  endif

/* castagnoli_fold_keys[d / 128] folds 128 bits forward by d bits (d = 128, 256,
 * ... CASTAGNOLI_FOLD_MAX): {x^(d+31), x^(d-33)} mod P, the high-degree half
 * times the first, the low-degree half times the second. */
#  define CASTAGNOLI_FOLD_MAX 4096
extern uint64_t castagnoli_fold_keys[CASTAGNOLI_FOLD_MAX / 128 + 1][2];

static inline __m128i fold_key_xmm(unsigned bits)
{
    return _mm_loadu_si128((const __m128i *)castagnoli_fold_keys[bits / 128]);
}

XMM_TARGET static ALWAYS_INLINE __m128i fold_xmm(__m128i x, __m128i k, __m128i next)
{
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next);
}

/* The CRC register after `len` more bytes at p, the earlier data folded into x. */
XMM_TARGET static inline uint32_t finish_xmm(__m128i x, const unsigned char *p, size_t len)
{
    __m128i k = fold_key_xmm(128);
    uint64_t c;
    while (len >= 16) {
        x = fold_xmm(x, k, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }
    c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x));
    c = _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(x, 1));
    return castagnoli_crc_1way((uint32_t)c, p, len);
}

YMM_TARGET static ALWAYS_INLINE __m256i fold_key_ymm(unsigned bits)
{
    return _mm256_broadcastsi128_si256(fold_key_xmm(bits));
}

YMM_TARGET static ALWAYS_INLINE __m256i fold_ymm(__m256i x, __m256i k, __m256i next)
{
    return _mm256_xor_si256(
        _mm256_xor_si256(_mm256_clmulepi64_epi128(x, k, 0x00), _mm256_clmulepi64_epi128(x, k, 0x11)), next);
}

YMM_TARGET static inline uint32_t finish_ymm(__m256i a, const unsigned char *p, size_t len)
{
    __m256i k = fold_key_ymm(256);
    while (len >= 32) {
        a = fold_ymm(a, k, _mm256_loadu_si256((const __m256i *)p));
        p += 32;
        len -= 32;
    }
    return finish_xmm(fold_xmm(_mm256_castsi256_si128(a), fold_key_xmm(128), _mm256_extracti128_si256(a, 1)), p,
                      len);
}

ZMM_TARGET static ALWAYS_INLINE __m512i fold_key_zmm(unsigned bits)
{
    return _mm512_broadcast_i32x4(fold_key_xmm(bits));
}

ZMM_TARGET static ALWAYS_INLINE __m512i fold_zmm(__m512i x, __m512i k, __m512i next)
{
    return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x00), _mm512_clmulepi64_epi128(x, k, 0x11),
                                     next, 0x96); /* a ^ b ^ c */
}

ZMM_TARGET static inline uint32_t finish_zmm(__m512i a, const unsigned char *p, size_t len)
{
    __m512i k = fold_key_zmm(512), b;
    __m128i x;
    while (len >= 64) {
        a = fold_zmm(a, k, _mm512_loadu_si512(p));
        p += 64;
        len -= 64;
    }
    /* Four 128-bit lanes to one: lanes 0, 1, 2 fold 384, 256, 128 bits onto lane 3. */
    k = _mm512_inserti32x4(_mm512_inserti32x4(_mm512_inserti32x4(_mm512_setzero_si512(), fold_key_xmm(384), 0),
                                              fold_key_xmm(256), 1),
                           fold_key_xmm(128), 2);
    b = _mm512_xor_si512(_mm512_clmulepi64_epi128(a, k, 0x00), _mm512_clmulepi64_epi128(a, k, 0x11));
    x = _mm_ternarylogic_epi64(_mm512_extracti32x4_epi32(b, 0), _mm512_extracti32x4_epi32(b, 1),
                               _mm512_extracti32x4_epi32(b, 2), 0x96);
    return finish_xmm(_mm_xor_si128(x, _mm512_extracti32x4_epi32(a, 3)), p, len);
}

#endif /* CASTAGNOLI_X86 */

#endif
