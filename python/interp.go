package python

/*
#include "gearsd_python.h"
*/
import "C"

import (
	"runtime/cgo"
	"time"
	"unsafe"
)

// Interpreter is one CPython sub-interpreter. Any locked thread may run it:
// each thread that does makes a ThreadState of its own for it (threads never
// share a thread state), and the thread that ends it first deletes the
// others' (EndInterpreter's precondition).
type Interpreter struct {
	interp *C.PyInterpreterState
	ownGIL bool
	native cgo.Handle // the Host of its redisgears module, if installed
}

// ThreadState is one OS thread's state in one interpreter. Only the thread
// that made it attaches it; another thread of the same interpreter may
// delete it (DeleteOther) once it is detached for good.
type ThreadState struct {
	ts     *C.PyThreadState
	interp *Interpreter
	ident  uint64 // CPython's id of the thread that made it
	// running lives in C memory: set and cleared by the owning thread under
	// the interpreter's GIL, read by Interrupt under the same GIL.
	running *C.int
}

func newThreadState(ts *C.PyThreadState, in *Interpreter) *ThreadState {
	t := &ThreadState{ts: ts, interp: in, ident: ThreadIdent()}
	t.running = (*C.int)(C.calloc(1, C.size_t(unsafe.Sizeof(C.int(0)))))
	return t
}

func (t *ThreadState) free() {
	if t.running != nil {
		C.free(unsafe.Pointer(t.running))
		t.running = nil
	}
	t.ts = nil
}

// NewInterpreter creates a sub-interpreter on the calling thread from from,
// a main-interpreter thread state of that thread, and runs setup in it,
// attached. It returns the interpreter and the calling thread's thread state
// in it, detached. With ownGIL (CPython 3.12+) the interpreter gets its own
// GIL and the isolated configuration; otherwise it shares the main GIL with
// the legacy configuration. If setup fails the interpreter is ended at once.
// PRECONDITION: attached to from. POSTCONDITION: detached.
func (rt *Runtime) NewInterpreter(from *ThreadState, ownGIL bool, setup func(*Interpreter) error) (*Interpreter, *ThreadState, error) {
	var ts *C.PyThreadState
	var cerr C.gd_error
	own := C.int(0)
	if ownGIL {
		own = 1
	}
	if C.gd_new_interpreter(from.ts, own, &ts, &cerr) != 0 {
		return nil, nil, takeError(&cerr)
	}
	in := &Interpreter{interp: C.gd_interp_of(ts), ownGIL: ownGIL}
	t := newThreadState(ts, in)
	if setup != nil {
		if err := setup(in); err != nil {
			t.EndInterpreter(from, nil)
			return nil, nil, err
		}
	}
	C.gd_detach_to(from.ts)
	return in, t, nil
}

// ID is CPython's id of the interpreter.
func (in *Interpreter) ID() int64 { return int64(C.gd_interp_id(in.interp)) }

// OwnGIL reports whether the interpreter has its own GIL.
func (in *Interpreter) OwnGIL() bool { return in.ownGIL }

// NewThreadState makes a thread state for in, bound to the calling thread.
// PRECONDITION: detached.
func (in *Interpreter) NewThreadState() *ThreadState {
	return newThreadState(C.gd_new_thread_state(in.interp), in)
}

// NewMainThreadState makes a thread state in the main interpreter for the
// calling thread. Every thread that runs Python makes one first: it creates
// interpreters from it, drops a shared GIL through it after ending one, and
// it is the thread's first thread state, the one CPython's PyGILState API
// binds to the thread (so no sub-interpreter's is).
// PRECONDITION: detached.
func (rt *Runtime) NewMainThreadState() *ThreadState {
	return newThreadState(C.gd_new_thread_state(C.gd_main_interp()), nil)
}

// MainThreadState is the thread state of the thread that called Initialize.
func (rt *Runtime) MainThreadState() *ThreadState { return rt.main }

// Interpreter returns the interpreter the thread state belongs to (nil for a
// main-interpreter thread state).
func (t *ThreadState) Interpreter() *Interpreter { return t.interp }

// Attach takes the thread state's GIL and makes it current.
// PRECONDITION: detached, on the thread that made t.
func (t *ThreadState) Attach() { C.gd_attach(t.ts) }

// GILArbitrationNeeded reports whether sub-interpreters sharing one GIL
// need help to share it (CPython before 3.13: see gearsd_python.h).
func GILArbitrationNeeded() bool {
	major, minor := Version()
	return major == 3 && minor < 13
}

// GILHolder returns the key (ThreadState.Key) of the thread state holding a
// shared GIL now, 0 when it is free or unknown. Any thread, no GIL needed.
func GILHolder() uintptr { return uintptr(unsafe.Pointer(C.gd_gil_holder())) }

// HoldsGIL reports whether t holds its interpreter's GIL now: its thread
// computes rather than waits in C (time.sleep, a socket, a lock). Any
// thread, no GIL needed; the caller keeps t alive during the call.
func (t *ThreadState) HoldsGIL() bool { return C.gd_holds_gil(t.ts) != 0 }

// Key identifies the thread state, as GILHolder reports it.
func (t *ThreadState) Key() uintptr { return uintptr(unsafe.Pointer(t.ts)) }

// Preempt makes the thread of in that holds a shared GIL let go at its next
// switch interval, waiting for the GIL as one of in's threads, then gives
// the GIL back. The caller keeps in alive during the call.
// PRECONDITION: detached.
func (in *Interpreter) Preempt() { C.gd_preempt(in.interp) }

