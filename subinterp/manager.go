// Package subinterp owns gearsd's CPython sub-interpreters: it starts the
// runtime and the scheduler's lanes, builds interpreters ahead of demand (a
// pool, so a session does not pay the 5-9 ms creation cost), binds each to
// a lane, counts the references sessions hold on it, and ends it on its lane
// when the last reference goes.
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
	// SpareThreads and HandoffAfter configure the lanes' spare workers
	// (scheduler.Options).
	SpareThreads int
	HandoffAfter time.Duration
	Timeslice    time.Duration
	// PoolSize is the number of interpreters kept ready; 0 disables the pool.
	PoolSize int
	// PoolIdleTimeout empties the pool after this long without demand
	// (0: never); the next demand refills it.
	PoolIdleTimeout time.Duration
	// QueueTimeout bounds how long new work waits for a busy lane (ErrBusy).
	QueueTimeout time.Duration
	// Setup prepares a new interpreter (runtime modules, native module) on
	// the thread that builds it, attached; its result becomes Interp.Data.
	Setup func(in *Interp) (any, error)
	// Teardown releases what Setup made, on the lane, attached, before the
	// interpreter ends.
	Teardown func(data any)
	Log      zerolog.Logger
}

// Manager owns the runtime, the lanes and every interpreter.
type Manager struct {
	opts   Options
	rt     *python.Runtime
	sched  *scheduler.Scheduler
	ownGIL bool
	gil    *gilArbiter // shared GIL before CPython 3.13 (gil.go); nil otherwise

	init     *thread      // initialised CPython, finalises it; with own GILs the first builder
	builders chan *thread // own GILs: builder threads free to build, one per lane

	mu          sync.Mutex
	ready       []*Interp // built, unused interpreters
	filling     int       // pool interpreters being built
	lastDemand  time.Time
	closed      bool
	refill      chan struct{}
	refillArmed atomic.Bool

	queueTimeout atomic.Int64 // nanoseconds

	live          atomic.Int64 // interpreters created and not yet ended
	created       atomic.Uint64
	ended         atomic.Uint64
	lingering     atomic.Int64  // ends put off while threads of their code finish
	scriptThreads atomic.Int64  // threads started by sessions' code, alive
	buildNs       atomic.Int64  // total time spent creating interpreters
	buildRetries  atomic.Uint64 // own-GIL builds tried again (buildOwnGIL)
	allEnd        chan struct{} // signalled when live drops to zero
	stop          chan struct{}
	wg            sync.WaitGroup
}

// Stats is a snapshot for INFO.
type Stats struct {
	PythonVersion  string
	OwnGIL         bool
	Lanes          int
	Live           int64
	PoolReady      int
	PoolSize       int
	Created        uint64
	Ended          uint64
	Lingering      int64
	ScriptThreads  int64
	BuildAvg       time.Duration
	BuildRetries   uint64
	Builders       int
	Workers        int
	MaxWorkers     int
	SpareIdle      int
	WorkersStarted uint64
	Handoffs       uint64
	LaneJobs       []uint64
	LaneBound      []int64
	Reclaimed      python.ReclaimStats
}

// ErrClosed is returned by Acquire after Close.
var ErrClosed = errors.New("ERR gearsd is shutting down")

// Start initialises CPython and starts the lanes and the pool.
func Start(opts Options) (*Manager, error) {
	m := &Manager{opts: opts, refill: make(chan struct{}, 1), stop: make(chan struct{}), allEnd: make(chan struct{}, 1)}
	m.queueTimeout.Store(int64(opts.QueueTimeout))
	m.init = newThread(nil)
	var err error
	m.init.do(func() { m.rt, err = python.Initialize() })
	if err != nil {
		return nil, fmt.Errorf("starting CPython %s: %w", python.VersionString(), err)
	}
	m.init.main = m.rt.MainThreadState()
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
	if !m.ownGIL && python.GILArbitrationNeeded() {
		m.gil = newGILArbiter()
	}
	m.sched = scheduler.New(scheduler.Options{
		Lanes: lanes, SpareThreads: opts.SpareThreads, HandoffAfter: opts.HandoffAfter, Timeslice: opts.Timeslice,
		Runtime: m.rt, Log: opts.Log,
	})
	if m.ownGIL {
		// Builds are CPU work with a GIL each: one builder per lane keeps up
		// with what the lanes can use, and more would only share the cores.
		m.builders = make(chan *thread, lanes)
		m.builders <- m.init
		for i := 1; i < lanes; i++ {
			b := newThread(m.rt)
			m.builders <- b
		}
	}
	m.lastDemand = time.Now()
	m.wg.Add(1)
	go m.fillPool()
	m.kickPool() // fill the pool now, not at the first demand
	return m, nil
}

