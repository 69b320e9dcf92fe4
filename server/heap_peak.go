package server

import (
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// used_memory_peak: the largest used_memory (the Go heap's allocated
// bytes, HeapAlloc) seen, as Redis's stat_peak_memory is sampled by its
// cron (every 100 ms at hz 10) and by INFO. The heap is the process's, so
// the peak is too: servers in one process (tests) share it. CONFIG
// RESETSTAT leaves it alone, as in Redis.
//
// The sampler is a goroutine reading the runtime's heap metric, which,
// unlike runtime.ReadMemStats, does not stop the world. Serve starts it
// (and so does INFO, should it have ended), and it ends with the server
// that started it.
const heapPeakInterval = 100 * time.Millisecond

// heapObjectsMetric is HeapAlloc in runtime/metrics.
const heapObjectsMetric = "/memory/classes/heap/objects:bytes"

var heapPeak struct {
	max     atomic.Uint64
	running atomic.Bool
}

// noteHeap records a heap size and returns the peak, n included.
func noteHeap(n uint64) uint64 {
	for {
		peak := heapPeak.max.Load()
		if n <= peak {
			return peak
		}
		if heapPeak.max.CompareAndSwap(peak, n) {
			return n
		}
	}
}

// sampleHeapPeak makes sure the sampler runs, until s shuts down if this
// call starts it.
func (s *Server) sampleHeapPeak() {
	if !heapPeak.running.Load() {
		s.startHeapSampler()
	}
}

func (s *Server) startHeapSampler() {
	if !heapPeak.running.CompareAndSwap(false, true) {
		return
	}
	go func(done <-chan struct{}) {
		t := time.NewTicker(heapPeakInterval)
		defer t.Stop()
		sample := []metrics.Sample{{Name: heapObjectsMetric}}
		for {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				noteHeap(sample[0].Value.Uint64())
			}
			select {
			case <-done:
				heapPeak.running.Store(false)
				return
			case <-t.C:
			}
		}
	}(s.ctx.Done())
}
