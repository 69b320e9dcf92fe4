// Package scheduler runs Python work on lanes. A lane is a queue of jobs
// for the interpreters bound to it, run in order by one worker at a time: a
// goroutine locked to its OS thread (runtime.LockOSThread), as Go runs
// goroutines on a P. The number of lanes is how many threads run Python at
// once under ordinary load: one with a shared GIL, one per core with a GIL
// per interpreter.
//
// A job that runs long while others wait behind it does not hold its lane:
// as Go's scheduler hands off a P whose thread is stuck in a system call,
// the lane is handed to a spare worker, which goes on with the queue while
// the first one finishes its job and then becomes a spare itself. A job
// that waits (Python blocked in C with its GIL released: time.sleep, a
// socket, a lock) is handed off after Options.HandoffAfter; one that
// computes, only after Options.Timeslice: taking its turn from it would
// only share the same cores, or the same GIL, between more threads. Spares are bounded (Options.SpareThreads); when none is left,
// work waits, and work that may be refused (Lane.Run) gets ErrBusy after
// its queue timeout. So BUSY means every lane and every spare is taken.
//
// Jobs are batches (a script, a batch of records, an interpreter's end), so
// the cost of crossing onto a lane is paid per batch, not per record. A
// worker never waits for anything but Python and the store while it runs a
// job, and holds no GIL between jobs (the job attaches and detaches).
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/gearsd/gearsd/python"
)

// ErrBusy is returned when a job could not start within its queue timeout
// because its lane and every spare worker were running other work.
var ErrBusy = errors.New("BUSY gearsd is busy running scripts on every lane and spare thread; try again later")

// ErrClosed is returned for work submitted after Close.
var ErrClosed = errors.New("ERR gearsd is shutting down")

// Options configure a Scheduler.
type Options struct {
	// Lanes is the number of lanes (at least 1).
	Lanes int
	// SpareThreads is the most workers that may exist beyond one per lane:
	// the threads that take over a lane from a job that runs long.
	SpareThreads int
	// HandoffAfter is how long a job may wait (its Probe says it does not
	// hold its GIL, or it has no probe) while work waits behind it before
	// its lane goes to a spare worker (0: DefaultHandoffAfter).
	HandoffAfter time.Duration
	// Timeslice is the same for a job that computes (0: DefaultTimeslice).
	Timeslice time.Duration
	// SpareIdle is how long a spare worker waits for a lane before its
	// thread exits (0: DefaultSpareIdle).
	SpareIdle time.Duration
	// Runtime is the CPython runtime; nil in tests that run no Python.
	Runtime *python.Runtime
	Log     zerolog.Logger
}

// Defaults for Options.
const (
	DefaultHandoffAfter = 2 * time.Millisecond
	DefaultTimeslice    = 50 * time.Millisecond
	DefaultSpareIdle    = 30 * time.Second
)

// Scheduler is the set of lanes and the workers that run them.
type Scheduler struct {
	opts  Options
	lanes []*Lane

	mu      sync.Mutex // the spare pool; taken after a Lane.mu, never before
	idle    []*Worker  // spare workers waiting for a lane
	workers int        // workers alive
	nextID  int
	closed  bool

	kick    chan struct{} // capacity 1: wakes the monitor
	stop    chan struct{}
	wg      sync.WaitGroup // workers and the monitor
	started atomic.Uint64  // workers started, ever
}

