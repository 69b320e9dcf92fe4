// Package gctune keeps the Go garbage collector from running too often
// while the live heap is small.
//
// With GOGC=100 the collector runs each time the heap grows by as much as
// is live, at least every 4 MB. A keyspace server with few keys and many
// writes allocates hundreds of MB per second (every SET keeps a copy of its
// value, every read buffer is garbage once parsed), so it would collect
// dozens of times a second, and each cycle wakes the collector's workers on
// the cores the clients need. Floor raises GOGC while the live heap is
// under the floor, so that a cycle comes about once per floor bytes
// allocated; above it GOGC is the base value again. The heap then holds at
// most about floor bytes of garbage: memory traded for CPU only while
// memory use is small.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

const liveMetric = "/gc/heap/live:bytes"

// heapMinimum is the Go runtime's least heap goal at GOGC=100; it scales
// with GOGC.
const heapMinimum = 4 << 20

// base is the GOGC over the floor: Go's default. A GOGC set in the
// environment is the operator's choice, and then no Tuner runs (main).
const base = 100

// Tuner adjusts GOGC after every collection; Stop ends it.
type Tuner struct {
	floor uint64

	mu      sync.Mutex
	stopped bool
	percent int // the GOGC last set
}

// Floor starts tuning with the given floor (bytes); a floor of 0 tunes
// nothing.
func Floor(floor uint64) *Tuner {
	t := &Tuner{floor: floor, percent: base}
	if floor == 0 {
		t.stopped = true
		return t
	}
	t.adjust()
	t.arm()
	return t
}

// Percent is the GOGC set after the last collection.
func (t *Tuner) Percent() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.percent
}

// Stop puts the base GOGC back and tunes no more.
func (t *Tuner) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.stopped = true
	debug.SetGCPercent(base)
	t.percent = base
}

// sentinel is garbage whose finalizer runs after each collection: large
// enough not to share a block with other tiny objects, which would delay
// its finalizer.
type sentinel struct{ _ [64]byte }

// arm sets a finalizer that adjusts GOGC after the next collection, then
// arms again.
func (t *Tuner) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		if t.adjust() {
			t.arm()
		}
	})
}

// adjust sets GOGC for the live heap just measured; false once stopped.
func (t *Tuner) adjust() bool {
	sample := []metrics.Sample{{Name: liveMetric}}
	metrics.Read(sample)
	live := uint64(0)
	if sample[0].Value.Kind() == metrics.KindUint64 {
		live = sample[0].Value.Uint64()
	}
	p := percentFor(live, t.floor, base)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return false
	}
	if p != t.percent {
		debug.SetGCPercent(p)
		t.percent = p
	}
	return true
}

// percentFor is the GOGC that puts the next collection at floor when live
// is below it, and base otherwise. The runtime's own minimum heap (4 MB at
// GOGC=100) grows with GOGC too, so GOGC stays under floor/4MB*100.
func percentFor(live, floor, base uint64) int {
	if live+live*base/100 >= floor {
		return int(base)
	}
	limit := max(floor*100/heapMinimum, base)
	if live == 0 {
		return int(limit)
	}
	return int(min(floor*100/live-100, limit))
}
