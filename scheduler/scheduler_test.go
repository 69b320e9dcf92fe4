package scheduler

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gearsd/gearsd/python"
)

func newScheduler(t *testing.T, opts Options) *Scheduler {
	t.Helper()
	s := New(opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestJobsRunInOrder(t *testing.T) {
	s := newScheduler(t, Options{Lanes: 1})
	l := s.Lanes()[0]
	var mu sync.Mutex
	var order []int
	idents := map[uint64]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		if err := l.Go(func(w *Worker) error {
			mu.Lock()
			order = append(order, i)
			idents[python.ThreadIdent()] = true
			mu.Unlock()
			wg.Done()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("jobs ran out of order: %v", order)
		}
	}
	// Quick jobs never hand the lane off: one thread ran them all.
	if len(idents) != 1 {
		t.Fatalf("50 quick jobs ran on %d threads", len(idents))
	}
}

func TestUrgentJobsGoFirst(t *testing.T) {
	s := newScheduler(t, Options{Lanes: 1, SpareThreads: 0})
	l := s.Lanes()[0]
	release := make(chan struct{})
	started := make(chan struct{})
	l.Go(func(*Worker) error { close(started); <-release; return nil })
	<-started
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	wg.Add(2)
	l.Go(func(*Worker) error { mu.Lock(); order = append(order, "normal"); mu.Unlock(); wg.Done(); return nil })
	l.Urgent(func(*Worker) error { mu.Lock(); order = append(order, "urgent"); mu.Unlock(); wg.Done(); return nil })
	close(release)
	wg.Wait()
	if strings.Join(order, ",") != "urgent,normal" {
		t.Fatalf("order %v", order)
	}
}

// Later work yields to work queued after it, up to its aging.
func TestLaterWorkYields(t *testing.T) {
	s := newScheduler(t, Options{Lanes: 1, SpareThreads: 0})
	l := s.Lanes()[0]
	release := make(chan struct{})
	started := make(chan struct{})
	l.Go(func(*Worker) error { close(started); <-release; return nil })
	<-started
	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	done := make(chan error, 1)
	go func() { done <- l.Later(func(*Worker) error { note("later"); return nil }) }()
	Eventually(t, func() bool { return l.Pending() == 2 }, "the later job queued")
	var wg sync.WaitGroup
	wg.Add(1)
	l.Go(func(*Worker) error { note("normal"); wg.Done(); return nil })
	close(release)
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "normal,later" {
		t.Fatalf("order %v", order)
	}
}

// A job that waits (as Python blocked in C does) hands its lane to a spare:
// the work behind it runs at once, on another thread.
func TestWaitingJobHandsItsLaneToASpare(t *testing.T) {
	s := newScheduler(t, Options{Lanes: 1, SpareThreads: 2, HandoffAfter: time.Millisecond})
	l := s.Lanes()[0]
	release := make(chan struct{})
	started := make(chan uint64, 1)
	go l.Must(func(*Worker) error { started <- python.ThreadIdent(); <-release; return nil })
	blocked := <-started
	var other uint64
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Run(ctx, 2*time.Second, func(*Worker) error { other = python.ThreadIdent(); return nil }); err != nil {
		t.Fatalf("work behind a waiting job: %v", err)
	}
	if other == blocked {
		t.Fatal("the second job ran on the waiting job's thread")
	}
	if l.Handoffs() == 0 {
		t.Fatal("no hand-off counted")
	}
	close(release)
	// The old worker joins the spares; the lane keeps working.
	if err := l.Must(func(*Worker) error { return nil }); err != nil {
		t.Fatal(err)
	}
	Eventually(t, func() bool { return s.Stats().SpareIdle == 1 }, "the released worker to become a spare")
}

// A job that computes keeps its lane for its timeslice: it is handed off
// only once it has run that long.
func TestComputingJobKeepsItsTimeslice(t *testing.T) {
	const slice = 200 * time.Millisecond
	s := newScheduler(t, Options{Lanes: 1, SpareThreads: 2, HandoffAfter: time.Millisecond, Timeslice: slice})
	l := s.Lanes()[0]
	release := make(chan struct{})
	started := make(chan time.Time, 1)
	go l.Must(func(w *Worker) error {
		w.SetProbe(Computing)
		defer w.SetProbe(nil)
		started <- time.Now()
		<-release
		return nil
	})
	t0 := <-started
	var ranAfter time.Duration
	if err := l.Must(func(*Worker) error { ranAfter = time.Since(t0); return nil }); err != nil {
		t.Fatal(err)
	}
	close(release)
	if ranAfter < slice {
		t.Fatalf("handed off after %s, before the timeslice of %s", ranAfter, slice)
	}
	if l.Handoffs() != 1 {
		t.Fatalf("%d hand-offs", l.Handoffs())
	}
}

// With every spare taken, work waits, and Run gives up with ErrBusy after
// its queue timeout; the withdrawn job never runs.
func TestBusyOnlyWhenEverySpareIsTaken(t *testing.T) {
	s := newScheduler(t, Options{Lanes: 1, SpareThreads: 1, HandoffAfter: time.Millisecond})
	l := s.Lanes()[0]
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(2)
	for i := 0; i < 2; i++ { // the driver, then the one spare
		go l.Must(func(*Worker) error { started.Done(); <-release; return nil })
	}
	started.Wait()
	ran := false
	err := l.Run(context.Background(), 50*time.Millisecond, func(*Worker) error { ran = true; return nil })
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	if got := s.Stats().Workers; got != 2 {
		t.Fatalf("%d workers, want lanes+spares = 2", got)
	}
	close(release)
	if err := l.Run(context.Background(), time.Second, func(*Worker) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("a withdrawn job ran")
	}
	Eventually(t, func() bool { return l.Pending() == 0 }, "pending back to 0")
}

// Must never gives up, however long the lane is taken.
func TestMustWaitsPastAnyTimeout(t *testing.T) {
	s := newScheduler(t, Options{Lanes: 1, SpareThreads: 0})
	l := s.Lanes()[0]
	release := make(chan struct{})
	started := make(chan struct{})
	go l.Must(func(*Worker) error { close(started); <-release; return nil })
	<-started
	var ran atomic.Bool
	done := make(chan error, 1)
	go func() { done <- l.Must(func(*Worker) error { ran.Store(true); return nil }) }()
	time.Sleep(100 * time.Millisecond)
	if ran.Load() {
		t.Fatal("ran while the lane was taken")
	}
	close(release)
	if err := <-done; err != nil || !ran.Load() {
		t.Fatalf("Must: %v, ran %v", err, ran.Load())
	}
}

func TestPanicInAJobIsItsError(t *testing.T) {
	s := newScheduler(t, Options{Lanes: 1})
	l := s.Lanes()[0]
	err := l.Must(func(*Worker) error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "internal error in a Python job: boom") {
		t.Fatalf("got %v", err)
	}
	if err := l.Must(func(*Worker) error { return nil }); err != nil {
		t.Fatalf("the lane after a panic: %v", err)
	}
}

func TestSparesExitWhenIdle(t *testing.T) {
	s := newScheduler(t, Options{Lanes: 1, SpareThreads: 3, HandoffAfter: time.Millisecond, SpareIdle: 50 * time.Millisecond})
	l := s.Lanes()[0]
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(3)
	for i := 0; i < 3; i++ {
		go l.Must(func(*Worker) error { started.Done(); <-release; return nil })
	}
	started.Wait()
	if got := s.Stats().Workers; got != 3 {
		t.Fatalf("%d workers while three jobs wait", got)
	}
	close(release)
	Eventually(t, func() bool { return s.Stats().Workers == 1 }, "spares to exit")
}

func TestLeastBusyPrefersIdleLane(t *testing.T) {
	s := newScheduler(t, Options{Lanes: 2})
	a := s.Lanes()[0]
	release := make(chan struct{})
	started := make(chan struct{})
	a.Go(func(*Worker) error { close(started); <-release; return nil })
	<-started
	if got := s.LeastBusy(); got != s.Lanes()[1] {
		t.Fatalf("least busy = lane %d, want lane 1", got.ID())
	}
	close(release)
}

func TestSubmitAfterCloseFails(t *testing.T) {
	s := New(Options{Lanes: 1})
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Lanes()[0].Go(func(*Worker) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("want ErrClosed, got %v", err)
	}
}

// Eventually polls cond for up to 10 seconds.
func Eventually(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
