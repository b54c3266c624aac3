/* One buffer checksummed by several threads: each reads its own part with the
 * kernel in use, and the parts' CRCs are joined with castagnoli_combine.
 *
 * The threads are CPython's (PyThread_*, in the stable ABI): nothing to link
 * beyond python3, and on Linux no newer glibc symbol than the wheel's
 * manylinux tag allows. They are started with the GIL held and never touch a
 * Python object; the caller's thread takes the first part with the GIL
 * released. A thread that cannot be started leaves its part to the caller, so
 * the result never depends on the threads. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

#include "crc32c.h"
#include "threads.h"

#define MAX_THREADS 64
#define PART_ALIGN 4096 /* every part but the last is a multiple of a page; the last is the longest */

struct part {
    const unsigned char *data;
    size_t len;
    uint32_t crc;
    PyThread_type_lock done; /* held while the part is read; NULL: read by the caller */
};

static void read_part(void *arg)
{
    struct part *part = (struct part *)arg;
    part->crc = castagnoli_crc32c(0, part->data, part->len);
    PyThread_release_lock(part->done);
}

static int start(struct part *part)
{
    part->done = PyThread_allocate_lock();
    if (part->done == NULL)
        return 0;
    PyThread_acquire_lock(part->done, WAIT_LOCK);
    if (PyThread_start_new_thread(read_part, part) == (unsigned long)-1) { /* PYTHREAD_INVALID_THREAD_ID */
        PyThread_release_lock(part->done);
        PyThread_free_lock(part->done);
        part->done = NULL;
        return 0;
    }
    return 1;
}

uint32_t castagnoli_crc32c_threads(uint32_t crc, const void *data, size_t len, unsigned threads)
{
    struct part parts[MAX_THREADS];
    const unsigned char *p = (const unsigned char *)data;
    size_t share, offset = 0;
    unsigned i, n = threads < MAX_THREADS ? threads : MAX_THREADS;

    if (n > len / CASTAGNOLI_MIN_THREAD_PART)
        n = (unsigned)(len / CASTAGNOLI_MIN_THREAD_PART);
    if (n <= 1) {
        Py_BEGIN_ALLOW_THREADS
        crc = castagnoli_crc32c(crc, data, len);
        Py_END_ALLOW_THREADS
        return crc;
    }
    /* len / n >= 1 MiB, a multiple of PART_ALIGN: rounded down, every part is at least 1 MiB and the last
     * takes the rest (up to (n - 1) * (PART_ALIGN - 1) bytes more than the others) */
    share = len / n / PART_ALIGN * PART_ALIGN;
    for (i = 0; i < n; i++) {
        parts[i].data = p + offset;
        parts[i].len = i + 1 < n ? share : len - offset;
        parts[i].done = NULL;
        offset += share;
        if (i > 0)
            start(&parts[i]);
    }
    Py_BEGIN_ALLOW_THREADS
    crc = castagnoli_crc32c(crc, parts[0].data, parts[0].len);
    for (i = 1; i < n; i++) {
        if (parts[i].done != NULL) {
            PyThread_acquire_lock(parts[i].done, WAIT_LOCK);
            PyThread_release_lock(parts[i].done);
        } else {
            parts[i].crc = castagnoli_crc32c(0, parts[i].data, parts[i].len);
        }
        /* crc(A + B) from crc(A) and crc(B): parts[i].crc started from 0. */
        crc = castagnoli_combine(crc, parts[i].crc, parts[i].len);
    }
    Py_END_ALLOW_THREADS
    for (i = 1; i < n; i++)
        if (parts[i].done != NULL)
            PyThread_free_lock(parts[i].done);
    return crc;
}
