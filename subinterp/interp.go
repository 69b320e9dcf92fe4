package subinterp

import (
	"context"
	"sync/atomic"

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
	ended       atomic.Bool

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
	err := in.lane.Go(func(l *scheduler.Lane) {
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
	serr := in.lane.Submit(ctx, in.m.opts.QueueTimeout, func(l *scheduler.Lane) {
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
	in.py.SetRunning(true)
	err := fn()
	in.py.SetRunning(false)
	if in.interrupted.Swap(0) > 0 {
		in.ts.ClearPendingInterrupt()
	}
	return err
}

// Interrupt raises the exception class module.excName in the work running
// in the interpreter now, if any (python.Interpreter.Interrupt). It runs on
// the manager's interrupter thread and waits up to one switch interval of
// the interpreter's GIL. The caller must hold a reference.
func (in *Interp) Interrupt(module, excName string) bool {
	var ok bool
	in.interrupted.Add(1)
	in.m.interr.do(func() { ok = in.py.Interrupt(in.lane.Ident(), module, excName) })
	return ok
}
