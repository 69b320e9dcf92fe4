package store

import "github.com/gearsd/gearsd/resp"

// Transactions: WATCH's bookkeeping and EXEC's one lock section.
//
// WATCH follows Redis 7.0's multi.c: each watched key of a client is an
// entry in db.ev.watched; db.notify (every change) and db.flush mark the
// clients that watch a changed key dirty, and EXEC fails for a dirty client
// or one whose watched key has expired since WATCH (a key already expired
// when watched counts as changed only if it comes back).

// Watch is one client's set of watched keys. It is guarded by the
// keyspace's lock; the client holds it from WATCH until EXEC, DISCARD,
// UNWATCH or its disconnection, which must release it with Unwatch (or
// DoMulti, which releases it).
type Watch struct {
	keys  []*watchedKey
	dirty bool
}

// watchedKey is one key of a Watch.
type watchedKey struct {
	w   *Watch
	key string
	// expired: the key existed but had expired when it was watched; its
	// deletion then is no change (Redis 7.0's watchedKey.expired).
	expired bool
}

// Len is the number of keys w watches.
func (w *Watch) Len() int {
	if w == nil {
		return 0
	}
	return len(w.keys)
}

// Watch adds keys to w (a new Watch when w is nil) and returns it.
func (ks *Keyspace) Watch(w *Watch, keys [][]byte) *Watch {
	if w == nil {
		w = &Watch{}
	}
	db := ks.lock()
	defer ks.unlock()
	if db.ev.watched == nil {
		db.ev.watched = map[string][]*watchedKey{}
	}
next:
	for _, k := range keys {
		key := string(k)
		for _, wk := range w.keys {
			if wk.key == key {
				continue next
			}
		}
		n := db.dict.find(key)
		wk := &watchedKey{w: w, key: key, expired: n != nil && db.expired(n)}
		w.keys = append(w.keys, wk)
		db.ev.watched[key] = append(db.ev.watched[key], wk)
	}
	return w
}

// Unwatch releases every key of w; w may be nil.
func (ks *Keyspace) Unwatch(w *Watch) {
	if w.Len() == 0 {
		return
	}
	db := ks.lock()
	defer ks.unlock()
	db.unwatch(w)
}

func (db *db) unwatch(w *Watch) {
	for _, wk := range w.keys {
		list := db.ev.watched[wk.key]
		for i, x := range list {
			if x == wk {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(db.ev.watched, wk.key)
		} else {
			db.ev.watched[wk.key] = list
		}
	}
	w.keys = nil
}

// touchWatched marks the clients watching key dirty (Redis's
// touchWatchedKey); it runs after the change.
func (db *db) touchWatched(key string) {
	for _, wk := range db.ev.watched[key] {
		if wk.expired {
			if db.dict.find(key) == nil {
				// The expired key is now deleted: no logical change.
				wk.expired = false
				continue
			}
		}
		wk.w.dirty = true
	}
}

// touchAllWatched is FLUSHDB's and FLUSHALL's touch, before the keys go:
// every watched key that exists is changed, unless it had already expired
// when watched (Redis's touchAllWatchedKeysInDb).
func (db *db) touchAllWatched() {
	for key, list := range db.ev.watched {
		if db.dict.find(key) == nil {
			continue
		}
		for _, wk := range list {
			if wk.expired {
				wk.expired = false
				continue
			}
			wk.w.dirty = true
		}
	}
}

// watchOK reports whether EXEC may run for w: nothing it watches changed,
// and no watched key that was alive when watched has expired since
// (Redis's isWatchedKeyExpired).
func (db *db) watchOK(w *Watch) bool {
	if w.dirty {
		return false
	}
	for _, wk := range w.keys {
		if wk.expired {
			continue
		}
		if n := db.dict.find(wk.key); n != nil && db.expired(n) {
			return false
		}
	}
	return true
}

// DoMulti is EXEC: unless a key of w (nil: none) changed since WATCH, it
// runs cmds in one lock section, so no other command, expiry cycle or
// Python execute() runs in between, and returns one reply per command
// (errors included, as EXEC answers them). ok is false, and nothing runs,
// when a watched key changed. Either way w is released.
func (ks *Keyspace) DoMulti(cmds [][][]byte, w *Watch) (replies []resp.Value, ok bool) {
	return ks.doMulti(cmds, w)
}
