/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): five kernels, one
 * chosen at init by what the CPU and the OS support (castagnoli_use_kernel
 * forces another, for the tests and benchmarks).
 *
 *   avx512    VPCLMULQDQ on zmm: 4 x 512-bit folding, beside four CRC32 streams
 *             on 48 KiB-2 MiB buffers (AVX-512F, OS saves zmm state)
 *   avx2      VPCLMULQDQ on ymm: 4 x 256-bit folding, beside four CRC32 streams
 *             on 32 KiB-2 MiB buffers (AVX2, OS saves ymm state)
 *   pclmul    three interleaved CRC32 streams, combined with PCLMULQDQ
 *   sse42     three interleaved CRC32 streams, combined with shift tables
 *   portable  slicing-by-8, any CPU and byte order
 *
 * Folding follows Intel's "Fast CRC Computation for Generic Polynomials Using
 * PCLMULQDQ"; every constant is computed at init from the polynomial
 * (xpow below), so there is no table of magic numbers to get wrong. The CRC32
 * instruction finishes every SIMD kernel (128 -> 32 bits) and handles short tails.
 */
#include <string.h>

#include "crc32c.h"

#define POLY 0x82F63B78u /* reflected; bit 31 is x^0 */

#if (defined(__x86_64__) || defined(_M_X64)) && !defined(CASTAGNOLI_PORTABLE_ONLY)
#  define CASTAGNOLI_X86 1
#  include <immintrin.h>
#  if defined(_MSC_VER) && !defined(__clang__)
#    include <intrin.h>
#    define TARGET(features) /* MSVC compiles every intrinsic without /arch */
#  else
#    include <cpuid.h>
#    define TARGET(features) __attribute__((target(features)))
#  endif
#endif

/* --- polynomial arithmetic (reflected: bit 31 is x^0, bit 0 is x^31) ------ */

static uint32_t mulmod(uint32_t a, uint32_t b)
{
    uint32_t product = 0;
    int i;
    for (i = 31; i >= 0; i--) {
        if (a & (1u << i))
            product ^= b;
        b = (b >> 1) ^ ((b & 1u) ? POLY : 0u); /* b *= x */
    }
    return product;
}

/* x^n mod P */
static uint32_t xpow(uint64_t n)
{
    uint32_t result = 0x80000000u, base = 0x40000000u; /* x^0, x^1 */
    while (n) {
        if (n & 1u)
            result = mulmod(result, base);
        base = mulmod(base, base);
        n >>= 1;
    }
    return result;
}

/* --- portable: slicing-by-8 ---------------------------------------------- */

static uint32_t table[8][256];