// SetQueueTimeout changes how long new work waits for a busy lane.
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
	ss := m.sched.Stats()
	st := Stats{
		PythonVersion:  python.VersionString(),
		OwnGIL:         m.ownGIL,
		Lanes:          len(m.sched.Lanes()),
		Live:           m.live.Load(),
		PoolReady:      ready,
		PoolSize:       m.opts.PoolSize,
		Created:        m.created.Load(),
		Ended:          m.ended.Load(),
		Lingering:      m.lingering.Load(),
		BuildRetries:   m.buildRetries.Load(),
		ScriptThreads:  m.scriptThreads.Load(),
		Builders:       cap(m.builders),
		Workers:        ss.Workers,
		MaxWorkers:     m.sched.MaxWorkers(),
		SpareIdle:      ss.SpareIdle,
		WorkersStarted: ss.WorkersStarted,
		Handoffs:       ss.Handoffs,
		Reclaimed:      python.Reclaimed(),
	}
	if n := st.Created; n > 0 {
		st.BuildAvg = time.Duration(m.buildNs.Load() / int64(n))
	}
	for _, l := range m.sched.Lanes() {
		st.LaneJobs = append(st.LaneJobs, l.JobsRun())
		st.LaneBound = append(st.LaneBound, l.Bound())
	}
	return st
}

// Acquire returns an interpreter holding one reference for the caller, on
// the least busy lane: a ready one from the pool when that lane has one,
// else a new one built now. A ready interpreter on a busier lane is not
// taken: its lane may be running a script for a long time, while building
// costs milliseconds.
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
	m.kickPoolSoon()
	if in == nil {
		var err error
		if in, err = m.build(ctx, lane, true); err != nil {
			return nil, err
		}
	}
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

// build makes a new interpreter bound to lane, holding one reference. With
// own GILs a builder thread makes it, off the lanes; with a shared GIL a job
// on the lane does (no GIL hand-off between threads, no parallelism lost).
// On demand the lane job is new work (BUSY after the queue timeout); for the
// pool it yields to the lane's other work for a while (Lane.Later), so the
// request that took a ready interpreter is not kept behind the next one's
// build, and the pool still refills while the lane is busy.
func (m *Manager) build(ctx context.Context, lane *scheduler.Lane, demand bool) (*Interp, error) {
	in := &Interp{m: m, lane: lane, tstates: map[*scheduler.Worker]*python.ThreadState{}, gone: make(chan struct{})}
	var err error
	if m.ownGIL {
		err = m.buildOwnGIL(ctx, in)
	} else {
		job := func(w *scheduler.Worker) error {
			w.SetProbe(scheduler.Computing)
			defer w.SetProbe(nil)
			if a := m.gil; a != nil {
				a.own(w.Main().Key(), nil)
				a.begin()
				defer a.end()
			}
			w.Main().Attach()
			ts, err := m.create(in, w.Main())
			if err == nil {
				in.tstates[w] = ts
				if a := m.gil; a != nil {
					a.own(ts.Key(), in)
				}
			}
			return err
		}
		if demand {
			err = lane.Run(ctx, time.Duration(m.queueTimeout.Load()), job)
		} else {
			err = lane.Later(job)
		}
	}
	if err != nil {
		return nil, err
	}
	in.refs.Store(1)
	lane.Bind()
	return in, nil
}

