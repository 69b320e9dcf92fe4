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
			Log:          zerolog.New(os.Stderr),
			Setup: func(py *python.Interpreter) (any, error) {
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
	var v any
	err := in.Run(context.Background(), func() error {
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
	done := make(chan error, 1)
	go func() {
		_, err := eval(in, "while True:\n    pass\n")
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
			in.Interrupt("stopper", "Stop")
		}
	}
}
