package store

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
)

// dict is the keyspace's hash table, a port of the shape of Redis's dict.c:
// chained buckets in a power-of-two array, grown and shrunk by incremental
// rehashing into a second table, a bucket per operation, so no command pays
// for moving every key at once.
//
// It exists instead of a Go map for SCAN. Its cursor is a bucket index
// incremented in reverse-binary order (see scan): the high bits of the
// index are walked first, so when the table doubles or halves between two
// calls the buckets already visited map onto buckets the cursor will not
// visit again, and those not yet visited onto buckets it will. A key present
// for the whole scan is therefore returned at least once, whatever resizes
// happen in between; it may be returned twice, as with Redis.
type dict struct {
	seed      maphash.Seed
	tables    [2][]*node
	used      [2]int
	rehashIdx int // next bucket of tables[0] to move; -1 when not rehashing
}

const dictMinSize = 4

func (d *dict) init() {
	d.seed = maphash.MakeSeed()
	d.clear()
}

// clear drops every node.
func (d *dict) clear() {
	d.tables = [2][]*node{}
	d.used = [2]int{}
	d.rehashIdx = -1
}

func (d *dict) len() int { return d.used[0] + d.used[1] }

func (d *dict) rehashing() bool { return d.rehashIdx >= 0 }

func (d *dict) hash(key string) uint64 { return maphash.String(d.seed, key) }

// find returns the node of key, or nil.
func (d *dict) find(key string) *node {
	if d.len() == 0 {
		return nil
	}
	d.rehashStep()
	h := d.hash(key)
	for t := range 2 {
		tab := d.tables[t]
		for n := tab[h&uint64(len(tab)-1)]; n != nil; n = n.next {
			if n.key() == key {
				return n
			}
		}
		if !d.rehashing() {
			break
		}
	}
	return nil
}

// add links n, whose key must not be present.
func (d *dict) add(n *node) {
	d.rehashStep()
	d.expandIfNeeded()
	t := 0
	if d.rehashing() {
		t = 1
	}
	tab := d.tables[t]
	i := d.hash(n.key()) & uint64(len(tab)-1)
	n.next = tab[i]
	tab[i] = n
	d.used[t]++
}

// remove unlinks n, which must be present.
func (d *dict) remove(n *node) {
	d.rehashStep()
	h := d.hash(n.key())
	for t := range 2 {
		tab := d.tables[t]
		if tab == nil {
			break
		}
		for p := &tab[h&uint64(len(tab)-1)]; *p != nil; p = &(*p).next {
			if *p == n {
				*p = n.next
				n.next = nil
				d.used[t]--
				return
			}
		}
	}
	panic("store: removing a node that is not in the dict")
}

// replace puts n in the place of old, which must be present with the same
// key, keeping its bucket.
func (d *dict) replace(old, n *node) {
	h := d.hash(old.key())
	for t := range 2 {
		tab := d.tables[t]
		if tab == nil {
			break
		}
		for p := &tab[h&uint64(len(tab)-1)]; *p != nil; p = &(*p).next {
			if *p == old {
				n.next = old.next
				*p = n
				old.next = nil
				return
			}
		}
	}
	panic("store: replacing a node that is not in the dict")
}

// expandIfNeeded starts growing the table once it holds as many nodes as
// buckets (Redis's load factor 1).
func (d *dict) expandIfNeeded() {
	if d.rehashing() {
		return
	}
	if d.tables[0] == nil {
		d.tables[0] = make([]*node, dictMinSize)
		return
	}
	if d.used[0] >= len(d.tables[0]) {
		d.resize(d.used[0] + 1)
	}
}

// shrinkIfNeeded starts shrinking a table less than 10% full, as Redis's
// cron does (htNeedsResize).
func (d *dict) shrinkIfNeeded() {
	if d.rehashing() || len(d.tables[0]) <= dictMinSize || d.used[0]*10 >= len(d.tables[0]) {
		return
	}
	d.resize(d.used[0])
}

