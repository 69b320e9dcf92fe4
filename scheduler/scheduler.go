package scheduler

import (
	"github.com/gearsd/gearsd/python"
)

// Scheduler is the set of lanes.
type Scheduler struct {
	lanes     []*Lane
	sharedGIL bool
}

// New starts n lanes. With sharedGIL every interpreter shares one GIL, so
// only one lane can run Python at a time; with per-interpreter GILs
// (CPython 3.12+) n lanes run Python on n cores. rt may be nil in tests
// that run no Python.
func New(rt *python.Runtime, n int, sharedGIL bool) *Scheduler {
	if n < 1 {
		n = 1
	}
	s := &Scheduler{sharedGIL: sharedGIL}
	for i := 0; i < n; i++ {
		s.lanes = append(s.lanes, newLane(i, rt, sharedGIL))
	}
	return s
}

// Lanes returns the lanes.
func (s *Scheduler) Lanes() []*Lane { return s.lanes }

// SharedGIL reports whether the lanes share one GIL.
func (s *Scheduler) SharedGIL() bool { return s.sharedGIL }

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

// Close stops every lane after the work already queued on it.
func (s *Scheduler) Close() {
	for _, l := range s.lanes {
		l.close()
	}
}
