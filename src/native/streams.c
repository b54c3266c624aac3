/* The kernels built on the CRC32 instruction (SSE4.2) alone: three interleaved
 * streams per block, joined with shift tables (crc_s3) or with one carry-less
 * multiplication (crc_s3_clmul), and six far-apart streams for buffers past the
 * caches (crc_s6_far). crc_1way also finishes the folding kernels. */
#include "internal.h"

#ifdef CASTAGNOLI_X86

/* --- crc_s3: three CRC32 streams, shift tables ------------------------------- */

#  define SSE42_LONG 4096
#  define SSE42_SHORT 256

/* shift_long[k][b]: byte b at position k of a register, times x^(8 * SSE42_LONG). */
static uint32_t shift_long[4][256], shift_short[4][256];

static void init_shift(uint32_t shift[4][256], uint32_t factor)
{
    int k, b;
    for (k = 0; k < 4; k++) {
        shift[k][0] = 0;
        for (b = 1; b < 256; b++) /* linear in b: one product per bit, XORs for the rest */
            shift[k][b] = (b & (b - 1)) ? shift[k][b & (b - 1)] ^ shift[k][b & -b]
                                        : castagnoli_mulmod((uint32_t)b << (8 * k), factor);
    }
}

static uint32_t shift_by(uint32_t shift[4][256], uint32_t crc)
{
    return shift[0][crc & 0xFFu] ^ shift[1][(crc >> 8) & 0xFFu] ^ shift[2][(crc >> 16) & 0xFFu] ^
           shift[3][crc >> 24];
}

TARGET("sse4.2") uint32_t castagnoli_crc_1way(uint32_t crc, const unsigned char *p, size_t len)
{
    uint64_t c = crc;
    while (len >= 8) {
        c = _mm_crc32_u64(c, castagnoli_load64(p));
        p += 8;
        len -= 8;
    }
    crc = (uint32_t)c;
    while (len--)
        crc = _mm_crc32_u8(crc, *p++);
    return crc;
}

/* Three streams of `block` bytes each, from crc0, 0 and 0. */
TARGET("sse4.2") static void crc_3way(uint32_t crc[3], const unsigned char *p, size_t block)
{
    uint64_t c0 = crc[0], c1 = 0, c2 = 0;
    const unsigned char *end = p + block;
    for (; p < end; p += 8) {
        c0 = _mm_crc32_u64(c0, castagnoli_load64(p));
        c1 = _mm_crc32_u64(c1, castagnoli_load64(p + block));
        c2 = _mm_crc32_u64(c2, castagnoli_load64(p + 2 * block));
    }
    crc[0] = (uint32_t)c0;
    crc[1] = (uint32_t)c1;
    crc[2] = (uint32_t)c2;
}

/* As many three-stream blocks of `block` bytes as fit, combined with `shift` (x^(8 * block)). */
TARGET("sse4.2") static uint32_t crc_3way_blocks(uint32_t crc, const unsigned char **p, size_t *len, size_t block,
                                                 uint32_t shift[4][256])
{
    uint32_t c[3];
    while (*len >= 3 * block) {
        c[0] = crc;
        crc_3way(c, *p, block);
        crc = shift_by(shift, shift_by(shift, c[0]) ^ c[1]) ^ c[2];
        *p += 3 * block;
        *len -= 3 * block;
    }
    return crc;
}

TARGET("sse4.2") uint32_t castagnoli_crc_s3(uint32_t crc, const unsigned char *p, size_t len)
{
    crc = crc_3way_blocks(crc, &p, &len, SSE42_LONG, shift_long);
    crc = crc_3way_blocks(crc, &p, &len, SSE42_SHORT, shift_short);
    return castagnoli_crc_1way(crc, p, len);
}

/* --- crc_s3_clmul: three CRC32 streams, combined by carry-less multiplication ----- */

#  define PCLMUL_BLOCKS 512 /* stream lengths 8, 16, ... 4096 bytes */

/* combine[i] = {x^(8L - 33), x^(16L - 33)} for L = 8 * (i + 1): multiplying a
 * CRC by it and reducing with one CRC32 shifts it past L or 2L bytes. */
static uint64_t combine[PCLMUL_BLOCKS][2];

/* Each entry is 64 (128) bits past the one before. A CRC register run over n
 * zero bytes is the register times x^(8n): the portable kernel multiplies. */
static void init_combine(void)
{
    static const unsigned char zeros[16] = {0};
    int i;
    combine[0][0] = castagnoli_xpow(64 - 33);
    combine[0][1] = castagnoli_xpow(128 - 33);
    for (i = 1; i < PCLMUL_BLOCKS; i++) {
        combine[i][0] = castagnoli_portable((uint32_t)combine[i - 1][0], zeros, 8);
        combine[i][1] = castagnoli_portable((uint32_t)combine[i - 1][1], zeros, 16);
    }
}

TARGET("sse4.2,pclmul") uint32_t castagnoli_crc_s3_clmul(uint32_t crc, const unsigned char *p, size_t len)
{
    uint32_t c[3];
    __m128i k, product;
    while (len >= 24) {
        size_t blocks = len / 24 < PCLMUL_BLOCKS ? len / 24 : PCLMUL_BLOCKS;
        size_t block = 8 * blocks;
        c[0] = crc;
        crc_3way(c, p, block);
        k = _mm_loadu_si128((const __m128i *)combine[blocks - 1]);
        product = _mm_xor_si128(_mm_clmulepi64_si128(_mm_cvtsi32_si128((int)c[0]), k, 0x10),
                                _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)c[1]), k, 0x00));
        crc = (uint32_t)_mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(product)) ^ c[2];
        p += 3 * block;
        len -= 3 * block;
    }
    return castagnoli_crc_1way(crc, p, len);
}

/* --- crc_s6_far: buffers past the caches ----------------------------------------
 * The buffer split into FAR_STREAMS regions, each read by its own CRC32 stream,
 * joined once: six far-apart sequential reads keep more memory requests in
 * flight than one. Measured on AMD Zen 2 (family 0x17, KVM): 15-16 GB/s from 16
 * to 200 MiB against 8 for one stream; three streams 10, four 12, eight 11-15. */
#  define FAR_STREAMS 6

TARGET("sse4.2") uint32_t castagnoli_crc_s6_far(uint32_t crc, const unsigned char *p, size_t len)
{
    size_t part = len / FAR_STREAMS / 8 * 8, j;
    uint64_t c[FAR_STREAMS];
    int i;
    if (part == 0)
        return castagnoli_crc_1way(crc, p, len);
    c[0] = crc;
    for (i = 1; i < FAR_STREAMS; i++)
        c[i] = 0;
    for (j = 0; j < part; j += 8)
        for (i = 0; i < FAR_STREAMS; i++)
            c[i] = _mm_crc32_u64(c[i], castagnoli_load64(p + (size_t)i * part + j));
    crc = (uint32_t)c[0];
    for (i = 1; i < FAR_STREAMS; i++) /* raw registers: crc(A + B) = crc(A) x^(8 len B) + crc(B) */
        crc = castagnoli_shift(crc, part) ^ (uint32_t)c[i];
    return castagnoli_crc_1way(crc, p + FAR_STREAMS * part, len - FAR_STREAMS * part);
}

void castagnoli_init_streams(void)
{
    init_shift(shift_long, castagnoli_xpow(8u * SSE42_LONG));
    init_shift(shift_short, castagnoli_xpow(8u * SSE42_SHORT));
    init_combine();
}

#endif /* CASTAGNOLI_X86 */
