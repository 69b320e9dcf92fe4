package store

import "time"

// The active expiry cycle, after Redis's activeExpireCycle: keys with a TTL
// that nobody touches would otherwise stay in memory forever.
const (
	// expireKeysPerLoop is how many keys with a TTL one pass samples
	// (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP).
	expireKeysPerLoop = 20
	// expireAcceptableStale: another pass follows while more than this
	// percentage of a sample had expired.
	expireAcceptableStale = 10
)

// cron runs the keyspace's background work every interval until Close:
// the active expiry cycle, then some rehashing of the key table.
func (ks *Keyspace) cron(interval time.Duration) {
	defer close(ks.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ks.stop:
			return
		case <-t.C:
			// Redis gives the cycle 25% of the cron period.
			ks.activeExpireCycle(interval / 4)
			ks.rehashStep()
		}
	}
}

// activeExpireCycle samples keys with a TTL and deletes the expired ones,
// pass after pass while a pass finds enough of them, within budget. It
// takes the lock for one pass at a time so commands run in between. It
// returns how many keys it deleted.
func (ks *Keyspace) activeExpireCycle(budget time.Duration) int {
	start := time.Now()
	total := 0
	for {
		db := ks.lock()
		sampled, expired := db.expireSample(expireKeysPerLoop)
		ks.unlock()
		total += expired
		if sampled == 0 || expired*100/sampled <= expireAcceptableStale || time.Since(start) > budget {
			return total
		}
	}
}

// expireSample looks at up to n keys with a TTL, picked by the random start
// of Go's map iteration, and deletes those that have expired.
func (db *db) expireSample(n int) (sampled, expired int) {
	for nd, at := range db.expires {
		if sampled == n {
			break
		}
		sampled++
		if db.now() > at {
			db.expire(nd)
			expired++
		}
	}
	return sampled, expired
}

// rehashStep shrinks a mostly empty key table and moves a bounded number of
// buckets of a table being resized, so a resize started by a burst of
// writes finishes even when no more commands come (Redis's activerehashing).
func (ks *Keyspace) rehashStep() {
	db := ks.lock()
	defer ks.unlock()
	db.dict.shrinkIfNeeded()
	for i := 0; i < 10 && db.dict.rehash(100); i++ {
	}
}
