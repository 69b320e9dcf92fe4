package store

// INFO stats' keyspace counters, counted as Redis 7.0 counts them:
//
//   - keyspace_hits and keyspace_misses: every key lookup Redis makes with
//     lookupKeyRead: those of the read-only commands and of a few others
//     (readLookups, readFirst), one per lookup, whatever the path (a
//     client, EXEC, Python's execute()). Lookups for writing are not
//     counted (lookupKeyWrite), nor the store's own (readers' scans, the
//     active expiry cycle, serving blocked clients).
//   - expired_keys: every key deleted because its TTL passed, wherever
//     "expired" is notified (db.expire): by a lookup (lazy expiry), the
//     active expiry cycle, SCAN, RANDOMKEY or a reader's scan.
//
// TestStatsMatchRedis compares each command's counts with redis-server's.
//
// The counters are plain fields of db, updated inside the lock section of
// the command: a read costs one test of db.reading and one increment.

// readLookups are the commands, besides the read-only ones, whose every
// key lookup is a read in Redis 7.0 (lookupKeyRead) and so counts as a
// hit or a miss. The writes that read some keys before writing others
// count those in their handlers (readFirst).
var readLookups = map[string]bool{
	"getdel": true, "getex": true, "object": true,
	"xinfo": true, "xreadgroup": true, "xack": true, "xclaim": true, "xautoclaim": true,
}

// readFirst makes the lookups that follow count as hits and misses, until
// the caller puts back the setting it returns: for the writes that read
// keys with Redis's lookupKeyRead before writing (SET ... GET, GETSET,
// COPY's source, the sources of the STORE commands).
func (db *db) readFirst() (was bool) {
	was, db.reading = db.reading, true
	return was
}

// keyspaceStats are the counters, under the keyspace's lock.
type keyspaceStats struct {
	hits, misses, expired int64
}

// count counts one read lookup, a hit when it found the key.
func (s *keyspaceStats) count(hit bool) {
	if hit {
		s.hits++
	} else {
		s.misses++
	}
}

// StatsCounters returns keyspace_hits, keyspace_misses and expired_keys
// since the keyspace was made or ResetStatsCounters last ran. The server
// reads them through an optional interface (server.StatsCounter).
func (ks *Keyspace) StatsCounters() (hits, misses, expired int64) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	s := ks.db.stats
	return s.hits, s.misses, s.expired
}

// ResetStatsCounters zeroes the counters (CONFIG RESETSTAT).
func (ks *Keyspace) ResetStatsCounters() {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.db.stats = keyspaceStats{}
}

// readView returns the view a read-only command runs on: its lock
// sections count the lookups they make as hits and misses. The
// keyspace's own view is made once; a waiting one (DoBlocking) is made
// for the command.
func (ks *Keyspace) readView() *Keyspace {
	switch {
	case ks.reads || ks.held != 0:
		return ks
	case ks.mayBlock:
		return &Keyspace{keyspaceState: ks.keyspaceState, mayBlock: true, reads: true}
	}
	return ks.reader
}
