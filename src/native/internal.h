/* What the C files of castagnoli share and the Python binding does not see:
 * the polynomial arithmetic, the kernels' signatures and the x86 target macro.
 * Every kernel works on the raw (inverted) CRC register. */
#ifndef CASTAGNOLI_INTERNAL_H
#define CASTAGNOLI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

#ifdef CASTAGNOLI_X86
/* 8 bytes at any address (x86 is little-endian; memcpy keeps it well-defined). */
static inline uint64_t castagnoli_load64(const unsigned char *p)
{
    uint64_t word;
    memcpy(&word, p, 8);
    return word;
}

/* streams.c: the CRC32 instruction, three streams at once. */
void castagnoli_init_streams(void);
uint32_t castagnoli_crc_1way(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_sse42(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_pclmul(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_far_streams(uint32_t crc, const unsigned char *p, size_t len);

/* fold.c: (V)PCLMULQDQ folding, beside CRC32 streams on mid-sized buffers. */
#  define CASTAGNOLI_HYBRID_STREAM 4096
#  define CASTAGNOLI_HYBRID_FOLD (4 * CASTAGNOLI_HYBRID_STREAM)
#  define CASTAGNOLI_HYBRID_BLOCK (CASTAGNOLI_HYBRID_FOLD + 4 * CASTAGNOLI_HYBRID_STREAM)
#  define CASTAGNOLI_HYBRID_BLOCK_ZMM (2 * CASTAGNOLI_HYBRID_FOLD + 4 * CASTAGNOLI_HYBRID_STREAM)
#  define CASTAGNOLI_HYBRID_MAX ((size_t)2 << 20)
void castagnoli_init_fold(void);
extern int castagnoli_vector_hybrid; /* avx2/avx512: folding beside CRC32 streams (1) or alone (0) */
uint32_t castagnoli_pclmul_hybrid(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_avx2(uint32_t crc, const unsigned char *p, size_t len);
uint32_t castagnoli_avx512(uint32_t crc, const unsigned char *p, size_t len);
#endif

#endif
