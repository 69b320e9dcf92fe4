package subinterp

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/gearsd/gearsd/python"
)

// One CPython runtime per process: every test shares this manager.
var (
	mgr     *Manager
	mgrErr  error
	mgrOnce sync.Once
)

func manager(t *testing.T) *Manager {
	t.Helper()
	mgrOnce.Do(func() {
		mgr, mgrErr = Start(Options{
			Lanes:        2,
			PoolSize:     2,
			QueueTimeout: 2 * time.Second,
			SpareThreads: 4,
			Log:          zerolog.New(os.Stderr),
			Setup: func(*Interp) (any, error) {
				m, err := python.NewModule("stopper")
				if err != nil {
					return nil, err
				}
				err = python.ExecInModule(m, "class Stop(BaseException): pass", "<stopper>")
				return m, err
			},
			Teardown: func(data any) { data.(*python.Object).DecRef() },
		})
	})
	if mgrErr != nil {
		t.Fatal(mgrErr)
	}
	return mgr
}

// eval runs src in a module of its own and returns its "result".
func eval(in *Interp, src string) (any, error) {
	return evalWork(in, nil, src)
}

// evalWork is eval as interruptible work.
func evalWork(in *Interp, work *Work, src string) (any, error) {
	var v any
	err := in.Run(context.Background(), work, func() error {
		m, err := python.Import("__main__")
		if err != nil {
			return err
		}
		defer m.DecRef()
		if err := python.ExecInModule(m, src, "<test>"); err != nil {
			return err
		}
		r, err := m.Attr("result")
		if err != nil {
			return err
		}
		defer r.DecRef()
		v, err = r.Go()
		return err
	})
	return v, err
}