static uint32_t load32_le(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Every kernel works on the raw (inverted) CRC register. */
static uint32_t crc_portable(uint32_t crc, const unsigned char *p, size_t len)
{
    uint32_t lo, hi;
    while (len >= 8) {
        lo = load32_le(p) ^ crc;
        hi = load32_le(p + 4);
        crc = table[7][lo & 0xFFu] ^ table[6][(lo >> 8) & 0xFFu] ^
              table[5][(lo >> 16) & 0xFFu] ^ table[4][lo >> 24] ^
              table[3][hi & 0xFFu] ^ table[2][(hi >> 8) & 0xFFu] ^
              table[1][(hi >> 16) & 0xFFu] ^ table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = table[0][(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    return crc;
}

static void init_tables(void)
{
    uint32_t n, crc;
    int k;
    for (n = 0; n < 256; n++) {
        crc = n;
        for (k = 0; k < 8; k++)
            crc = (crc & 1u) ? (crc >> 1) ^ POLY : crc >> 1;
        table[0][n] = crc;
    }
    for (n = 0; n < 256; n++) {
        crc = table[0][n];
        for (k = 1; k < 8; k++) {
            crc = table[0][crc & 0xFFu] ^ (crc >> 8);
            table[k][n] = crc;
        }
    }
}

#ifdef CASTAGNOLI_X86

/* --- CPU features ---------------------------------------------------------- */

enum { HAS_SSE42 = 1, HAS_PCLMUL = 2, HAS_AVX2_VPCLMUL = 4, HAS_AVX512_VPCLMUL = 8 };

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

/* --- sse42: three CRC32 streams, shift tables ------------------------------- */

#  define SSE42_LONG 4096
#  define SSE42_SHORT 256

/* shift_long[k][b]: byte b at position k of a register, times x^(8 * SSE42_LONG). */
static uint32_t shift_long[4][256], shift_short[4][256];

static void init_shift(uint32_t shift[4][256], uint32_t factor)
{
    int k, b;
    for (k = 0; k < 4; k++)
        for (b = 0; b < 256; b++)
            shift[k][b] = mulmod((uint32_t)b << (8 * k), factor);
}

static uint32_t shift_by(uint32_t shift[4][256], uint32_t crc)
{
    return shift[0][crc & 0xFFu] ^ shift[1][(crc >> 8) & 0xFFu] ^ shift[2][(crc >> 16) & 0xFFu] ^
           shift[3][crc >> 24];
}

static uint64_t load64(const unsigned char *p)
{
    uint64_t word;
    memcpy(&word, p, 8); /* x86 is little-endian; memcpy keeps the load well-defined */
    return word;
}

TARGET("sse4.2") static uint32_t crc_1way(uint32_t crc, const unsigned char *p, size_t len)
{
    uint64_t c = crc;
    while (len >= 8) {
        c = _mm_crc32_u64(c, load64(p));
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
        c0 = _mm_crc32_u64(c0, load64(p));
        c1 = _mm_crc32_u64(c1, load64(p + block));
        c2 = _mm_crc32_u64(c2, load64(p + 2 * block));
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

TARGET("sse4.2") static uint32_t crc_sse42(uint32_t crc, const unsigned char *p, size_t len)
{
    crc = crc_3way_blocks(crc, &p, &len, SSE42_LONG, shift_long);
    crc = crc_3way_blocks(crc, &p, &len, SSE42_SHORT, shift_short);
    return crc_1way(crc, p, len);
}

/* --- pclmul: three CRC32 streams, combined by carry-less multiplication ----- */

#  define PCLMUL_BLOCKS 512 /* stream lengths 8, 16, ... 4096 bytes */

/* combine[i] = {x^(8L - 33), x^(16L - 33)} for L = 8 * (i + 1): multiplying a
 * CRC by it and reducing with one CRC32 shifts it past L or 2L bytes. */
static uint64_t combine[PCLMUL_BLOCKS][2];

static void init_combine(void)
{
    int i;
    for (i = 0; i < PCLMUL_BLOCKS; i++) {
        uint64_t bits = 64u * (uint64_t)(i + 1);
        combine[i][0] = xpow(bits - 33);
        combine[i][1] = xpow(2 * bits - 33);
    }
}

TARGET("sse4.2,pclmul") static uint32_t crc_pclmul(uint32_t crc, const unsigned char *p, size_t len)
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
    return crc_1way(crc, p, len);
}

/* --- folding ------------------------------------------------------------------ */

/* Folding 128 bits forward by `distance` bits: {x^(d+31), x^(d-33)} (high-degree
 * half times the first, low-degree half times the second). */
static uint64_t fold_128[2], fold_256[2], fold_384[2], fold_512[2], fold_1024[2], fold_2048[2];

static void init_fold(uint64_t k[2], unsigned distance)
{
    k[0] = xpow(distance + 31);
    k[1] = xpow(distance - 33);
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
    return crc_1way((uint32_t)c, p, len);
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
        return crc_1way(crc, p, len);
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
#  define HYBRID_STREAM 4096
/* From main memory, five streams at once read slower than one: buffers this
 * large (past the caches, mostly) are folded only. */
#  define HYBRID_MAX ((size_t)2 << 20)
#  define HYBRID_FOLD (4 * HYBRID_STREAM)
#  define HYBRID_BLOCK (HYBRID_FOLD + 4 * HYBRID_STREAM)

static uint64_t hybrid_shift[4];

static void init_hybrid(void)
{
    int i;
    for (i = 0; i < 4; i++)
        hybrid_shift[i] = xpow(8u * HYBRID_STREAM * (uint64_t)(i + 1) - 33);
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
            c[i] = _mm_crc32_u64(c[i], load64(s + i * HYBRID_STREAM + j));
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

TARGET("avx2,vpclmulqdq,pclmul,sse4.2") static uint32_t crc_avx2(uint32_t crc, const unsigned char *p, size_t len)
{
    while (len >= HYBRID_BLOCK && len < HYBRID_MAX) {
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
        return crc_1way(crc, p, len);
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
#  define HYBRID_BLOCK_ZMM (HYBRID_FOLD_ZMM + 4 * HYBRID_STREAM)

TARGET("avx512f,vpclmulqdq,pclmul,sse4.2") static uint32_t crc_avx512(uint32_t crc, const unsigned char *p,
                                                                    size_t len)
{
    while (len >= HYBRID_BLOCK_ZMM && len < HYBRID_MAX) {
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

#endif /* CASTAGNOLI_X86 */

/* --- dispatch ----------------------------------------------------------------- */

typedef uint32_t (*crc_fn)(uint32_t crc, const unsigned char *p, size_t len);

struct kernel {
    const char *name;
    crc_fn fn;
    int supported;
};

static struct kernel kernels[] = {
#ifdef CASTAGNOLI_X86
    {"avx512", crc_avx512, 0},
    {"avx2", crc_avx2, 0},
    {"pclmul", crc_pclmul, 0},
    {"sse42", crc_sse42, 0},
#endif
    {"portable", crc_portable, 1},
};
#define KERNELS ((int)(sizeof kernels / sizeof kernels[0]))

static const struct kernel *current = &kernels[KERNELS - 1];

void castagnoli_init(void)
{
    int i;
    init_tables();
#ifdef CASTAGNOLI_X86
    {
        int features = cpu_features();
        init_shift(shift_long, xpow(8u * SSE42_LONG));
        init_shift(shift_short, xpow(8u * SSE42_SHORT));
        init_combine();
        init_hybrid();
        init_fold(fold_128, 128);
        init_fold(fold_256, 256);
        init_fold(fold_384, 384);
        init_fold(fold_512, 512);
        init_fold(fold_1024, 1024);
        init_fold(fold_2048, 2048);
        kernels[0].supported = (features & HAS_AVX512_VPCLMUL) != 0;
        kernels[1].supported = (features & HAS_AVX2_VPCLMUL) != 0;
        kernels[2].supported = (features & HAS_PCLMUL) != 0;
        kernels[3].supported = (features & HAS_SSE42) != 0;
    }
#endif
    for (i = 0; i < KERNELS; i++) {
        if (kernels[i].supported) {
            current = &kernels[i];
            break;
        }
    }
}

uint32_t castagnoli_crc32c(uint32_t crc, const void *data, size_t len)
{
    return ~current->fn(~crc, (const unsigned char *)data, len);
}

const char *castagnoli_kernel_name(int index)
{
    return index >= 0 && index < KERNELS ? kernels[index].name : NULL;
}

int castagnoli_kernel_supported(int index)
{
    return index >= 0 && index < KERNELS && kernels[index].supported;
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
            if (!kernels[i].supported)
                return -2;
            current = &kernels[i];
            return 0;
        }
    }
    return -1;
}
