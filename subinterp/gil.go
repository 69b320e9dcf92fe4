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
// arbiter's thread looks up which of gearsd's thread states holds the GIL
// and waits for it as a thread of that one's interpreter
// (python.Interpreter.Preempt): a waiter CPython knows how to serve, so the
// holder lets go at its next switch interval and whoever waited longest
// gets the GIL. Alone, nothing contends and the arbiter sleeps.
type gilArbiter struct {
	period time.Duration

	mu     sync.Mutex
	busy   int                 // things that may want the GIL now
	owners map[uintptr]*Interp // gearsd's thread states: key -> interpreter; nil for a main-interpreter one

	wake chan struct{} // capacity 1
	stop chan struct{}
}

func newGILArbiter() *gilArbiter {
	a := &gilArbiter{period: python.SwitchInterval(), owners: map[uintptr]*Interp{},
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
	if a.period <= 0 {
		a.period = 5 * time.Millisecond
	}
	go a.loop()
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
// reference the caller releases (main: a main-interpreter thread state);
// ok is false when the holder is none of gearsd's thread states.
func (a *gilArbiter) holder() (in *Interp, main, ok bool) {
	key := python.GILHolder()
	if key == 0 {
		return nil, false, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	in, ok = a.owners[key]
	switch {
	case !ok:
		return nil, false, false
	case in == nil:
		return nil, true, true
	case !in.TryRetain(): // ending: its thread states are going
		return nil, false, false
	}
	return in, false, true
}

func (a *gilArbiter) loop() {
	runtime.LockOSThread() // it attaches thread states; the thread exits with it
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
			default:
			}
			t0 := time.Now()
			if in, main, ok := a.holder(); ok {
				if main {
					python.PreemptMain()
				} else {
					in.py.Preempt()
					in.Release()
				}
			}
			// At most one preemption per switch interval, as CPython's own
			// waiters ask.
			if d := a.period - time.Since(t0); d > 0 {
				time.Sleep(d)
			}
		}
	}
}
