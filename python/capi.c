// capi.c: runtime, interpreters, thread states and errors. See gearsd_python.h
// for the contract of every function.
#include "gearsd_python.h"
#include <string.h>

static char *dup_str(const char *s) { return strdup(s ? s : ""); }

static char *dup_pystr(PyObject *o) {
	if (o == NULL) return dup_str("");
	PyObject *s = PyObject_Str(o);
	if (s == NULL) { PyErr_Clear(); return dup_str("<unprintable>"); }
	const char *u = PyUnicode_AsUTF8(s);
	char *r = u ? strdup(u) : NULL;
	if (r == NULL) { PyErr_Clear(); r = dup_str("<unprintable>"); }
	Py_DECREF(s);
	return r;
}

void gd_error_free(gd_error *e) {
	free(e->type); free(e->message); free(e->traceback);
	e->type = e->message = e->traceback = NULL;
}

static void set_error(gd_error *e, const char *type, const char *msg) {
	if (e == NULL) return;
	e->type = dup_str(type); e->message = dup_str(msg); e->traceback = dup_str("");
}

int gd_fetch_error(gd_error *e) {
	if (!PyErr_Occurred()) return 0;
	PyObject *type = NULL, *value = NULL, *tb = NULL;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (tb != NULL && value != NULL) PyException_SetTraceback(value, tb);
	if (e != NULL) {
		e->type = dup_str(type ? ((PyTypeObject *)type)->tp_name : "Unknown");
		e->message = dup_pystr(value);
		e->traceback = NULL;
		// "".join(traceback.format_exception(type, value, tb)); the plain
		// message if the traceback module itself fails.
		PyObject *mod = PyImport_ImportModule("traceback");
		if (mod != NULL) {
			PyObject *lines = PyObject_CallMethod(mod, "format_exception", "OOO",
				type ? type : Py_None, value ? value : Py_None, tb ? tb : Py_None);
			if (lines != NULL) {
				PyObject *sep = PyUnicode_FromString("");
				PyObject *joined = sep ? PyUnicode_Join(sep, lines) : NULL;
				if (joined != NULL) {
					const char *u = PyUnicode_AsUTF8(joined);
					if (u) e->traceback = strdup(u);
					Py_DECREF(joined);
				}
				Py_XDECREF(sep);
				Py_DECREF(lines);
			}
			Py_DECREF(mod);
		}
		PyErr_Clear();
		if (e->traceback == NULL) e->traceback = dup_str(e->message);
	}
	Py_XDECREF(type); Py_XDECREF(value); Py_XDECREF(tb);
	return 1;
}

/* --- runtime ----------------------------------------------------------- */

PyThreadState *gd_initialize(const char *home, gd_error *err) {
	PyPreConfig preconfig;
	PyPreConfig_InitPythonConfig(&preconfig);
	PyStatus pre = Py_PreInitialize(&preconfig);
	if (PyStatus_Exception(pre)) {
		set_error(err, "InitializationError", pre.err_msg ? pre.err_msg : "Py_PreInitialize failed");
		return NULL;
	}
	// Before any arena exists, so that every one is tagged (reclaim.c).
	gd_reclaim_install();
	PyConfig config;
	PyConfig_InitPythonConfig(&config);
	config.install_signal_handlers = 0; // Go owns SIGINT/SIGTERM
	config.parse_argv = 0;
	config.user_site_directory = 0;
	PyStatus st;
	if (home != NULL && home[0] != '\0' && getenv("PYTHONHOME") == NULL) {
		st = PyConfig_SetBytesString(&config, &config.home, home);
		if (PyStatus_Exception(st)) goto fail;
	}
	st = PyConfig_SetBytesString(&config, &config.program_name, "gearsd");
	if (PyStatus_Exception(st)) goto fail;
	st = Py_InitializeFromConfig(&config);
	if (PyStatus_Exception(st)) goto fail;
	PyConfig_Clear(&config);
	return PyEval_SaveThread();
fail:
	set_error(err, "InitializationError", st.err_msg ? st.err_msg : "Py_InitializeFromConfig failed");
	PyConfig_Clear(&config);
	return NULL;
}

