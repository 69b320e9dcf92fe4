package store

// trimStrategy is how XADD and XTRIM trim.
type trimStrategy uint8

const (
	trimNone trimStrategy = iota
	trimMaxlen
	trimMinid
)

// trimArgs are XADD's and XTRIM's trimming options.
type trimArgs struct {
	strategy trimStrategy
	maxlen   int64
	minid    streamID
	approx   bool
	// limit bounds the entries removed, 0 for no bound.
	limit int64
}

// trim removes entries from the head as a says (Redis's streamTrim) and
// returns how many. An approximate trim removes whole nodes only.
func (s *streamValue) trim(a trimArgs) int64 {
	if a.strategy == trimNone {
		return 0
	}
	var deleted int64
	for len(s.nodes) > 0 {
		if a.strategy == trimMaxlen && int64(s.length) <= a.maxlen {
			break
		}
		n := s.nodes[0]
		entries := int64(n.live)
		if a.limit != 0 && deleted+entries > a.limit {
			break
		}
		var removeNode bool
		if a.strategy == trimMaxlen {
			removeNode = int64(s.length)-entries >= a.maxlen
		} else {
			// The last entry of a node may be a tombstone: Redis reads
			// the node's last id whatever its flag.
			removeNode = n.entries[len(n.entries)-1].id.less(a.minid)
		}
		if removeNode {
			s.nodes = s.nodes[1:]
			s.length -= n.live
			deleted += entries
			continue
		}
		if a.approx {
			break
		}
		for i := range n.entries {
			e := &n.entries[i]
			if a.strategy == trimMaxlen && int64(s.length) <= a.maxlen {
				break
			}
			if a.strategy == trimMinid && !e.id.less(a.minid) {
				break
			}
			if !e.deleted {
				e.deleted = true
				e.fields = nil
				n.live--
				n.deleted++
				s.length--
				deleted++
			}
		}
		break
	}
	if s.length == 0 {
		s.firstID = streamID{}
	} else {
		s.refreshFirstID()
	}
	return deleted
}
