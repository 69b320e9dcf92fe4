// Package scheduler runs Python work on lanes. A lane is one goroutine
// locked to one OS thread (runtime.LockOSThread) that runs every piece of
// Python work for the interpreters bound to it, attaching their thread
// states as it goes. Work arrives as Jobs; each job is a batch (a script, a
// batch of records, an interpreter's end), so the cost of crossing onto the
// lane is paid per batch, not per record.
//
// A lane never does network I/O and never waits for anything while it is
// attached to an interpreter: the only blocking point is its queue, and it
// detaches before waiting there.
package scheduler

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gearsd/gearsd/python"
)

// ErrBusy is returned when a job could not start on its lane within the
// queue timeout because the lane was running other work.
var ErrBusy = errors.New("BUSY gearsd is busy running a script on this lane; try again later")

// ErrClosed is returned for work submitted after Close.
var ErrClosed = errors.New("ERR gearsd is shutting down")

// Job is work for a lane. It runs on the lane's thread; it uses Lane.Use to
// attach the thread state it needs and must not block on anything but
// Python and the store.
type Job func(l *Lane)

// job states
const (
	queued int32 = iota
	running
	cancelled
)

type task struct {
	run   Job
	state atomic.Int32
	start chan struct{} // closed when the job starts
	done  chan struct{} // closed when the job ends
}

// Lane is one locked OS thread running Python work.
type Lane struct {
	id        int
	rt        *python.Runtime
	sharedGIL bool

	mu     sync.Mutex
	queue  []*task
	idle   []*task       // background work, run only when queue is empty
	wake   chan struct{} // capacity 1: a pending wake-up
	closed bool

	pending  atomic.Int64 // queued + running jobs
	bound    atomic.Int64 // interpreters bound to this lane
	claimed  atomic.Int64 // bound interpreters in use by a session
	jobsRun  atomic.Uint64
	ident    uint64 // CPython's id of the lane thread
	laneMain *python.ThreadState
	current  *python.ThreadState // attached thread state, nil when detached
	exited   chan struct{}
}

func newLane(id int, rt *python.Runtime, sharedGIL bool) *Lane {
	l := &Lane{id: id, rt: rt, sharedGIL: sharedGIL, wake: make(chan struct{}, 1), exited: make(chan struct{})}
	ready := make(chan struct{})
	go l.loop(ready)
	<-ready
	return l
}

// ID is the lane's index.
func (l *Lane) ID() int { return l.id }

// Ident is CPython's identifier of the lane's thread (for interrupts).
func (l *Lane) Ident() uint64 { return l.ident }

// Pending is the number of jobs queued or running on the lane.
func (l *Lane) Pending() int64 { return l.pending.Load() }

// Bound is the number of interpreters bound to the lane.
func (l *Lane) Bound() int64 { return l.bound.Load() }

// Bind and Unbind count the interpreters bound to the lane.
func (l *Lane) Bind()   { l.bound.Add(1) }
func (l *Lane) Unbind() { l.bound.Add(-1) }

// Claim and Unclaim count the interpreters of the lane that a session
// uses. Between the jobs of a running execution its lane has nothing
// pending, yet more work is coming: claims tell the assignment policy so.
func (l *Lane) Claim()   { l.claimed.Add(1) }
func (l *Lane) Unclaim() { l.claimed.Add(-1) }

// Claimed is the number of the lane's interpreters in use by sessions.
func (l *Lane) Claimed() int64 { return l.claimed.Load() }

// JobsRun is the number of jobs the lane has run.
func (l *Lane) JobsRun() uint64 { return l.jobsRun.Load() }

func (l *Lane) loop(ready chan<- struct{}) {
	runtime.LockOSThread() // never unlocked: the thread holds Python state
	l.ident = python.ThreadIdent()
	if l.rt != nil {
		l.laneMain = l.rt.NewMainThreadState()
	}
	close(ready)
	defer close(l.exited)
	for {
		t, ok := l.next()
		if !ok {
			return
		}
		if !t.state.CompareAndSwap(queued, running) {
			continue // its submitter gave up waiting
		}
		close(t.start)
		t.run(l)
		l.jobsRun.Add(1)
		l.pending.Add(-1)
		close(t.done)
	}
}

// idleGrace is how long the lane must have been without work before it
// starts background work. The jobs of one request follow each other within
// microseconds (script, then each batch of its execution); a grace period
// keeps a background job (an interpreter build or end, milliseconds) from
// slipping in between them.
const idleGrace = 2 * time.Millisecond

