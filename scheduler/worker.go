package scheduler

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/gearsd/gearsd/python"
)

// Worker is one OS thread that runs Python jobs: the driver of a lane, a
// job that outlived its lane's hand-off, or a spare waiting for a lane.
type Worker struct {
	id     int
	s      *Scheduler
	assign chan *Lane // capacity 1: the lane a spare is given
	ident  uint64
	main   *python.ThreadState

	probeMu sync.Mutex // the monitor reads probe under it: the job cannot end meanwhile
	probe   Probe
}

// Probe tells the monitor whether the job running on a worker computes
// (holds its GIL) or waits, so that its lane is handed off sooner when it
// waits. python.ThreadState is one.
type Probe interface{ HoldsGIL() bool }

// Computing is the probe of a job that computes throughout (building an
// interpreter: its thread state is not known until it is built).
var Computing Probe = computing{}

type computing struct{}

func (computing) HoldsGIL() bool { return true }

// SetProbe sets the running job's probe; the job sets nil before it
// returns, so the probe's thread state is alive whenever the monitor
// reads it.
func (w *Worker) SetProbe(p Probe) {
	w.probeMu.Lock()
	w.probe = p
	w.probeMu.Unlock()
}

// computing reports whether w's job computes now; false without a probe.
func (w *Worker) computing() bool {
	w.probeMu.Lock()
	defer w.probeMu.Unlock()
	return w.probe != nil && w.probe.HoldsGIL()
}

// ID is the worker's number, unique for the process's life.
func (w *Worker) ID() int { return w.id }

// Ident is CPython's id of the worker's thread.
func (w *Worker) Ident() uint64 { return w.ident }

// Main is the thread's main-interpreter thread state (nil without a
// runtime): jobs detach to it (python.DetachTo) and build shared-GIL
// interpreters from it.
func (w *Worker) Main() *python.ThreadState { return w.main }

func (w *Worker) loop(first *Lane) {
	defer w.s.wg.Done()
	// Never unlocked: the thread holds Python state, and exits with the
	// goroutine.
	runtime.LockOSThread()
	w.ident = python.ThreadIdent()
	if rt := w.s.opts.Runtime; rt != nil {
		w.main = rt.NewMainThreadState()
	}
	for l := first; l != nil; l = w.s.park(w) {
		w.drive(l)
	}
	if w.main != nil {
		w.main.Delete()
	}
	w.s.exited()
}

// drive runs l's jobs until the lane goes to another worker or closes.
func (w *Worker) drive(l *Lane) {
	for {
		t := l.next(w)
		if t == nil {
			return
		}
		if t.start != nil {
			close(t.start)
		}
		t.err = w.call(t.run)
		w.SetProbe(nil) // in case the job panicked before clearing it
		l.finished(w)
		if t.done != nil {
			close(t.done)
		}
	}
}

// call runs job, turning a panic into its error: the worker, its lane and
// the server go on.
func (w *Worker) call(job Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			w.s.opts.Log.Error().Str("panic", fmt.Sprint(r)).Bytes("stack", debug.Stack()).Msg("panic in a Python job")
			err = fmt.Errorf("gearsd internal error in a Python job: %v", r)
		}
	}()
	return job(w)
}
