/* The folding kernels: PCLMULQDQ on xmm (pclmul's mid-sized buffers), VPCLMULQDQ
 * on ymm (avx2) and zmm (avx512) registers, after Intel's "Fast CRC Computation
 * for Generic Polynomials Using PCLMULQDQ", beside four CRC32 streams on
 * mid-sized buffers. Every constant is computed
 * at init from the polynomial (castagnoli_xpow), so there is no table of magic
 * numbers to get wrong. */
#include "internal.h"

#ifdef CASTAGNOLI_X86

/* --- folding ------------------------------------------------------------------ */

/* Folding 128 bits forward by `distance` bits: {x^(d+31), x^(d-33)} (high-degree
 * half times the first, low-degree half times the second). */
static uint64_t fold_128[2], fold_256[2], fold_384[2], fold_512[2], fold_1024[2], fold_2048[2];

static void init_fold(uint64_t k[2], unsigned distance)
{
    k[0] = castagnoli_xpow(distance + 31);
    k[1] = castagnoli_xpow(distance - 33);
}

TARGET("sse4.2,pclmul") static __m128i fold_xmm(__m128i x, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

/* The CRC register after 16 bytes whose earlier data is folded into `x`. */
TARGET("sse4.2,pclmul") static uint32_t finish_xmm(__m128i x, const unsigned char *p, size_t len)
{
    __m128i k = _mm_loadu_si128((const __m128i *)fold_128);
    uint64_t c;
    while (len >= 16) {
        x = _mm_xor_si128(fold_xmm(x, k), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }
    c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x));
    c = _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(x, 1));
    return castagnoli_crc_1way((uint32_t)c, p, len);
}

TARGET("avx2,vpclmulqdq,pclmul,sse4.2") static __m256i fold_ymm(__m256i x, __m256i k)
{
    return _mm256_xor_si256(_mm256_clmulepi64_epi128(x, k, 0x00), _mm256_clmulepi64_epi128(x, k, 0x11));
}

/* Four ymm accumulators of consecutive data, folded into one. */
TARGET("avx2,vpclmulqdq,pclmul,sse4.2") static __m256i reduce_ymm(__m256i a0, __m256i a1, __m256i a2, __m256i a3)
{
    __m256i k = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)fold_256));
    a0 = _mm256_xor_si256(fold_ymm(a0, k), a1);
    a0 = _mm256_xor_si256(fold_ymm(a0, k), a2);
    return _mm256_xor_si256(fold_ymm(a0, k), a3);
}

/* The CRC register after `len` more bytes at p, the earlier data folded into a0. */
TARGET("avx2,vpclmulqdq,pclmul,sse4.2") static uint32_t finish_ymm(__m256i a0, const unsigned char *p, size_t len)
{
    __m256i k = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)fold_256));
    while (len >= 32) {
        a0 = _mm256_xor_si256(fold_ymm(a0, k), _mm256_loadu_si256((const __m256i *)p));
        p += 32;
        len -= 32;
    }
    return finish_xmm(_mm_xor_si128(fold_xmm(_mm256_castsi256_si128(a0), _mm_loadu_si128((const __m128i *)fold_128)),
                                    _mm256_extracti128_si256(a0, 1)),
                      p, len);
}

TARGET("avx2,vpclmulqdq,pclmul,sse4.2") static uint32_t fold_avx2(uint32_t crc, const unsigned char *p, size_t len)
{
    __m256i a0, a1, a2, a3, k;
    if (len < 32)
        return castagnoli_crc_1way(crc, p, len);
    a0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)p), _mm256_zextsi128_si256(_mm_cvtsi32_si128((int)crc)));
    p += 32;
    len -= 32;
    if (len >= 96) {
        a1 = _mm256_loadu_si256((const __m256i *)p);
        a2 = _mm256_loadu_si256((const __m256i *)(p + 32));
        a3 = _mm256_loadu_si256((const __m256i *)(p + 64));
        p += 96;
        len -= 96;
        k = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)fold_1024));
        while (len >= 128) {
            a0 = _mm256_xor_si256(fold_ymm(a0, k), _mm256_loadu_si256((const __m256i *)p));
            a1 = _mm256_xor_si256(fold_ymm(a1, k), _mm256_loadu_si256((const __m256i *)(p + 32)));
            a2 = _mm256_xor_si256(fold_ymm(a2, k), _mm256_loadu_si256((const __m256i *)(p + 64)));
            a3 = _mm256_xor_si256(fold_ymm(a3, k), _mm256_loadu_si256((const __m256i *)(p + 96)));
            p += 128;
            len -= 128;
        }
        a0 = reduce_ymm(a0, a1, a2, a3);
    }
    return finish_ymm(a0, p, len);
}

