/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
 *
 * Two implementations, chosen once when the library is loaded:
 * - the SSE4.2 CRC32 instruction, on x86-64 CPUs that have it (nearly all);
 * - portable C99 slicing-by-8 everywhere else (and with CASTAGNOLI_PORTABLE_ONLY
 *   defined, which the tests use to check it against the other one).
 * Bytes are combined little-endian explicitly, so the portable code is correct
 * on any byte order; gcc, clang and MSVC all compile both.
 */
#include <string.h>

#include "crc32c.h"

#ifndef CASTAGNOLI_VERSION
#  error "CASTAGNOLI_VERSION must be defined by the build (it comes from pyproject.toml)"
#endif

#if (defined(__x86_64__) || defined(_M_X64)) && !defined(CASTAGNOLI_PORTABLE_ONLY)
#  define CASTAGNOLI_SSE42 1
#  include <nmmintrin.h>
#  if defined(_MSC_VER) && !defined(__clang__)
#    include <intrin.h>
#    define TARGET_SSE42
#  else
#    include <cpuid.h>
#    define TARGET_SSE42 __attribute__((target("sse4.2")))
#  endif
#endif

#define POLY 0x82F63B78u

typedef uint32_t (*crc_fn)(uint32_t crc, const unsigned char *p, size_t len);

static uint32_t table[8][256];
static crc_fn implementation = 0;

static uint32_t load32_le(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Slicing-by-8 on the inverted CRC. */
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

#ifdef CASTAGNOLI_SSE42
/* The CRC32 instruction computes exactly this CRC, 8 bytes at a time. */
TARGET_SSE42 static uint32_t crc_sse42(uint32_t crc, const unsigned char *p, size_t len)
{
    unsigned long long c = crc, word;
    while (len >= 8) {
        memcpy(&word, p, 8); /* x86 is little-endian; memcpy keeps the load well-defined */
        c = _mm_crc32_u64(c, word);
        p += 8;
        len -= 8;
    }
    crc = (uint32_t)c;
    while (len--)
        crc = _mm_crc32_u8(crc, *p++);
    return crc;
}

static int cpu_has_sse42(void)
{
#  if defined(_MSC_VER) && !defined(__clang__)
    int info[4];
    __cpuid(info, 1);
    return (info[2] >> 20) & 1;
#  else
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    return (c >> 20) & 1;
#  endif
}
#endif

static void init(void)
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
#ifdef CASTAGNOLI_SSE42
    if (cpu_has_sse42()) {
        implementation = crc_sse42;
        return;
    }
#endif
    implementation = crc_portable;
}

/* Initialise when the library is loaded, so that concurrent first calls
 * never race; castagnoli_crc32c_update only falls back to a lazy init. */
#if defined(_WIN32)
#include <windows.h>
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH)
        init();
    return TRUE;
}
#elif defined(__GNUC__)
__attribute__((constructor)) static void castagnoli_init(void)
{
    init();
}
#endif

uint32_t castagnoli_crc32c_update(uint32_t crc, const void *data, size_t len)
{
    if (!implementation) /* only for a compiler with no load-time hook */
        init();
    return ~implementation(~crc, (const unsigned char *)data, len);
}

const char *castagnoli_version(void)
{
    return CASTAGNOLI_VERSION;
}
