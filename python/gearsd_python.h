/*
 * gearsd_python.h: the C half of package python, gearsd's thin layer over
 * the CPython C API. Go never includes Python.h anywhere else.
 *
 * Thread-state vocabulary (as in the CPython docs):
 *   attached  - the calling OS thread has a current thread state and holds
 *               that interpreter's GIL;
 *   detached  - the calling thread has no current thread state.
 * Every function says which it requires (PRECONDITION) and leaves behind
 * (POSTCONDITION). Every PyObject* returned is a NEW reference owned by the
 * caller unless marked BORROWED.
 */
#ifndef GEARSD_PYTHON_H
#define GEARSD_PYTHON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

/* A Python failure turned into text: type name, str(value), formatted
 * traceback. All three are malloc'ed (free with gd_error_free). */
typedef struct {
	char *type;
	char *message;
	char *traceback;
} gd_error;

void gd_error_free(gd_error *e);

/* gd_fetch_error takes the pending Python exception (if any) into e and
 * clears it. Returns 1 if there was one. PRECONDITION: attached. */
int gd_fetch_error(gd_error *e);

/* --- runtime ----------------------------------------------------------- */

/* gd_initialize starts CPython without signal handlers (Go owns signals)
 * and detaches. Returns the main thread state, to hand back to
 * gd_finalize. PRECONDITION: detached, Python not initialised.
 * POSTCONDITION: detached. */
PyThreadState *gd_initialize(const char *home, gd_error *err);

/* gd_finalize re-attaches main and finalises CPython. Every
 * sub-interpreter must have been ended first. */
void gd_finalize(PyThreadState *main_ts);

/* gd_version returns PY_VERSION_HEX of the linked library. */
long gd_version(void);

/* --- interpreters and thread states ------------------------------------ */

/* gd_new_interpreter creates a sub-interpreter from the main thread state
 * main_ts (owned by the calling thread). With own_gil (3.12+ only) it
 * gets its own GIL and the isolated config; otherwise it shares the main
 * GIL with the legacy config. On success *out_ts is the new interpreter's
 * thread state for this thread and it is ATTACHED (its GIL is held).
 * PRECONDITION: detached. POSTCONDITION on failure: detached. */
int gd_new_interpreter(PyThreadState *main_ts, int own_gil, PyThreadState **out_ts, gd_error *err);

/* gd_drop_builder deletes the builder thread's detached thread state of a
 * new interpreter, once the adopting thread has made its own (CPython 3.11
 * reuses an interpreter's built-in initial thread state when none is left
 * and aborts because it was used; 3.12+ keeps per-thread gilstate bindings
 * that only the owning thread may undo, so the builder deletes its own).
 * PRECONDITION: detached, on the builder thread. POSTCONDITION: detached. */
void gd_drop_builder(PyThreadState *builder_ts);

/* gd_new_thread_state makes a thread state for interp bound to the calling
 * thread. PRECONDITION: detached. POSTCONDITION: detached. */
PyThreadState *gd_new_thread_state(PyInterpreterState *interp);

/* gd_delete_thread_state clears and deletes a detached thread state of
 * the calling thread. It attaches it briefly. */
void gd_delete_thread_state(PyThreadState *ts);

/* gd_attach: PRECONDITION detached; takes ts's GIL. */
void gd_attach(PyThreadState *ts);
/* gd_detach: PRECONDITION attached; releases the GIL. */
void gd_detach(void);
/* gd_swap switches the attached thread state within one shared GIL.
 * PRECONDITION: attached to a thread state whose interpreter shares the
 * GIL with ts. */
void gd_swap(PyThreadState *ts);

/* gd_end_interpreter ends ts's interpreter. PRECONDITION: attached to ts,
 * ts is the interpreter's only thread state. POSTCONDITION: detached
 * (whatever the CPython version does with the GIL). */
void gd_end_interpreter(PyThreadState *ts, PyThreadState *lane_main_ts, int own_gil);
PyInterpreterState *gd_main_interp(void);

/* gd_interp_of returns ts's interpreter (BORROWED, no refcount). */
PyInterpreterState *gd_interp_of(PyThreadState *ts);
int64_t gd_interp_id(PyInterpreterState *interp);
unsigned long gd_thread_ident(void);

/* gd_interrupt raises exc_name (an attribute of sys.modules[module]) in the
 * thread thread_id running in interp, if *running is still set once it
 * holds interp's GIL. Safe from any thread that is detached. Returns the
 * number of thread states modified (0 if nothing was running). */
int gd_interrupt(PyInterpreterState *interp, unsigned long thread_id, volatile int *running, const char *module, const char *exc_name);

/* gd_clear_async_exc drops an asynchronous exception still pending for
 * thread_id in the current interpreter. PRECONDITION: attached. */
void gd_clear_async_exc(unsigned long thread_id);

/* --- objects (all PRECONDITION: attached) ----------------------------- */

void gd_decref(PyObject *o);
PyObject *gd_import(const char *name, gd_error *err);
PyObject *gd_getattr(PyObject *o, const char *name, gd_error *err);
int gd_setattr(PyObject *o, const char *name, PyObject *v, gd_error *err);

/* gd_new_module creates an empty module named name, registers it in
 * sys.modules and returns it. */
PyObject *gd_new_module(const char *name, gd_error *err);

/* gd_exec compiles src (filename for tracebacks) as a module body and runs
 * it in the dict globals. */
int gd_exec(const char *src, const char *filename, PyObject *globals, gd_error *err);

/* gd_module_dict returns the module's __dict__ (BORROWED). */
PyObject *gd_module_dict(PyObject *module);

/* gd_call calls callable with the given positional arguments (BORROWED
 * each; may be NULL only if nargs is 0). */
PyObject *gd_call(PyObject *callable, PyObject **args, int nargs, gd_error *err);

PyObject *gd_from_int(int64_t v);
PyObject *gd_from_str(const char *s, Py_ssize_t n);
int gd_is_none(PyObject *o);
int gd_truthy(PyObject *o, gd_error *err);

/* --- conversion ---------------------------------------------------------- */

/* gd_decode builds a Python object from gearsd's value encoding (see
 * convert.go for the format). */
PyObject *gd_decode(const char *buf, size_t len, gd_error *err);

/* gd_encode writes o in gearsd's value encoding into a malloc'ed buffer
 * (*out, *out_len; free with free()). */
int gd_encode(PyObject *o, char **out, size_t *out_len, gd_error *err);

/* --- the native redisgears module -------------------------------------- */

/* gd_install_native creates module "redisgears" holding host (a Go handle)
 * and registers it in sys.modules. Returns the module. */
PyObject *gd_install_native(uintptr_t host, gd_error *err);

#endif
