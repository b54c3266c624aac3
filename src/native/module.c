/* castagnoli._crc32c: the Python binding of the kernels (crc32c.h).
 *
 * Built against the stable ABI (Py_LIMITED_API 3.11, set by CMake), so one
 * wheel serves every CPython from 3.11 on. METH_FASTCALL keeps the cost of a
 * call to a few tens of nanoseconds; buffers are read in place, never copied. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "crc32c.h"
#include "threads.h"

#ifndef CASTAGNOLI_VERSION
#  error "CASTAGNOLI_VERSION must be defined by the build (it comes from pyproject.toml)"
#endif

/* From this size on the GIL is released while the kernel runs. Releasing and
 * re-acquiring it costs ~30 ns (`make bench`), 3% of a 64 KiB call with the
 * AVX-512 kernel and more on smaller calls, which end before another thread
 * could make use of the GIL anyway. */
#define RELEASE_GIL_FROM (64 * 1024)

/* TypeError from `format` with %s (who) then %U (the type of data). */
static int type_error(const char *format, const char *who, PyObject *data)
{
    PyObject *name = PyType_GetName(Py_TYPE(data));
    if (name != NULL) {
        PyErr_Format(PyExc_TypeError, format, who, name);
        Py_DECREF(name);
    }
    return -1;
}

/* `value` (argument `name` of `who`) as a CRC (0..0xFFFFFFFF); absent: 0.
 * 0, or -1 with TypeError/ValueError set. */
static int read_value(const char *who, const char *name, PyObject *value, uint32_t *out)
{
    long long v;
    int overflow;
    PyObject *number;
    *out = 0;
    if (value == NULL)
        return 0;
    /* any integer, as zlib.crc32 takes it (__index__: numpy.uint32...), but not a bool */
    number = PyBool_Check(value) ? NULL : PyNumber_Index(value);
    if (number == NULL) {
        PyObject *type;
        /* only "not an integer" becomes our TypeError; what __index__ itself raised (MemoryError...) stays */
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_TypeError))
            return -1;
        PyErr_Clear();
        type = PyType_GetName(Py_TYPE(value));
        if (type != NULL) {
            PyErr_Format(PyExc_TypeError, "%s %s must be an int, got %U", who, name, type);
            Py_DECREF(type);
        }
        return -1;
    }
    v = PyLong_AsLongLongAndOverflow(number, &overflow);
    Py_DECREF(number);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || v < 0 || v > 0xFFFFFFFFLL) {
        PyErr_Format(PyExc_ValueError, "%s %s must be in 0..0xFFFFFFFF (a CRC-32C), got %S", who, name, value);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* `threads` as a thread count (None: 1), or -1 with TypeError/ValueError set. */
static int read_threads(const char *who, PyObject *threads, unsigned *out)
{
    long n;
    *out = 1;
    if (threads == NULL || threads == Py_None)
        return 0;
    if (!PyLong_Check(threads) || PyBool_Check(threads))
        return type_error("%s threads must be an int or None, got %U", who, threads);
    n = PyLong_AsLong(threads);
    if (n == -1 && PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_OverflowError))
            return -1;
        PyErr_Clear();
        n = 0;
    }
    if (n < 1 || n > 1024) {
        PyErr_Format(PyExc_ValueError, "%s threads must be in 1..1024, or None for one thread, got %S "
                     "(os.cpu_count() is the number of CPUs here)", who, threads);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

static uint32_t run(uint32_t crc, const void *data, Py_ssize_t len, unsigned threads)
{
    if (len >= RELEASE_GIL_FROM) /* releases the GIL; one thread when threads is 1 */
        return castagnoli_crc32c_threads(crc, data, (size_t)len, threads);
    return castagnoli_crc32c(crc, data, (size_t)len);
}

static PyObject *checksum(const char *who, PyObject *data, PyObject *value, PyObject *threads)
{
    uint32_t crc;
    unsigned nthreads;
    Py_buffer view;
    if (read_value(who, "value", value, &crc) < 0 || read_threads(who, threads, &nthreads) < 0)
        return NULL;
    if (PyBytes_Check(data)) /* the common case, without the buffer protocol's bookkeeping */
        return PyLong_FromUnsignedLong(run(crc, PyBytes_AsString(data), PyBytes_Size(data), nthreads));
    if (PyUnicode_Check(data)) {
        PyErr_Format(PyExc_TypeError,
                     "%s expects a bytes-like object, got str: encode it first, e.g. text.encode('utf-8')", who);
        return NULL;
    }
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
        if (!PyObject_CheckBuffer(data)) {
            PyErr_Clear();
            type_error("%s expects a bytes-like object (bytes, bytearray, memoryview or another buffer), got %U",
                       who, data);
        } else if (PyErr_ExceptionMatches(PyExc_ValueError) && PyMemoryView_Check(data)) {
            /* a memoryview raises ValueError only once released (non-contiguous: BufferError) */
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "%s got a released memoryview: expected one still in use; checksum "
                         "it before calling release()", who);
        } else if (PyErr_ExceptionMatches(PyExc_BufferError) || PyErr_ExceptionMatches(PyExc_ValueError)) {
            /* memoryview says BufferError, numpy ValueError: both mean "not one contiguous block" */
            PyErr_Clear();
            type_error("%s expects a C-contiguous buffer, got a non-contiguous %U: pass a contiguous copy "
                       "(bytes(view) for a memoryview, numpy.ascontiguousarray(a) for an array)", who, data);
        }
        return NULL;
    }
    crc = run(crc, view.buf, view.len, nthreads);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong(crc);
}

