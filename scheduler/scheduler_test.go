package scheduler

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gearsd/gearsd/python"
)

func TestJobsRunInOrderOnOneThread(t *testing.T) {
	s := New(nil, 1, true)
	defer s.Close()
	l := s.Lanes()[0]
	var mu sync.Mutex
	var order []int
	var idents []uint64
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		i := i
		if err := l.Go(func(*Lane) {
			mu.Lock()
			order = append(order, i)
			idents = append(idents, python.ThreadIdent())
			mu.Unlock()
			wg.Done()
		}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("jobs ran out of order: %v", order)
		}
		if idents[i] != l.Ident() {
			t.Fatalf("job %d ran on thread %d, lane thread is %d", i, idents[i], l.Ident())
		}
	}
}

func TestQueueTimeoutGivesBusyAndWithdrawsJob(t *testing.T) {
	s := New(nil, 1, true)
	defer s.Close()
	l := s.Lanes()[0]
	release := make(chan struct{})
	started := make(chan struct{})
	go l.Submit(context.Background(), 0, func(*Lane) { close(started); <-release })
	<-started
	ran := false
	err := l.Submit(context.Background(), 50*time.Millisecond, func(*Lane) { ran = true })
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	close(release)
	// A job queued after the withdrawn one still runs, and the withdrawn one never does.
	if err := l.Submit(context.Background(), time.Second, func(*Lane) {}); err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("a withdrawn job ran")
	}
	if p := l.Pending(); p != 0 {
		t.Fatalf("pending = %d after all jobs ended", p)
	}
}

func TestLeastBusyPrefersIdleLane(t *testing.T) {
	s := New(nil, 2, false)
	defer s.Close()
	a := s.Lanes()[0]
	release := make(chan struct{})
	started := make(chan struct{})
	a.Go(func(*Lane) { close(started); <-release })
	<-started
	if got := s.LeastBusy(); got != s.Lanes()[1] {
		t.Fatalf("least busy = lane %d, want lane 1", got.ID())
	}
	close(release)
}

func TestSubmitAfterCloseFails(t *testing.T) {
	s := New(nil, 1, true)
	s.Close()
	if err := s.Lanes()[0].Go(func(*Lane) {}); !errors.Is(err, ErrClosed) {
		t.Fatalf("want ErrClosed, got %v", err)
	}
}
