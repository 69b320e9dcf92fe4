// Package subinterp owns gearsd's CPython sub-interpreters: it starts the
// runtime, builds interpreters on a builder thread ahead of demand (a pool,
// so a session does not pay the 5-9 ms creation cost), hands each to a lane
// of the scheduler, counts the references sessions hold on it, and ends it
// on its lane when the last reference goes.
package subinterp

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/scheduler"
)

// Options configure the Manager.
type Options struct {
	// Lanes is the number of scheduler lanes; 0 picks one per CPU when
	// interpreters own their GIL, else 1.
	Lanes int
	// GIL is "auto" (own GIL when CPython supports it and there is more than
	// one lane), "shared" or "own".
	GIL string
	// PoolSize is the number of interpreters kept ready; 0 disables the pool.
	PoolSize int
	// PoolIdleTimeout empties the pool after this long without demand
	// (0: never); the next demand refills it.
	PoolIdleTimeout time.Duration
	// QueueTimeout bounds how long work waits for a busy lane (ErrBusy).
	QueueTimeout time.Duration
	// Setup prepares a new interpreter (runtime modules, native module) on
	// the builder thread, attached; its result becomes Interp.Data.
	Setup func(in *python.Interpreter) (any, error)
	// Teardown releases what Setup made, on the lane, attached, before the
	// interpreter ends.
	Teardown func(data any)
	Log      zerolog.Logger
}

// Manager owns the runtime, the lanes and every interpreter.
type Manager struct {
	opts    Options
	rt      *python.Runtime
	sched   *scheduler.Scheduler
	ownGIL  bool
	builder *worker // the thread that initialised Python and builds own-GIL interpreters

	mu         sync.Mutex
	ready      []*Interp // adopted, unused interpreters
	filling    int       // pool interpreters being built
	lastDemand time.Time
	closed     bool
	refill     chan struct{}

	queueTimeout atomic.Int64 // nanoseconds

	live    atomic.Int64 // interpreters created and not yet ended
	created atomic.Uint64
	ended   atomic.Uint64
	allEnd  chan struct{} // signalled when live drops to zero after Close
	stop    chan struct{}
	wg      sync.WaitGroup
}

// Stats is a snapshot for INFO.
type Stats struct {
	PythonVersion string
	OwnGIL        bool
	Lanes         int
	Live          int64
	PoolReady     int
	PoolSize      int
	Created       uint64
	Ended         uint64
	LaneJobs      []uint64
	LaneBound     []int64
}

// ErrClosed is returned by Acquire after Close.
var ErrClosed = errors.New("ERR gearsd is shutting down")

// Start initialises CPython and starts the lanes and the pool.
func Start(opts Options) (*Manager, error) {
	m := &Manager{opts: opts, refill: make(chan struct{}, 1), stop: make(chan struct{}), allEnd: make(chan struct{}, 1)}
	m.queueTimeout.Store(int64(opts.QueueTimeout))
	m.builder = newWorker()
	var err error
	m.builder.do(func() { m.rt, err = python.Initialize() })
	if err != nil {
		return nil, fmt.Errorf("starting CPython %s: %w", python.VersionString(), err)
	}
	lanes := opts.Lanes
	switch opts.GIL {
	case "own":
		if !python.SupportsOwnGIL() {
			return nil, fmt.Errorf("python.gil own needs CPython 3.12 or newer; this build links %s", python.VersionString())
		}
		m.ownGIL = true
	case "shared":
	case "", "auto":
		if lanes == 0 && python.SupportsOwnGIL() {
			lanes = runtime.NumCPU()
		}
		m.ownGIL = python.SupportsOwnGIL() && lanes > 1
	default:
		return nil, fmt.Errorf("python.gil: unknown mode %q (auto, shared or own)", opts.GIL)
	}
	if lanes < 1 {
		lanes = 1
	}
	if !m.ownGIL && lanes > 1 {
		// With one GIL only one lane runs Python at a time: more lanes only
		// add switching.
		opts.Log.Warn().Int("lanes", lanes).Msg("interpreters share one GIL: running 1 lane")
		lanes = 1
	}
	m.sched = scheduler.New(m.rt, lanes, !m.ownGIL)
	m.lastDemand = time.Now()
	m.wg.Add(1)
	go m.fillPool()
	m.kickPool() // fill the pool now, not at the first demand
	return m, nil
}

// SetQueueTimeout changes how long work waits for a busy lane.
func (m *Manager) SetQueueTimeout(d time.Duration) { m.queueTimeout.Store(int64(d)) }

