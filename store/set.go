package store

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// setValue is a set. While every member is an integer and there are at
// most 512 of them it is a sorted slice of int64, as Redis's intset, so
// SMEMBERS answers such sets in the same (ascending) order as Redis.
// Otherwise it is a slice of members with a map from member to position:
// O(1) membership, and O(1) random picks and removals for SPOP and
// SRANDMEMBER. Like Redis, it never goes back to an intset.
type setValue struct {
	ints    []int64        // the intset encoding, while index is nil
	members []string       // the hashtable encoding
	index   map[string]int // member -> position in members
}

// setMaxIntsetEntries is Redis 7.0's set-max-intset-entries default.
const setMaxIntsetEntries = 512

// newSetFor returns an empty set encoded as Redis's setTypeCreate would for
// a set whose first member is first.
func newSetFor(first string) *setValue {
	s := &setValue{}
	if _, ok := parseInt(first); !ok {
		s.convert()
	}
	return s
}

func (s *setValue) typeName() string { return "set" }

func (s *setValue) encoding() string {
	if s.index == nil {
		return "intset"
	}
	return "hashtable"
}

func (s *setValue) isIntset() bool { return s.index == nil }

func (s *setValue) clone() object {
	c := &setValue{ints: slices.Clone(s.ints)}
	if s.index != nil {
		c.members = slices.Clone(s.members)
		c.index = make(map[string]int, len(s.index))
		for i, m := range c.members {
			c.index[m] = i
		}
	}
	return c
}

func (s *setValue) len() int {
	if s.index == nil {
		return len(s.ints)
	}
	return len(s.members)
}

// convert moves an intset to the hashtable encoding.
func (s *setValue) convert() {
	s.members = make([]string, 0, len(s.ints))
	s.index = make(map[string]int, len(s.ints))
	for _, v := range s.ints {
		m := formatInt(v)
		s.index[m] = len(s.members)
		s.members = append(s.members, m)
	}
	s.ints = nil
}

func (s *setValue) contains(member string) bool {
	if s.index == nil {
		v, ok := parseInt(member)
		if !ok {
			return false
		}
		_, found := slices.BinarySearch(s.ints, v)
		return found
	}
	_, ok := s.index[member]
	return ok
}

// add adds member (which may be a view: it is copied) and reports whether
// it is new.
func (s *setValue) add(member string) bool {
	if s.index == nil {
		v, ok := parseInt(member)
		if !ok {
			s.convert()
			return s.add(member)
		}
		i, found := slices.BinarySearch(s.ints, v)
		if found {
			return false
		}
		s.ints = slices.Insert(s.ints, i, v)
		if len(s.ints) > setMaxIntsetEntries {
			s.convert()
		}
		return true
	}
	if _, ok := s.index[member]; ok {
		return false
	}
	member = strings.Clone(member)
	s.index[member] = len(s.members)
	s.members = append(s.members, member)
	return true
}

// remove removes member and reports whether it was there.
func (s *setValue) remove(member string) bool {
	if s.index == nil {
		v, ok := parseInt(member)
		if !ok {
			return false
		}
		i, found := slices.BinarySearch(s.ints, v)
		if found {
			s.ints = slices.Delete(s.ints, i, i+1)
		}
		return found
	}
	i, ok := s.index[member]
	if !ok {
		return false
	}
	s.removeAt(i)
	return true
}

// removeAt removes the member at position i of the hashtable encoding,
// moving the last one into its place.
func (s *setValue) removeAt(i int) {
	last := len(s.members) - 1
	delete(s.index, s.members[i])
	if i != last {
		s.members[i] = s.members[last]
		s.index[s.members[i]] = i
	}
	s.members[last] = ""
	s.members = s.members[:last]
}

// at returns the member at position i, 0 <= i < len.
func (s *setValue) at(i int) string {
	if s.index == nil {
		return formatInt(s.ints[i])
	}
	return s.members[i]
}

// random returns a member chosen at random; s is not empty.
func (s *setValue) random() string { return s.at(rand.IntN(s.len())) }

// pop removes and returns a member chosen at random; s is not empty.
func (s *setValue) pop() string {
	i := rand.IntN(s.len())
	m := s.at(i)
	if s.index == nil {
		s.ints = slices.Delete(s.ints, i, i+1)
	} else {
		s.removeAt(i)
	}
	return m
}

// each calls fn for every member, in the set's order.
func (s *setValue) each(fn func(member string)) {
	for i := range s.len() {
		fn(s.at(i))
	}
}

// lookupSet returns the set at key, nil if key does not exist, or
// ErrWrongType.
func (db *db) lookupSet(key string) (*setValue, *node, error) {
	n := db.lookup(key)
	if n == nil {
		return nil, nil, nil
	}
	s, ok := n.obj.(*setValue)
	if !ok {
		return nil, nil, ErrWrongType
	}
	return s, n, nil
}

// putObject makes key hold obj, replacing whatever it held and its TTL
// (Redis's setKey for the STORE commands).
func (db *db) putObject(key string, obj object) {
	n := newObjectNode(key, obj)
	if old := db.lookup(key); old != nil {
		db.replace(old, n) // an overwrite, as Redis's setKey: no "new" event
		return
	}
	db.add(n)
}
