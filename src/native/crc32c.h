/* CRC-32C (Castagnoli) native core of the castagnoli Python package. */
#ifndef CASTAGNOLI_CRC32C_H
#define CASTAGNOLI_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(CASTAGNOLI_BUILDING)
#    define CASTAGNOLI_API __declspec(dllexport)
#  else
#    define CASTAGNOLI_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define CASTAGNOLI_API __attribute__((visibility("default")))
#else
#  define CASTAGNOLI_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Continue the CRC-32C `crc` (0 to start) over `len` bytes at `data`,
 * with the same conventions as zlib.crc32: the value passed in and the value
 * returned are the finalised CRC, so calls chain. */
CASTAGNOLI_API uint32_t castagnoli_crc32c_update(uint32_t crc, const void *data, size_t len);

/* The version of the package this library was built for, e.g. "1.2.3". */
CASTAGNOLI_API const char *castagnoli_version(void);

#ifdef __cplusplus
}
#endif

#endif
