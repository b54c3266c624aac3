/* One hybrid kernel at one vector width: included by hybrid.c once per width
 * (the zlib-ng way: the algorithm written once). Before including it, define
 *   HYBRID           the function's name (hybrid_xmm, hybrid_ymm, hybrid_zmm)
 *   VEC, VBYTES      the register type and its size in bytes
 *   VTARGET          the target attribute its instructions need
 *   VLOAD(p)         an unaligned load; VFIRST(p, crc): the first, crc in its low bits
 *   VKEY(bits)       the fold constant for `bits`; VFOLD(x, k, next): fold x, add next
 *   VFINISH(a)       the CRC register of the data folded into a
 *   VALIGN           1 to step to a 64-byte boundary first
 *   VTAIL            the kernel that takes the bytes after the last block
 *
 * A block is N = 2^log steps (HYBRID_MIN_LOG <= log <= HYBRID_MAX_LOG, as many
 * as the bytes left allow). In each step V accumulators fold V * VBYTES bytes
 * of the block's head while S CRC32 streams read K words each from S regions
 * of L = 8 * K * N bytes after it; the carry-less multiplier and the CRC32 unit
 * work at once. The S + 1 CRCs are joined by carry-less multiplication:
 * shift[log - HYBRID_MIN_LOG][m - 1] = x^(8 * L * m - 33) moves a CRC past m
 * regions. The arrays hold at most HYBRID_MAX_V accumulators and HYBRID_MAX_S
 * streams: hybrid.c refuses to compile a CASTAGNOLI_HYBRIDS entry beyond them. */

VTARGET static ALWAYS_INLINE uint32_t HYBRID(uint32_t crc, const unsigned char *p, size_t len, const int V,
                                             const int S, const int K, const uint64_t shift[][HYBRID_MAX_S])
{
    const size_t STEP = (size_t)V * VBYTES + 8 * (size_t)S * K;
    if (VALIGN && len >= (STEP << HYBRID_MIN_LOG) + 64) {
        size_t lead = (size_t)(0 - (uintptr_t)p) & 63;
        crc = castagnoli_crc_1way(crc, p, lead);
        p += lead;
        len -= lead;
    }
    while (len >= STEP << HYBRID_MIN_LOG) {
        VEC a[HYBRID_MAX_V], k = VKEY(8 * VBYTES * (unsigned)V);
        uint64_t c[HYBRID_MAX_S], joined;
        int log = HYBRID_MIN_LOG, i, j, w;
        size_t N, L, F, n;
        const unsigned char *f, *s;
        while (log < HYBRID_MAX_LOG && len >= STEP << (log + 1))
            log++;
        N = (size_t)1 << log;
        L = 8 * (size_t)K * N;
        F = N * (size_t)V * VBYTES;
        f = p + V * VBYTES;
        s = p + F;
        a[0] = VFIRST(p, crc);
        for (i = 1; i < V; i++)
            a[i] = VLOAD(p + i * VBYTES);
        for (j = 0; j < S; j++)
            c[j] = 0;
        for (n = 1; n < N; n++, f += V * VBYTES, s += 8 * K) {
            for (i = 0; i < V; i++)
                a[i] = VFOLD(a[i], k, VLOAD(f + i * VBYTES));
            for (w = 0; w < K; w++)
                for (j = 0; j < S; j++)
                    c[j] = _mm_crc32_u64(c[j], castagnoli_load64(s + j * L + 8 * w));
        }
        for (w = 0; w < K; w++) /* the streams' last step; the accumulators' first was the loads */
            for (j = 0; j < S; j++)
                c[j] = _mm_crc32_u64(c[j], castagnoli_load64(s + j * L + 8 * w));
        k = VKEY(8 * VBYTES);
        for (i = 1; i < V; i++)
            a[0] = VFOLD(a[0], k, a[i]);
        joined = clmul_32x64(VFINISH(a[0]), shift[log - HYBRID_MIN_LOG][S - 1]);
        for (j = 0; j < S - 1; j++)
            joined ^= clmul_32x64((uint32_t)c[j], shift[log - HYBRID_MIN_LOG][S - 2 - j]);
        crc = (uint32_t)_mm_crc32_u64(0, joined) ^ (uint32_t)c[S - 1];
        p += N * STEP;
        len -= N * STEP;
    }
    return VTAIL(crc, p, len);
}

#undef HYBRID
#undef VEC
#undef VBYTES
#undef VTARGET
#undef VLOAD
#undef VFIRST
#undef VKEY
#undef VFOLD
#undef VFINISH
#undef VALIGN
#undef VTAIL
