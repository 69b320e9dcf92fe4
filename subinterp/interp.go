package subinterp

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/scheduler"
)

// Interp is one session's interpreter, bound to one lane for its life.
// Whoever holds it holds a reference (Retain/Release); the interpreter ends
// on its lane when the last reference is released.
type Interp struct {
	m    *Manager
	py   *python.Interpreter
	lane *scheduler.Lane
	ts   *python.ThreadState // the lane's thread state; used only on the lane
	refs atomic.Int64
	// interrupted counts Interrupt calls delivered during the current job,
	// so the lane can drop one that arrived as the job ended.
	interrupted atomic.Int32
	// busy is set while a job of this interpreter runs (Go's view; the C
	// flag set under the GIL is the one that decides).
	busy atomic.Bool
	// interrupting is set while an interrupt is on its way.
	interrupting atomic.Bool
	// claim is set once a session took the interpreter (Lane.Claim).
	claim atomic.Bool
	ended atomic.Bool

	// Data is what Options.Setup returned for this interpreter.
	Data any
}

// ID is CPython's interpreter id.
func (in *Interp) ID() int64 { return in.py.ID() }

// Lane is the index of the lane the interpreter is bound to.
func (in *Interp) Lane() int { return in.lane.ID() }

// Refs returns the current reference count.
func (in *Interp) Refs() int64 { return in.refs.Load() }

// Retain adds a reference. The caller must already hold one.
func (in *Interp) Retain() { in.refs.Add(1) }

// Release drops a reference; the last one ends the interpreter on its lane
// (asynchronously: Release never waits for a lane).
func (in *Interp) Release() {
	n := in.refs.Add(-1)
	if n > 0 {
		return
	}
	if n < 0 {
		panic("subinterp: Release without a reference")
	}
	if !in.ended.CompareAndSwap(false, true) {
		return
	}
	if in.claim.Load() {
		in.lane.Unclaim()
	}
	// Ending is not urgent: it runs when the lane has no other work.
	err := in.lane.GoBackground(func(l *scheduler.Lane) {
		l.Use(in.ts)
		if in.m.opts.Teardown != nil {
			in.m.opts.Teardown(in.Data)
		}
		l.EndInterpreter(in.ts)
		in.lane.Unbind()
		in.m.noteEnded()
	})
	if err != nil {
		// The lanes are gone (shutdown): the interpreter dies with the process.
		in.m.opts.Log.Warn().Err(err).Int64("interp", in.ID()).Msg("interpreter not ended")
	}
}

// Run runs fn on the interpreter's lane with its thread state attached. It
// waits at most the queue timeout for the lane (scheduler.ErrBusy) and then
// for fn to end. fn may be interrupted by Interrupt while it runs.
func (in *Interp) Run(ctx context.Context, fn func() error) error {
	var err error
	serr := in.lane.Submit(ctx, time.Duration(in.m.queueTimeout.Load()), func(l *scheduler.Lane) {
		err = in.runAttached(l, fn)
	})
	if serr != nil {
		return serr
	}
	return err
}

// runAttached attaches the interpreter on its lane and runs fn as
// interruptible work.
func (in *Interp) runAttached(l *scheduler.Lane, fn func() error) error {
	l.Use(in.ts)
	in.busy.Store(true)
	in.py.SetRunning(true)
	err := fn()
	in.py.SetRunning(false)
	in.busy.Store(false)
	if in.interrupted.Swap(0) > 0 {
		in.ts.ClearPendingInterrupt()
	}
	return err
}

// Interrupt raises the exception class module.excName in the work running
// in the interpreter now, if any (python.Interpreter.Interrupt), and
// reports whether it was delivered. It does not wait for the GIL: the
// delivery runs on a locked goroutine of its own, at most one at a time per
// interpreter, so a delivery that has to wait (the lane moved on to other
// work) holds up nothing else. Callers retry until the work ends. The
// caller must hold a reference for the duration of the call.
func (in *Interp) Interrupt(module, excName string) bool {
	if !in.busy.Load() || !in.interrupting.CompareAndSwap(false, true) {
		return false
	}
	in.Retain() // kept alive until the delivery is done
	in.interrupted.Add(1)
	delivered := make(chan bool, 1)
	go func() {
		runtime.LockOSThread() // the thread exits with the goroutine
		ok := in.py.Interrupt(in.lane.Ident(), module, excName)
		in.interrupting.Store(false)
		in.Release()
		delivered <- ok
	}()
	select {
	case ok := <-delivered:
		return ok
	case <-time.After(50 * time.Millisecond):
		return false
	}
}
