package store

import (
	"slices"
	"sort"
)

// streamValue is a stream. Its entries live in nodes, each a run of
// consecutive ids, as Redis keeps them in listpacks under a radix tree:
// the node boundaries are observable (XADD and XTRIM with "~" remove
// whole nodes only, XINFO counts them), so they are reproduced exactly,
// down to the listpack's byte size that closes a node (see streamNode).
// Lookups binary-search the nodes, then walk the entries of one node
// (at most streamNodeMaxEntries).
type streamValue struct {
	nodes []*streamNode
	// length is the number of live entries; a stream key may be empty.
	length int
	// lastID is the greatest id ever added (or set by XSETID).
	lastID streamID
	// firstID is the first live entry's id, 0-0 when empty.
	firstID streamID
	// maxDeletedID is the greatest id removed by XDEL.
	maxDeletedID streamID
	// entriesAdded counts every entry ever added.
	entriesAdded int64
	// groups are the consumer groups by name.
	groups map[string]*streamGroup
}

// A node closes at Redis 7.0's stream-node-max-bytes and
// stream-node-max-entries defaults.
const (
	streamNodeMaxBytes   = 4096
	streamNodeMaxEntries = 100
)

// streamNode is one listpack of Redis's stream: the fields of its first
// entry (the "master entry" the others are compared with), its entries in
// id order, deleted ones kept as tombstones as Redis keeps them flagged,
// and the listpack's size in bytes, which decides when XADD opens a new
// node.
type streamNode struct {
	masterID     streamID
	masterFields []string
	entries      []streamEntry
	live         int
	deleted      int
	bytes        int
}

// streamEntry is one entry: its id and its field-value pairs.
type streamEntry struct {
	id      streamID
	fields  []string // field, value, field, value, ...
	deleted bool
}

func newStream() *streamValue { return &streamValue{} }

func (s *streamValue) typeName() string { return "stream" }

func (s *streamValue) encoding() string { return "stream" }

// len is the number of entries. Unlike the other types, a stream key
// outlives its last entry (XDEL, XTRIM leave it, empty).
func (s *streamValue) len() int { return s.length }

func (s *streamValue) clone() object {
	c := *s
	c.nodes = make([]*streamNode, len(s.nodes))
	for i, n := range s.nodes {
		cn := *n
		cn.entries = slices.Clone(n.entries)
		c.nodes[i] = &cn
	}
	c.groups = nil
	for name, g := range s.groups {
		if c.groups == nil {
			c.groups = make(map[string]*streamGroup, len(s.groups))
		}
		c.groups[name] = g.clone()
	}
	return &c
}

// sameFields reports whether fields (field, value, ...) has the node's
// master fields, in order.
func (n *streamNode) sameFields(fields []string) bool {
	if len(fields)/2 != len(n.masterFields) {
		return false
	}
	for i, f := range n.masterFields {
		if fields[2*i] != f {
			return false
		}
	}
	return true
}

// append adds an entry at the end of the stream (id is greater than every
// id in it) with its field-value pairs, which the stream now owns.
func (s *streamValue) append(id streamID, fields []string) {
	total := 0
	for _, f := range fields {
		total += len(f)
	}
	var tail *streamNode
	if len(s.nodes) > 0 {
		tail = s.nodes[len(s.nodes)-1]
		// Redis compares the tail listpack's bytes plus the new
		// strings' raw lengths with the limit (streamAppendItem).
		if tail.bytes+total >= streamNodeMaxBytes || tail.live+tail.deleted >= streamNodeMaxEntries {
			tail = nil
		}
	}
	if tail == nil {
		tail = &streamNode{masterID: id, bytes: 7} // header and end byte
		for i := 0; i < len(fields); i += 2 {
			tail.masterFields = append(tail.masterFields, fields[i])
		}
		// count, deleted, number of fields, the fields, terminator.
		tail.bytes += 2 + 2 + lpIntSize(int64(len(tail.masterFields))) + 2
		for _, f := range tail.masterFields {
			tail.bytes += lpStringSize(f)
		}
		s.nodes = append(s.nodes, tail)
	}
	// flags, ms and seq deltas from the master id, then the values alone
	// if the fields are the master's, else the count and the pairs, then
	// the entry's element count.
	size := 2 + lpIntSize(int64(id.ms-tail.masterID.ms)) + lpIntSize(int64(id.seq-tail.masterID.seq))
	numFields := int64(len(fields) / 2)
	count := numFields + 3
	if tail.sameFields(fields) {
		for i := 1; i < len(fields); i += 2 {
			size += lpStringSize(fields[i])
		}
	} else {
		size += lpIntSize(numFields)
		for _, f := range fields {
			size += lpStringSize(f)
		}
		count += numFields + 1
	}
	size += lpIntSize(count)
	tail.bytes += size
	tail.entries = append(tail.entries, streamEntry{id: id, fields: fields})
	tail.live++
	s.length++
	s.entriesAdded++
	s.lastID = id
	if s.length == 1 {
		s.firstID = id
	}
}

// nodeFor returns the index of the node that would hold id: the last
// node whose master id is not greater than id (0 if none is).
func (s *streamValue) nodeFor(id streamID) int {
	i := sort.Search(len(s.nodes), func(i int) bool { return id.less(s.nodes[i].masterID) })
	return max(i-1, 0)
}

