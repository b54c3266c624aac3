/* threads.c: castagnoli_crc32c on several threads (CPython's), for the Python binding. */
#ifndef CASTAGNOLI_THREADS_H
#define CASTAGNOLI_THREADS_H

#include <stddef.h>
#include <stdint.h>

/* Each thread reads a part of at least this many bytes. */
#define CASTAGNOLI_MIN_THREAD_PART ((size_t)1 << 20)

/* castagnoli_crc32c on up to `threads` threads, the same result as one thread.
 * Call it with the GIL held: it releases the GIL while the threads read. */
uint32_t castagnoli_crc32c_threads(uint32_t crc, const void *data, size_t len, unsigned threads);

#endif