// PreemptMain is Preempt for the main interpreter (a thread building a
// sub-interpreter holds the GIL with a main-interpreter thread state first).
func PreemptMain() { C.gd_preempt(C.gd_main_interp()) }

// SwitchInterval is sys.getswitchinterval().
func SwitchInterval() time.Duration { return time.Duration(C.gd_switch_interval()) * time.Microsecond }

// Detach releases the GIL of the current thread state.
// PRECONDITION: attached.
func Detach() { C.gd_detach() }

// DetachTo releases the GIL of the current thread state, a sub-interpreter's,
// and binds the thread's PyGILState slot to main, the thread's
// main-interpreter thread state, so that the detached thread state may later
// be deleted by another thread (see gilstate.c). Threads that run
// sub-interpreters detach this way. PRECONDITION: attached.
func DetachTo(main *ThreadState) { C.gd_detach_to(main.ts) }

// Delete deletes a detached thread state of the calling thread.
func (t *ThreadState) Delete() {
	C.gd_delete_thread_state(t.ts)
	t.free()
}

// DeleteOther deletes t, a thread state another thread made and no longer
// uses. PRECONDITION: attached to another thread state of t's interpreter.
func (t *ThreadState) DeleteOther() {
	C.gd_delete_other(t.ts)
	t.free()
}

// OtherThreads counts the interpreter's thread states that are not among
// known: threads its own code started and that are still alive.
// PRECONDITION: attached to a thread state of in.
func (in *Interpreter) OtherThreads(known []*ThreadState) int {
	if len(known) == 0 {
		return int(C.gd_other_threads(in.interp, nil, 0))
	}
	arr := (**C.PyThreadState)(C.malloc(C.size_t(len(known)) * C.size_t(unsafe.Sizeof((*C.PyThreadState)(nil)))))
	defer C.free(unsafe.Pointer(arr))
	s := unsafe.Slice(arr, len(known))
	for i, t := range known {
		s[i] = t.ts
	}
	return int(C.gd_other_threads(in.interp, arr, C.int(len(known))))
}

// EndInterpreter ends t's interpreter, t being its only thread state left,
// and gives back what CPython keeps of it (reclaim.c). main is a
// main-interpreter thread state of this thread, used to drop a shared GIL.
// end, if set, runs first, still attached (the host's last chance to let go
// of its objects). PRECONDITION: attached to t. POSTCONDITION: detached.
func (t *ThreadState) EndInterpreter(main *ThreadState, end func()) {
	if end != nil {
		end()
	}
	in := t.interp
	C.gd_end_interpreter(t.ts, main.ts)
	// The host handle outlives Py_EndInterpreter: it joins the threads the
	// interpreter's code started, and they may still call into the host.
	if in.native != 0 {
		in.native.Delete()
		in.native = 0
	}
	t.free()
}

// SetRunning marks whether interruptible work runs on t.
// PRECONDITION: attached to t.
func (t *ThreadState) SetRunning(on bool) {
	if on {
		*t.running = 1
	} else {
		*t.running = 0
	}
}

// ThreadIdent returns CPython's identifier of the calling thread, the one
// Interrupt needs to find it.
func ThreadIdent() uint64 { return uint64(C.gd_thread_ident()) }

// Interrupt raises the exception class module.excName asynchronously in the
// thread running t, if work marked with SetRunning is still running on t. It
// returns false when nothing was running. The caller must keep the
// interpreter alive for the duration of the call.
// PRECONDITION: detached (any locked thread but t's own).
func (t *ThreadState) Interrupt(module, excName string) bool {
	cm := C.CString(module)
	ce := C.CString(excName)
	defer C.free(unsafe.Pointer(cm))
	defer C.free(unsafe.Pointer(ce))
	return C.gd_interrupt(t.interp.interp, C.ulong(t.ident), t.running, cm, ce) > 0
}

// ClearPendingInterrupt drops an Interrupt that arrived after the code it
// was meant for had returned, so it cannot hit the thread's next work, and
// releases the import lock if the interrupt left it held (an asynchronous
// exception can land inside importlib between taking that lock and the
// try/finally that gives it back; on 3.11 the lock is the process's). It
// returns the levels of the import lock it released.
// PRECONDITION: attached to t, on t's thread.
func (t *ThreadState) ClearPendingInterrupt() int {
	C.gd_clear_async_exc(C.ulong(t.ident))
	return int(C.gd_release_import_lock())
}

// ReclaimStats are the totals of what gearsd gave back of ended
// interpreters that CPython kept (python/reclaim.c).
type ReclaimStats struct {
	Arenas  int64 // obmalloc arenas unmapped (own-GIL interpreters)
	Strings int64 // interned strings freed (shared-GIL interpreters)
	Skipped int64 // interpreters whose strings were kept (single-phase modules)
}

// Reclaimed returns the totals so far.
func Reclaimed() ReclaimStats {
	var a, s, k C.int64_t
	C.gd_reclaim_stats(&a, &s, &k)
	return ReclaimStats{Arenas: int64(a), Strings: int64(s), Skipped: int64(k)}
}

// TrimArenaCache unmaps the freed arenas kept for reuse beyond keep
// (python/reclaim.c). Any thread.
func TrimArenaCache(keep int) { C.gd_reclaim_trim(C.int(keep)) }

// SetReclaim turns reclaiming off (false) or on; for measuring CPython as
// it is. Call it before any interpreter ends.
func SetReclaim(on bool) {
	if on {
		C.gd_reclaim_enabled = 1
	} else {
		C.gd_reclaim_enabled = 0
	}
}