/* The avx2 kernel on large buffers: VPCLMULQDQ and the CRC32 instruction run on
 * different execution units, so each 32 KiB block is split between them and
 * both work at once. The first HYBRID_FOLD bytes are folded on ymm registers
 * while four CRC32 streams read the HYBRID_STREAM bytes after them each, in
 * the same loop; the five CRCs are then joined by carry-less multiplication
 * (hybrid_shift[i] moves a CRC past (i + 1) streams). `make bench` shows where
 * it wins: up to a few MiB, in the caches. */
/* Whether the avx2 and avx512 kernels run their hybrid blocks: set at init by
 * what the CPU is (dispatch.c). On AMD Zen 3 and later they won (Zen 5: 99.6
 * against 71 GB/s at 1 MiB); on an Intel Xeon with AVX-512 (2026-12) they lost
 * (82-88 against 115-119 GB/s for zmm folding alone); elsewhere, unmeasured,
 * folding alone is the layout that depends least on the CPU's balance between
 * the CRC32 and carry-less multiply units. */
int castagnoli_vector_hybrid = 1;

/* From main memory, five streams at once read slower than one: buffers of
 * HYBRID_MAX and more (past the caches, mostly) are folded only. */
#  define HYBRID_STREAM CASTAGNOLI_HYBRID_STREAM
#  define HYBRID_MAX CASTAGNOLI_HYBRID_MAX
#  define HYBRID_FOLD CASTAGNOLI_HYBRID_FOLD
#  define HYBRID_BLOCK CASTAGNOLI_HYBRID_BLOCK

static uint64_t hybrid_shift[4];

static void init_hybrid(void)
{
    int i;
    for (i = 0; i < 4; i++)
        hybrid_shift[i] = castagnoli_xpow(8u * HYBRID_STREAM * (uint64_t)(i + 1) - 33);
}

/* c * x^(8 * (i + 1) * HYBRID_STREAM - 33), unreduced (at most 63 bits). */
TARGET("sse4.2,pclmul") static uint64_t hybrid_product(uint32_t c, int i)
{
    return (uint64_t)_mm_cvtsi128_si64(
        _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)c), _mm_cvtsi64_si128((long long)hybrid_shift[i]), 0x00));
}

/* 32 bytes of each of the four streams at s, s + HYBRID_STREAM, ... */
TARGET("sse4.2") static inline void hybrid_streams(uint64_t c[4], const unsigned char *s)
{
    int i, j;
    for (j = 0; j < 32; j += 8)
        for (i = 0; i < 4; i++)
            c[i] = _mm_crc32_u64(c[i], castagnoli_load64(s + i * HYBRID_STREAM + j));
}

/* The CRC register after a hybrid block: `fold` after its folded part, c[] the
 * streams, whose last 32 bytes each are still to read at s, s + HYBRID_STREAM...
 * (the fold loop makes one step less than the streams'). */
TARGET("sse4.2,pclmul") static uint32_t hybrid_join(uint32_t fold, uint64_t c[4], const unsigned char *s)
{
    uint64_t joined;
    hybrid_streams(c, s);
    joined = hybrid_product(fold, 3) ^ hybrid_product((uint32_t)c[0], 2) ^ hybrid_product((uint32_t)c[1], 1)
             ^ hybrid_product((uint32_t)c[2], 0);
    return (uint32_t)_mm_crc32_u64(0, joined) ^ (uint32_t)c[3];
}

/* The pclmul kernel on buffers of 24 KiB to 2 MiB, for CPUs without VPCLMULQDQ:
 * 8 KiB folded on four xmm registers (64 bytes a step) beside the four CRC32
 * streams of 4 KiB (32 bytes a step). Measured on AMD Zen 2 (family 0x17): 25
 * GB/s against 20 for the three CRC32 streams alone, from 64 KiB to 4 MiB. */
#  define HYBRID_FOLD_XMM (2 * HYBRID_STREAM)
#  define HYBRID_BLOCK_XMM (HYBRID_FOLD_XMM + 4 * HYBRID_STREAM)

