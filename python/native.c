// native.c: the "redisgears" module every session interpreter gets. Each of
// its functions crosses into Go through an exported callback, carrying the
// host handle kept in the module's state. The callbacks run on the calling
// lane thread with the GIL held; they only touch the store, never a lane.
#include "gearsd_python.h"
#include "_cgo_export.h"
#include <string.h>

typedef struct {
	uintptr_t host;
} native_state;

static uintptr_t host_of(PyObject *module) {
	native_state *st = (native_state *)PyModule_GetState(module);
	return st ? st->host : 0;
}

// raise_gears_error raises module.GearsError(text), or RuntimeError when the
// runtime has not installed its exception classes yet.
static void raise_gears_error(PyObject *module, const char *text, size_t n) {
	PyObject *cls = PyObject_GetAttrString(module, "GearsError");
	if (cls == NULL) { PyErr_Clear(); cls = Py_NewRef(PyExc_RuntimeError); }
	PyObject *msg = PyUnicode_DecodeUTF8(text, (Py_ssize_t)n, "replace");
	if (msg != NULL) {
		PyErr_SetObject(cls, msg);
		Py_DECREF(msg);
	}
	Py_DECREF(cls);
}

// executeCommand(*args): bytes and bytearray go as they are, anything else
// as str(x) in UTF-8 (python-api.md §7.1).
static PyObject *rg_execute(PyObject *self, PyObject *args) {
	Py_ssize_t n = PyTuple_GET_SIZE(args);
	if (n == 0) return PyList_New(0);
	PyObject *first = PyTuple_GET_ITEM(args, 0);
	if (!PyUnicode_Check(first) && !PyBytes_Check(first) && !PyByteArray_Check(first)) {
		const char *m = "the given command must be a string";
		raise_gears_error(self, m, strlen(m));
		return NULL;
	}
	char **argv = calloc((size_t)n, sizeof(char *));
	size_t *lens = calloc((size_t)n, sizeof(size_t));
	PyObject **keep = calloc((size_t)n, sizeof(PyObject *)); // owners of argv's bytes
	PyObject *result = NULL;
	if (argv == NULL || lens == NULL || keep == NULL) { PyErr_NoMemory(); goto done; }
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *a = PyTuple_GET_ITEM(args, i);
		if (PyBytes_Check(a)) {
			argv[i] = PyBytes_AS_STRING(a); lens[i] = (size_t)PyBytes_GET_SIZE(a);
		} else if (PyByteArray_Check(a)) {
			argv[i] = PyByteArray_AS_STRING(a); lens[i] = (size_t)PyByteArray_GET_SIZE(a);
		} else {
			PyObject *s = PyUnicode_Check(a) ? Py_NewRef(a) : PyObject_Str(a);
			if (s == NULL) goto done;
			keep[i] = s;
			Py_ssize_t sn;
			const char *u = PyUnicode_AsUTF8AndSize(s, &sn);
			if (u == NULL) goto done;
			argv[i] = (char *)u; lens[i] = (size_t)sn;
		}
	}
	size_t out_len = 0;
	int is_err = 0;
	char *out = gdGoExecute(host_of(self), (int)n, argv, lens, &out_len, &is_err);
	if (is_err) {
		raise_gears_error(self, out ? out : "Failed executing command", out ? out_len : 23);
	} else {
		result = gd_decode(out, out_len, NULL);
		if (result == NULL) {
			// gd_decode fetched the error into nothing; re-raise a clear one.
			PyErr_SetString(PyExc_RuntimeError, "gearsd: could not convert the reply");
		}
	}
	free(out);
done:
	if (keep != NULL) for (Py_ssize_t i = 0; i < n; i++) Py_XDECREF(keep[i]);
	free(keep); free(lens); free(argv);
	return result;
}

// log(level, message): validation happens in the runtime's log().
static PyObject *rg_log(PyObject *self, PyObject *args) {
	const char *level, *msg;
	Py_ssize_t level_len, msg_len;
	if (!PyArg_ParseTuple(args, "s#s#", &level, &level_len, &msg, &msg_len)) return NULL;
	gdGoLog(host_of(self), (char *)level, (size_t)level_len, (char *)msg, (size_t)msg_len);
	Py_RETURN_NONE;
}

