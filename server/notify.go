package server

import (
	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/store"
)

// Keyspace notifications: the store's event bus, filtered by
// notify-keyspace-events, published as Redis publishes them:
// __keyspace@0__:<key> with the event name as message (K), and
// __keyevent@0__:<event> with the key as message (E).
//
// The server listens to the bus only while the setting asks for K or E and
// at least one class, so writes cost nothing more when notifications are
// off. The bus's goroutine publishes; a burst the bus cannot buffer loses
// events rather than slowing writers (store/events.go), which Redis's
// fire-and-forget pub/sub allows.
const (
	keyspacePrefix = "__keyspace@0__:"
	keyeventPrefix = "__keyevent@0__:"
)

// publishKeyspaceEvents starts following notify-keyspace-events.
func (s *Server) publishKeyspaceEvents() {
	if s.store == nil {
		return
	}
	var sub store.EventSubscription
	apply := func(value string) {
		c, _ := store.ParseEventClasses(value) // the setting is validated
		s.eventFlags.Store(uint32(c))
		classes := c &^ (store.ClassKeyspace | store.ClassKeyevent)
		if c&(store.ClassKeyspace|store.ClassKeyevent) == 0 {
			classes = 0
		}
		if sub == nil && classes != 0 {
			sub = s.store.Subscribe(classes, 0, s.publishEvent)
			return
		}
		if sub != nil {
			sub.SetClasses(classes)
		}
	}
	apply(s.cfg.String(config.NotifyKeyspaceEvents))
	s.cfg.OnChange(config.NotifyKeyspaceEvents, func(v string) {
		s.eventsMu.Lock()
		defer s.eventsMu.Unlock()
		apply(v)
	})
	go func() {
		<-s.ctx.Done()
		s.eventsMu.Lock()
		defer s.eventsMu.Unlock()
		if sub != nil {
			sub.Close()
			sub = nil
		}
	}()
}

// publishEvent is the bus's callback, on the bus's goroutine.
func (s *Server) publishEvent(e store.Event) {
	f := store.EventClass(s.eventFlags.Load())
	if f&store.ClassKeyspace != 0 {
		s.pubsub.publish(keyspacePrefix+e.Key, []byte(e.Name))
	}
	if f&store.ClassKeyevent != 0 {
		s.pubsub.publish(keyeventPrefix+e.Name, []byte(e.Key))
	}
}