// next pops the next job: queued work first, background work once the lane
// has been idle for idleGrace. It detaches before it waits, so that a lane
// without work holds no GIL.
func (l *Lane) next() (*task, bool) {
	for {
		l.mu.Lock()
		if len(l.queue) > 0 {
			t := l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
			l.mu.Unlock()
			return t, true
		}
		hasBackground := len(l.idle) > 0
		closed := l.closed
		l.mu.Unlock()
		if closed && !hasBackground {
			l.Detach()
			return nil, false
		}
		l.Detach()
		if !hasBackground {
			<-l.wake
			continue
		}
		select {
		case <-l.wake:
			continue // new work, or more background work: look again
		case <-time.After(idleGrace):
		}
		l.mu.Lock()
		if len(l.queue) > 0 || len(l.idle) == 0 {
			l.mu.Unlock()
			continue
		}
		t := l.idle[0]
		l.idle[0] = nil
		l.idle = l.idle[1:]
		l.mu.Unlock()
		return t, true
	}
}

// Use attaches ts on the lane, switching from whatever is attached. With a
// shared GIL the switch is a PyThreadState_Swap; with per-interpreter GILs
// it releases one GIL and takes the other.
func (l *Lane) Use(ts *python.ThreadState) {
	if l.current == ts {
		return
	}
	if l.current != nil {
		if l.sharedGIL {
			ts.SwapTo()
			l.current = ts
			return
		}
		python.Detach()
	}
	ts.Attach()
	l.current = ts
}

// Detach releases whatever the lane has attached.
func (l *Lane) Detach() {
	if l.current != nil {
		python.Detach()
		l.current = nil
	}
}

// MainThreadState is the lane's thread state in the main interpreter.
func (l *Lane) MainThreadState() *python.ThreadState { return l.laneMain }

// Adopted records that a job left ts attached (it created ts).
func (l *Lane) Adopted(ts *python.ThreadState) { l.current = ts }

// EndInterpreter ends ts's interpreter on this lane; ts must be the
// interpreter's only thread state and belong to this lane.
func (l *Lane) EndInterpreter(ts *python.ThreadState) {
	l.Use(ts)
	ts.EndInterpreter(l.laneMain)
	l.current = nil
}

// Submit queues job and waits until it has run. If the job has not started
// within queueTimeout (0: wait as long as ctx allows) it is withdrawn and
// ErrBusy returned. Once started, a job always runs to its end: Submit then
// waits for it whatever ctx says, so that the caller never loses track of
// Python work it started.
func (l *Lane) Submit(ctx context.Context, queueTimeout time.Duration, job Job) error {
	t, err := l.enqueue(job, false)
	if err != nil {
		return err
	}
	var timeout <-chan time.Time
	if queueTimeout > 0 {
		timer := time.NewTimer(queueTimeout)
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case <-t.start:
	case <-timeout:
		if l.withdraw(t) {
			return ErrBusy
		}
	case <-ctx.Done():
		if l.withdraw(t) {
			return ctx.Err()
		}
	}
	<-t.done
	return nil
}

// Go queues job without waiting for it.
func (l *Lane) Go(job Job) error {
	_, err := l.enqueue(job, false)
	return err
}

// GoBackground queues job to run when the lane has nothing else to do
// (ending an interpreter), without waiting for it.
func (l *Lane) GoBackground(job Job) error {
	_, err := l.enqueue(job, true)
	return err
}

// Background runs job when the lane has nothing else to do (pool
// refills), and waits until it has run.
func (l *Lane) Background(job Job) error {
	t, err := l.enqueue(job, true)
	if err != nil {
		return err
	}
	<-t.done
	return nil
}

func (l *Lane) enqueue(job Job, background bool) (*task, error) {
	t := &task{run: job, start: make(chan struct{}), done: make(chan struct{})}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, ErrClosed
	}
	if background {
		l.idle = append(l.idle, t)
	} else {
		l.queue = append(l.queue, t)
	}
	l.pending.Add(1)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return t, nil
}

// withdraw cancels a job that has not started; false if it already has.
func (l *Lane) withdraw(t *task) bool {
	if !t.state.CompareAndSwap(queued, cancelled) {
		return false
	}
	l.pending.Add(-1)
	return true
}

// close stops the lane after the jobs already queued.
func (l *Lane) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	<-l.exited
}