void gd_finalize(PyThreadState *main_ts) {
	PyEval_RestoreThread(main_ts);
	Py_FinalizeEx();
}

long gd_version(void) { return Py_Version; }

/* --- interpreters and thread states ------------------------------------ */

int gd_new_interpreter(PyThreadState *from_ts, int own_gil, PyThreadState **out_ts, gd_error *err) {
	(void)from_ts; // current: the interpreter is made from it
	PyThreadState *ts = NULL;
#if PY_VERSION_HEX >= 0x030C0000
	PyInterpreterConfig shared = _PyInterpreterConfig_LEGACY_INIT;
	PyInterpreterConfig isolated = _PyInterpreterConfig_INIT;
	PyStatus st = Py_NewInterpreterFromConfig(&ts, own_gil ? &isolated : &shared);
	if (PyStatus_Exception(st)) {
		set_error(err, "InterpreterError", st.err_msg ? st.err_msg : "Py_NewInterpreterFromConfig failed");
		// On failure the caller's thread state is current again.
		PyEval_SaveThread();
		return -1;
	}
	// With its own GIL, CPython released main's GIL while creating it; with a
	// shared GIL the GIL stays held and from_ts is simply no longer current.
#else
	(void)own_gil;
	ts = Py_NewInterpreter();
	if (ts == NULL) {
		if (!gd_fetch_error(err)) set_error(err, "InterpreterError", "Py_NewInterpreter failed");
		PyEval_SaveThread();
		return -1;
	}
#endif
	*out_ts = ts;
	return 0;
}

PyThreadState *gd_new_thread_state(PyInterpreterState *interp) {
	return PyThreadState_New(interp);
}

void gd_delete_thread_state(PyThreadState *ts) {
	PyEval_RestoreThread(ts);
	PyThreadState_Clear(ts);
	PyThreadState_DeleteCurrent();
}

void gd_delete_other(PyThreadState *ts) {
	PyThreadState_Clear(ts);
	PyThreadState_Delete(ts);
}

void gd_attach(PyThreadState *ts) { PyEval_RestoreThread(ts); }
void gd_detach(void) { PyEval_SaveThread(); }

void gd_end_interpreter(PyThreadState *ts, PyThreadState *main_ts) {
	gd_reclaim *r = gd_reclaim_prepare(ts->interp);
	Py_EndInterpreter(ts);
	// After Py_EndInterpreter no thread state is current. From 3.12 on no
	// GIL is held either. 3.11 leaves the shared GIL held: adopt a
	// main-interpreter thread state of this thread (Swap keeps the GIL) and
	// release it properly.
#if PY_VERSION_HEX < 0x030C0000
	PyThreadState_Swap(main_ts);
	PyEval_SaveThread();
#else
	(void)main_ts;
#endif
	gd_reclaim_finish(r);
}

int gd_other_threads(PyInterpreterState *interp, PyThreadState **known, int n) {
	int others = 0;
	for (PyThreadState *t = PyInterpreterState_ThreadHead(interp); t != NULL; t = PyThreadState_Next(t)) {
		int ours = 0;
		for (int i = 0; i < n; i++) {
			if (known[i] == t) { ours = 1; break; }
		}
		if (!ours) others++;
	}
	return others;
}

PyInterpreterState *gd_interp_of(PyThreadState *ts) { return ts->interp; }
int64_t gd_interp_id(PyInterpreterState *interp) { return PyInterpreterState_GetID(interp); }
unsigned long gd_thread_ident(void) { return PyThread_get_thread_ident(); }
PyInterpreterState *gd_main_interp(void) { return PyInterpreterState_Main(); }

int gd_interrupt(PyInterpreterState *interp, unsigned long thread_id, volatile int *running, const char *module, const char *exc_name) {
	// PyThreadState_SetAsyncExc only searches the current interpreter's
	// thread states, so enter the target interpreter with a thread state of
	// our own; taking its GIL waits for the busy thread's next switch
	// interval (5 ms), not for its work to end.
	PyThreadState *ts = PyThreadState_New(interp);
	PyEval_RestoreThread(ts);
	int n = 0;
	// The lane sets and clears *running holding this GIL, so reading it here
	// tells whether the work to interrupt is still the one running.
	if (!*running) {
		PyThreadState_Clear(ts);
		PyThreadState_DeleteCurrent();
		return 0;
	}
	PyObject *mod = PyImport_ImportModule(module);
	PyObject *exc = mod ? PyObject_GetAttrString(mod, exc_name) : NULL;
	if (exc != NULL) {
		n = PyThreadState_SetAsyncExc(thread_id, exc);
	}
	PyErr_Clear();
	Py_XDECREF(exc);
	Py_XDECREF(mod);
	PyThreadState_Clear(ts);
	PyThreadState_DeleteCurrent();
	return n;
}