// resize starts rehashing into a table of the smallest power of two that
// holds size nodes.
func (d *dict) resize(size int) {
	n := dictMinSize
	for n < size {
		n *= 2
	}
	if n == len(d.tables[0]) {
		return
	}
	d.tables[1] = make([]*node, n)
	d.rehashIdx = 0
}

// rehashStep moves one bucket, as Redis does on every lookup and insert.
func (d *dict) rehashStep() {
	if d.rehashing() {
		d.rehash(1)
	}
}

// rehash moves up to n buckets of tables[0] into tables[1], visiting at
// most 10n empty buckets, and reports whether buckets remain to move.
func (d *dict) rehash(n int) bool {
	if !d.rehashing() {
		return false
	}
	empty := n * 10
	t0, t1 := d.tables[0], d.tables[1]
	mask := uint64(len(t1) - 1)
	for ; n > 0 && d.used[0] != 0; n-- {
		for t0[d.rehashIdx] == nil {
			d.rehashIdx++
			if empty--; empty == 0 {
				return true
			}
		}
		for e := t0[d.rehashIdx]; e != nil; {
			next := e.next
			i := d.hash(e.key()) & mask
			e.next = t1[i]
			t1[i] = e
			d.used[0]--
			d.used[1]++
			e = next
		}
		t0[d.rehashIdx] = nil
		d.rehashIdx++
	}
	if d.used[0] == 0 {
		d.tables[0], d.used[0] = t1, d.used[1]
		d.tables[1], d.used[1] = nil, 0
		d.rehashIdx = -1
		return false
	}
	return true
}

// each calls fn for every node until fn returns false. fn must not change
// the dict.
func (d *dict) each(fn func(*node) bool) {
	for _, tab := range d.tables {
		for _, n := range tab {
			for ; n != nil; n = n.next {
				if !fn(n) {
					return
				}
			}
		}
	}
}

// scan calls fn for the nodes of the bucket(s) at cursor and returns the
// next cursor, 0 when the walk is complete. It is Redis's dictScan: while
// rehashing, the bucket of the smaller table is emitted together with every
// bucket of the larger one that it expands to.
func (d *dict) scan(cursor uint64, fn func(*node)) uint64 {
	if d.len() == 0 {
		return 0
	}
	emit := func(n *node) {
		for ; n != nil; n = n.next {
			fn(n)
		}
	}
	v := cursor
	if !d.rehashing() {
		t0 := d.tables[0]
		m0 := uint64(len(t0) - 1)
		emit(t0[v&m0])
		v |= ^m0
		return bits.Reverse64(bits.Reverse64(v) + 1)
	}
	small, large := d.tables[0], d.tables[1]
	if len(small) > len(large) {
		small, large = large, small
	}
	m0, m1 := uint64(len(small)-1), uint64(len(large)-1)
	emit(small[v&m0])
	for {
		emit(large[v&m1])
		v |= ^m1
		v = bits.Reverse64(bits.Reverse64(v) + 1)
		if v&(m0^m1) == 0 {
			return v
		}
	}
}

// random returns a node chosen at random (uniform over buckets, then over
// the bucket's chain, as Redis's dictGetRandomKey), or nil when empty.
func (d *dict) random() *node {
	if d.len() == 0 {
		return nil
	}
	d.rehashStep()
	var head *node
	if d.rehashing() {
		t0, t1 := d.tables[0], d.tables[1]
		// Buckets of tables[0] below rehashIdx are empty: skip them.
		for head == nil {
			i := d.rehashIdx + rand.IntN(len(t0)+len(t1)-d.rehashIdx)
			if i >= len(t0) {
				head = t1[i-len(t0)]
			} else {
				head = t0[i]
			}
		}
	} else {
		t0 := d.tables[0]
		for head == nil {
			head = t0[rand.IntN(len(t0))]
		}
	}
	chain := 0
	for n := head; n != nil; n = n.next {
		chain++
	}
	n := head
	for i := rand.IntN(chain); i > 0; i-- {
		n = n.next
	}
	return n
}
