package store

import (
	"maps"
	"math"
	"strings"

	"github.com/tidwall/btree"
)

// zsetValue is a sorted set: a counted B-tree of (score, member) pairs,
// ordered by score and then member as Redis orders them, so ranges and
// ranks are O(log n) walks, never a sort; and a map from member to score.
// listpack only names the encoding Redis would use (OBJECT ENCODING): up
// to 128 members of up to 64 bytes, for good once exceeded.
type zsetValue struct {
	tree     *btree.BTreeG[zitem]
	scores   map[string]float64
	listpack bool
}

// zitem is one member of a sorted set.
type zitem struct {
	score  float64
	member string
}

// zless orders a sorted set: by score, then by member bytes (Redis's
// zslInsert; -0 and 0 are equal scores).
func zless(a, b zitem) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.member < b.member
}

// Redis 7.0's zset-max-listpack-entries and -value defaults.
const (
	zsetMaxListpackEntries = 128
	zsetMaxListpackValue   = 64
)

// newZset returns an empty sorted set, in the listpack encoding unless
// listpack is false (Redis creates some results as skiplists outright).
func newZset(listpack bool) *zsetValue {
	return &zsetValue{
		// The keyspace's lock serves the tree too.
		tree:     btree.NewBTreeGOptions(zless, btree.Options{NoLocks: true}),
		scores:   make(map[string]float64),
		listpack: listpack,
	}
}

// fitsListpack reports whether z is small enough for a listpack.
func (z *zsetValue) fitsListpack() bool {
	if z.len() > zsetMaxListpackEntries {
		return false
	}
	for m := range z.scores {
		if len(m) > zsetMaxListpackValue {
			return false
		}
	}
	return true
}

// toListpackIfFits is Redis's zsetConvertToListpackIfNeeded, for results
// built as skiplists.
func (z *zsetValue) toListpackIfFits() {
	if z.listpack || !z.fitsListpack() {
		return
	}
	z.listpack = true
	// A listpack stores -0 as the integer 0.
	if s, ok := z.tree.Min(); ok && s.score <= 0 {
		for m, score := range z.scores {
			if score == 0 && math.Signbit(score) {
				z.set(m, 0)
			}
		}
	}
}

func (z *zsetValue) typeName() string { return "zset" }

func (z *zsetValue) encoding() string {
	if z.listpack {
		return "listpack"
	}
	return "skiplist"
}

func (z *zsetValue) clone() object {
	return &zsetValue{tree: z.tree.Copy(), scores: maps.Clone(z.scores), listpack: z.listpack}
}

func (z *zsetValue) len() int { return len(z.scores) }

func (z *zsetValue) score(member string) (float64, bool) {
	s, ok := z.scores[member]
	return s, ok
}

// set gives member (which may be a view: it is copied when new) the score.
func (z *zsetValue) set(member string, score float64) {
	old, exists := z.scores[member]
	if !exists && (len(z.scores)+1 > zsetMaxListpackEntries || len(member) > zsetMaxListpackValue) {
		z.listpack = false // converted before the new member goes in
	}
	if z.listpack && score == 0 {
		score = 0 // a listpack stores an integral score as an integer: no -0
	}
	if exists {
		if old == score && math.Signbit(old) == math.Signbit(score) {
			return
		}
		z.tree.Delete(zitem{old, member})
		z.tree.Set(zitem{score, member})
		z.scores[member] = score
		return
	}
	member = strings.Clone(member)
	z.tree.Set(zitem{score, member})
	z.scores[member] = score
}

// remove removes member and reports whether it was there.
func (z *zsetValue) remove(member string) bool {
	score, ok := z.scores[member]
	if !ok {
		return false
	}
	z.tree.Delete(zitem{score, member})
	delete(z.scores, member)
	return true
}

// at returns the item of rank i (ascending), 0 <= i < len.
func (z *zsetValue) at(i int) zitem {
	it, _ := z.tree.GetAt(i)
	return it
}