// scan visits the live entries from start to end (inclusive) in id order
// or, when rev, in reverse, with their node and entry indexes, until fn
// returns false. It walks as Redis's stream iterator does: from the node
// whose master id is the greatest not past the bound, each node's entries
// in order, tombstones skipped before any comparison. After XSETID moved
// the last id back on an emptied stream, a node may hold a live entry
// smaller than its tombstones and than its master id; this walk finds
// (or misses) it exactly where Redis does.
func (s *streamValue) scan(start, end streamID, rev bool, fn func(ni, ei int) bool) {
	if s.length == 0 || end.less(start) {
		return
	}
	if !rev {
		for ni := s.nodeFor(start); ni < len(s.nodes); ni++ {
			for ei := range s.nodes[ni].entries {
				e := &s.nodes[ni].entries[ei]
				if e.deleted || e.id.less(start) {
					continue
				}
				if end.less(e.id) || !fn(ni, ei) {
					return
				}
			}
		}
		return
	}
	for ni := s.nodeFor(end); ni >= 0; ni-- {
		entries := s.nodes[ni].entries
		for ei := len(entries) - 1; ei >= 0; ei-- {
			e := &entries[ei]
			if e.deleted || end.less(e.id) {
				continue
			}
			if e.id.less(start) || !fn(ni, ei) {
				return
			}
		}
	}
}

// each calls fn for the live entries from start to end, as scan walks
// them.
func (s *streamValue) each(start, end streamID, rev bool, fn func(e *streamEntry) bool) {
	s.scan(start, end, rev, func(ni, ei int) bool { return fn(&s.nodes[ni].entries[ei]) })
}

// find returns the node index and entry index of the live entry id.
func (s *streamValue) find(id streamID) (ni, ei int, ok bool) {
	s.scan(id, id, false, func(n, e int) bool {
		ni, ei, ok = n, e, true
		return false
	})
	return ni, ei, ok
}

// exists reports whether id is a live entry.
func (s *streamValue) exists(id streamID) bool {
	_, _, ok := s.find(id)
	return ok
}

// get returns the live entry id.
func (s *streamValue) get(id streamID) (*streamEntry, bool) {
	ni, ei, ok := s.find(id)
	if !ok {
		return nil, false
	}
	return &s.nodes[ni].entries[ei], true
}

// first returns the first (or, when rev, the last) live entry.
func (s *streamValue) first(rev bool) (*streamEntry, bool) {
	var found *streamEntry
	s.each(streamID{}, maxStreamID, rev, func(e *streamEntry) bool {
		found = e
		return false
	})
	return found, found != nil
}

// lastValidID is the last live entry's id, or lastID if none is live
// (streamLastValidID).
func (s *streamValue) lastValidID() streamID {
	if e, ok := s.first(true); ok {
		return e.id
	}
	return s.lastID
}

// delete removes the live entry id (streamDeleteItem): flagged as
// deleted, its node freed when it was the node's last live entry.
func (s *streamValue) delete(id streamID) bool {
	ni, ei, ok := s.find(id)
	if !ok {
		return false
	}
	n := s.nodes[ni]
	if n.live == 1 {
		s.nodes = slices.Delete(s.nodes, ni, ni+1)
	} else {
		n.entries[ei].deleted = true
		n.entries[ei].fields = nil
		n.live--
		n.deleted++
	}
	s.length--
	return true
}

// refreshFirstID sets firstID to the first live entry's id.
func (s *streamValue) refreshFirstID() {
	s.firstID = streamID{}
	if e, ok := s.first(false); ok {
		s.firstID = e.id
	}
}

// lookupStream returns the stream at key, nil if key does not exist, or
// ErrWrongType.
func (db *db) lookupStream(key string) (*streamValue, *node, error) {
	n := db.lookup(key)
	if n == nil {
		return nil, nil, nil
	}
	s, ok := n.obj.(*streamValue)
	if !ok {
		return nil, nil, ErrWrongType
	}
	return s, n, nil
}

// addStream creates an empty stream at key, which must not exist.
func (db *db) addStream(key string) *streamValue {
	s := newStream()
	db.add(newObjectNode(key, s))
	return s
}

// estimateEntriesRead is the logical position of id in the stream, the
// number of entries added up to it, or -1 when tombstones make it
// unknown (streamEstimateDistanceFromFirstEverEntry).
func (s *streamValue) estimateEntriesRead(id streamID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.cmp(s.lastID) < 1 {
		return s.entriesAdded
	}
	switch c := id.cmp(s.lastID); {
	case c == 0:
		return s.entriesAdded
	case c > 0:
		return -1
	}
	cmpFirst := id.cmp(s.firstID)
	if s.maxDeletedID.isZero() || s.maxDeletedID.less(s.firstID) {
		switch {
		case cmpFirst < 0:
			return s.entriesAdded - int64(s.length)
		case cmpFirst == 0:
			return s.entriesAdded - int64(s.length) + 1
		}
	}
	return -1
}

// hasTombstonesFrom reports whether an entry deleted by XDEL may lie at
// or after start (streamRangeHasTombstones with no end).
func (s *streamValue) hasTombstonesFrom(start streamID) bool {
	if s.length == 0 || s.maxDeletedID.isZero() {
		return false
	}
	if s.maxDeletedID.less(s.firstID) {
		return false
	}
	return !s.maxDeletedID.less(start)
}