/* Fill slots[] (NULL: not given) from positional and keyword arguments, the
 * first `positional` names also by position; 0, or -1 with TypeError set. */
static int parse(const char *who, const char *const names[], int count, int positional, int required,
                 PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject *slots[])
{
    Py_ssize_t i, nkw = kwnames == NULL ? 0 : PyTuple_Size(kwnames);
    int j;
    if (nargs > positional) {
        PyErr_Format(PyExc_TypeError, "%s takes at most %d positional arguments, got %zd", who, positional, nargs);
        return -1;
    }
    for (j = 0; j < count; j++)
        slots[j] = j < nargs ? args[j] : NULL;
    for (i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GetItem(kwnames, i);
        for (j = 0; j < count && PyUnicode_CompareWithASCIIString(key, names[j]) != 0; j++)
            ;
        if (j == count) {
            PyErr_Format(PyExc_TypeError, "%s got an unexpected keyword argument %R", who, key);
            return -1;
        }
        if (slots[j] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s got multiple values for argument %R", who, key);
            return -1;
        }
        slots[j] = args[nargs + i];
    }
    for (j = 0; j < required; j++) {
        if (slots[j] == NULL) {
            PyErr_Format(PyExc_TypeError, "%s missing required argument '%s'", who, names[j]);
            return -1;
        }
    }
    return 0;
}

/* crc32c(data, value=0, *, threads=None) */
static PyObject *crc32c(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"data", "value", "threads"};
    PyObject *slots[3];
    (void)module;
    /* the shortest path, the call of a few bytes: crc32c(some_bytes), nothing else to read or check */
    if (nargs == 1 && kwnames == NULL && PyBytes_CheckExact(args[0])) {
        Py_ssize_t len = PyBytes_Size(args[0]);
        if (len < RELEASE_GIL_FROM)
            return PyLong_FromUnsignedLong(castagnoli_crc32c(0, PyBytes_AsString(args[0]), (size_t)len));
    }
    if (parse("crc32c()", names, 3, 2, 1, args, nargs, kwnames, slots) < 0)
        return NULL;
    return checksum("crc32c()", slots[0], slots[1], slots[2]);
}