// buildOwnGIL makes the interpreter on a free builder thread.
func (m *Manager) buildOwnGIL(ctx context.Context, in *Interp) error {
	var b *thread
	select {
	case b = <-m.builders:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { m.builders <- b }()
	var err error
	for try := 1; ; try++ {
		b.do(func() {
			b.main.Attach()
			in.builder, err = m.create(in, b.main)
		})
		// CPython 3.13 sometimes fails to create an interpreter while
		// another thread creates one ("Failed to import encodings module",
		// python/cpython#128381, seen here too); it cleans up after itself,
		// and the next try works.
		if err == nil || python.ErrorType(err) != "InterpreterError" || try == buildTries {
			return err
		}
		m.buildRetries.Add(1)
		m.opts.Log.Warn().Err(err).Int("try", try).Msg("building an interpreter failed; trying again")
	}
}

// buildTries bounds the tries of one own-GIL interpreter build.
const buildTries = 3

// create makes the interpreter on the calling thread from from, its
// main-interpreter thread state, and runs Setup in it. It returns the
// thread's thread state in it, detached. PRECONDITION: attached to from.
func (m *Manager) create(in *Interp, from *python.ThreadState) (*python.ThreadState, error) {
	t0 := time.Now()
	py, ts, err := m.rt.NewInterpreter(from, m.ownGIL, func(py *python.Interpreter) error {
		in.py = py
		if m.opts.Setup == nil {
			return nil
		}
		data, err := m.opts.Setup(in)
		in.Data = data
		return err
	})
	if err != nil {
		return nil, err
	}
	in.py = py
	m.live.Add(1)
	m.created.Add(1)
	m.buildNs.Add(int64(time.Since(t0)))
	return ts, nil
}

// refillDelay is how long after a pooled interpreter is taken its
// replacement's build starts: the request that took it runs first, rather
// than sharing the cores with the build (a warm call takes well under a
// millisecond). Under steady load builders run all the time anyway.
const refillDelay = 2 * time.Millisecond

func (m *Manager) kickPoolSoon() {
	if m.refillArmed.CompareAndSwap(false, true) {
		time.AfterFunc(refillDelay, func() {
			m.refillArmed.Store(false)
			m.kickPool()
		})
	}
}

// Purge unmaps the arenas kept for the next interpreters (MEMORY PURGE).
func (m *Manager) Purge() { python.TrimArenaCache(0) }

func (m *Manager) kickPool() {
	select {
	case m.refill <- struct{}{}:
	default:
	}
}

// fillPool keeps PoolSize interpreters ready, spread over the lanes, and
// empties the pool after PoolIdleTimeout without demand. With own GILs it
// builds on every builder at once; with a shared GIL one build at a time
// goes through the lane, between other work.
func (m *Manager) fillPool() {
	defer m.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var lastCreated uint64
	for {
		select {
		case <-m.stop:
			return
		case <-m.refill:
		case <-tick.C:
		}
		if created := m.created.Load(); created == lastCreated {
			// A second without a new interpreter: the arenas kept for the
			// next ones go back to the system.
			python.TrimArenaCache(0)
		} else {
			lastCreated = created
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
			in.Release()
		}
		parallel := 1
		if m.ownGIL {
			parallel = cap(m.builders)
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, parallel)
		for i := 0; i < want; i++ {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				m.addToPool()
			}()
		}
		wg.Wait()
	}
}

// addToPool builds one interpreter for the pool.
func (m *Manager) addToPool() {
	in, err := m.build(context.Background(), m.poolLane(), false)
	m.mu.Lock()
	m.filling--
	if err == nil && !m.closed {
		m.ready = append(m.ready, in)
		in = nil
	}
	m.mu.Unlock()
	if err != nil {
		if !errors.Is(err, scheduler.ErrClosed) {
			m.opts.Log.Error().Err(err).Msg("building a pooled interpreter")
		}
		return
	}
	if in != nil { // closed meanwhile
		in.Release()
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
		in.Release()
	}
	for m.live.Load() > 0 {
		select {
		case <-m.allEnd:
		case <-ctx.Done():
			m.sched.Close(ctx)
			return fmt.Errorf("%d interpreters still running at shutdown: %w", m.live.Load(), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := m.sched.Close(ctx); err != nil {
		return fmt.Errorf("%w: CPython left unfinalised", err)
	}
	if m.gil != nil {
		close(m.gil.stop)
	}
	if m.builders != nil {
		for i := 0; i < cap(m.builders); i++ {
			if b := <-m.builders; b != m.init {
				b.close()
			}
		}
	}
	var err error
	m.init.do(func() {
		if n := m.live.Load(); n > 0 {
			err = fmt.Errorf("%d interpreters still alive at shutdown: CPython left unfinalised", n)
			return
		}
		m.rt.Finalize()
	})
	return err
}

// thread runs functions on one locked OS thread with a main-interpreter
// thread state of its own (builders and the initialising thread).
type thread struct {
	work   chan func()
	main   *python.ThreadState
	exited chan struct{}
}

// newThread starts a thread; with rt it makes the thread's main-interpreter
// thread state (the initialising thread gets CPython's own instead).
func newThread(rt *python.Runtime) *thread {
	t := &thread{work: make(chan func()), exited: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(t.exited)
		runtime.LockOSThread() // never unlocked: the thread holds Python state
		if rt != nil {
			t.main = rt.NewMainThreadState()
		}
		close(ready)
		for f := range t.work {
			f()
		}
		if rt != nil {
			t.main.Delete()
		}
	}()
	<-ready
	return t
}

func (t *thread) do(f func()) {
	done := make(chan struct{})
	t.work <- func() { f(); close(done) }
	<-done
}

// close ends the thread once it has deleted its thread state.
func (t *thread) close() {
	close(t.work)
	<-t.exited
}
