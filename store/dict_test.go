package store

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func newDict() *dict {
	d := &dict{}
	d.init()
	return d
}

// TestDictAgainstMap runs random adds, finds and removes, with resizes in
// between, against a Go map.
func TestDictAgainstMap(t *testing.T) {
	d := newDict()
	model := map[string]*node{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200_000 {
		key := "k" + strconv.Itoa(rng.IntN(5000))
		switch op := rng.IntN(10); {
		case op < 5:
			if model[key] == nil {
				n := newStringNode(key, []byte("v"))
				d.add(n)
				model[key] = n
			}
		case op < 8:
			if n := model[key]; n != nil {
				d.remove(n)
				delete(model, key)
			}
		default:
			d.shrinkIfNeeded()
		}
		if got := d.find(key); got != model[key] {
			t.Fatalf("op %d: find(%q) = %p, want %p", i, key, got, model[key])
		}
		if d.len() != len(model) {
			t.Fatalf("op %d: len %d, want %d", i, d.len(), len(model))
		}
	}
	count := 0
	d.each(func(n *node) bool {
		if model[n.key()] != n {
			t.Fatalf("each: stray node %q", n.key())
		}
		count++
		return true
	})
	if count != len(model) {
		t.Fatalf("each visited %d, want %d", count, len(model))
	}
}

func TestDictGrowsAndShrinks(t *testing.T) {
	d := newDict()
	var nodes []*node
	for i := range 1000 {
		n := newStringNode(strconv.Itoa(i), nil)
		d.add(n)
		nodes = append(nodes, n)
	}
	for d.rehash(100) {
	}
	if len(d.tables[0]) != 1024 {
		t.Errorf("1000 keys in %d buckets, want 1024", len(d.tables[0]))
	}
	for _, n := range nodes[10:] {
		d.remove(n)
	}
	d.shrinkIfNeeded()
	for d.rehash(100) {
	}
	if len(d.tables[0]) != 16 {
		t.Errorf("10 keys in %d buckets after shrinking, want 16", len(d.tables[0]))
	}
	for _, n := range nodes[:10] {
		if d.find(n.key()) != n {
			t.Errorf("lost %q", n.key())
		}
	}
}

// TestDictScanAcrossResizes checks the reverse-binary cursor: every key
// present for the whole walk is emitted while the table grows, then
// shrinks, between calls, including mid-rehash.
func TestDictScanAcrossResizes(t *testing.T) {
	for _, grow := range []bool{true, false} {
		d := newDict()
		for i := range 100 {
			d.add(newStringNode("stay"+strconv.Itoa(i), nil))
		}
		var extra []*node
		if !grow {
			for i := range 5000 {
				n := newStringNode("tmp"+strconv.Itoa(i), nil)
				d.add(n)
				extra = append(extra, n)
			}
		}
		seen := map[string]bool{}
		var cursor uint64
		for step := 0; ; step++ {
			cursor = d.scan(cursor, func(n *node) { seen[n.key()] = true })
			if cursor == 0 {
				break
			}
			if step > 100_000 {
				t.Fatal("the scan does not end")
			}
			if grow && step < 50 {
				for j := range 40 {
					d.add(newStringNode("tmp"+strconv.Itoa(step*40+j), nil))
				}
			} else if len(extra) > 0 {
				for _, n := range extra[:min(200, len(extra))] {
					d.remove(n)
				}
				extra = extra[min(200, len(extra)):]
				d.shrinkIfNeeded()
			}
		}
		for i := range 100 {
			if !seen["stay"+strconv.Itoa(i)] {
				t.Errorf("grow=%v: stay%d missed", grow, i)
			}
		}
	}
}

func TestDictRandom(t *testing.T) {
	d := newDict()
	if d.random() != nil {
		t.Fatal("random of an empty dict")
	}
	for i := range 50 {
		d.add(newStringNode(strconv.Itoa(i), nil))
	}
	seen := map[string]bool{}
	for range 5000 {
		seen[d.random().key()] = true
	}
	if len(seen) != 50 {
		t.Errorf("random reached %d of 50 keys", len(seen))
	}
}
