package store

import (
	"strings"
	"sync/atomic"

	"github.com/gearsd/gearsd/resp"
)

// Keyspace events. Every handler that changes a key calls db.notify inside
// its lock section, once per event, with Redis's class and event name
// (notifyKeyspaceEvent in Redis's sources): "set", "del", "expire",
// "expired", "hset", "lpush", ... That one call does what Redis does with
// two: it marks the key modified for WATCH (signalModifiedKey) and, when
// anyone listens to the class, queues the event for the event bus
// (events.go), which feeds notify-keyspace-events and registrations.

// EventClass is a set of event classes: Redis's NOTIFY_* flags, with the
// letters of notify-keyspace-events.
type EventClass uint16

const (
	ClassKeyspace EventClass = 1 << iota // K: publish to __keyspace@0__:<key>
	ClassKeyevent                        // E: publish to __keyevent@0__:<event>
	ClassGeneric                         // g: del, expire, rename_from, rename_to, persist, copy_to, ...
	ClassString                          // $
	ClassList                            // l
	ClassSet                             // s
	ClassHash                            // h
	ClassZset                            // z
	ClassExpired                         // x: a key expired
	ClassEvicted                         // e: a key evicted (gearsd never evicts)
	ClassStream                          // t
	ClassKeyMiss                         // m: a read found no key
	ClassModule                          // d
	ClassNew                             // n: a key was created

	// ClassAll is A: every class but m and n, as in Redis.
	ClassAll = ClassGeneric | ClassString | ClassList | ClassSet | ClassHash |
		ClassZset | ClassExpired | ClassEvicted | ClassStream | ClassModule
)

// classLetters maps each letter of notify-keyspace-events to its classes.
var classLetters = map[byte]EventClass{
	'A': ClassAll, 'K': ClassKeyspace, 'E': ClassKeyevent,
	'g': ClassGeneric, '$': ClassString, 'l': ClassList, 's': ClassSet,
	'h': ClassHash, 'z': ClassZset, 'x': ClassExpired, 'e': ClassEvicted,
	't': ClassStream, 'm': ClassKeyMiss, 'd': ClassModule, 'n': ClassNew,
}

// ParseEventClasses reads a notify-keyspace-events value ("KEA", "Ex$",
// "") as Redis's keyspaceEventsStringToFlags; ok is false on a letter it
// does not know.
func ParseEventClasses(s string) (c EventClass, ok bool) {
	for i := 0; i < len(s); i++ {
		f, known := classLetters[s[i]]
		if !known {
			return 0, false
		}
		c |= f
	}
	return c, true
}

// String writes c back as notify-keyspace-events letters.
func (c EventClass) String() string {
	var b strings.Builder
	if c&ClassAll == ClassAll {
		b.WriteByte('A')
	}
	for _, l := range "g$lshzxetdmnKE" {
		f := classLetters[byte(l)]
		if c&f != 0 && (c&ClassAll != ClassAll || f&ClassAll == 0) {
			b.WriteByte(byte(l))
		}
	}
	return b.String()
}

// Event is one keyspace event: what happened (Redis's event name) to
// which key, and the class it belongs to.
type Event struct {
	Class EventClass
	Name  string // "set", "del", "expired", "lpush", ...
	Key   string
}

// notify records that event of class happened to key: WATCHers of key see
// it modified, and the event bus gets the event if anyone listens to class.
// It runs inside the lock section that made the change and never blocks.
// key may alias a command's argument: it is copied only when kept.
func (db *db) notify(class EventClass, event, key string) {
	ev := &db.ev
	if len(ev.watched) != 0 {
		db.touchWatched(key)
	}
	if ev.classes&class != 0 {
		ev.bus.publish(Event{Class: class, Name: event, Key: strings.Clone(key)})
	}
	if ev.blockedN != 0 && class == ClassList {
		db.signalListReady(key)
	}
}

// dbEvents is the state behind notify: who watches which key (multi.go),
// who listens to which classes (events.go), and which keys blocked clients
// wait on (blocking.go). It lives in db, so it is guarded by the
// keyspace's lock like the keys themselves.
type dbEvents struct {
	// classes is the union of what the bus's subscribers asked for, so a
	// write nobody listens to costs one AND.
	classes EventClass
	bus     bus
	// keyMiss mirrors classes&ClassKeyMiss for Do, which reads it without
	// the lock; readMiss is set while a read-only command runs with it on,
	// so db.lookup reports its misses (Redis's lookupKeyRead).
	keyMiss  atomic.Bool
	readMiss bool

	watched map[string][]*watchedKey

	blocked  map[string][]*blockedClient
	blockedN int
	ready    []string // keys that got elements while clients wait on them
}

// doReadMisses runs a read-only command while someone listens to keymiss
// events: in one lock section with readMiss set, on a view whose lock is
// held (as Do's logged path does), so every lookup that finds no key emits
// "keymiss". Write commands that read (GETDEL, SET ... GET, the sources of
// the STORE commands) do not report misses; Redis's do.
func (ks *Keyspace) doReadMisses(c *command, argv [][]byte) resp.Value {
	ks.mu.Lock()
	defer func() {
		ks.db.ev.readMiss = false
		ks.db.reading = false
		ks.heldToken.Store(0)
		ks.serveBlocked()
		ks.mu.Unlock()
	}()
	ks.db.nowSet = false
	ks.db.ev.readMiss = true
	ks.db.reading = true
	token := viewTokens.Add(1)
	ks.heldToken.Store(token)
	v, err := c.run(&Keyspace{keyspaceState: ks.keyspaceState, held: token}, argv)
	if err != nil {
		return resp.Err(noNewlines(err.Error()))
	}
	return v
}
