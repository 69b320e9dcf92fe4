package store

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Readers blocked in XREAD or XREADGROUP with BLOCK. A blocked reader
// registers inside the lock section in which it found nothing to read, then
// waits on its own goroutine outside the lock; a command that adds to a
// stream wakes the readers of that key, which retry their read under the
// lock. Registering and finding nothing in one lock section is what keeps a
// wake-up from being lost.
//
// The registry is keyed by database so that it needs no field in the
// keyspace's structs; its own mutex is only ever taken inside a keyspace's
// lock section, never the reverse.
var streamWaiting struct {
	mu    sync.Mutex
	byKey map[waitKey][]*streamWaiter
	// n counts registered readers, so that XADD skips the registry's
	// mutex when nobody waits.
	n atomic.Int64
}

// waitKey is a key of one database.
type waitKey struct {
	db  *db
	key string
}

// streamWaiter is one blocked reader. wake holds one token: a reader woken
// twice before it runs retries once.
type streamWaiter struct {
	wake chan struct{}
	// ready lists the keys signalled, in order, guarded by
	// streamWaiting.mu: the reader is served from the first that has
	// something for it, as Redis serves a blocked client.
	ready []string
}

// addStreamWaiter registers a reader blocked on keys of db.
func addStreamWaiter(db *db, keys []string) *streamWaiter {
	w := &streamWaiter{wake: make(chan struct{}, 1)}
	streamWaiting.mu.Lock()
	defer streamWaiting.mu.Unlock()
	if streamWaiting.byKey == nil {
		streamWaiting.byKey = make(map[waitKey][]*streamWaiter)
	}
	for _, k := range keys {
		wk := waitKey{db, k}
		streamWaiting.byKey[wk] = append(streamWaiting.byKey[wk], w)
	}
	streamWaiting.n.Add(1)
	return w
}

// removeStreamWaiter unregisters w from keys of db and returns the keys
// signalled while it waited (nil if none was).
func removeStreamWaiter(db *db, w *streamWaiter, keys []string) []string {
	streamWaiting.mu.Lock()
	defer streamWaiting.mu.Unlock()
	for _, k := range keys {
		wk := waitKey{db, k}
		list := streamWaiting.byKey[wk]
		for i, x := range list {
			if x == w {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(streamWaiting.byKey, wk)
		} else {
			streamWaiting.byKey[wk] = list
		}
	}
	streamWaiting.n.Add(-1)
	return w.ready
}

// signalStreamKey wakes every reader blocked on key of db, in the order
// they blocked. It never blocks: a reader already holding a token needs no
// second one.
func signalStreamKey(db *db, key string) {
	if streamWaiting.n.Load() == 0 {
		return
	}
	streamWaiting.mu.Lock()
	defer streamWaiting.mu.Unlock()
	for _, w := range streamWaiting.byKey[waitKey{db, key}] {
		if !slices.Contains(w.ready, key) {
			w.ready = append(w.ready, key)
		}
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}
