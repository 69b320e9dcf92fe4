// Package store is gearsd's keyspace. Everything that reaches data goes
// through the Store interface: the server's command handlers, Python's
// execute(), the readers of executions and (later) the event bus of
// registrations. The embedded keyspace (Keyspace in this package) is one
// implementation; a client of an existing Redis or Valkey Cluster can be
// another, so nothing outside this package may depend on how keys are held.
package store

import "github.com/gearsd/gearsd/resp"

// Store is the keyspace as gearsd's other packages see it.
//
// Concurrency contract: every method is safe for concurrent use, and each
// call is atomic with respect to every other call. No method calls back into
// the caller, blocks on a scheduler lane, or waits for anything but the
// store's own lock (DoBlocking and a Waiter of Block excepted), so a lane
// may call Do while it holds a Python GIL.
type Store interface {
	// Do runs one data command (argv[0] is its name in any case) atomically
	// and returns its reply, exactly as Redis 7 would answer it: an unknown
	// command, wrong arity, WRONGTYPE and every other error come back as
	// error values, never as Go errors.
	Do(argv [][]byte) resp.Value

	// Lookup reports whether name (any case) is a data command this store
	// serves, and how it is declared.
	Lookup(name string) (CommandSpec, bool)

	// Commands lists every data command this store serves.
	Commands() []CommandSpec

	// ScanEntries is SCAN for readers: it returns up to about count keys
	// matching the glob match ("" or "*" for all) from cursor on, with their
	// types and, when withValues is set, their values, read atomically per
	// batch. next is 0 when the scan is complete. A key present for the
	// whole scan is returned at least once.
	ScanEntries(cursor uint64, match string, count int, withValues bool) (next uint64, entries []Entry)

	// Watch adds keys to the watched set w (a new one when w is nil) and
	// returns it; Unwatch releases one. See multi.go.
	Watch(w *Watch, keys [][]byte) *Watch
	Unwatch(w *Watch)

	// DoMulti is EXEC: it runs cmds in one atomic section and returns
	// their replies, or ok false and runs nothing when a key of w (nil:
	// none) was changed since it was watched. It releases w.
	DoMulti(cmds [][][]byte, w *Watch) (replies []resp.Value, ok bool)

	// DoBlocking is Do for a client's own goroutine, which may wait: XREAD
	// and XREADGROUP with BLOCK wait there (outside the store's lock) for
	// their keys, where Do answers at once as Redis does inside MULTI or a
	// script. Never call it from a scheduler lane.
	DoBlocking(argv [][]byte) resp.Value

	// Block runs a blocking list command (BLPOP, BRPOP, BLMOVE,
	// BRPOPLPUSH): its reply when it can answer at once, else a Waiter the
	// caller waits on, on its own goroutine (blocking.go). Do runs the same
	// commands without ever blocking, as inside MULTI.
	Block(argv [][]byte) (resp.Value, *Waiter)

	// Subscribe hands every keyspace event of classes to fn, in order, on
	// a goroutine of its own, never blocking a writer (events.go).
	Subscribe(classes EventClass, buffer int, fn func(Event)) EventSubscription

	// Close flushes and releases whatever the store holds (files, goroutines).
	Close() error
}

// CommandSpec declares a command the way COMMAND INFO reports it.
type CommandSpec struct {
	Name     string   // lower case, e.g. "get"
	Arity    int      // Redis convention: N exact, -N at least N (name included)
	Flags    []string // e.g. "write", "readonly", "fast", "denyoom"
	FirstKey int      // position of the first key, 0 if none
	LastKey  int      // position of the last key, -1 for "to the end"
	Step     int      // distance between keys
}

// Entry is one key as a reader sees it.
type Entry struct {
	Key string
	// Type is the TYPE name: "string", "list", "hash", "set", "zset", "stream".
	Type string
	// Value, when values were asked for: string for strings,
	// map[string]string for hashes, []string for lists, nil for the others.
	Value any
}