func waitLive(t *testing.T, m *Manager, want int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for m.Stats().Live != want {
		if time.Now().After(deadline) {
			t.Fatalf("live interpreters = %d, want %d", m.Stats().Live, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSessionsAreIsolated(t *testing.T) {
	m := manager(t)
	a, err := m.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := m.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if _, err := eval(a, "import json\njson.marker = 1\nclass K: pass\nsecret = 42\nresult = 1"); err != nil {
		t.Fatal(err)
	}
	v, err := eval(b, "import json, sys\nresult = [hasattr(json, 'marker'), 'secret' in globals(), 'K' in globals()]")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(v) != "[false false false]" {
		t.Fatalf("session b sees session a's state: %v", v)
	}
}

func TestLastReleaseEndsInterpreter(t *testing.T) {
	m := manager(t)
	time.Sleep(200 * time.Millisecond) // let the pool settle
	base := m.Stats()
	in, err := m.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in.Retain() // a second owner, such as an execution
	in.Release()
	if _, err := eval(in, "result = 1"); err != nil {
		t.Fatalf("interpreter ended while still referenced: %v", err)
	}
	in.Release()
	// The pool refills behind us; what matters is that ended grew by one.
	deadline := time.Now().Add(10 * time.Second)
	for m.Stats().Ended < base.Ended+1 {
		if time.Now().After(deadline) {
			t.Fatal("interpreter not ended after its last release")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestThousandSessionsLeaveNothingBehind(t *testing.T) {
	m := manager(t)
	time.Sleep(200 * time.Millisecond)
	start := m.Stats().Live
	for i := 0; i < 1000; i++ {
		in, err := m.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eval(in, fmt.Sprintf("result = %d", i)); err != nil {
			t.Fatal(err)
		}
		in.Release()
	}
	waitLive(t, m, start)
}

func TestInterruptStopsRunawayCode(t *testing.T) {
	m := manager(t)
	in, err := m.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()
	work := &Work{}
	done := make(chan error, 1)
	go func() {
		_, err := evalWork(in, work, "while True:\n    pass\n")
		done <- err
	}()
	for {
		select {
		case err := <-done:
			if python.ErrorType(err) != "Stop" {
				t.Fatalf("want Stop, got %v", err)
			}
			// The interpreter keeps working, and no stale interrupt hits it.
			if v, err := eval(in, "result = sum(range(100000))"); err != nil || v != int64(4999950000) {
				t.Fatalf("after interrupt: %v %v", v, err)
			}
			return
		case <-time.After(20 * time.Millisecond):
			in.Interrupt(work, "stopper", "Stop")
		}
	}
}

// twoOnOneLane acquires two interpreters bound to the same lane, released
// when the test ends.
func twoOnOneLane(t *testing.T, m *Manager) (a, b *Interp) {
	t.Helper()
	a, err := m.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Release)
	for i := 0; i < 50; i++ {
		b, err := m.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b.Lane() == a.Lane() {
			t.Cleanup(b.Release)
			return a, b
		}
		defer b.Release()
	}
	t.Fatal("no interpreter on the same lane")
	return nil, nil
}

// A job blocked in C with its GIL released (time.sleep) does not hold its
// lane: another session on the same lane is served before it wakes.
func TestWaitingJobDoesNotHoldItsLane(t *testing.T) {
	a, b := twoOnOneLane(t, manager(t))
	sleeping := make(chan error, 1)
	go func() {
		_, err := eval(a, "import time\ntime.sleep(3)\nresult = 1")
		sleeping <- err
	}()
	time.Sleep(100 * time.Millisecond) // a is asleep on the lane
	if v, err := eval(b, "result = 6 * 7"); err != nil || v != int64(42) {
		t.Fatalf("the other session behind a sleeping one: %v %v", v, err)
	}
	select {
	case err := <-sleeping:
		t.Fatalf("the sleeper woke before the other session was served (%v): the lane was held", err)
	default:
	}
	if err := <-sleeping; err != nil {
		t.Fatal(err)
	}
}

// A CPU-bound runaway shares the lane (and a shared GIL) with other
// sessions instead of making them BUSY.
func TestRunawayDoesNotMakeOthersBusy(t *testing.T) {
	a, b := twoOnOneLane(t, manager(t))
	work := &Work{}
	spinning := make(chan error, 1)
	go func() {
		_, err := evalWork(a, work, "while True:\n    pass\n")
		spinning <- err
	}()
	time.Sleep(100 * time.Millisecond)
	for i := 0; i < 3; i++ {
		if v, err := eval(b, "result = sum(range(1000))"); err != nil || v != int64(499500) {
			t.Fatalf("call %d beside a runaway: %v %v", i, v, err)
		}
	}
	for {
		select {
		case err := <-spinning:
			if python.ErrorType(err) != "Stop" {
				t.Fatalf("runaway: %v", err)
			}
			return
		case <-time.After(20 * time.Millisecond):
			a.Interrupt(work, "stopper", "Stop")
		}
	}
}

// An interpreter whose code started a thread ends once the thread is done,
// not before (Py_EndInterpreter would wait for it on the lane, or abort the
// process for a daemon thread), and not never.
func TestEndWaitsForThreadsOfItsCode(t *testing.T) {
	m := manager(t)
	in, err := m.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eval(in, "import threading, time\nthreading.Thread(target=time.sleep, args=(0.5,)).start()\nresult = 1"); err != nil {
		in.Release()
		t.Fatal(err)
	}
	in.Release()
	sawLingering := false
	deadline := time.After(20 * time.Second)
	for {
		select {
		case <-in.Gone():
			if !sawLingering {
				t.Fatal("the end was not put off while the thread ran")
			}
			return
		case <-deadline:
			t.Fatalf("interpreter not ended after its thread finished: %+v", m.Stats())
		case <-time.After(time.Millisecond):
			if m.Stats().Lingering > 0 {
				sawLingering = true
			}
		}
	}
}

// Ending keeps up under load: live interpreters stay near pool + in use.
func TestEndingKeepsUpUnderLoad(t *testing.T) {
	m := manager(t)
	stop := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				in, err := m.Acquire(context.Background())
				if err != nil {
					errs <- err
					return
				}
				_, err = eval(in, "result = [str(i) for i in range(1000)]")
				in.Release()
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	maxLive := int64(0)
	for time.Now().Before(stop) {
		maxLive = max(maxLive, m.Stats().Live)
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// pool (2) + sessions in use (4) + a small constant for ends in flight.
	if limit := int64(2 + 4 + 4); maxLive > limit {
		t.Fatalf("live interpreters reached %d under load, want at most %d", maxLive, limit)
	}
}