TARGET("sse4.2,pclmul") uint32_t castagnoli_pclmul_hybrid(uint32_t crc, const unsigned char *p, size_t len)
{
    while (len >= HYBRID_BLOCK_XMM && len < HYBRID_MAX) {
        const unsigned char *s = p + HYBRID_FOLD_XMM, *f;
        uint64_t c[4] = {0, 0, 0, 0};
        __m128i k = _mm_loadu_si128((const __m128i *)fold_512);
        __m128i a0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)crc));
        __m128i a1 = _mm_loadu_si128((const __m128i *)(p + 16));
        __m128i a2 = _mm_loadu_si128((const __m128i *)(p + 32));
        __m128i a3 = _mm_loadu_si128((const __m128i *)(p + 48));
        for (f = p + 64; f < p + HYBRID_FOLD_XMM; f += 64, s += 32) {
            a0 = _mm_xor_si128(fold_xmm(a0, k), _mm_loadu_si128((const __m128i *)f));
            a1 = _mm_xor_si128(fold_xmm(a1, k), _mm_loadu_si128((const __m128i *)(f + 16)));
            a2 = _mm_xor_si128(fold_xmm(a2, k), _mm_loadu_si128((const __m128i *)(f + 32)));
            a3 = _mm_xor_si128(fold_xmm(a3, k), _mm_loadu_si128((const __m128i *)(f + 48)));
            hybrid_streams(c, s);
        }
        k = _mm_loadu_si128((const __m128i *)fold_128);
        a0 = _mm_xor_si128(fold_xmm(a0, k), a1);
        a0 = _mm_xor_si128(fold_xmm(a0, k), a2);
        a0 = _mm_xor_si128(fold_xmm(a0, k), a3);
        crc = hybrid_join(finish_xmm(a0, p, 0), c, s);
        p += HYBRID_BLOCK_XMM;
        len -= HYBRID_BLOCK_XMM;
    }
    return castagnoli_pclmul(crc, p, len);
}

TARGET("avx2,vpclmulqdq,pclmul,sse4.2") uint32_t castagnoli_avx2(uint32_t crc, const unsigned char *p, size_t len)
{
    while (castagnoli_vector_hybrid && len >= HYBRID_BLOCK && len < HYBRID_MAX) {
        const unsigned char *s = p + HYBRID_FOLD, *f;
        uint64_t c[4] = {0, 0, 0, 0};
        __m256i k = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)fold_1024));
        __m256i a0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)p),
                                      _mm256_zextsi128_si256(_mm_cvtsi32_si128((int)crc)));
        __m256i a1 = _mm256_loadu_si256((const __m256i *)(p + 32));
        __m256i a2 = _mm256_loadu_si256((const __m256i *)(p + 64));
        __m256i a3 = _mm256_loadu_si256((const __m256i *)(p + 96));
        for (f = p + 128; f < p + HYBRID_FOLD; f += 128, s += 32) {
            a0 = _mm256_xor_si256(fold_ymm(a0, k), _mm256_loadu_si256((const __m256i *)f));
            a1 = _mm256_xor_si256(fold_ymm(a1, k), _mm256_loadu_si256((const __m256i *)(f + 32)));
            a2 = _mm256_xor_si256(fold_ymm(a2, k), _mm256_loadu_si256((const __m256i *)(f + 64)));
            a3 = _mm256_xor_si256(fold_ymm(a3, k), _mm256_loadu_si256((const __m256i *)(f + 96)));
            hybrid_streams(c, s);
        }
        crc = hybrid_join(finish_ymm(reduce_ymm(a0, a1, a2, a3), p, 0), c, s);
        p += HYBRID_BLOCK;
        len -= HYBRID_BLOCK;
    }
    return fold_avx2(crc, p, len);
}

TARGET("avx512f,vpclmulqdq,pclmul,sse4.2") static __m512i fold_zmm(__m512i x, __m512i k, __m512i next)
{
    return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x00), _mm512_clmulepi64_epi128(x, k, 0x11),
                                     next, 0x96); /* a ^ b ^ c */
}

/* Four zmm accumulators of consecutive data, folded into one. */
TARGET("avx512f,vpclmulqdq,pclmul,sse4.2") static __m512i reduce_zmm(__m512i a0, __m512i a1, __m512i a2,
                                                                   __m512i a3)
{
    __m512i k = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)fold_512));
    a0 = fold_zmm(a0, k, a1);
    a0 = fold_zmm(a0, k, a2);
    return fold_zmm(a0, k, a3);
}

/* The CRC register after `len` more bytes at p, the earlier data folded into a0. */
TARGET("avx512f,vpclmulqdq,pclmul,sse4.2") static uint32_t finish_zmm(__m512i a0, const unsigned char *p,
                                                                    size_t len)
{
    __m512i k = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)fold_512)), a1;
    __m128i x, lanes;
    while (len >= 64) {
        a0 = fold_zmm(a0, k, _mm512_loadu_si512(p));
        p += 64;
        len -= 64;
    }
    /* Four 128-bit lanes to one: lanes 0, 1, 2 fold 384, 256, 128 bits onto lane 3. */
    k = _mm512_inserti32x4(_mm512_inserti32x4(_mm512_inserti32x4(_mm512_setzero_si512(),
            _mm_loadu_si128((const __m128i *)fold_384), 0), _mm_loadu_si128((const __m128i *)fold_256), 1),
            _mm_loadu_si128((const __m128i *)fold_128), 2);
    a1 = _mm512_xor_si512(_mm512_clmulepi64_epi128(a0, k, 0x00), _mm512_clmulepi64_epi128(a0, k, 0x11));
    lanes = _mm_xor_si128(_mm512_extracti32x4_epi32(a1, 0), _mm512_extracti32x4_epi32(a1, 1));
    x = _mm_xor_si128(lanes, _mm512_extracti32x4_epi32(a1, 2));
    return finish_xmm(_mm_xor_si128(x, _mm512_extracti32x4_epi32(a0, 3)), p, len);
}

