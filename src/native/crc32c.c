/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8.
 *
 * Portable C99: the tables are computed once at load time, bytes are combined
 * little-endian explicitly so the code is correct on any byte order, and no
 * compiler extension is needed beyond symbol export (see crc32c.h).
 */
#include "crc32c.h"

#ifndef CASTAGNOLI_VERSION
#  error "CASTAGNOLI_VERSION must be defined by the build (it comes from pyproject.toml)"
#endif

#define POLY 0x82F63B78u

static uint32_t table[8][256];
static volatile int table_ready = 0;

static void build_tables(void)
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
    table_ready = 1;
}

/* Build the tables when the library is loaded, so that the hot path never
 * checks and concurrent first calls never race. */
#if defined(_WIN32)
#include <windows.h>
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH)
        build_tables();
    return TRUE;
}
#elif defined(__GNUC__)
__attribute__((constructor)) static void castagnoli_init(void)
{
    build_tables();
}
#endif

static uint32_t load32_le(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint32_t castagnoli_crc32c_update(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    uint32_t lo, hi;

    if (!table_ready) /* only for a compiler with no load-time hook */
        build_tables();
    crc = ~crc;
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
    return ~crc;
}

const char *castagnoli_version(void)
{
    return CASTAGNOLI_VERSION;
}
