package store

import "time"

// db is Redis's database 0: the keys and, for those with a TTL, when they
// expire. Every method runs under Keyspace.mu.
type db struct {
	dict dict
	// expires maps every node with a TTL to its deadline in Unix
	// milliseconds. The active expiry cycle samples it.
	expires map[*node]int64
	clock   func() time.Time
	// nowMs is the time of the command being run, in Unix milliseconds,
	// once nowSet says it was read: reading the clock costs more than a
	// GET of a key without a TTL, so only commands that need it do.
	nowMs  int64
	nowSet bool
	// ev is who watches, listens to and waits on keys (notify.go).
	ev dbEvents
	// onExpire, when set, is told of each expired key before its removal:
	// the append-only file logs it as DEL (aof_dispatch.go).
	onExpire func(n *node)
	// reading is set while the lookups of the command being run count as
	// keyspace hits and misses (Redis's lookupKeyRead), stats holds the
	// counters (stats.go).
	reading bool
	stats   keyspaceStats
}

// now is the time of the command being run, in Unix milliseconds: read once
// per command, so every expiry decision of a command sees the same
// millisecond, as in Redis.
func (db *db) now() int64 {
	if !db.nowSet {
		db.nowMs = db.clock().UnixMilli()
		db.nowSet = true
	}
	return db.nowMs
}

func (db *db) init(clock func() time.Time) {
	db.clock = clock
	db.dict.init()
	db.expires = make(map[*node]int64)
}

// flush drops every key.
func (db *db) flush() {
	db.touchAllWatched()
	db.dict.clear()
	db.expires = make(map[*node]int64)
}

// expired reports whether n has passed its deadline. As in Redis, a key is
// still alive during the millisecond of its deadline.
func (db *db) expired(n *node) bool {
	return n.ttl && db.now() > db.expires[n]
}

// lookup returns the node of key, deleting it first if it has expired
// (Redis's lazy expiry), or nil. While db.reading is set it counts a
// keyspace hit or miss.
func (db *db) lookup(key string) *node {
	n := db.dict.find(key)
	if n != nil && db.expired(n) {
		db.expire(n)
		n = nil
	}
	if db.reading {
		db.stats.count(n != nil)
	}
	if n == nil && db.ev.readMiss {
		db.notify(ClassKeyMiss, "keymiss", key)
	}
	return n
}

// expire deletes n, whose deadline has passed, as Redis's
// deleteExpiredKeyAndPropagate: the append-only file logs a DEL (remove),
// "expired" is notified and expired_keys counts it.
func (db *db) expire(n *node) {
	db.remove(n)
	db.notify(ClassExpired, "expired", n.key())
	db.stats.expired++
}

// add links a new node; its key must not exist.
func (db *db) add(n *node) {
	db.dict.add(n)
	db.notify(ClassNew, "new", n.key())
}

// remove deletes n and its TTL.
func (db *db) remove(n *node) {
	if db.onExpire != nil && db.expired(n) {
		db.onExpire(n)
	}
	db.dict.remove(n)
	if n.ttl {
		delete(db.expires, n)
		n.ttl = false
	}
}

// replace puts n in the place of old, which holds the same key, dropping
// old's TTL.
func (db *db) replace(old, n *node) {
	db.dict.replace(old, n)
	db.persist(old)
}

// deadline returns n's expiry time in Unix milliseconds, or -1 without one.
func (db *db) deadline(n *node) int64 {
	if !n.ttl {
		return -1
	}
	return db.expires[n]
}

// setDeadline makes n expire at the Unix millisecond at.
func (db *db) setDeadline(n *node, at int64) {
	n.ttl = true
	db.expires[n] = at
}

// persist removes n's TTL and reports whether it had one.
func (db *db) persist(n *node) bool {
	if !n.ttl {
		return false
	}
	delete(db.expires, n)
	n.ttl = false
	return true
}

// lookupString returns the node of key if it holds a string, nil if it does
// not exist, or ErrWrongType.
func (db *db) lookupString(key string) (*node, error) {
	n := db.lookup(key)
	if n != nil && !n.isString() {
		return nil, ErrWrongType
	}
	return n, nil
}

// setString makes key hold the string val written as enc, creating the key
// if needed. The TTL is dropped unless keepTTL is set.
func (db *db) setString(key string, val []byte, enc strEncoding, keepTTL bool) *node {
	n := db.lookup(key)
	if n == nil {
		n = newStringNode(key, val)
		n.enc = enc
		db.add(n)
		return n
	}
	n.setStr(val, enc)
	if !keepTTL {
		db.persist(n)
	}
	return n
}