TARGET("avx512f,vpclmulqdq,pclmul,sse4.2") static uint32_t fold_avx512(uint32_t crc, const unsigned char *p,
                                                                     size_t len)
{
    __m512i a0, a1, a2, a3, k;
    if (len < 64)
        return castagnoli_crc_1way(crc, p, len);
    a0 = _mm512_xor_si512(_mm512_loadu_si512(p), _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc)));
    p += 64;
    len -= 64;
    if (len >= 192) {
        a1 = _mm512_loadu_si512(p);
        a2 = _mm512_loadu_si512(p + 64);
        a3 = _mm512_loadu_si512(p + 128);
        p += 192;
        len -= 192;
        k = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)fold_2048));
        while (len >= 256) {
            a0 = fold_zmm(a0, k, _mm512_loadu_si512(p));
            a1 = fold_zmm(a1, k, _mm512_loadu_si512(p + 64));
            a2 = fold_zmm(a2, k, _mm512_loadu_si512(p + 128));
            a3 = fold_zmm(a3, k, _mm512_loadu_si512(p + 192));
            p += 256;
            len -= 256;
        }
        a0 = reduce_zmm(a0, a1, a2, a3);
    }
    return finish_zmm(a0, p, len);
}

/* Large buffers: zmm folding beside the four CRC32 streams, as in crc_avx2 but
 * with 2 x HYBRID_FOLD folded bytes per block (zmm folding is twice as fast). */
#  define HYBRID_FOLD_ZMM (2 * HYBRID_FOLD)
#  define HYBRID_BLOCK_ZMM CASTAGNOLI_HYBRID_BLOCK_ZMM

/* From 4 KiB the avx512 kernel first steps to a 64-byte boundary (at most 63
 * bytes through CRC32), so that no zmm load spans two cache lines: unaligned
 * loads cost 8-13% on the Intel Xeon (2026-12, perf-notes); CPython puts a
 * bytes object's data at 48 mod 64. */
#  define ALIGN_ZMM_FROM 4096

TARGET("avx512f,vpclmulqdq,pclmul,sse4.2") uint32_t castagnoli_avx512(uint32_t crc, const unsigned char *p,
                                                                    size_t len)
{
    if (len >= ALIGN_ZMM_FROM) {
        size_t lead = (size_t)(0 - (uintptr_t)p) & 63;
        crc = castagnoli_crc_1way(crc, p, lead);
        p += lead;
        len -= lead;
    }
    while (castagnoli_vector_hybrid && len >= HYBRID_BLOCK_ZMM && len < HYBRID_MAX) {
        const unsigned char *s = p + HYBRID_FOLD_ZMM, *f;
        uint64_t c[4] = {0, 0, 0, 0};
        __m512i k = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)fold_2048));
        __m512i a0 = _mm512_xor_si512(_mm512_loadu_si512(p), _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc)));
        __m512i a1 = _mm512_loadu_si512(p + 64);
        __m512i a2 = _mm512_loadu_si512(p + 128);
        __m512i a3 = _mm512_loadu_si512(p + 192);
        for (f = p + 256; f < p + HYBRID_FOLD_ZMM; f += 256, s += 32) {
            a0 = fold_zmm(a0, k, _mm512_loadu_si512(f));
            a1 = fold_zmm(a1, k, _mm512_loadu_si512(f + 64));
            a2 = fold_zmm(a2, k, _mm512_loadu_si512(f + 128));
            a3 = fold_zmm(a3, k, _mm512_loadu_si512(f + 192));
            hybrid_streams(c, s);
        }
        crc = hybrid_join(finish_zmm(reduce_zmm(a0, a1, a2, a3), p, 0), c, s);
        p += HYBRID_BLOCK_ZMM;
        len -= HYBRID_BLOCK_ZMM;
    }
    return fold_avx512(crc, p, len);
}

void castagnoli_init_fold(void)
{
    init_hybrid();
    init_fold(fold_128, 128);
    init_fold(fold_256, 256);
    init_fold(fold_384, 384);
    init_fold(fold_512, 512);
    init_fold(fold_1024, 1024);
    init_fold(fold_2048, 2048);
}

#endif /* CASTAGNOLI_X86 */
