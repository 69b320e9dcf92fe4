package subinterp

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/scheduler"
)

// Interp is one session's interpreter, bound to one lane for its life.
// Whoever holds it holds a reference (Retain/Release); the interpreter ends
// on its lane when the last reference is released.
//
// Any worker of the lane may run it (the lane may be handed to a spare), so
// each worker that does makes a thread state of its own for it, kept here
// between jobs; the worker that ends the interpreter deletes the others.
type Interp struct {
	m    *Manager
	py   *python.Interpreter
	lane *scheduler.Lane
	refs atomic.Int64

	mu      sync.Mutex                                // guards tstates and builder
	tstates map[*scheduler.Worker]*python.ThreadState // detached between jobs
	builder *python.ThreadState                       // the own-GIL builder's, never attached again

	claim    atomic.Bool   // a session took it (Lane.Claim)
	ended    atomic.Bool   // its end is queued or done
	gone     chan struct{} // closed once it has ended
	endTries int           // ends put off because threads of its code were alive; on the lane only

	// Data is what Options.Setup returned for this interpreter.
	Data any
}

// Work is an interruptible piece of a session's Python (a script body, an
// execution): it records the thread state its job runs on now, so that
// Interrupt reaches that thread.
type Work struct {
	ts           atomic.Pointer[python.ThreadState]
	interrupted  atomic.Int32
	interrupting atomic.Bool
	// delivered is when an interrupt last reached the running job (unix
	// nanoseconds), 0 for none since the job started: the job is then left
	// to unwind for interruptGrace before another is sent (see Interrupt).
	delivered atomic.Int64
}

// interruptGrace is how long a job that an interrupt reached has to unwind
// before it is interrupted again (its code may have swallowed the
// exception, or been blocked in C).
const interruptGrace = time.Second

// ID is CPython's interpreter id.
func (in *Interp) ID() int64 { return in.py.ID() }

// Python is the CPython interpreter (for Setup, which runs before ID is
// known to the manager).
func (in *Interp) Python() *python.Interpreter { return in.py }

// Lane is the index of the lane the interpreter is bound to.
func (in *Interp) Lane() int { return in.lane.ID() }

// Gone is closed once the interpreter has ended.
func (in *Interp) Gone() <-chan struct{} { return in.gone }

// Refs returns the current reference count.
func (in *Interp) Refs() int64 { return in.refs.Load() }

// Retain adds a reference. The caller must already hold one.
func (in *Interp) Retain() { in.refs.Add(1) }

