package python

/*
#include "gearsd_python.h"
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// Interpreter is one CPython sub-interpreter. It is created by a builder
// thread (NewInterpreter), adopted by a lane thread (NewThreadState, then
// the builder's DropBuilder), and ended by that lane
// (ThreadState.EndInterpreter), or by the builder if no lane ever adopted it
// (DiscardUnadopted).
type Interpreter struct {
	interp  *C.PyInterpreterState
	ownGIL  bool
	builder *C.PyThreadState // the builder's detached thread state until adopted
	native  cgo.Handle       // the Host of its redisgears module, if installed
	// running lives in C memory: set and cleared by the lane under the
	// interpreter's GIL, read by Interrupt under the same GIL.
	running *C.int
}

// ThreadState is one OS thread's state in one interpreter. It may only be
// attached, detached and deleted by the thread that created it.
type ThreadState struct {
	ts     *C.PyThreadState
	interp *Interpreter
}

// NewInterpreter creates a sub-interpreter on the calling thread, runs setup
// in it (attached), then detaches, so that a lane thread can adopt the
// interpreter. With ownGIL (CPython 3.12+) the interpreter gets its own GIL
// and isolated configuration.
// PRECONDITION: detached, on the thread that called Initialize.
// POSTCONDITION: detached.
func (rt *Runtime) NewInterpreter(ownGIL bool, setup func(*Interpreter) error) (*Interpreter, error) {
	in, ts, err := rt.newInterpreter(rt.mainTS, ownGIL, setup)
	if err != nil {
		return nil, err
	}
	in.builder = ts
	C.gd_detach()
	return in, nil
}

// NewInterpreterHere creates a sub-interpreter sharing the main GIL on a
// lane thread (laneMain is that thread's main-interpreter thread state) and
// keeps it there: the returned thread state is the lane's own and is left
// attached. With a shared GIL, building on the lane avoids a builder thread
// that would wait for the GIL: before CPython 3.13 a thread waiting for the
// shared GIL only asks threads of its own interpreter to drop it, so a
// builder in the main interpreter could wait for as long as a lane runs a
// sub-interpreter's code. PRECONDITION: detached. POSTCONDITION: attached
// to the returned thread state on success, detached on failure.
func (rt *Runtime) NewInterpreterHere(laneMain *ThreadState, setup func(*Interpreter) error) (*Interpreter, *ThreadState, error) {
	in, ts, err := rt.newInterpreter(laneMain.ts, false, setup)
	if err != nil {
		return nil, nil, err
	}
	return in, &ThreadState{ts: ts, interp: in}, nil
}

// newInterpreter creates an interpreter from mainTS (a main-interpreter
// thread state of the calling thread) and runs setup. On success the new
// interpreter's thread state is returned attached; on failure the thread
// is detached.
func (rt *Runtime) newInterpreter(mainTS *C.PyThreadState, ownGIL bool, setup func(*Interpreter) error) (*Interpreter, *C.PyThreadState, error) {
	var ts *C.PyThreadState
	var cerr C.gd_error
	own := C.int(0)
	if ownGIL {
		own = 1
	}
	if C.gd_new_interpreter(mainTS, own, &ts, &cerr) != 0 {
		return nil, nil, takeError(&cerr)
	}
	in := &Interpreter{interp: C.gd_interp_of(ts), ownGIL: ownGIL}
	in.running = (*C.int)(C.calloc(1, C.size_t(unsafe.Sizeof(C.int(0)))))
	if setup != nil {
		if err := setup(in); err != nil {
			// End it right here, attached as we are; mainTS is this
			// thread's thread state to drop a shared GIL with.
			in.release()
			C.gd_end_interpreter(ts, mainTS, own)
			return nil, nil, err
		}
	}
	return in, ts, nil
}

// DiscardUnadopted ends an interpreter no lane adopted (a pooled one at
// shutdown). PRECONDITION: detached, on the thread that created it.
func (rt *Runtime) DiscardUnadopted(in *Interpreter) {
	C.gd_attach(in.builder)
	in.release()
	own := C.int(0)
	if in.ownGIL {
		own = 1
	}
	C.gd_end_interpreter(in.builder, rt.mainTS, own)
	in.builder = nil
}

// ID is CPython's id of the interpreter.
func (in *Interpreter) ID() int64 { return int64(C.gd_interp_id(in.interp)) }

// OwnGIL reports whether the interpreter has its own GIL.
func (in *Interpreter) OwnGIL() bool { return in.ownGIL }

// NewThreadState makes a thread state for in, bound to the calling thread
// (a lane adopting the interpreter). Once the adopting lane has made its
// thread state, the builder thread must call DropBuilder.
// PRECONDITION: detached.
func (in *Interpreter) NewThreadState() *ThreadState {
	return &ThreadState{ts: C.gd_new_thread_state(in.interp), interp: in}
}

// DropBuilder deletes the builder's thread state of in after a lane made
// its own. PRECONDITION: detached, on the thread that created in.
func (rt *Runtime) DropBuilder(in *Interpreter) {
	if in.builder != nil {
		C.gd_drop_builder(in.builder)
		in.builder = nil
	}
}

// NewMainThreadState makes a thread state in the main interpreter for the
// calling thread; lanes use it to drop a shared GIL after ending an
// interpreter. PRECONDITION: detached.
func (rt *Runtime) NewMainThreadState() *ThreadState {
	return &ThreadState{ts: C.gd_new_thread_state(C.gd_main_interp())}
}

// Interpreter returns the interpreter the thread state belongs to (nil for a
// main-interpreter thread state).
func (t *ThreadState) Interpreter() *Interpreter { return t.interp }

// Attach takes the thread state's GIL and makes it current.
// PRECONDITION: detached.
func (t *ThreadState) Attach() { C.gd_attach(t.ts) }

// Detach releases the GIL of the current thread state.
// PRECONDITION: attached.
func Detach() { C.gd_detach() }

// SwapTo makes t current while keeping a shared GIL.
// PRECONDITION: attached to a thread state sharing t's GIL.
func (t *ThreadState) SwapTo() { C.gd_swap(t.ts) }

// Delete deletes a thread state of the calling thread.
// PRECONDITION: detached.
func (t *ThreadState) Delete() { C.gd_delete_thread_state(t.ts) }

// EndInterpreter ends t's interpreter; t must be its last thread state.
// laneMain is a main-interpreter thread state of this thread, used to drop a
// shared GIL. PRECONDITION: attached to t. POSTCONDITION: detached.
func (t *ThreadState) EndInterpreter(laneMain *ThreadState) {
	t.interp.release()
	own := C.int(0)
	if t.interp.ownGIL {
		own = 1
	}
	var lm *C.PyThreadState
	if laneMain != nil {
		lm = laneMain.ts
	}
	C.gd_end_interpreter(t.ts, lm, own)
}

// release frees Go-side resources tied to the interpreter.
func (in *Interpreter) release() {
	if in.native != 0 {
		in.native.Delete()
		in.native = 0
	}
	if in.running != nil {
		C.free(unsafe.Pointer(in.running))
		in.running = nil
	}
}

// SetRunning marks whether interruptible work is running in the
// interpreter. PRECONDITION: attached to in (its GIL held).
func (in *Interpreter) SetRunning(on bool) {
	if on {
		*in.running = 1
	} else {
		*in.running = 0
	}
}

// ThreadIdent returns CPython's identifier of the calling thread, the one
// Interrupt needs to find it.
func ThreadIdent() uint64 { return uint64(C.gd_thread_ident()) }

// Interrupt raises the exception class module.excName asynchronously in
// thread threadID if work marked with SetRunning is still running in the
// interpreter. It returns false when nothing was running. The caller must
// keep the interpreter alive for the duration of the call.
// PRECONDITION: detached (any locked thread but threadID itself).
func (in *Interpreter) Interrupt(threadID uint64, module, excName string) bool {
	cm := C.CString(module)
	ce := C.CString(excName)
	defer C.free(unsafe.Pointer(cm))
	defer C.free(unsafe.Pointer(ce))
	return C.gd_interrupt(in.interp, C.ulong(threadID), in.running, cm, ce) > 0
}

// ClearPendingInterrupt drops an Interrupt that arrived after the code it
// was meant for had returned, so it cannot hit the interpreter's next work.
// PRECONDITION: attached to t, on t's thread.
func (t *ThreadState) ClearPendingInterrupt() {
	C.gd_clear_async_exc(C.gd_thread_ident())
}