// Scheduler returns the lanes.
func (m *Manager) Scheduler() *scheduler.Scheduler { return m.sched }

// OwnGIL reports whether interpreters own their GIL.
func (m *Manager) OwnGIL() bool { return m.ownGIL }

// Stats returns a snapshot of the manager's counters.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	ready := len(m.ready)
	m.mu.Unlock()
	st := Stats{
		PythonVersion: python.VersionString(),
		OwnGIL:        m.ownGIL,
		Lanes:         len(m.sched.Lanes()),
		Live:          m.live.Load(),
		PoolReady:     ready,
		PoolSize:      m.opts.PoolSize,
		Created:       m.created.Load(),
		Ended:         m.ended.Load(),
	}
	for _, l := range m.sched.Lanes() {
		st.LaneJobs = append(st.LaneJobs, l.JobsRun())
		st.LaneBound = append(st.LaneBound, l.Bound())
	}
	return st
}

// Acquire returns an interpreter holding one reference for the caller, on
// the least busy lane: a ready one from the pool when that lane has one,
// else a new one built now on that lane. A ready interpreter on a busier
// lane is not taken: its lane may be running a script for a long time,
// while building costs milliseconds.
func (m *Manager) Acquire(ctx context.Context) (*Interp, error) {
	lane := m.sched.LeastBusy()
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	m.lastDemand = time.Now()
	in := m.takeReady(lane)
	m.mu.Unlock()
	m.kickPool()
	if in == nil {
		var err error
		if in, err = m.build(ctx, lane, false); err != nil {
			return nil, err
		}
	}
	in.refs.Store(1)
	in.claim.Store(true)
	in.lane.Claim() // until its last reference goes (Interp.Release)
	return in, nil
}

// takeReady pops a pooled interpreter bound to lane (the least busy one),
// or to a lane just as busy. Caller holds m.mu.
func (m *Manager) takeReady(lane *scheduler.Lane) *Interp {
	best := -1
	for i, in := range m.ready {
		if in.lane == lane {
			best = i
			break
		}
		if best < 0 && !scheduler.Busier(in.lane, lane) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	in := m.ready[best]
	m.ready = append(m.ready[:best], m.ready[best+1:]...)
	return in
}

// build makes a new interpreter bound to lane. In the background (pool
// refills) the work waits for an idle lane; on demand it waits at most the
// queue timeout.
func (m *Manager) build(ctx context.Context, lane *scheduler.Lane, background bool) (*Interp, error) {
	if m.ownGIL {
		return m.buildOwnGIL(ctx, lane)
	}
	return m.buildOnLane(ctx, lane, background)
}

// buildOnLane creates a shared-GIL interpreter on the lane itself (see
// python.NewInterpreterHere for why not on the builder thread).
func (m *Manager) buildOnLane(ctx context.Context, lane *scheduler.Lane, background bool) (*Interp, error) {
	var in *Interp
	var err error
	job := func(l *scheduler.Lane) {
		l.Detach()
		var data any
		py, ts, nerr := m.rt.NewInterpreterHere(l.MainThreadState(), func(py *python.Interpreter) error {
			var serr error
			if m.opts.Setup != nil {
				data, serr = m.opts.Setup(py)
			}
			return serr
		})
		if nerr != nil {
			err = nerr
			return
		}
		l.Adopted(ts)
		m.live.Add(1)
		m.created.Add(1)
		lane.Bind()
		in = &Interp{m: m, py: py, lane: lane, ts: ts, Data: data}
		in.refs.Store(1)
	}
	var serr error
	if background {
		serr = lane.Background(job)
	} else {
		serr = lane.Submit(ctx, time.Duration(m.queueTimeout.Load()), job)
	}
	if serr != nil {
		return nil, serr
	}
	return in, err
}

// buildOwnGIL creates an own-GIL interpreter on the builder thread, off
// every lane, and has lane adopt it. Adoption is three steps on two
// threads: the lane makes its own thread state, then the builder deletes
// its own (each thread deletes the thread states it used; see
// python.DropBuilder).
func (m *Manager) buildOwnGIL(ctx context.Context, lane *scheduler.Lane) (*Interp, error) {
	var py *python.Interpreter
	var data any
	var err error
	m.builder.do(func() {
		py, err = m.rt.NewInterpreter(true, func(py *python.Interpreter) error {
			var serr error
			if m.opts.Setup != nil {
				data, serr = m.opts.Setup(py)
			}
			return serr
		})
		if err == nil {
			m.live.Add(1) // on the builder thread, so Close's final check sees it
			m.created.Add(1)
		}
	})
	if err != nil {
		return nil, err
	}
	in := &Interp{m: m, py: py, lane: lane, Data: data}
	in.refs.Store(1)
	lane.Bind()
	if err := lane.Submit(ctx, time.Duration(m.queueTimeout.Load()), func(l *scheduler.Lane) {
		l.Detach()
		in.ts = py.NewThreadState()
	}); err != nil {
		// The lane never adopted it: the builder ends it.
		m.builder.do(func() { m.rt.DiscardUnadopted(py) })
		lane.Unbind()
		m.noteEnded()
		return nil, err
	}
	m.builder.do(func() { m.rt.DropBuilder(py) })
	return in, nil
}

func (m *Manager) kickPool() {
	select {
	case m.refill <- struct{}{}:
	default:
	}
}

// fillPool keeps PoolSize interpreters ready, spread over the lanes, and
// empties the pool after PoolIdleTimeout without demand.
func (m *Manager) fillPool() {
	defer m.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-m.refill:
		case <-tick.C:
		}
		m.mu.Lock()
		idle := m.opts.PoolIdleTimeout > 0 && time.Since(m.lastDemand) > m.opts.PoolIdleTimeout
		var drop []*Interp
		if idle {
			drop, m.ready = m.ready, nil
		}
		want := 0
		if !idle && !m.closed {
			want = m.opts.PoolSize - len(m.ready) - m.filling
		}
		m.filling += max(want, 0)
		m.mu.Unlock()
		for _, in := range drop {
			in.refs.Store(1)
			in.Release()
		}
		for i := 0; i < want; i++ {
			in, err := m.build(context.Background(), m.poolLane(), true)
			m.mu.Lock()
			m.filling--
			if err == nil && !m.closed {
				m.ready = append(m.ready, in)
				in = nil
			}
			m.mu.Unlock()
			if err != nil {
				m.opts.Log.Error().Err(err).Msg("building a pooled interpreter")
				break
			}
			if in != nil { // closed meanwhile
				in.Release()
			}
		}
	}
}

