/* The portable kernel: slicing-by-8, for any CPU and byte order. Every other
 * kernel is checked against it (the self-test at init, the tests). */
#include "internal.h"

static uint32_t table[8][256];

static uint32_t load32_le(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint32_t castagnoli_portable(uint32_t crc, const unsigned char *p, size_t len)
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

void castagnoli_init_portable(void)
{
    uint32_t n, crc;
    int k;
    for (n = 0; n < 256; n++) {
        crc = n;
        for (k = 0; k < 8; k++)
            crc = (crc & 1u) ? (crc >> 1) ^ CASTAGNOLI_POLY : crc >> 1;
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