// count returns how many items satisfy below, which must hold for a
// prefix of the order: a binary search over ranks.
func (z *zsetValue) count(below func(zitem) bool) int {
	lo, hi := 0, z.len()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if below(z.at(mid)) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// rank returns member's rank, ascending.
func (z *zsetValue) rank(member string) (int, bool) {
	score, ok := z.scores[member]
	if !ok {
		return 0, false
	}
	item := zitem{score, member}
	return z.count(func(it zitem) bool { return zless(it, item) }), true
}

// each calls fn for the items of ranks from to to, inclusive, ascending
// or, when rev is set, from the end.
func (z *zsetValue) each(from, to int, rev bool, fn func(zitem)) {
	if rev {
		// Ranks counted from the end: from..to is len-1-from down to len-1-to.
		first := z.len() - 1 - from
		n := to - from + 1
		pivot := z.at(first)
		z.tree.Descend(pivot, func(it zitem) bool {
			fn(it)
			n--
			return n > 0
		})
		return
	}
	n := to - from + 1
	z.tree.Ascend(z.at(from), func(it zitem) bool {
		fn(it)
		n--
		return n > 0
	})
}

// scoreRange is a range of scores (Redis's zrangespec).
type scoreRange struct {
	min, max     float64
	minex, maxex bool
}

func (r scoreRange) gteMin(s float64) bool {
	if r.minex {
		return s > r.min
	}
	return s >= r.min
}

func (r scoreRange) lteMax(s float64) bool {
	if r.maxex {
		return s < r.max
	}
	return s <= r.max
}

func (r scoreRange) empty() bool {
	return r.min > r.max || (r.min == r.max && (r.minex || r.maxex))
}

// scoreSpan returns the ranks from..to-1 of the items in r.
func (z *zsetValue) scoreSpan(r scoreRange) (from, to int) {
	if r.empty() {
		return 0, 0
	}
	from = z.count(func(it zitem) bool { return !r.gteMin(it.score) })
	to = z.count(func(it zitem) bool { return r.lteMax(it.score) })
	return from, max(from, to)
}

// lexBound is one end of a lex range: a member, exclusive or not, or the
// "-" and "+" infinities (inf -1 and +1).
type lexBound struct {
	s   string
	ex  bool
	inf int
}

// lexCompare is Redis's sdscmplex of a member against a bound.
func lexCompare(member string, b lexBound) int {
	if b.inf != 0 {
		return -b.inf
	}
	return strings.Compare(member, b.s)
}

// lexRange is a range of members (Redis's zlexrangespec).
type lexRange struct{ min, max lexBound }

func (r lexRange) gteMin(m string) bool {
	c := lexCompare(m, r.min)
	return c > 0 || c == 0 && !r.min.ex
}

func (r lexRange) lteMax(m string) bool {
	c := lexCompare(m, r.max)
	return c < 0 || c == 0 && !r.max.ex
}

// empty is Redis's test for ranges that are always empty.
func (r lexRange) empty() bool {
	var c int
	switch {
	case r.min.inf != 0 && r.min.inf == r.max.inf:
		c = 0
	case r.min.inf == -1 || r.max.inf == 1:
		c = -1
	case r.min.inf == 1 || r.max.inf == -1:
		c = 1
	default:
		c = strings.Compare(r.min.s, r.max.s)
	}
	return c > 0 || (c == 0 && (r.min.ex || r.max.ex))
}

// lexSpan returns the ranks from..to-1 of the items in r, walking as
// Redis's listpack code walks: from the lowest rank whose member is in
// range up to the first one past the maximum. Lex ranges mean something
// only when all scores are equal, where this is a binary search; with
// mixed scores Redis's own answer depends on its encoding, and this one
// is its listpack's.
func (z *zsetValue) lexSpan(r lexRange) (from, to int) {
	n := z.len()
	if r.empty() || n == 0 || !r.gteMin(z.at(n-1).member) || !r.lteMax(z.at(0).member) {
		return 0, 0
	}
	if z.at(0).score == z.at(n-1).score {
		from = z.count(func(it zitem) bool { return !r.gteMin(it.member) })
		to = z.count(func(it zitem) bool { return r.lteMax(it.member) })
		return from, max(from, to)
	}
	from = -1
	to = n
	i := 0
	z.tree.Scan(func(it zitem) bool {
		if from < 0 {
			if r.gteMin(it.member) {
				from = i
			}
		}
		if from >= 0 && !r.lteMax(it.member) {
			to = i
			return false
		}
		i++
		return true
	})
	if from < 0 {
		return 0, 0
	}
	return from, to
}

// lexSpanRev is lexSpan walking from the end, as ZREVRANGEBYLEX does: the
// highest rank in range, down to the first one below the minimum.
func (z *zsetValue) lexSpanRev(r lexRange) (from, to int) {
	n := z.len()
	if z.len() == 0 || z.at(0).score == z.at(n-1).score {
		return z.lexSpan(r)
	}
	if r.empty() || !r.gteMin(z.at(n-1).member) || !r.lteMax(z.at(0).member) {
		return 0, 0
	}
	to = -1
	from = 0
	i := n - 1
	z.tree.Reverse(func(it zitem) bool {
		if to < 0 {
			if r.lteMax(it.member) {
				to = i + 1
			}
		}
		if to >= 0 && !r.gteMin(it.member) {
			from = i + 1
			return false
		}
		i--
		return true
	})
	if to < 0 {
		return 0, 0
	}
	return from, to
}

// lookupZset returns the sorted set at key, nil if key does not exist, or
// ErrWrongType.
func (db *db) lookupZset(key string) (*zsetValue, *node, error) {
	n := db.lookup(key)
	if n == nil {
		return nil, nil, nil
	}
	z, ok := n.obj.(*zsetValue)
	if !ok {
		return nil, nil, ErrWrongType
	}
	return z, n, nil
}
