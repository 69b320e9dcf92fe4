package server

import (
	"slices"
	"sync"

	"github.com/gearsd/gearsd/config"
	"github.com/tidwall/redcon"
)

// pubsub is the registry of subscriptions: channel and pattern names to
// their subscribers, and each subscriber's own names, under one RWMutex.
// PUBLISH takes it for reading and only queues to each receiver
// (subscriber.push), so a slow subscriber never holds a publisher.
type pubsub struct {
	mu        sync.RWMutex
	byChannel map[string]map[*subscriber]struct{}
	byPattern map[string]map[*subscriber]struct{}
}

// subscribe adds name to sub's channels (or patterns) and returns sub's
// number of subscriptions.
func (p *pubsub) subscribe(sub *subscriber, name string, pattern bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	reg, own := p.maps(sub, pattern)
	if _, ok := (*own)[name]; !ok {
		if *own == nil {
			*own = map[string]struct{}{}
		}
		(*own)[name] = struct{}{}
		if *reg == nil {
			*reg = map[string]map[*subscriber]struct{}{}
		}
		set := (*reg)[name]
		if set == nil {
			set = map[*subscriber]struct{}{}
			(*reg)[name] = set
		}
		set[sub] = struct{}{}
	}
	sub.countsChanged()
	return len(sub.channels) + len(sub.patterns)
}

// unsubscribe removes name from sub and returns sub's remaining count.
func (p *pubsub) unsubscribe(sub *subscriber, name string, pattern bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.remove(sub, name, pattern)
	return len(sub.channels) + len(sub.patterns)
}

func (p *pubsub) remove(sub *subscriber, name string, pattern bool) {
	reg, own := p.maps(sub, pattern)
	if _, ok := (*own)[name]; !ok {
		return
	}
	delete(*own, name)
	set := (*reg)[name]
	delete(set, sub)
	if len(set) == 0 {
		delete(*reg, name)
	}
	sub.countsChanged()
}

func (p *pubsub) maps(sub *subscriber, pattern bool) (*map[string]map[*subscriber]struct{}, *map[string]struct{}) {
	if pattern {
		return &p.byPattern, &sub.patterns
	}
	return &p.byChannel, &sub.channels
}

// subscriptions lists sub's channels (or patterns).
func (p *pubsub) subscriptions(sub *subscriber, pattern bool) []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	_, own := p.maps(sub, pattern)
	out := make([]string, 0, len(*own))
	for name := range *own {
		out = append(out, name)
	}
	// Sorted, so that an UNSUBSCRIBE without names confirms in an order
	// that does not change from run to run (Redis's is its hash table's).
	slices.Sort(out)
	return out
}

// unsubscribeAll removes every subscription of sub, silently (RESET, a
// closed connection).
func (p *pubsub) unsubscribeAll(sub *subscriber) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name := range sub.channels {
		p.remove(sub, name, false)
	}
	for name := range sub.patterns {
		p.remove(sub, name, true)
	}
}

// publish queues msg for the subscribers of channel and of every matching
// pattern, and returns how many receivers it was queued for (a client
// subscribed through two patterns counts twice, as in Redis).
func (p *pubsub) publish(channel string, msg []byte) int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	n := 0
	if set := p.byChannel[channel]; len(set) > 0 {
		b := redcon.AppendArray(nil, 3)
		b = redcon.AppendBulkString(b, "message")
		b = redcon.AppendBulkString(b, channel)
		b = redcon.AppendBulk(b, msg)
		for sub := range set {
			sub.push(b)
			n++
		}
	}
	for pattern, set := range p.byPattern {
		if !config.GlobMatch(pattern, channel, false) {
			continue
		}
		b := redcon.AppendArray(nil, 4)
		b = redcon.AppendBulkString(b, "pmessage")
		b = redcon.AppendBulkString(b, pattern)
		b = redcon.AppendBulkString(b, channel)
		b = redcon.AppendBulk(b, msg)
		for sub := range set {
			sub.push(b)
			n++
		}
	}
	return n
}

// channels lists the channels with at least one subscriber.
func (p *pubsub) channels() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]string, 0, len(p.byChannel))
	for name := range p.byChannel {
		out = append(out, name)
	}
	return out
}

func (p *pubsub) numsub(channel string) int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.byChannel[channel])
}

func (p *pubsub) numpat() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.byPattern)
}
