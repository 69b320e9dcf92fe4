package store

import (
	"maps"
	"slices"
	"sort"
)

// streamGroup is a consumer group: where it has read up to, and the
// entries delivered to its consumers but not acknowledged (its PEL).
type streamGroup struct {
	lastID streamID
	// entriesRead is the group's logical read counter, -1 when unknown.
	entriesRead int64
	pel         pendingList
	consumers   map[string]*streamConsumer
}

// streamConsumer is a consumer of a group and its own pending entries.
type streamConsumer struct {
	name     string
	seenTime int64 // Unix ms of its last read or claim
	pel      pendingList
}

// pendingEntry is a delivered, unacknowledged entry (Redis's streamNACK).
type pendingEntry struct {
	id            streamID
	consumer      *streamConsumer // nil only while XCLAIM FORCE creates it
	deliveryTime  int64           // Unix ms
	deliveryCount int64
}

// pendingList is a PEL: pending entries in id order (a sorted slice
// with binary search; entries mostly arrive in id order, at the end).
type pendingList struct {
	ids  []streamID
	byID map[streamID]*pendingEntry
}

func (p *pendingList) len() int { return len(p.ids) }

func (p *pendingList) get(id streamID) *pendingEntry { return p.byID[id] }

// search returns the position of the first id not less than id.
func (p *pendingList) search(id streamID) int {
	return sort.Search(len(p.ids), func(i int) bool { return !p.ids[i].less(id) })
}

// add inserts e, which must not be in the list.
func (p *pendingList) add(e *pendingEntry) {
	if p.byID == nil {
		p.byID = make(map[streamID]*pendingEntry)
	}
	p.byID[e.id] = e
	if n := len(p.ids); n == 0 || p.ids[n-1].less(e.id) {
		p.ids = append(p.ids, e.id)
		return
	}
	p.ids = slices.Insert(p.ids, p.search(e.id), e.id)
}

// remove deletes id and reports whether it was there.
func (p *pendingList) remove(id streamID) bool {
	if _, ok := p.byID[id]; !ok {
		return false
	}
	delete(p.byID, id)
	i := p.search(id)
	p.ids = slices.Delete(p.ids, i, i+1)
	return true
}

// from returns up to limit pending entries from start on, in id order, as
// a snapshot: the caller may change the list while it walks them.
func (p *pendingList) from(start streamID, limit int64) []*pendingEntry {
	i := p.search(start)
	n := min(int64(len(p.ids)-i), limit)
	out := make([]*pendingEntry, n)
	for j := range out {
		out[j] = p.byID[p.ids[i+j]]
	}
	return out
}

// each calls fn for the pending entries from start on, in id order, until
// it returns false; fn must not add or remove entries.
func (p *pendingList) each(start streamID, fn func(e *pendingEntry) bool) {
	for _, id := range p.ids[p.search(start):] {
		if !fn(p.byID[id]) {
			return
		}
	}
}

func (g *streamGroup) clone() *streamGroup {
	c := &streamGroup{lastID: g.lastID, entriesRead: g.entriesRead, consumers: make(map[string]*streamConsumer, len(g.consumers))}
	for name, cons := range g.consumers {
		c.consumers[name] = &streamConsumer{name: name, seenTime: cons.seenTime}
	}
	for _, id := range g.pel.ids {
		e := *g.pel.byID[id]
		if e.consumer != nil {
			e.consumer = c.consumers[e.consumer.name]
			e.consumer.pel.add(&e)
		}
		c.pel.add(&e)
	}
	return c
}

// group returns the consumer group name, or nil.
func (s *streamValue) group(name []byte) *streamGroup {
	if s == nil {
		return nil
	}
	return s.groups[bstr(name)]
}

// createGroup adds a group, or reports false if the name is taken.
func (s *streamValue) createGroup(name string, last streamID, entriesRead int64) bool {
	if _, taken := s.groups[name]; taken {
		return false
	}
	if s.groups == nil {
		s.groups = make(map[string]*streamGroup)
	}
	s.groups[name] = &streamGroup{lastID: last, entriesRead: entriesRead, consumers: map[string]*streamConsumer{}}
	return true
}

// groupNames lists the groups in Redis's order (its radix tree's: bytes).
func (s *streamValue) groupNames() []string {
	return slices.Sorted(maps.Keys(s.groups))
}

// consumerNames lists the group's consumers in byte order.
func (g *streamGroup) consumerNames() []string {
	return slices.Sorted(maps.Keys(g.consumers))
}

// consumer returns the consumer name, creating it when create is set;
// created says whether it did.
func (g *streamGroup) consumer(name []byte, now int64, create bool) (c *streamConsumer, created bool) {
	if c = g.consumers[bstr(name)]; c != nil || !create {
		return c, false
	}
	c = &streamConsumer{name: string(name), seenTime: now}
	g.consumers[c.name] = c
	return c, true
}

// deleteConsumer removes c and its pending entries from the group and
// returns how many it had.
func (g *streamGroup) deleteConsumer(c *streamConsumer) int {
	n := c.pel.len()
	for _, id := range c.pel.ids {
		g.pel.remove(id)
	}
	delete(g.consumers, c.name)
	return n
}

// ack acknowledges id and reports whether it was pending.
func (g *streamGroup) ack(id streamID) bool {
	e := g.pel.get(id)
	if e == nil {
		return false
	}
	g.pel.remove(id)
	if e.consumer != nil {
		e.consumer.pel.remove(id)
	}
	return true
}

// assign makes e pending for c (moving it from its former consumer).
func (g *streamGroup) assign(e *pendingEntry, c *streamConsumer) {
	if e.consumer == c {
		return
	}
	if e.consumer != nil {
		e.consumer.pel.remove(e.id)
	}
	e.consumer = c
	c.pel.add(e)
}

// deliver records that entry id was delivered to c by XREADGROUP ">":
// a new pending entry or, if the id was pending already (after an
// XGROUP SETID back in time), the same one handed to c afresh.
func (g *streamGroup) deliver(id streamID, c *streamConsumer, now int64) {
	if e := g.pel.get(id); e != nil {
		g.assign(e, c)
		e.deliveryTime = now
		e.deliveryCount = 1
		return
	}
	e := &pendingEntry{id: id, consumer: c, deliveryTime: now, deliveryCount: 1}
	g.pel.add(e)
	c.pel.add(e)
}

// advance moves the group's last id to id, read by a consumer, keeping
// its logical read counter when it can.
func (g *streamGroup) advance(s *streamValue, id streamID) {
	if !g.lastID.less(id) {
		return
	}
	if g.entriesRead != -1 && !s.hasTombstonesFrom(id) {
		g.entriesRead++
	} else if s.entriesAdded != 0 {
		g.entriesRead = s.estimateEntriesRead(id)
	}
	g.lastID = id
}

// lag is the number of entries the group has yet to read, or ok false
// when it cannot be known (streamReplyWithCGLag).
func (g *streamGroup) lag(s *streamValue) (int64, bool) {
	if s.entriesAdded == 0 {
		return 0, true
	}
	if g.entriesRead != -1 && !s.hasTombstonesFrom(g.lastID) {
		return s.entriesAdded - g.entriesRead, true
	}
	if read := s.estimateEntriesRead(g.lastID); read != -1 {
		return s.entriesAdded - read, true
	}
	return 0, false
}