// TryRetain adds a reference unless the last one is already gone.
func (in *Interp) TryRetain() bool {
	for {
		n := in.refs.Load()
		if n <= 0 {
			return false
		}
		if in.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release drops a reference; the last one queues the interpreter's end on
// its lane, ahead of other work there (Release never waits for a lane).
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
	in.queueEnd()
}

func (in *Interp) queueEnd() {
	if err := in.lane.Urgent(in.end); err != nil {
		// The lanes are gone (shutdown): the interpreter dies with the process.
		in.m.opts.Log.Warn().Err(err).Int64("interp", in.ID()).Msg("interpreter not ended")
	}
}

// Run runs fn on the interpreter's lane with this worker's thread state
// attached, as new work: it waits at most the queue timeout for the lane
// and its spares (scheduler.ErrBusy), then for fn to end. With work set,
// Interrupt(work) can stop fn.
func (in *Interp) Run(ctx context.Context, work *Work, fn func() error) error {
	return in.lane.Run(ctx, time.Duration(in.m.queueTimeout.Load()), in.job(work, fn))
}

// Must runs fn like Run, however long the lane is busy: the rest of work
// that has started (an execution's next batch, its results).
func (in *Interp) Must(work *Work, fn func() error) error {
	return in.lane.Must(in.job(work, fn))
}

// job wraps fn: attach this worker's thread state, mark work as running on
// it, run, and detach so the worker holds no GIL between jobs.
func (in *Interp) job(work *Work, fn func() error) scheduler.Job {
	return func(w *scheduler.Worker) error {
		ts := in.threadState(w)
		in.attach(w, ts)
		defer in.detach(w)
		w.SetProbe(ts) // computing or waiting: the lane is handed off sooner when it waits
		defer w.SetProbe(nil)
		if work == nil {
			return fn()
		}
		ts.SetRunning(true)
		work.delivered.Store(0)
		work.ts.Store(ts)
		defer func() { // before the detach: SetRunning needs the GIL
			ts.SetRunning(false)
			work.ts.Store(nil)
			if work.interrupted.Swap(0) > 0 {
				if n := ts.ClearPendingInterrupt(); n > 0 {
					in.m.opts.Log.Warn().Int64("interp", in.ID()).Int("levels", n).Msg("an interrupt left the import lock held: released")
				}
			}
		}()
		return fn()
	}
}

// threadState returns w's thread state in the interpreter, made on first
// use. On w's thread, detached.
func (in *Interp) threadState(w *scheduler.Worker) *python.ThreadState {
	in.mu.Lock()
	defer in.mu.Unlock()
	ts := in.tstates[w]
	if ts == nil {
		ts = in.py.NewThreadState()
		in.tstates[w] = ts
		if a := in.m.gil; a != nil {
			a.own(ts.Key(), in)
		}
	}
	return ts
}

// attach attaches ts, counted by the GIL arbiter when there is one
// (gil.go).
func (in *Interp) attach(w *scheduler.Worker, ts *python.ThreadState) {
	if a := in.m.gil; a != nil {
		a.own(w.Main().Key(), nil) // 3.11 drops the GIL through it after an end
		a.begin()
	}
	ts.Attach()
}

// detach undoes attach, leaving w holding no GIL and its PyGILState slot on
// its own main-interpreter thread state.
func (in *Interp) detach(w *scheduler.Worker) {
	python.DetachTo(w.Main())
	if a := in.m.gil; a != nil {
		a.end()
	}
}

// end is the interpreter's last job: once no thread its code started is
// alive, it releases the runtime's objects, deletes every other worker's
// thread state and ends the interpreter with this worker's.
func (in *Interp) end(w *scheduler.Worker) error {
	ts := in.threadState(w)
	in.attach(w, ts)
	w.SetProbe(ts)
	defer w.SetProbe(nil)
	in.mu.Lock()
	known := make([]*python.ThreadState, 0, len(in.tstates)+1)
	for _, t := range in.tstates {
		known = append(known, t)
	}
	if in.builder != nil {
		known = append(known, in.builder)
	}
	in.mu.Unlock()
	if n := in.py.OtherThreads(known); n > 0 {
		// A thread that its code started is still finishing (between the
		// end of its function and the deletion of its thread state), or
		// was started past the runtime's accounting: Py_EndInterpreter
		// would wait for it on this worker, or abort the process for a
		// daemon thread. Try again shortly.
		in.detach(w)
		in.putOff(n)
		return nil
	}
	if in.endTries > 0 {
		in.m.lingering.Add(-1)
	}
	if in.m.opts.Teardown != nil {
		in.m.opts.Teardown(in.Data)
	}
	// Py_EndInterpreter runs finalizers, the interpreter's own code: the
	// arbiter counts it as attached until it returns.
	a := in.m.gil
	in.mu.Lock()
	for o, t := range in.tstates {
		if o != w {
			if a != nil {
				a.disown(t.Key())
			}
			t.DeleteOther()
		}
	}
	if in.builder != nil {
		in.builder.DeleteOther()
		in.builder = nil
	}
	in.tstates = nil
	in.mu.Unlock()
	key := ts.Key()
	w.SetProbe(scheduler.Computing) // ts is freed inside EndInterpreter
	ts.EndInterpreter(w.Main(), nil)
	if a != nil {
		a.disown(key) // it stayed findable while finalizers ran
		a.end()
	}
	in.lane.Unbind()
	in.m.noteEnded()
	close(in.gone)
	return nil
}

// putOff queues the end again after a delay that grows with each try, up to
// a second.
func (in *Interp) putOff(threads int) {
	if in.endTries == 0 {
		in.m.lingering.Add(1)
		in.m.opts.Log.Debug().Int64("interp", in.ID()).Int("threads", threads).Msg("interpreter end put off: threads of its code are alive")
	}
	in.endTries++
	delay := min(time.Millisecond<<min(in.endTries, 10), time.Second)
	time.AfterFunc(delay, in.queueEnd)
}

// ThreadStarted counts a thread the interpreter's code is starting as an
// owner (a reference) of the interpreter; false, refusing the thread, if the
// interpreter is already ending. Called by the starting thread, which holds
// a reference through its job or its own thread.
func (in *Interp) ThreadStarted() bool {
	if !in.TryRetain() {
		return false
	}
	in.m.scriptThreads.Add(1)
	if a := in.m.gil; a != nil {
		a.begin()
	}
	return true
}

// ThreadRunning is called by that thread as it starts, with its thread
// state's key, so the GIL arbiter can make it let go of a shared GIL.
func (in *Interp) ThreadRunning(key uintptr) {
	if a := in.m.gil; a != nil {
		a.own(key, in)
	}
}

// ThreadEnded is called by that thread once its function has returned.
func (in *Interp) ThreadEnded(key uintptr) {
	if a := in.m.gil; a != nil {
		a.disown(key)
		a.end()
	}
	in.m.scriptThreads.Add(-1)
	in.Release()
}

// Interrupt raises the exception class module.excName in work's job if it
// is running now, and reports whether it was delivered. It does not wait for
// the GIL: the delivery runs on a locked goroutine of its own, at most one
// at a time per work, holding its own reference on the interpreter, so a
// delivery that has to wait holds up nothing else. Callers retry until the
// work ends; once one has reached the job, the next waits interruptGrace,
// so that the job unwinds in peace: an asynchronous exception lands wherever
// the job's Python is, the runtime's and importlib's own code included, and
// each one more is a chance to land between an acquire and its try/finally.
func (in *Interp) Interrupt(work *Work, module, excName string) bool {
	ts := work.ts.Load()
	if ts == nil {
		return false
	}
	if d := work.delivered.Load(); d != 0 && time.Since(time.Unix(0, d)) < interruptGrace {
		return false
	}
	if !work.interrupting.CompareAndSwap(false, true) {
		return false
	}
	if !in.TryRetain() {
		work.interrupting.Store(false)
		return false
	}
	work.interrupted.Add(1)
	delivered := make(chan bool, 1)
	go func() {
		runtime.LockOSThread() // the thread exits with the goroutine
		ok := ts.Interrupt(module, excName)
		if ok {
			work.delivered.Store(time.Now().UnixNano())
		}
		work.interrupting.Store(false)
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
