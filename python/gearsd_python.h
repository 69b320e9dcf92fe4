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

/* gd_new_interpreter creates a sub-interpreter from from_ts, a
 * main-interpreter thread state owned by the calling thread. With own_gil
 * (3.12+ only) it gets its own GIL and the isolated config; otherwise it
 * shares the main GIL with the legacy config. On success *out_ts is the new
 * interpreter's thread state for this thread and it is ATTACHED (its GIL is
 * held). PRECONDITION: attached to from_ts. POSTCONDITION on failure:
 * detached. */
int gd_new_interpreter(PyThreadState *from_ts, int own_gil, PyThreadState **out_ts, gd_error *err);

/* gd_new_thread_state makes a thread state for interp bound to the calling
 * thread. PRECONDITION: detached (no GIL needed). POSTCONDITION: detached. */
PyThreadState *gd_new_thread_state(PyInterpreterState *interp);

/* gd_delete_thread_state clears and deletes a detached thread state of
 * the calling thread. It attaches it briefly. */
void gd_delete_thread_state(PyThreadState *ts);

/* gd_delete_other clears and deletes ts, a detached thread state that
 * another thread may have made (CPython 3.11-3.13 allow it for a thread
 * state that is not the first one its thread made, which is never the case
 * for a sub-interpreter's here: every thread made a main-interpreter one
 * first). PRECONDITION: attached to another thread state of ts's
 * interpreter. */
void gd_delete_other(PyThreadState *ts);

/* gd_attach: PRECONDITION detached; takes ts's GIL. */
void gd_attach(PyThreadState *ts);
/* gd_detach: PRECONDITION attached; releases the GIL. */
void gd_detach(void);
/* gd_detach_to detaches and gives the thread's PyGILState binding back to
 * main_ts, a main-interpreter thread state of this thread (gilstate.c), so
 * that the detached thread state may be deleted by another thread.
 * PRECONDITION: attached. POSTCONDITION: detached. */
void gd_detach_to(PyThreadState *main_ts);

/* Sharing one GIL between interpreters before CPython 3.13: a thread
 * waiting for the GIL asks only threads of its own interpreter to drop it
 * (the drop request lives in the waiter's interpreter state), so a runaway
 * loop in one sub-interpreter keeps the GIL from threads of every other
 * until it blocks. gearsd's arbiter (subinterp/gil.go) makes the holder let
 * go with these. */

/* gd_gil_holder returns the thread state holding the shared GIL now, or
 * NULL when it is free (CPython 3.11 and 3.12; NULL from 3.13 on). The
 * pointer may be stale: look it up, never dereference it. Any thread. */
PyThreadState *gd_gil_holder(void);

/* gd_preempt waits for the GIL as a thread of interp, which makes interp's
 * holding thread drop it at its next switch interval, then gives the GIL
 * back at once. PRECONDITION: detached, interp alive during the call. */
void gd_preempt(PyInterpreterState *interp);

/* gd_holds_gil reports whether ts holds its interpreter's GIL now: the
 * thread running it computes, rather than waits in C with the GIL released
 * (time.sleep, a socket). Any thread, no GIL needed; ts alive during the
 * call. */
int gd_holds_gil(PyThreadState *ts);

/* gd_switch_interval is sys.getswitchinterval() in microseconds. */
long gd_switch_interval(void);

/* gd_end_interpreter ends ts's interpreter and gives back what CPython
 * keeps of it (reclaim.c). PRECONDITION: attached to ts, ts is the
 * interpreter's only thread state; main_ts is a detached main-interpreter
 * thread state of this thread (3.11 leaves the shared GIL held after
 * Py_EndInterpreter; it is released through main_ts). POSTCONDITION:
 * detached. */
void gd_end_interpreter(PyThreadState *ts, PyThreadState *main_ts);

/* gd_other_threads counts the thread states of interp that are not among
 * known[0..n): threads the interpreter's own code started.
 * PRECONDITION: attached to a thread state of interp. */
int gd_other_threads(PyInterpreterState *interp, PyThreadState **known, int n);

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

/* gd_release_import_lock releases the import lock if the calling thread
 * holds it (a leak: see capi.c) and returns how many levels it released.
 * PRECONDITION: attached. */
int gd_release_import_lock(void);

/* gd_clear_async_exc drops an asynchronous exception still pending for
 * thread_id in the current interpreter. PRECONDITION: attached. */
void gd_clear_async_exc(unsigned long thread_id);

/* --- reclaim.c: what CPython 3.12+ keeps of an ended interpreter ------- */

typedef struct gd_reclaim gd_reclaim;

/* gd_reclaim_enabled: 0 leaves CPython's behaviour as it is (the raw
 * benchmark measures both). Set before the first interpreter ends. */
extern int gd_reclaim_enabled;

/* gd_reclaim_install sets the tracking arena allocator. PRECONDITION:
 * pre-initialized, not yet initialized. */
void gd_reclaim_install(void);

/* gd_reclaim_prepare records what to give back once interp has ended; NULL
 * when there is nothing to do. PRECONDITION: attached to interp, just before
 * Py_EndInterpreter. */
gd_reclaim *gd_reclaim_prepare(PyInterpreterState *interp);

/* gd_reclaim_finish gives it back and frees r. PRECONDITION: right after
 * Py_EndInterpreter, on the same thread. */
void gd_reclaim_finish(gd_reclaim *r);

/* gd_reclaim_trim unmaps the freed arenas kept for reuse beyond keep. Any
 * thread. */
void gd_reclaim_trim(int keep);

/* gd_reclaim_stats: arenas unmapped, interned strings freed, interpreters
 * whose strings were kept because they loaded a single-phase module. */
void gd_reclaim_stats(int64_t *arenas, int64_t *strings, int64_t *skipped);

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
