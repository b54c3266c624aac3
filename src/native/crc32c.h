/* CRC-32C (Castagnoli) kernels of the castagnoli Python package.
 *
 * Plain C, no Python: module.c binds it; the tests also build it alone
 * (CASTAGNOLI_PYTHON=OFF) as a shared library, natively and with MinGW. */
#ifndef CASTAGNOLI_CRC32C_H
#define CASTAGNOLI_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#if defined(CASTAGNOLI_SHARED) && defined(_WIN32)
#  define CASTAGNOLI_API __declspec(dllexport)
#elif defined(CASTAGNOLI_SHARED) && defined(__GNUC__)
#  define CASTAGNOLI_API __attribute__((visibility("default")))
#else
#  define CASTAGNOLI_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Continue the CRC-32C `crc` (0 to start) over `len` bytes at `data`, with
 * zlib.crc32's conventions: the value passed in and returned is the
 * finalised CRC, so calls chain. Thread-safe once castagnoli_init() ran. */
CASTAGNOLI_API uint32_t castagnoli_crc32c(uint32_t crc, const void *data, size_t len);

/* Build the tables, self-test the kernels this CPU and OS support, and pick
 * the fastest that passed. Call it before anything else, from one thread (the
 * module does it at import, under the GIL); a later call returns at once and
 * changes nothing. */
CASTAGNOLI_API void castagnoli_init(void);

/* The CRC of A + B from crc1 = CRC(A), crc2 = CRC(B) and len2 = len(B). */
CASTAGNOLI_API uint32_t castagnoli_combine(uint32_t crc1, uint32_t crc2, uint64_t len2);

/* The kernels, each a named layout ("zmm_v4", "zmm_v3s2w4", ..., "crc_s3",
 * "portable"); castagnoli_kernel_name(i) is NULL past the last one. A kernel's
 * status says whether it runs here: this CPU and OS lack its instructions, it
 * gave the portable kernel's results on the self-test at init, or it did not
 * (then it is never used). */
enum { CASTAGNOLI_UNSUPPORTED = 0, CASTAGNOLI_OK = 1, CASTAGNOLI_FAILED_SELF_TEST = 2 };
CASTAGNOLI_API const char *castagnoli_kernel_name(int index);
CASTAGNOLI_API int castagnoli_kernel_status(int index);

/* "auto" (each size band gets the kernel the CPU table gives this CPU), or the
 * kernel forced for every size by castagnoli_use_kernel (tests, benchmarks):
 * it returns 0 ("auto" goes back to the table), or -1 for an unknown name, -2
 * when this CPU/OS lacks it, -3 when it failed its self-test. */
CASTAGNOLI_API const char *castagnoli_kernel(void);
CASTAGNOLI_API int castagnoli_use_kernel(const char *name);

/* The CPU table's row for this CPU (cpuid NULL), or for a CPU whose CPUID leaves
 * 0, 1 and 7 (EAX, EBX, ECX, EDX each) and XCR0 are given: the CPUs it names,
 * where its choice was measured, and from which size each kernel is used
 * (from[0] is 0). Returns the number of size bands. */
#define CASTAGNOLI_MAX_BANDS 4
CASTAGNOLI_API int castagnoli_dispatch(const uint32_t cpuid[3][4], uint64_t xcr0, const char **cpu,
                                       const char **measured, uint64_t from[CASTAGNOLI_MAX_BANDS],
                                       const char *kernel[CASTAGNOLI_MAX_BANDS]);

#ifdef __cplusplus
}
#endif

#endif