int gd_release_import_lock(void) {
	// An asynchronous exception may land between importlib's
	// _imp.acquire_lock() and its try/finally (its module locks' weakref
	// callback: seen here), leaving the import lock held by this thread for
	// ever; on 3.11 that lock is the whole process's, and every interpreter's
	// next import waits on it. No job holds it across its end, so whatever
	// this thread holds now is such a leak.
	PyObject *imp = PyImport_ImportModule("_imp");
	if (imp == NULL) { PyErr_Clear(); return 0; }
	int n = 0;
	for (; n < 64; n++) {
		PyObject *r = PyObject_CallMethod(imp, "release_lock", NULL);
		if (r == NULL) { PyErr_Clear(); break; } // RuntimeError: not held by this thread
		Py_DECREF(r);
	}
	Py_DECREF(imp);
	return n;
}

void gd_clear_async_exc(unsigned long thread_id) {
	PyThreadState_SetAsyncExc(thread_id, NULL);
}

/* --- objects ----------------------------------------------------------- */

void gd_decref(PyObject *o) { Py_XDECREF(o); }

PyObject *gd_import(const char *name, gd_error *err) {
	PyObject *m = PyImport_ImportModule(name);
	if (m == NULL) gd_fetch_error(err);
	return m;
}

PyObject *gd_getattr(PyObject *o, const char *name, gd_error *err) {
	PyObject *v = PyObject_GetAttrString(o, name);
	if (v == NULL) gd_fetch_error(err);
	return v;
}

int gd_setattr(PyObject *o, const char *name, PyObject *v, gd_error *err) {
	if (PyObject_SetAttrString(o, name, v) < 0) { gd_fetch_error(err); return -1; }
	return 0;
}

PyObject *gd_new_module(const char *name, gd_error *err) {
	PyObject *m = PyModule_New(name);
	if (m == NULL) { gd_fetch_error(err); return NULL; }
	PyObject *modules = PyImport_GetModuleDict(); // borrowed
	if (PyDict_SetItemString(modules, name, m) < 0) { Py_DECREF(m); gd_fetch_error(err); return NULL; }
	PyObject *d = PyModule_GetDict(m); // borrowed
	if (PyDict_GetItemString(d, "__builtins__") == NULL &&
	    PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins()) < 0) {
		Py_DECREF(m); gd_fetch_error(err); return NULL;
	}
	return m;
}

int gd_exec(const char *src, const char *filename, PyObject *globals, gd_error *err) {
	PyObject *code = Py_CompileString(src, filename, Py_file_input);
	if (code == NULL) { gd_fetch_error(err); return -1; }
	PyObject *r = PyEval_EvalCode(code, globals, globals);
	Py_DECREF(code);
	if (r == NULL) { gd_fetch_error(err); return -1; }
	Py_DECREF(r);
	return 0;
}

PyObject *gd_module_dict(PyObject *module) { return PyModule_GetDict(module); }

PyObject *gd_call(PyObject *callable, PyObject **args, int nargs, gd_error *err) {
	PyObject *r = PyObject_Vectorcall(callable, args, (size_t)nargs, NULL);
	if (r == NULL) gd_fetch_error(err);
	return r;
}

PyObject *gd_from_int(int64_t v) { return PyLong_FromLongLong(v); }
PyObject *gd_from_str(const char *s, Py_ssize_t n) { return PyUnicode_FromStringAndSize(s, n); }
int gd_is_none(PyObject *o) { return o == Py_None; }
int gd_truthy(PyObject *o, gd_error *err) {
	int t = PyObject_IsTrue(o);
	if (t < 0) gd_fetch_error(err);
	return t;
}