// New starts the lanes, each with its worker, and the monitor that hands
// lanes to spares.
func New(opts Options) *Scheduler {
	if opts.Lanes < 1 {
		opts.Lanes = 1
	}
	if opts.SpareThreads < 0 {
		opts.SpareThreads = 0
	}
	if opts.HandoffAfter <= 0 {
		opts.HandoffAfter = DefaultHandoffAfter
	}
	if opts.Timeslice < opts.HandoffAfter {
		opts.Timeslice = max(DefaultTimeslice, opts.HandoffAfter)
	}
	if opts.SpareIdle <= 0 {
		opts.SpareIdle = DefaultSpareIdle
	}
	s := &Scheduler{opts: opts, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	for i := 0; i < opts.Lanes; i++ {
		l := newLane(i, s)
		s.lanes = append(s.lanes, l)
	}
	for _, l := range s.lanes {
		// The worker reads its lane's driver under l.mu: set it first.
		l.mu.Lock()
		s.mu.Lock()
		l.driver = s.startWorker(l)
		s.mu.Unlock()
		l.mu.Unlock()
	}
	s.wg.Add(1)
	go s.monitor()
	return s
}

// Lanes returns the lanes.
func (s *Scheduler) Lanes() []*Lane { return s.lanes }

// MaxWorkers is the most workers that can exist: one per lane plus the
// spares.
func (s *Scheduler) MaxWorkers() int { return len(s.lanes) + s.opts.SpareThreads }

// Stats is a snapshot for INFO.
type Stats struct {
	Workers        int    // worker threads alive
	SpareIdle      int    // of which waiting in the spare pool
	WorkersStarted uint64 // threads started, ever
	Handoffs       uint64 // lanes handed to a spare, over all lanes
}

// Stats returns the pool's counters.
func (s *Scheduler) Stats() Stats {
	s.mu.Lock()
	st := Stats{Workers: s.workers, SpareIdle: len(s.idle), WorkersStarted: s.started.Load()}
	s.mu.Unlock()
	for _, l := range s.lanes {
		st.Handoffs += l.handoffs.Load()
	}
	return st
}

// LeastBusy returns the lane with the fewest pending jobs, ties going to
// the one whose interpreters fewer sessions use (an execution between two
// of its batches has nothing pending but more to come), then to the one
// with the fewest bound interpreters. This is the whole assignment policy
// for new sessions.
func (s *Scheduler) LeastBusy() *Lane {
	best := s.lanes[0]
	for _, l := range s.lanes[1:] {
		if Busier(best, l) {
			best = l
		}
	}
	return best
}

// Busier reports whether lane a is busier than lane b.
func Busier(a, b *Lane) bool {
	if a.Pending() != b.Pending() {
		return a.Pending() > b.Pending()
	}
	if a.Claimed() != b.Claimed() {
		return a.Claimed() > b.Claimed()
	}
	return a.Bound() > b.Bound()
}

// exited counts a worker out.
func (s *Scheduler) exited() {
	s.mu.Lock()
	s.workers--
	s.mu.Unlock()
}

// startWorker starts a worker thread that first drives l. Caller holds
// l.mu (so the worker sees itself as l's driver once the caller has made
// it so) and s.mu.
func (s *Scheduler) startWorker(l *Lane) *Worker {
	s.nextID++
	w := &Worker{id: s.nextID, s: s, assign: make(chan *Lane, 1)}
	s.workers++
	s.started.Add(1)
	s.wg.Add(1)
	go w.loop(l)
	return w
}

// spare returns a worker to take over a lane: a waiting spare, or a new
// thread if the pool is not full; nil when every spare is taken. Caller
// holds the lane's mutex.
func (s *Scheduler) spare(l *Lane) *Worker {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	if n := len(s.idle); n > 0 {
		w := s.idle[n-1]
		s.idle = s.idle[:n-1]
		w.assign <- l // capacity 1, and an idle worker has nothing in it
		return w
	}
	if s.workers >= s.MaxWorkers() {
		return nil
	}
	return s.startWorker(l)
}

// park puts w in the spare pool until a lane needs it; nil means the
// worker should exit (idle too long, or closing).
func (s *Scheduler) park(w *Worker) *Lane {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.idle = append(s.idle, w)
	s.mu.Unlock()
	timer := time.NewTimer(s.opts.SpareIdle)
	defer timer.Stop()
	select {
	case l := <-w.assign:
		return l
	case <-timer.C:
	case <-s.stop:
	}
	s.mu.Lock()
	for i, o := range s.idle {
		if o == w {
			s.idle = append(s.idle[:i], s.idle[i+1:]...)
			s.mu.Unlock()
			return nil
		}
	}
	s.mu.Unlock()
	// spare() took it off the pool meanwhile: its lane is on the way.
	return <-w.assign
}

// watch wakes the monitor: work is waiting behind a running job.
func (s *Scheduler) watch() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// monitor hands lanes to spares while some lane has work waiting behind a
// running job; otherwise it sleeps until kicked, so an idle server has no
// ticking goroutine.
func (s *Scheduler) monitor() {
	defer s.wg.Done()
	tick := max(s.opts.HandoffAfter/2, 250*time.Microsecond)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		}
		for {
			select {
			case <-s.stop:
				return
			case <-time.After(tick):
			}
			watching := false
			now := time.Now()
			for _, l := range s.lanes {
				if l.checkHandoff(now) {
					watching = true
				}
			}
			if !watching {
				break
			}
		}
	}
}

// Close stops every lane after the work already queued on it, and waits
// (up to ctx) for every worker to exit. An error means some worker is
// still running a job (Python stuck in C code).
func (s *Scheduler) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	for _, l := range s.lanes {
		l.close()
	}
	close(s.stop)
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		n := s.workers
		s.mu.Unlock()
		return fmt.Errorf("%d Python threads still running a job at shutdown: %w", n, ctx.Err())
	}
}
