package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func TestPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live, floor, base uint64
		want              int
	}{
		{live: 32 * mb, floor: 64 * mb, base: 100, want: 100}, // 32+32 reaches the floor
		{live: 16 * mb, floor: 64 * mb, base: 100, want: 300}, // 16 * 4 = 64
		{live: 8 * mb, floor: 64 * mb, base: 100, want: 700},
		{live: 200 * mb, floor: 64 * mb, base: 100, want: 100},
		{live: 2 * mb, floor: 64 * mb, base: 100, want: 1600}, // the runtime's 4 MB minimum, x16
		{live: 100, floor: 64 * mb, base: 100, want: 1600},
		{live: 0, floor: 64 * mb, base: 100, want: 1600},
		{live: 0, floor: 2 * mb, base: 100, want: 100},
		{live: 20 * mb, floor: 64 * mb, base: 300, want: 300},
	} {
		if got := percentFor(c.live, c.floor, c.base); got != c.want {
			t.Errorf("percentFor(%d, %d, %d) = %d, want %d", c.live, c.floor, c.base, got, c.want)
		}
	}
}

func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

var sink []byte

// churn allocates n bytes of short-lived garbage and returns the
// collections it caused.
func churn(n int) uint64 {
	before := gcCycles()
	for i := 0; i < n/4096; i++ {
		sink = make([]byte, 4096)
	}
	return gcCycles() - before
}

// With a floor of 64 MB, 256 MB of garbage over a small heap costs a
// handful of collections instead of dozens; Stop puts GOGC back.
func TestFloorCutsCollections(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()
	plain := churn(256 << 20)

	tu := Floor(64 << 20)
	runtime.GC() // the tuner adjusts after this one
	runtime.GC()
	if p := tu.Percent(); p <= 100 {
		t.Fatalf("GOGC %d over a small heap, want more than 100", p)
	}
	tuned := churn(256 << 20)
	tu.Stop()
	t.Logf("256 MB of garbage: %d collections without the floor, %d with it", plain, tuned)
	if tuned == 0 || tuned*4 > plain {
		t.Errorf("%d collections with the floor, %d without: want some, and at least 4 times fewer", tuned, plain)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC after Stop = %d, want 100", got)
	}
}

func TestFloorOffTunesNothing(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tu := Floor(0)
	runtime.GC()
	if p := tu.Percent(); p != 100 {
		t.Errorf("GOGC %d with floor 0", p)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC changed to %d", got)
	}
}
