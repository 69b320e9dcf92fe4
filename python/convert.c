// convert.c: gearsd's value encoding <-> Python objects, one crossing per
// batch. The format is documented in convert.go.
#include "gearsd_python.h"
#include <string.h>

typedef struct {
	const char *p, *end;
} reader;

static int rd_u32(reader *r, uint32_t *v) {
	if (r->end - r->p < 4) return -1;
	memcpy(v, r->p, 4); r->p += 4; return 0;
}

static PyObject *decode_one(reader *r, int depth) {
	if (r->p >= r->end || depth > 64) {
		PyErr_SetString(PyExc_ValueError, "gearsd: malformed value encoding");
		return NULL;
	}
	char tag = *r->p++;
	uint32_t n;
	switch (tag) {
	case 'n': Py_RETURN_NONE;
	case 't': Py_RETURN_TRUE;
	case 'f': Py_RETURN_FALSE;
	case 'i': {
		int64_t v;
		if (r->end - r->p < 8) break;
		memcpy(&v, r->p, 8); r->p += 8;
		return PyLong_FromLongLong(v);
	}
	case 'd': {
		double v;
		if (r->end - r->p < 8) break;
		memcpy(&v, r->p, 8); r->p += 8;
		return PyFloat_FromDouble(v);
	}
	case 's': case 'b': case 'a': {
		if (rd_u32(r, &n) < 0 || (uint32_t)(r->end - r->p) < n) break;
		const char *s = r->p; r->p += n;
		if (tag == 'b') return PyBytes_FromStringAndSize(s, n);
		if (tag == 's') {
			// Redis strings are bytes: text when it is UTF-8, else a
			// bytearray (python-api.md §8.1).
			PyObject *u = PyUnicode_DecodeUTF8(s, n, NULL);
			if (u != NULL) return u;
			if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return NULL;
			PyErr_Clear();
		}
		return PyByteArray_FromStringAndSize(s, n);
	}
	case 'l': {
		if (rd_u32(r, &n) < 0) break;
		PyObject *l = PyList_New(n);
		if (l == NULL) return NULL;
		for (uint32_t i = 0; i < n; i++) {
			PyObject *e = decode_one(r, depth + 1);
			if (e == NULL) { Py_DECREF(l); return NULL; }
			PyList_SET_ITEM(l, i, e); // steals e
		}
		return l;
	}
	case 'm': {
		if (rd_u32(r, &n) < 0) break;
		PyObject *d = PyDict_New();
		if (d == NULL) return NULL;
		for (uint32_t i = 0; i < n; i++) {
			PyObject *k = decode_one(r, depth + 1);
			PyObject *v = k ? decode_one(r, depth + 1) : NULL;
			if (v == NULL || PyDict_SetItem(d, k, v) < 0) {
				Py_XDECREF(k); Py_XDECREF(v); Py_DECREF(d); return NULL;
			}
			Py_DECREF(k); Py_DECREF(v);
		}
		return d;
	}
	}
	PyErr_SetString(PyExc_ValueError, "gearsd: malformed value encoding");
	return NULL;
}

PyObject *gd_decode(const char *buf, size_t len, gd_error *err) {
	reader r = {buf, buf + len};
	PyObject *o = decode_one(&r, 0);
	if (o == NULL) gd_fetch_error(err);
	return o;
}

/* --- encoding ------------------------------------------------------------ */

typedef struct {
	char *buf;
	size_t len, cap;
} writer;

static int wr_grow(writer *w, size_t n) {
	if (w->len + n <= w->cap) return 0;
	size_t cap = w->cap ? w->cap * 2 : 256;
	while (cap < w->len + n) cap *= 2;
	char *b = realloc(w->buf, cap);
	if (b == NULL) { PyErr_NoMemory(); return -1; }
	w->buf = b; w->cap = cap;
	return 0;
}

static int wr(writer *w, const void *p, size_t n) {
	if (wr_grow(w, n) < 0) return -1;
	memcpy(w->buf + w->len, p, n); w->len += n;
	return 0;
}

static int wr_tag_bytes(writer *w, char tag, const char *s, size_t n) {
	if (n > UINT32_MAX) { PyErr_SetString(PyExc_OverflowError, "gearsd: value too large"); return -1; }
	uint32_t n32 = (uint32_t)n;
	if (wr(w, &tag, 1) < 0 || wr(w, &n32, 4) < 0) return -1;
	return wr(w, s, n);
}

// encode_one writes o. Lists recurse; every type without a RESP form is
// written as 'o' (opaque), which the Go side turns into "PY RECORD".
static int encode_one(writer *w, PyObject *o, int depth) {
	if (depth > 64) { PyErr_SetString(PyExc_RecursionError, "gearsd: value nested too deeply"); return -1; }
	if (o == Py_None) return wr(w, "n", 1);
	if (PyBool_Check(o)) return wr(w, o == Py_True ? "t" : "f", 1);
	if (PyLong_Check(o)) {
		int overflow = 0;
		long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
		if (v == -1 && PyErr_Occurred()) return -1;
		if (overflow) {
			PyObject *s = PyObject_Str(o);
			if (s == NULL) return -1;
			Py_ssize_t n; const char *u = PyUnicode_AsUTF8AndSize(s, &n);
			int rc = u ? wr_tag_bytes(w, 's', u, (size_t)n) : -1;
			Py_DECREF(s);
			return rc;
		}
		int64_t v64 = v;
		return (wr(w, "i", 1) < 0 || wr(w, &v64, 8) < 0) ? -1 : 0;
	}
	if (PyFloat_Check(o)) {
		double d = PyFloat_AS_DOUBLE(o);
		return (wr(w, "d", 1) < 0 || wr(w, &d, 8) < 0) ? -1 : 0;
	}
	if (PyUnicode_Check(o)) {
		Py_ssize_t n; const char *u = PyUnicode_AsUTF8AndSize(o, &n);
		if (u == NULL) return -1;
		return wr_tag_bytes(w, 's', u, (size_t)n);
	}
	if (PyBytes_Check(o)) return wr_tag_bytes(w, 'b', PyBytes_AS_STRING(o), (size_t)PyBytes_GET_SIZE(o));
	if (PyByteArray_Check(o)) return wr_tag_bytes(w, 'a', PyByteArray_AS_STRING(o), (size_t)PyByteArray_GET_SIZE(o));
	if (PyList_Check(o)) {
		Py_ssize_t n = PyList_GET_SIZE(o);
		uint32_t n32 = (uint32_t)n;
		if (wr(w, "l", 1) < 0 || wr(w, &n32, 4) < 0) return -1;
		for (Py_ssize_t i = 0; i < n; i++) {
			// The list may not change under us: we hold the GIL and run no
			// Python code while encoding.
			if (encode_one(w, PyList_GET_ITEM(o, i), depth + 1) < 0) return -1;
		}
		return 0;
	}
	return wr(w, "o", 1);
}

int gd_encode(PyObject *o, char **out, size_t *out_len, gd_error *err) {
	writer w = {NULL, 0, 0};
	if (encode_one(&w, o, 0) < 0) {
		free(w.buf);
		gd_fetch_error(err);
		return -1;
	}
	*out = w.buf;
	*out_len = w.len;
	return 0;
}
