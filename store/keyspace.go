package store

import (
	"sync"
	"time"
)

// Options configures a Keyspace.
type Options struct {
	// Now is the clock every expiry decision reads. It defaults to
	// time.Now; tests inject a fake one to make TTLs exact.
	Now func() time.Time

	// ActiveExpireInterval is how often the active expiry cycle samples
	// keys with a TTL (Redis's hz 10 gives 100ms, the default). A negative
	// value disables the cycle: expired keys then vanish only when touched.
	ActiveExpireInterval time.Duration
}

// Keyspace is the embedded keyspace: one database (Redis's db 0) held in
// memory, behind a single mutex. Every command runs inside one lock
// section, so each is atomic with respect to every other; nothing is ever
// called out of the store while the lock is held.
type Keyspace struct {
	mu sync.Mutex
	db db

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

var _ Store = (*Keyspace)(nil)

// NewKeyspace returns an empty keyspace and starts its active expiry cycle,
// which runs until Close.
func NewKeyspace(opts Options) *Keyspace {
	ks := &Keyspace{
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	clock := opts.Now
	if clock == nil {
		clock = time.Now
	}
	ks.db.init(clock)
	interval := opts.ActiveExpireInterval
	if interval == 0 {
		interval = 100 * time.Millisecond
	}
	if interval > 0 {
		go ks.cron(interval)
	} else {
		close(ks.done)
	}
	return ks
}

// Close stops the active expiry cycle. The keyspace holds no files yet.
func (ks *Keyspace) Close() error {
	ks.once.Do(func() { close(ks.stop) })
	<-ks.done
	return nil
}

// lock enters the keyspace's lock section for one command and returns the
// database, its clock to be read afresh.
func (ks *Keyspace) lock() *db {
	ks.mu.Lock()
	ks.db.nowSet = false
	return &ks.db
}

func (ks *Keyspace) unlock() { ks.mu.Unlock() }
