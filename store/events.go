package store

import "sync/atomic"

// The event bus: keyspace events (notify.go) handed to in-process
// listeners, the server's notify-keyspace-events publisher today and
// RedisGears registrations later.
//
// A writer never waits for a listener. Events are queued, inside the lock
// section that made them and so in the order of the changes, on a bounded
// channel per subscription; a goroutine per subscription drains it into the
// subscriber's callback outside every lock. When a listener lags so far that
// its queue is full, the event is dropped and counted (Dropped) rather than
// slowing the writer: Redis, too, loses notifications a client cannot take
// (pub/sub is fire and forget), and a registration that needs every event
// must keep up or size its buffer for its bursts.

// EventSubscription is a listener of the event bus.
type EventSubscription interface {
	// SetClasses changes which classes are delivered from now on; 0
	// pauses delivery without closing.
	SetClasses(EventClass)
	// Dropped counts events lost because the queue was full.
	Dropped() uint64
	// Close stops delivery: no callback starts after Close returns but the
	// one running may finish. It may be called from the callback.
	Close()
}

// DefaultEventBuffer is the queue length Subscribe uses when given 0.
const DefaultEventBuffer = 1 << 16

// bus is the list of subscriptions, guarded by the keyspace's lock.
type bus struct {
	subs []*subscription
}

type subscription struct {
	ks      *Keyspace
	classes EventClass // guarded by the keyspace's lock
	ch      chan Event
	dropped atomic.Uint64
	closed  bool // guarded by the keyspace's lock
}

// publish queues e for every subscription that listens to its class. It
// runs inside the lock section that made the event and never blocks.
func (b *bus) publish(e Event) {
	for _, s := range b.subs {
		if s.classes&e.Class == 0 {
			continue
		}
		select {
		case s.ch <- e:
		default:
			s.dropped.Add(1)
		}
	}
}

// Subscribe delivers every event of classes to fn, in the order the
// changes were made, on a goroutine of its own; buffer is the queue length
// (0: DefaultEventBuffer). fn must not take long: while it lags, events
// queue and then are dropped.
func (ks *Keyspace) Subscribe(classes EventClass, buffer int, fn func(Event)) EventSubscription {
	if buffer <= 0 {
		buffer = DefaultEventBuffer
	}
	s := &subscription{ks: ks, classes: classes, ch: make(chan Event, buffer)}
	db := ks.lock()
	db.ev.bus.subs = append(db.ev.bus.subs, s)
	db.ev.recomputeClasses()
	ks.unlock()
	go func() {
		for e := range s.ch {
			fn(e)
		}
	}()
	return s
}

func (s *subscription) SetClasses(c EventClass) {
	db := s.ks.lock()
	defer s.ks.unlock()
	if !s.closed {
		s.classes = c
		db.ev.recomputeClasses()
	}
}

func (s *subscription) Dropped() uint64 { return s.dropped.Load() }

func (s *subscription) Close() {
	db := s.ks.lock()
	defer s.ks.unlock()
	if s.closed {
		return
	}
	s.closed = true
	subs := db.ev.bus.subs
	for i, x := range subs {
		if x == s {
			db.ev.bus.subs = append(subs[:i:i], subs[i+1:]...)
			break
		}
	}
	db.ev.recomputeClasses()
	close(s.ch) // under the lock: no publish can follow
}

// recomputeClasses sets the classes any subscription listens to.
func (ev *dbEvents) recomputeClasses() {
	var c EventClass
	for _, s := range ev.bus.subs {
		c |= s.classes
	}
	ev.classes = c
	ev.keyMiss.Store(c&ClassKeyMiss != 0)
}
