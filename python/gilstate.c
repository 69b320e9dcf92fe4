// gilstate.c: keeps each thread's PyGILState binding on its own
// main-interpreter thread state.
//
// From CPython 3.12 on, attaching a thread state also binds it as the
// thread's "gilstate" thread state (tstate_activate: a per-thread TSS slot
// that PyGILState_* and the next attach read), and that binding stays after
// the thread detaches. gearsd deletes a sub-interpreter's thread states from
// whichever thread ends the interpreter; a thread whose slot still named one
// of them would crash at its next attach (seen here on 3.13:
// bind_gilstate_tstate reading freed memory). So every thread gives the
// binding back to its main-interpreter thread state, the first one it made,
// each time it detaches from a sub-interpreter. CPython 3.11 binds only a
// thread's first thread state and never rebinds: nothing to do there.
//
// It also lets a thread waiting for a shared GIL make another interpreter's
// thread drop it (gd_request_gil_drop, CPython 3.11 and 3.12).
#define Py_BUILD_CORE 1 // every version here reads an internal header
#include "gearsd_python.h"
#include "internal/pycore_runtime.h"
#include "internal/pycore_interp.h"

// gd_gil_holder: the thread state holding the shared GIL, read without it.
#if PY_VERSION_HEX < 0x030C0000
// 3.11 keeps the current thread state in one global, set and cleared under
// the GIL (and cleared before a thread state is freed).
PyThreadState *gd_gil_holder(void) { return _PyThreadState_UncheckedGet(); }
// Read from the GIL itself: _PyEval_GetSwitchInterval needs the GIL (3.12).
long gd_switch_interval(void) { return (long)_PyRuntime.ceval.gil.interval; }
#elif PY_VERSION_HEX < 0x030D0000
// 3.12 keeps the current thread state per thread; the GIL records the last
// thread state that took it, the holder while it is locked. The pointer may
// already be freed: callers only look it up among their own, never read it.
PyThreadState *gd_gil_holder(void) {
	struct _gil_runtime_state *gil = PyInterpreterState_Main()->ceval.gil;
	if (gil == NULL || _Py_atomic_load_relaxed(&gil->locked) != 1) return NULL;
	return (PyThreadState *)_Py_atomic_load_relaxed(&gil->last_holder);
}
long gd_switch_interval(void) {
	struct _gil_runtime_state *gil = PyInterpreterState_Main()->ceval.gil;
	return gil != NULL ? (long)gil->interval : 5000;
}
#else
PyThreadState *gd_gil_holder(void) { return NULL; } // not needed from 3.13 on
long gd_switch_interval(void) { return 5000; }
#endif

int gd_holds_gil(PyThreadState *ts) {
#if PY_VERSION_HEX < 0x030C0000
	struct _gil_runtime_state *gil = &_PyRuntime.ceval.gil;
	return _Py_atomic_load_relaxed(&gil->locked) == 1 &&
	       (PyThreadState *)_Py_atomic_load_relaxed(&gil->last_holder) == ts;
#elif PY_VERSION_HEX < 0x030D0000
	struct _gil_runtime_state *gil = ts->interp->ceval.gil;
	return gil != NULL && _Py_atomic_load_relaxed(&gil->locked) == 1 &&
	       (PyThreadState *)_Py_atomic_load_relaxed(&gil->last_holder) == ts;
#else
	struct _gil_runtime_state *gil = ts->interp->ceval.gil;
	return gil != NULL && _Py_atomic_load_int_relaxed(&gil->locked) == 1 &&
	       (PyThreadState *)_Py_atomic_load_ptr_relaxed(&gil->last_holder) == ts;
#endif
}

void gd_preempt(PyInterpreterState *interp) {
	// A waiter of interp's own: take_gil asks interp's threads to drop the
	// GIL after one switch interval, and the one holding it lets go (and,
	// CPython forcing switches, waits until another thread took it: this
	// one, or a waiter that came first). Then give it back at once.
	PyThreadState *ts = PyThreadState_New(interp);
	PyEval_RestoreThread(ts);
	PyThreadState_Clear(ts);
	PyThreadState_DeleteCurrent();
}

#if PY_VERSION_HEX >= 0x030C0000

static void rebind(PyThreadState *main_ts) {
	Py_tss_t *key = &_PyRuntime.autoTSSkey;
	PyThreadState *cur = (PyThreadState *)PyThread_tss_get(key);
	if (cur == main_ts) return;
	if (cur != NULL) cur->_status.bound_gilstate = 0;
	if (PyThread_tss_set(key, (void *)main_ts) == 0) main_ts->_status.bound_gilstate = 1;
}
#else
static void rebind(PyThreadState *main_ts) { (void)main_ts; }
#endif

void gd_detach_to(PyThreadState *main_ts) {
	PyEval_SaveThread();
	rebind(main_ts);
}
