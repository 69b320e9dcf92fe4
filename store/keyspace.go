package store

import (
	"github.com/gearsd/gearsd/resp"
	"sync"
	"sync/atomic"
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

	// AOF is the append-only file (aof.go); only Open reads it.
	AOF AOFOptions
}

// Keyspace is the embedded keyspace: one database (Redis's db 0) held in
// memory, behind a single mutex. Every command runs inside one lock
// section, so each is atomic with respect to every other; nothing is ever
// called out of the store while the lock is held.
//
// A Keyspace is a handle on its state: Do hands a write command's handler
// a view of the same state whose lock Do already holds, so that the
// append-only file logs the write in the lock section that made it
// (aof_dispatch.go). Fields therefore go in keyspaceState, never here.
type Keyspace struct {
	*keyspaceState
	// held is set on a view made by doLogged: while it equals
	// heldToken, lock and unlock are no-ops for this view only.
	held uint64
	// mayBlock is set on the view DoBlocking makes: only there may XREAD
	// and XREADGROUP with BLOCK wait.
	mayBlock bool
	// reads is set on the view a read-only command runs on (readView):
	// its lookups count as keyspace hits and misses (stats.go).
	reads bool
}

// DoBlocking is Do for a client that may wait: XREAD and XREADGROUP with
// BLOCK wait for their keys (outside the lock) instead of answering at
// once. See Store.DoBlocking.
func (ks *Keyspace) DoBlocking(argv [][]byte) resp.Value {
	return (&Keyspace{keyspaceState: ks.keyspaceState, mayBlock: true}).Do(argv)
}

// keyspaceState is what every view of a Keyspace shares.
type keyspaceState struct {
	mu sync.Mutex
	db db

	stop chan struct{}
	done chan struct{}
	once sync.Once

	// aof is the append-only file, nil when appendonly is off (aof.go).
	aof *aof
	// heldToken names the view whose handler runs inside the lock section
	// Do holds for it, 0 when none (aof_dispatch.go).
	heldToken atomic.Uint64
	// reader is the view read-only commands run on (stats.go).
	reader *Keyspace
}

var _ Store = (*Keyspace)(nil)

// NewKeyspace returns an empty keyspace and starts its active expiry cycle,
// which runs until Close.
func NewKeyspace(opts Options) *Keyspace {
	ks := newKeyspace(opts)
	ks.start(opts)
	return ks
}

// newKeyspace returns an empty keyspace whose background work is not
// started yet: Open replays the append-only file first.
func newKeyspace(opts Options) *Keyspace {
	ks := &Keyspace{keyspaceState: &keyspaceState{
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}}
	ks.reader = &Keyspace{keyspaceState: ks.keyspaceState, reads: true}
	clock := opts.Now
	if clock == nil {
		clock = time.Now
	}
	ks.db.init(clock)
	return ks
}

// start starts the active expiry cycle.
func (ks *Keyspace) start(opts Options) {
	interval := opts.ActiveExpireInterval
	if interval == 0 {
		interval = 100 * time.Millisecond
	}
	if interval > 0 {
		go ks.cron(interval)
	} else {
		close(ks.done)
	}
}

// Close stops the active expiry cycle, then flushes, syncs and closes the
// append-only file.
func (ks *Keyspace) Close() error {
	ks.once.Do(func() { close(ks.stop) })
	<-ks.done
	if ks.aof != nil {
		return ks.aof.close()
	}
	return nil
}

// lock enters the keyspace's lock section for one command and returns the
// database, its clock to be read afresh.
func (ks *Keyspace) lock() *db {
	if ks.held != 0 && ks.held == ks.heldToken.Load() {
		return &ks.db // Do holds the lock for this view (aof_dispatch.go)
	}
	ks.mu.Lock()
	ks.db.nowSet = false
	ks.db.reading = ks.reads
	return &ks.db
}

func (ks *Keyspace) unlock() {
	if ks.held != 0 && ks.held == ks.heldToken.Load() {
		return // Do unlocks after logging the write (aof_dispatch.go)
	}
	ks.db.reading = false // serving blocked clients counts nothing
	ks.serveBlocked()
	ks.mu.Unlock()
}
