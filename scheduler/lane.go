package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Job is work for a lane. It runs on a worker's thread, attaches the thread
// state it needs and detaches before it returns; it must not block on
// anything but Python and the store. A panic in it is recovered and
// becomes its error.
type Job func(w *Worker) error

// job states
const (
	queued int32 = iota
	started
	withdrawn
)

type task struct {
	run   Job
	since time.Time // when it was queued (later tasks age)
	state atomic.Int32
	start chan struct{} // closed when the job starts; nil when nobody waits
	done  chan struct{} // closed when it has run; nil when nobody waits
	err   error
}

// Lane is a queue of Python work run in order by one worker at a time.
type Lane struct {
	id int
	s  *Scheduler

	mu      sync.Mutex
	urgent  []*task // run before queue (ending interpreters)
	queue   []*task
	later   []*task // run when queue is empty, or once waited laterAging (pool refills)
	driver  *Worker // the worker that runs the queue
	running bool    // the driver is running a job of this lane
	since   time.Time
	waiting bool          // the driver waits on wake
	wake    chan struct{} // capacity 1
	closed  bool

	pending  atomic.Int64 // queued + running, handed-off jobs included
	bound    atomic.Int64 // interpreters bound to this lane
	claimed  atomic.Int64 // bound interpreters in use by a session
	jobsRun  atomic.Uint64
	handoffs atomic.Uint64
}

func newLane(id int, s *Scheduler) *Lane {
	return &Lane{id: id, s: s, wake: make(chan struct{}, 1)}
}

// ID is the lane's index.
func (l *Lane) ID() int { return l.id }

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

// Handoffs is how many times the lane went to a spare worker.
func (l *Lane) Handoffs() uint64 { return l.handoffs.Load() }

// Run queues job as new work and waits for it. If it has not started within
// queueTimeout (0: no limit) it is withdrawn and ErrBusy returned; if ctx
// ends before it starts, ctx.Err(). Once started, a job always runs to its
// end, and Run returns the job's error.
func (l *Lane) Run(ctx context.Context, queueTimeout time.Duration, job Job) error {
	t := &task{run: job, start: make(chan struct{}), done: make(chan struct{})}
	if err := l.enqueue(t, priNormal); err != nil {
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
	return t.err
}

// Must queues job and waits until it has run, however long the lane is
// busy: work that must happen once its owner has started (an execution's
// next batch, collecting its results and letting go of its plan).
func (l *Lane) Must(job Job) error {
	t := &task{run: job, done: make(chan struct{})}
	if err := l.enqueue(t, priNormal); err != nil {
		return err
	}
	<-t.done
	return t.err
}

// Later runs job when the lane has no other work queued, or once it has
// waited laterAging, and waits until it has run (refilling the interpreter
// pool: a request that finds an interpreter ready does not then wait behind
// the build of the next one, and the pool still refills under steady load).
func (l *Lane) Later(job Job) error {
	t := &task{run: job, done: make(chan struct{})}
	if err := l.enqueue(t, priLater); err != nil {
		return err
	}
	<-t.done
	return t.err
}

// laterAging bounds how long Later work yields to other work.
const laterAging = 20 * time.Millisecond

// Go queues job without waiting for it.
func (l *Lane) Go(job Job) error {
	return l.enqueue(&task{run: job}, priNormal)
}

// Urgent queues job ahead of all other work on the lane, without waiting
// (ending an interpreter: the memory comes back first).
func (l *Lane) Urgent(job Job) error {
	return l.enqueue(&task{run: job}, priUrgent)
}

// queue priorities
const (
	priNormal = iota
	priUrgent
	priLater
)

func (l *Lane) enqueue(t *task, pri int) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	switch pri {
	case priUrgent:
		l.urgent = append(l.urgent, t)
	case priLater:
		t.since = time.Now()
		l.later = append(l.later, t)
	default:
		l.queue = append(l.queue, t)
	}
	l.pending.Add(1)
	wake := l.waiting
	behind := l.running
	if behind && l.due(time.Now()) && l.handoff() {
		behind = false
	}
	l.mu.Unlock()
	switch {
	case wake:
		select {
		case l.wake <- struct{}{}:
		default:
		}
	case behind:
		l.s.watch()
	}
	return nil
}

// withdraw cancels a job that has not started; false if it already has.
func (l *Lane) withdraw(t *task) bool {
	if !t.state.CompareAndSwap(queued, withdrawn) {
		return false
	}
	l.pending.Add(-1)
	return true
}

// next is the driver's wait for its next job: urgent work first. It returns
// nil when w no longer drives the lane (handed off, or the lane closed and
// drained). Detached, holding no GIL, while it waits.
func (l *Lane) next(w *Worker) *task {
	l.mu.Lock()
	for {
		if l.driver != w {
			l.mu.Unlock()
			return nil
		}
		if t := l.pop(); t != nil {
			l.running = true
			l.since = time.Now()
			more := l.queued() > 0
			l.mu.Unlock()
			if more {
				l.s.watch()
			}
			return t
		}
		if l.closed {
			l.driver = nil
			l.mu.Unlock()
			return nil
		}
		l.waiting = true
		l.mu.Unlock()
		<-l.wake
		l.mu.Lock()
		l.waiting = false
	}
}

// queued counts the jobs waiting. Caller holds l.mu.
func (l *Lane) queued() int { return len(l.urgent) + len(l.queue) + len(l.later) }

// pop takes the next job that was not withdrawn: urgent, then later work
// that has waited long enough, then normal, then later. Caller holds l.mu.
func (l *Lane) pop() *task {
	for {
		var t *task
		switch {
		case len(l.urgent) > 0:
			t, l.urgent = shift(l.urgent)
		case len(l.later) > 0 && (len(l.queue) == 0 || time.Since(l.later[0].since) >= laterAging):
			t, l.later = shift(l.later)
		case len(l.queue) > 0:
			t, l.queue = shift(l.queue)
		default:
			return nil
		}
		if t.state.CompareAndSwap(queued, started) {
			return t
		}
	}
}

func shift(q []*task) (*task, []*task) {
	t := q[0]
	q[0] = nil
	return t, q[1:]
}

// finished records the end of a job w ran.
func (l *Lane) finished(w *Worker) {
	l.mu.Lock()
	if l.driver == w {
		l.running = false
	}
	l.mu.Unlock()
	l.jobsRun.Add(1)
	l.pending.Add(-1)
}

// checkHandoff is the monitor's look at the lane: it hands the lane to a
// spare if its job has run long with work waiting, and reports whether the
// lane still needs watching.
func (l *Lane) checkHandoff(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.running || l.queued() == 0 {
		return false
	}
	if !l.due(now) {
		return true
	}
	return !l.handoff()
}

// due reports whether the running job has had its turn: it waited for
// HandoffAfter, or computed for Timeslice. Caller holds l.mu, l.running.
func (l *Lane) due(now time.Time) bool {
	ran := now.Sub(l.since)
	switch {
	case ran < l.s.opts.HandoffAfter:
		return false
	case ran >= l.s.opts.Timeslice:
		return true
	}
	return !l.driver.computing()
}

// handoff gives the lane to a spare worker; the current driver finishes its
// job and then joins the spares. False if no spare is left. Caller holds
// l.mu.
func (l *Lane) handoff() bool {
	w := l.s.spare(l)
	if w == nil {
		return false
	}
	l.driver = w
	l.running = false
	l.handoffs.Add(1)
	return true
}

// close stops the lane once the jobs already queued have run.
func (l *Lane) close() {
	l.mu.Lock()
	l.closed = true
	wake := l.waiting
	l.mu.Unlock()
	if wake {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}