/* _update(data, value, threads, who): Crc32c's arithmetic, with the caller's name in errors. */
static PyObject *update(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const char *who;
    (void)module;
    if (nargs != 4 || !PyUnicode_Check(args[3])) {
        PyErr_Format(PyExc_TypeError, "_update() takes 4 arguments (data, value, threads, who), got %zd", nargs);
        return NULL;
    }
    who = PyUnicode_AsUTF8AndSize(args[3], NULL);
    return who == NULL ? NULL : checksum(who, args[0], args[1], args[2]);
}

/* crc32c_combine(crc1, crc2, length2) */
static PyObject *combine(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const who = "crc32c_combine()";
    static const char *const names[] = {"crc1", "crc2", "length2"};
    PyObject *slots[3];
    uint32_t crc1, crc2;
    long long length;
    int overflow;
    (void)module;
    if (parse(who, names, 3, 3, 3, args, nargs, kwnames, slots) < 0)
        return NULL;
    if (read_value(who, "crc1", slots[0], &crc1) < 0 || read_value(who, "crc2", slots[1], &crc2) < 0)
        return NULL;
    if (!PyLong_Check(slots[2]) || PyBool_Check(slots[2]))
        return type_error("%s length2 must be an int, got %U", who, slots[2]), NULL;
    length = PyLong_AsLongLongAndOverflow(slots[2], &overflow);
    if (length == -1 && PyErr_Occurred())
        return NULL;
    if (overflow || length < 0) {
        PyErr_Format(PyExc_ValueError, "%s length2 must be in 0..2**63-1 (a byte count), got %S", who, slots[2]);
        return NULL;
    }
    return PyLong_FromUnsignedLong(castagnoli_combine(crc1, crc2, (uint64_t)length));
}

static PyObject *kernel(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyUnicode_FromString(castagnoli_kernel());
}

static PyObject *kernels(PyObject *module, PyObject *unused)
{
    static const char *const statuses[] = {"unsupported", "ok", "failed self-test"};
    PyObject *result = PyDict_New(), *status;
    const char *name;
    int i;
    (void)module;
    (void)unused;
    for (i = 0; result != NULL && (name = castagnoli_kernel_name(i)) != NULL; i++) {
        status = PyUnicode_FromString(statuses[castagnoli_kernel_status(i)]);
        if (status == NULL || PyDict_SetItemString(result, name, status) < 0)
            Py_CLEAR(result);
        Py_XDECREF(status);
    }
    return result;
}

/* dispatch() or dispatch(leaf0, leaf1, leaf7, xcr0): the CPU table's row for
 * this CPU, or for made-up CPUID answers (each leaf EAX, EBX, ECX, EDX), as
 * (cpu, measured, ((from_size, kernel), ...)). */
static PyObject *dispatch(PyObject *module, PyObject *args)
{
    uint32_t cpuid[3][4];
    unsigned long long xcr0 = 0;
    const char *cpu, *measured, *kernel[CASTAGNOLI_MAX_BANDS];
    uint64_t from[CASTAGNOLI_MAX_BANDS];
    PyObject *bands, *result;
    int count, b, given = PyTuple_Size(args) > 0;
    (void)module;
    if (given && !PyArg_ParseTuple(args, "(IIII)(IIII)(IIII)K:dispatch", &cpuid[0][0], &cpuid[0][1], &cpuid[0][2],
                                   &cpuid[0][3], &cpuid[1][0], &cpuid[1][1], &cpuid[1][2], &cpuid[1][3],
                                   &cpuid[2][0], &cpuid[2][1], &cpuid[2][2], &cpuid[2][3], &xcr0))
        return NULL;
    count = castagnoli_dispatch(given ? (const uint32_t(*)[4])cpuid : NULL, xcr0, &cpu, &measured, from, kernel);
    bands = PyTuple_New(count);
    for (b = 0; bands != NULL && b < count; b++) {
        PyObject *band = Py_BuildValue("(Ks)", (unsigned long long)from[b], kernel[b]);
        if (band == NULL || PyTuple_SetItem(bands, b, band) < 0)
            Py_CLEAR(bands);
    }
    if (bands == NULL)
        return NULL;
    result = Py_BuildValue("(ssO)", cpu, measured, bands);
    Py_DECREF(bands);
    return result;
}

