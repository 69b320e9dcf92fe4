package store

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
)

// hashValue is a hash. Up to Redis's listpack limits it keeps its fields in
// insertion order in one flat slice, as Redis's listpack encoding does, so
// HGETALL, HKEYS and HSCAN answer small hashes in the order Redis does, and
// a small hash costs little more than its strings. Past the limits it moves
// to a map, for good, as Redis moves to a hashtable.
type hashValue struct {
	pairs []string          // field, value, field, value, ... while small
	m     map[string]string // once large; pairs is nil then
}

// Redis 7.0's defaults for hash-max-listpack-entries and -value.
const (
	hashMaxListpackEntries = 128
	hashMaxListpackValue   = 64
)

func (h *hashValue) typeName() string { return "hash" }

func (h *hashValue) encoding() string {
	if h.m != nil {
		return "hashtable"
	}
	return "listpack"
}

func (h *hashValue) clone() object {
	c := &hashValue{pairs: slices.Clone(h.pairs)}
	if h.m != nil {
		c.m = maps.Clone(h.m)
	}
	return c
}

func (h *hashValue) len() int {
	if h.m != nil {
		return len(h.m)
	}
	return len(h.pairs) / 2
}

// index returns the position of field's name in pairs, or -1.
func (h *hashValue) index(field string) int {
	for i := 0; i < len(h.pairs); i += 2 {
		if h.pairs[i] == field {
			return i
		}
	}
	return -1
}

func (h *hashValue) get(field string) (string, bool) {
	if h.m != nil {
		v, ok := h.m[field]
		return v, ok
	}
	if i := h.index(field); i >= 0 {
		return h.pairs[i+1], true
	}
	return "", false
}

// set sets field (which may be a view: it is copied) to value (which
// must be the hash's own) and reports
// whether the field is new.
func (h *hashValue) set(field string, value string) bool {
	if h.m != nil {
		_, exists := h.m[field]
		h.m[strings.Clone(field)] = value
		return !exists
	}
	// A field or value too long for a listpack converts the hash first
	// (Redis's hashTypeSet; HSET's hashTypeTryConversion has the same
	// effect).
	if len(field) > hashMaxListpackValue || len(value) > hashMaxListpackValue {
		h.convert()
		return h.set(field, value)
	}
	if i := h.index(field); i >= 0 {
		h.pairs[i+1] = value
		return false
	}
	h.pairs = append(h.pairs, strings.Clone(field), value)
	if h.len() > hashMaxListpackEntries {
		h.convert()
	}
	return true
}

// del removes field and reports whether it was there.
func (h *hashValue) del(field string) bool {
	if h.m != nil {
		_, ok := h.m[field]
		delete(h.m, field)
		return ok
	}
	i := h.index(field)
	if i < 0 {
		return false
	}
	h.pairs = slices.Delete(h.pairs, i, i+2)
	return true
}

func (h *hashValue) convert() {
	h.m = make(map[string]string, len(h.pairs)/2)
	for i := 0; i < len(h.pairs); i += 2 {
		h.m[h.pairs[i]] = h.pairs[i+1]
	}
	h.pairs = nil
}

// each calls fn for every field in the hash's order.
func (h *hashValue) each(fn func(field, value string)) {
	if h.m != nil {
		for f, v := range h.m {
			fn(f, v)
		}
		return
	}
	for i := 0; i < len(h.pairs); i += 2 {
		fn(h.pairs[i], h.pairs[i+1])
	}
}

// toMap copies the hash into a map.
func (h *hashValue) toMap() map[string]string {
	m := make(map[string]string, h.len())
	h.each(func(f, v string) { m[f] = v })
	return m
}

// lookupHash returns the hash at key, nil if key does not exist, or
// ErrWrongType.
func (db *db) lookupHash(key string) (*hashValue, *node, error) {
	n := db.lookup(key)
	if n == nil {
		return nil, nil, nil
	}
	h, ok := n.obj.(*hashValue)
	if !ok {
		return nil, nil, ErrWrongType
	}
	return h, n, nil
}

// hashForWrite returns the hash at key, creating an empty one when key does
// not exist, or ErrWrongType. An empty hash must not outlive the command.
func (db *db) hashForWrite(key string) (*hashValue, *node, error) {
	h, n, err := db.lookupHash(key)
	if err != nil || h != nil {
		return h, n, err
	}
	h = &hashValue{}
	n = newObjectNode(key, h)
	db.add(n)
	return h, n, nil
}

// randomField returns a field and its value chosen at random; h is not
// empty.
func (h *hashValue) randomField() (string, string) {
	if h.m == nil {
		i := rand.IntN(len(h.pairs)/2) * 2
		return h.pairs[i], h.pairs[i+1]
	}
	// A Go map has no random access; ranging from its random start to a
	// random depth is uniform enough for HRANDFIELD.
	skip := rand.IntN(len(h.m))
	for f, v := range h.m {
		if skip == 0 {
			return f, v
		}
		skip--
	}
	panic("unreachable")
}
