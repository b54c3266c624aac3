/* Arithmetic modulo the CRC-32C polynomial, and combine: the CRC of A + B from
 * the CRCs of A and B and the length of B (zlib's crc32_combine method: shift
 * crc(A) past B by multiplying with x^(8 len(B)), the power built by squaring). */
#include "crc32c.h"
#include "internal.h"

uint32_t castagnoli_mulmod(uint32_t a, uint32_t b)
{
    uint32_t product = 0;
    int i;
    for (i = 31; i >= 0; i--) {
        if (a & (1u << i))
            product ^= b;
        b = (b >> 1) ^ ((b & 1u) ? CASTAGNOLI_POLY : 0u); /* b *= x */
    }
    return product;
}

/* x2n[k] = x^(2^k) mod P, so that x^n is a product over the bits of n. */
static uint32_t x2n[67]; /* up to x^(2^66): shift() multiplies by x^(8 bytes), bytes < 2^64 */

void castagnoli_init_combine(void)
{
    int k;
    x2n[0] = 0x40000000u; /* x^1 */
    for (k = 1; k < 67; k++)
        x2n[k] = castagnoli_mulmod(x2n[k - 1], x2n[k - 1]);
}

uint32_t castagnoli_xpow(uint64_t n)
{
    uint32_t result = 0x80000000u; /* x^0 */
    int k;
    for (k = 0; n; k++, n >>= 1)
        if (n & 1u)
            result = castagnoli_mulmod(result, x2n[k]);
    return result;
}

uint32_t castagnoli_shift(uint32_t crc, uint64_t bytes)
{
    /* x^(8 bytes) = x^(bytes << 3): three more squarings than x^bytes, done
     * by starting three entries further along the table. */
    uint32_t result = crc;
    int k;
    for (k = 3; bytes; k++, bytes >>= 1)
        if (bytes & 1u)
            result = castagnoli_mulmod(result, x2n[k]);
    return result;
}

uint32_t castagnoli_combine(uint32_t crc1, uint32_t crc2, uint64_t len2)
{
    return castagnoli_shift(crc1, len2) ^ crc2;
}
