/* castagnoli._crc32c: the Python binding of the kernels in crc32c.c.
 *
 * Built against the stable ABI (Py_LIMITED_API 3.11, set by CMake), so one
 * wheel serves every CPython from 3.11 on. METH_FASTCALL keeps the cost of a
 * call to a few tens of nanoseconds; buffers are read in place, never copied. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "crc32c.h"

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

/* `value` as a CRC (0..0xFFFFFFFF), or -1 with TypeError/ValueError set. */
static int read_value(const char *who, PyObject *value, uint32_t *out)
{
    long long v;
    int overflow;
    if (value == NULL) {
        *out = 0;
        return 0;
    }
    if (!PyLong_Check(value) || PyBool_Check(value))
        return type_error("%s value must be an int, got %U", who, value);
    v = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || v < 0 || v > 0xFFFFFFFFLL) {
        PyErr_Format(PyExc_ValueError, "%s value must be in 0..0xFFFFFFFF, got %S", who, value);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static uint32_t run(uint32_t crc, const void *data, Py_ssize_t len)
{
    if (len >= RELEASE_GIL_FROM) {
        Py_BEGIN_ALLOW_THREADS
        crc = castagnoli_crc32c(crc, data, (size_t)len);
        Py_END_ALLOW_THREADS
        return crc;
    }
    return castagnoli_crc32c(crc, data, (size_t)len);
}

static PyObject *checksum(const char *who, PyObject *data, PyObject *value)
{
    uint32_t crc;
    Py_buffer view;
    if (read_value(who, value, &crc) < 0)
        return NULL;
    if (PyBytes_Check(data)) /* the common case, without the buffer protocol's bookkeeping */
        return PyLong_FromUnsignedLong(run(crc, PyBytes_AsString(data), PyBytes_Size(data)));
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
        } else if (PyErr_ExceptionMatches(PyExc_BufferError)) {
            PyErr_Clear();
            type_error("%s expects a C-contiguous buffer, got a non-contiguous %U: pass a contiguous copy, "
                       "e.g. bytes(view)", who, data);
        }
        return NULL;
    }
    crc = run(crc, view.buf, view.len);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong(crc);
}

/* crc32c(data, value=0) */
static PyObject *crc32c(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const who = "crc32c()";
    PyObject *data = nargs > 0 ? args[0] : NULL, *value = nargs > 1 ? args[1] : NULL;
    Py_ssize_t i, nkw = kwnames == NULL ? 0 : PyTuple_Size(kwnames);
    (void)module;
    if (nargs > 2) {
        PyErr_Format(PyExc_TypeError, "%s takes at most 2 arguments (data, value), got %zd", who, nargs);
        return NULL;
    }
    for (i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GetItem(kwnames, i);
        PyObject **slot = PyUnicode_CompareWithASCIIString(key, "data") == 0    ? &data
                          : PyUnicode_CompareWithASCIIString(key, "value") == 0 ? &value
                                                                                : NULL;
        if (slot == NULL) {
            PyErr_Format(PyExc_TypeError, "%s got an unexpected keyword argument %R", who, key);
            return NULL;
        }
        if (*slot != NULL) {
            PyErr_Format(PyExc_TypeError, "%s got multiple values for argument %R", who, key);
            return NULL;
        }
        *slot = args[nargs + i];
    }
    if (data == NULL) {
        PyErr_Format(PyExc_TypeError, "%s missing required argument 'data'", who);
        return NULL;
    }
    return checksum(who, data, value);
}

/* _update(data, value): Crc32c.update's arithmetic, with its name in errors. */
static PyObject *update(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "_update() takes 2 arguments (data, value), got %zd", nargs);
        return NULL;
    }
    return checksum("Crc32c.update()", args[0], args[1]);
}

static PyObject *kernel(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyUnicode_FromString(castagnoli_kernel());
}

static PyObject *kernels(PyObject *module, PyObject *unused)
{
    PyObject *result = PyDict_New();
    const char *name;
    int i;
    (void)module;
    (void)unused;
    for (i = 0; result != NULL && (name = castagnoli_kernel_name(i)) != NULL; i++) {
        if (PyDict_SetItemString(result, name, castagnoli_kernel_supported(i) ? Py_True : Py_False) < 0)
            Py_CLEAR(result);
    }
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
    default:
        PyErr_Format(PyExc_ValueError, "use_kernel(): unknown kernel %R; expected one of kernels()", name);
        return NULL;
    }
}

static PyMethodDef methods[] = {
    {"crc32c", (PyCFunction)(void (*)(void))crc32c, METH_FASTCALL | METH_KEYWORDS,
     "crc32c(data, value=0) -> int\n\nThe CRC-32C of data, continuing from value like zlib.crc32."},
    {"_update", (PyCFunction)(void (*)(void))update, METH_FASTCALL,
     "_update(data, value) -> int\n\nCrc32c.update's arithmetic."},
    {"kernel", kernel, METH_NOARGS, "kernel() -> str\n\nThe name of the kernel in use."},
    {"kernels", kernels, METH_NOARGS,
     "kernels() -> dict[str, bool]\n\nEvery kernel, fastest first, and whether this CPU and OS support it."},
    {"use_kernel", use_kernel, METH_O,
     "use_kernel(name) -> None\n\nForce a kernel (tests and benchmarks); ValueError if unknown or unsupported."},
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