// poolLane picks the lane with the fewest ready interpreters, so the pool
// spreads over the lanes; among equals, the least busy one.
func (m *Manager) poolLane() *scheduler.Lane {
	m.mu.Lock()
	defer m.mu.Unlock()
	count := make(map[*scheduler.Lane]int)
	for _, in := range m.ready {
		count[in.lane]++
	}
	best := m.sched.Lanes()[0]
	for _, l := range m.sched.Lanes()[1:] {
		if count[l] < count[best] || (count[l] == count[best] && l.Pending() < best.Pending()) {
			best = l
		}
	}
	return best
}

func (m *Manager) noteEnded() {
	m.ended.Add(1)
	if m.live.Add(-1) == 0 {
		select {
		case m.allEnd <- struct{}{}:
		default:
		}
	}
}

// Close ends the pool, waits (up to ctx) for the interpreters still held
// by sessions to be released and ended, stops the lanes and finalises
// CPython. If some interpreter never ends (Python stuck in C code), CPython
// is left unfinalised rather than torn down under running code.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	ready := m.ready
	m.ready = nil
	m.mu.Unlock()
	close(m.stop)
	m.wg.Wait()
	for _, in := range ready {
		in.refs.Store(1)
		in.Release()
	}
	for m.live.Load() > 0 {
		select {
		case <-m.allEnd:
		case <-ctx.Done():
			m.sched.Close()
			return fmt.Errorf("%d interpreters still running at shutdown: %w", m.live.Load(), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	m.sched.Close() // runs what is queued, including any last build
	var err error
	m.builder.do(func() {
		// Checked on the builder thread, where own-GIL interpreters are
		// counted, after the lanes (which count the others) have stopped.
		if n := m.live.Load(); n > 0 {
			err = fmt.Errorf("%d interpreters still alive at shutdown: CPython left unfinalised", n)
			return
		}
		m.rt.Finalize()
	})
	return err
}

// worker runs functions on one locked OS thread.
type worker struct{ work chan func() }

func newWorker() *worker {
	w := &worker{work: make(chan func())}
	go func() {
		runtime.LockOSThread() // never unlocked: the thread holds Python state
		for f := range w.work {
			f()
		}
	}()
	return w
}

func (w *worker) do(f func()) {
	done := make(chan struct{})
	w.work <- func() { f(); close(done) }
	<-done
}
