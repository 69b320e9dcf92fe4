package subinterp

import (
	"runtime"
	"sync"
	"time"

	"github.com/gearsd/gearsd/python"
)

// gilArbiter lets sessions share one GIL as Python threads do (CPython
// before 3.13). There a thread waiting for the GIL asks only threads of its
// own interpreter to drop it (the drop request lives in the waiter's
// interpreter state), so a runaway loop in one session would keep the GIL
// from every other session's thread until it blocks: seen as BUSY on every
// other session in this repository's tests, and as a build stuck inside
// Py_NewInterpreter re-taking the GIL after reading a file.
//
// While two or more things may want the GIL (jobs between attach and
// detach, shared-GIL builds, threads the sessions' code started), the
// arbiter looks up, every switch interval, which of gearsd's thread states
// holds the GIL, and has a helper thread wait for it as a thread of that
// one's interpreter (python.Interpreter.Preempt): a waiter CPython knows how
// to serve, so the holder lets go at its next switch interval and whoever
// waited longest gets the GIL. The holder may change before the helper
// waits; a helper waiting as the wrong interpreter is only served once the
// GIL is free anyway, so the arbiter never waits itself, keeps one attempt
// per interpreter in flight, and has a few helpers. Alone, nothing contends
// and the arbiter sleeps.
type gilArbiter struct {
	period time.Duration

	mu       sync.Mutex
	busy     int                 // things that may want the GIL now
	owners   map[uintptr]*Interp // gearsd's thread states: key -> interpreter; nil for a main-interpreter one
	inFlight map[*Interp]bool    // preemptions waiting for the GIL, by target (nil: the main interpreter)

	preempts chan *Interp  // to the helpers; nil: the main interpreter
	wake     chan struct{} // capacity 1
	stop     chan struct{}
}

// gilHelpers is how many preemptions may wait for the GIL at once.
const gilHelpers = 4

func newGILArbiter() *gilArbiter {
	a := &gilArbiter{period: python.SwitchInterval(), owners: map[uintptr]*Interp{}, inFlight: map[*Interp]bool{},
		preempts: make(chan *Interp), wake: make(chan struct{}, 1), stop: make(chan struct{})}
	if a.period <= 0 {
		a.period = 5 * time.Millisecond
	}
	go a.loop()
	for i := 0; i < gilHelpers; i++ {
		go a.helper()
	}
	return a
}

// begin and end count something that may want the GIL.
func (a *gilArbiter) begin() {
	a.mu.Lock()
	a.busy++
	contended := a.busy >= 2
	a.mu.Unlock()
	if contended {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
}

func (a *gilArbiter) end() {
	a.mu.Lock()
	a.busy--
	a.mu.Unlock()
}

func (a *gilArbiter) contended() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.busy >= 2
}

// own records that thread state key runs in (nil: the main interpreter);
// disown forgets it, before or just after it is freed.
func (a *gilArbiter) own(key uintptr, in *Interp) {
	a.mu.Lock()
	a.owners[key] = in
	a.mu.Unlock()
}

func (a *gilArbiter) disown(key uintptr) {
	a.mu.Lock()
	delete(a.owners, key)
	a.mu.Unlock()
}

// holder returns the interpreter whose thread holds the GIL, with a
// reference the caller releases (nil: a main-interpreter thread state); ok
// is false when the holder is none of gearsd's thread states, or ending.
func (a *gilArbiter) holder() (in *Interp, ok bool) {
	key := python.GILHolder()
	if key == 0 {
		return nil, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	in, ok = a.owners[key]
	if ok && in != nil && !in.TryRetain() { // ending: its thread states are going
		return nil, false
	}
	return in, ok
}

func (a *gilArbiter) loop() {
	for {
		select {
		case <-a.stop:
			return
		case <-a.wake:
		}
		for a.contended() {
			select {
			case <-a.stop:
				return
			case <-time.After(a.period):
			}
			if in, ok := a.holder(); ok {
				a.preempt(in)
			}
		}
	}
}

// preempt hands in (retained; nil: main) to a free helper, unless a
// preemption of it already waits or every helper does.
func (a *gilArbiter) preempt(in *Interp) {
	a.mu.Lock()
	busy := a.inFlight[in]
	if !busy {
		a.inFlight[in] = true
	}
	a.mu.Unlock()
	if !busy {
		select {
		case a.preempts <- in:
			return // the helper releases it
		default:
			a.mu.Lock()
			delete(a.inFlight, in)
			a.mu.Unlock()
		}
	}
	if in != nil {
		in.Release()
	}
}

// helper waits for the GIL as each target's thread (it attaches thread
// states, so it keeps its OS thread).
func (a *gilArbiter) helper() {
	runtime.LockOSThread()
	for {
		select {
		case <-a.stop:
			return
		case in := <-a.preempts:
			if in == nil {
				python.PreemptMain()
			} else {
				in.py.Preempt()
				in.Release()
			}
			a.mu.Lock()
			delete(a.inFlight, in)
			a.mu.Unlock()
		}
	}
}