// config_get(key) -> str or None
static PyObject *rg_config_get(PyObject *self, PyObject *args) {
	const char *key;
	Py_ssize_t key_len;
	if (!PyArg_ParseTuple(args, "s#", &key, &key_len)) return NULL;
	size_t out_len = 0;
	int found = 0;
	char *out = gdGoConfigGet(host_of(self), (char *)key, (size_t)key_len, &out_len, &found);
	PyObject *r;
	if (!found) {
		r = Py_NewRef(Py_None);
	} else {
		r = PyUnicode_DecodeUTF8(out, (Py_ssize_t)out_len, "replace");
	}
	free(out);
	return r;
}

// fd_protected(fd): whether fd is one of the server's own descriptors,
// which the sandbox keeps from the session's code.
static PyObject *rg_fd_protected(PyObject *self, PyObject *args) {
	int fd;
	if (!PyArg_ParseTuple(args, "i", &fd)) return NULL;
	return PyBool_FromLong(gdGoFDProtected(host_of(self), fd));
}

// thread_started(): the runtime's wrapper of _thread's start functions calls
// it before a thread starts; False refuses the thread.
static PyObject *rg_thread_started(PyObject *self, PyObject *noargs) {
	(void)noargs;
	return PyBool_FromLong(gdGoThreadStarted(host_of(self)));
}

// thread_running(): called by the new thread itself as it starts.
static PyObject *rg_thread_running(PyObject *self, PyObject *noargs) {
	(void)noargs;
	gdGoThreadRunning(host_of(self), (uintptr_t)PyThreadState_Get());
	Py_RETURN_NONE;
}

// thread_ended(): called by the thread itself once its function returned.
static PyObject *rg_thread_ended(PyObject *self, PyObject *noargs) {
	(void)noargs;
	gdGoThreadEnded(host_of(self), (uintptr_t)PyThreadState_Get());
	Py_RETURN_NONE;
}

// compile_code(source, filename): builtins.compile(source, filename,
// 'exec') without its PyAST_Check, which builds the interpreter's hundred
// or so ast classes on first use: 0.6 ms in every new interpreter (3.11,
// measured here), more than the rest of a small script's run.
static PyObject *rg_compile_code(PyObject *self, PyObject *args) {
	(void)self;
	PyObject *source, *filename;
	if (!PyArg_ParseTuple(args, "UU", &source, &filename)) return NULL;
	const char *src = PyUnicode_AsUTF8(source);
	if (src == NULL) return NULL;
	PyCompilerFlags flags = _PyCompilerFlags_INIT;
	flags.cf_flags = PyCF_SOURCE_IS_UTF8;
	return Py_CompileStringObject(src, filename, Py_file_input, &flags, -1);
}

static PyMethodDef native_methods[] = {
	{"compile_code", rg_compile_code, METH_VARARGS, "compile_code(source, filename): compile(source, filename, 'exec')."},
	{"thread_started", rg_thread_started, METH_NOARGS, "A thread of this interpreter is about to start."},
	{"thread_running", rg_thread_running, METH_NOARGS, "The calling thread, just started, runs in this interpreter."},
	{"thread_ended", rg_thread_ended, METH_NOARGS, "A thread of this interpreter has finished its function."},
	{"executeCommand", rg_execute, METH_VARARGS, "Run a Redis command in-process."},
	{"log", rg_log, METH_VARARGS, "log(level, message): write to the server log."},
	{"config_get", rg_config_get, METH_VARARGS, "config_get(key): the extra config value or None."},
	{"fd_protected", rg_fd_protected, METH_VARARGS, "fd_protected(fd): whether fd is one of the server's descriptors."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef native_def = {
	PyModuleDef_HEAD_INIT,
	.m_name = "redisgears",
	.m_doc = "gearsd's native functions for the RedisGears runtime.",
	.m_size = sizeof(native_state),
	.m_methods = native_methods,
};

PyObject *gd_install_native(uintptr_t host, gd_error *err) {
	// Created directly rather than imported, so an isolated interpreter's
	// extension-module check does not apply; the def is immutable and the
	// state lives in each interpreter's own module object.
	PyObject *m = PyModule_Create(&native_def);
	if (m == NULL) { gd_fetch_error(err); return NULL; }
	((native_state *)PyModule_GetState(m))->host = host;
	PyObject *modules = PyImport_GetModuleDict(); // borrowed
	if (PyDict_SetItemString(modules, "redisgears", m) < 0) {
		Py_DECREF(m); gd_fetch_error(err); return NULL;
	}
	return m;
}