static PyObject *use_kernel(PyObject *module, PyObject *name)
{
    const char *text;
    (void)module;
    if (!PyUnicode_Check(name))
        return type_error("%s expects a kernel name (str), got %U", "use_kernel()", name), NULL;
    text = PyUnicode_AsUTF8AndSize(name, NULL);
    if (text == NULL)
        return NULL;
    switch (castagnoli_use_kernel(text)) {
    case 0:
        Py_RETURN_NONE;
    case -2:
        PyErr_Format(PyExc_ValueError, "use_kernel(): this CPU or OS does not support the %R kernel", name);
        return NULL;
    case -3:
        PyErr_Format(PyExc_ValueError, "use_kernel(): the %R kernel failed its self-test on this machine "
                     "(a miscompiled build or a faulty CPU): it is never used; report it", name);
        return NULL;
    default:
        PyErr_Format(PyExc_ValueError, "use_kernel(): unknown kernel %R; expected 'auto' or one of kernels()", name);
        return NULL;
    }
}

static PyMethodDef methods[] = {
    {"crc32c", (PyCFunction)(void (*)(void))crc32c, METH_FASTCALL | METH_KEYWORDS,
     "crc32c($module, /, data, value=0, *, threads=None)\n--\n\n"
     "The CRC-32C of data, continuing from value like zlib.crc32.\n\n"
     "threads: read a buffer of several MiB on up to this many threads (None: one)."},
    {"crc32c_combine", (PyCFunction)(void (*)(void))combine, METH_FASTCALL | METH_KEYWORDS,
     "crc32c_combine($module, /, crc1, crc2, length2)\n--\n\n"
     "The CRC-32C of A + B from crc1 = crc32c(A), crc2 = crc32c(B) and length2 = len(B)."},
    {"_update", (PyCFunction)(void (*)(void))update, METH_FASTCALL,
     "_update($module, data, value, threads, who, /)\n--\n\nCrc32c's arithmetic."},
    {"kernel", kernel, METH_NOARGS,
     "kernel($module, /)\n--\n\n"
     "'auto' (each size gets the kernel the CPU table gives this CPU: dispatch()), or the kernel forced\n"
     "for every size with use_kernel()."},
    {"dispatch", dispatch, METH_VARARGS,
     "dispatch($module, *cpuid)\n--\n\n"
     "The CPU table's row for this CPU, or for the CPUID leaves 0, 1 and 7 and XCR0 given (tests):\n"
     "(cpu, measured, ((from_size, kernel), ...))."},
    {"kernels", kernels, METH_NOARGS,
     "kernels($module, /)\n--\n\n"
     "Every kernel (a named layout), with its status here: 'ok', 'unsupported' (this CPU or OS lacks its\n"
     "instructions) or 'failed self-test' (it disagreed with the portable kernel at import: never used)."},
    {"use_kernel", use_kernel, METH_O,
     "use_kernel($module, name, /)\n--\n\n"
     "Force a kernel for every size (tests and benchmarks), or 'auto' for the CPU table's choice;\n"
     "ValueError unless its status is 'ok'."},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *module)
{
    castagnoli_init();
    return PyModule_AddStringConstant(module, "version", CASTAGNOLI_VERSION);
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, (void *)exec_module},
    {0, NULL},
};

static struct PyModuleDef definition = {
    PyModuleDef_HEAD_INIT, "castagnoli._crc32c",
    "CRC-32C kernels of castagnoli (native; use the castagnoli package).", 0, methods, slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__crc32c(void)
{
    return PyModuleDef_Init(&definition);
}
