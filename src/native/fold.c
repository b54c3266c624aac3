/* The kernels that fold alone: four ymm (ymm_v4) or zmm (zmm_v4) accumulators,
 * 128 or 256 bytes a step, reduced to one and finished through ever smaller
 * folds and the CRC32 instruction. Below one step they take the shorter paths
 * (one accumulator, 16-byte folds, CRC32 words and bytes): these are also the
 * small-buffer paths of every kernel of their width. zmm_r2 splits the buffer
 * once into two far regions and folds both side by side: two read streams for
 * buffers past the caches. */
#include "fold.h"

#ifdef CASTAGNOLI_X86

uint64_t castagnoli_fold_keys[CASTAGNOLI_FOLD_MAX / 128 + 1][2];

void castagnoli_init_fold(void)
{
    unsigned i;
    for (i = 1; i <= CASTAGNOLI_FOLD_MAX / 128; i++) {
        castagnoli_fold_keys[i][0] = castagnoli_xpow(128 * i + 31);
        castagnoli_fold_keys[i][1] = castagnoli_xpow(128 * i - 33);
    }
}

YMM_TARGET uint32_t castagnoli_ymm_v4(uint32_t crc, const unsigned char *p, size_t len)
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
        k = fold_key_ymm(1024);
        while (len >= 128) {
            a0 = fold_ymm(a0, k, _mm256_loadu_si256((const __m256i *)p));
            a1 = fold_ymm(a1, k, _mm256_loadu_si256((const __m256i *)(p + 32)));
            a2 = fold_ymm(a2, k, _mm256_loadu_si256((const __m256i *)(p + 64)));
            a3 = fold_ymm(a3, k, _mm256_loadu_si256((const __m256i *)(p + 96)));
            p += 128;
            len -= 128;
        }
        k = fold_key_ymm(256);
        a0 = fold_ymm(fold_ymm(fold_ymm(a0, k, a1), k, a2), k, a3);
    }
    return finish_ymm(a0, p, len);
}

/* From 4 KiB the zmm kernels first step to a 64-byte boundary (at most 63 bytes
 * through CRC32), so that no zmm load spans two cache lines: unaligned loads
 * cost 8-13% on the Intel Xeon (2026-12, perf-notes); CPython puts a bytes
 * object's data at 48 mod 64. */
#  define ALIGN_ZMM_FROM 4096

ZMM_TARGET uint32_t castagnoli_zmm_v4(uint32_t crc, const unsigned char *p, size_t len)
{
    __m512i a0, a1, a2, a3, k;
    if (len < 64)
        return castagnoli_crc_1way(crc, p, len);
    if (len >= ALIGN_ZMM_FROM) {
        size_t lead = (size_t)(0 - (uintptr_t)p) & 63;
        crc = castagnoli_crc_1way(crc, p, lead);
        p += lead;
        len -= lead;
    }
    a0 = _mm512_xor_si512(_mm512_loadu_si512(p), _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc)));
    p += 64;
    len -= 64;
    if (len >= 192) {
        a1 = _mm512_loadu_si512(p);
        a2 = _mm512_loadu_si512(p + 64);
        a3 = _mm512_loadu_si512(p + 128);
        p += 192;
        len -= 192;
        k = fold_key_zmm(2048);
        while (len >= 256) {
            a0 = fold_zmm(a0, k, _mm512_loadu_si512(p));
            a1 = fold_zmm(a1, k, _mm512_loadu_si512(p + 64));
            a2 = fold_zmm(a2, k, _mm512_loadu_si512(p + 128));
            a3 = fold_zmm(a3, k, _mm512_loadu_si512(p + 192));
            p += 256;
            len -= 256;
        }
        k = fold_key_zmm(512);
        a0 = fold_zmm(fold_zmm(fold_zmm(a0, k, a1), k, a2), k, a3);
    }
    return finish_zmm(a0, p, len);
}

/* Two regions of whole 256-byte steps, four accumulators each (a: the first,
 * b: the second), joined once at the end by castagnoli_shift; the last bytes
 * (under 512) go through zmm_v4. From 16 steps a region, so that the self-test
 * reaches the split. */
#  define R2_FROM (2 * 16 * 256)

ZMM_TARGET uint32_t castagnoli_zmm_r2(uint32_t crc, const unsigned char *p, size_t len)
{
    __m512i a[4], b[4], k;
    size_t part, n, lead;
    const unsigned char *q;
    int i;
    if (len < R2_FROM + 64)
        return castagnoli_zmm_v4(crc, p, len);
    lead = (size_t)(0 - (uintptr_t)p) & 63;
    crc = castagnoli_crc_1way(crc, p, lead);
    p += lead;
    len -= lead;
    part = (len / 2) & ~(size_t)255;
    q = p + part;
    for (i = 0; i < 4; i++) {
        a[i] = _mm512_loadu_si512(p + 64 * i);
        b[i] = _mm512_loadu_si512(q + 64 * i);
    }
    a[0] = _mm512_xor_si512(a[0], _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc)));
    k = fold_key_zmm(2048);
    for (n = 256; n < part; n += 256)
        for (i = 0; i < 4; i++) {
            a[i] = fold_zmm(a[i], k, _mm512_loadu_si512(p + n + 64 * i));
            b[i] = fold_zmm(b[i], k, _mm512_loadu_si512(q + n + 64 * i));
        }
    k = fold_key_zmm(512);
    for (i = 1; i < 4; i++) {
        a[0] = fold_zmm(a[0], k, a[i]);
        b[0] = fold_zmm(b[0], k, b[i]);
    }
    crc = castagnoli_shift(finish_zmm(a[0], NULL, 0), part) ^ finish_zmm(b[0], NULL, 0);
    return castagnoli_zmm_v4(crc, p + 2 * part, len - 2 * part);
}

#endif /* CASTAGNOLI_X86 */
