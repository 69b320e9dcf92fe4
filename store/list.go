package store

import "slices"

// listValue is a list: a ring buffer of strings, so pushing and popping at
// either end is O(1) amortized and indexing is O(1); inserting and removing
// in the middle move elements, O(n) as in Redis's quicklist.
type listValue struct {
	buf  []string // capacity a power of two, or nil
	head int      // buf index of the first element
	n    int
}

func (l *listValue) typeName() string { return "list" }

// encoding: Redis 7.0 holds every list in a quicklist.
func (l *listValue) encoding() string { return "quicklist" }

func (l *listValue) clone() object {
	c := &listValue{}
	c.setAll(l.toSlice())
	return c
}

func (l *listValue) len() int { return l.n }

func (l *listValue) slot(i int) int { return (l.head + i) & (len(l.buf) - 1) }

// at returns element i, 0 <= i < len.
func (l *listValue) at(i int) string { return l.buf[l.slot(i)] }

func (l *listValue) setAt(i int, v string) { l.buf[l.slot(i)] = v }

// resize moves the elements to a buffer of size (a power of two) in order.
func (l *listValue) resize(size int) {
	buf := make([]string, size)
	l.copyTo(buf)
	l.buf, l.head = buf, 0
}

// copyTo copies the elements in order to dst, which holds at least len.
func (l *listValue) copyTo(dst []string) {
	if l.n == 0 {
		return
	}
	if end := l.head + l.n; end <= len(l.buf) {
		copy(dst, l.buf[l.head:end])
	} else {
		k := copy(dst, l.buf[l.head:])
		copy(dst[k:], l.buf[:end-len(l.buf)])
	}
}

func (l *listValue) grow() {
	if l.n == len(l.buf) {
		l.resize(max(4, 2*len(l.buf)))
	}
}

// shrink gives memory back once the list uses a quarter of its buffer.
func (l *listValue) shrink() {
	if len(l.buf) > 64 && l.n < len(l.buf)/4 {
		l.resize(len(l.buf) / 2)
	}
}

func (l *listValue) pushFront(v string) {
	l.grow()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	l.buf[l.head] = v
	l.n++
}

func (l *listValue) pushBack(v string) {
	l.grow()
	l.buf[l.slot(l.n)] = v
	l.n++
}

// push adds v at the head (left) or the tail.
func (l *listValue) push(v string, left bool) {
	if left {
		l.pushFront(v)
	} else {
		l.pushBack(v)
	}
}

// pop removes and returns the element at the head (left) or the tail; the
// list is not empty.
func (l *listValue) pop(left bool) string {
	var i int
	if left {
		i = l.head
		l.head = l.slot(1)
	} else {
		i = l.slot(l.n - 1)
	}
	v := l.buf[i]
	l.buf[i] = ""
	l.n--
	l.shrink()
	return v
}

// insertAt inserts v before element i (at the end when i == len).
func (l *listValue) insertAt(i int, v string) {
	l.grow()
	if i < l.n/2 {
		// Shift the front part one step left.
		l.head = (l.head - 1) & (len(l.buf) - 1)
		l.n++
		for j := 0; j < i; j++ {
			l.setAt(j, l.at(j+1))
		}
	} else {
		l.n++
		for j := l.n - 1; j > i; j-- {
			l.setAt(j, l.at(j-1))
		}
	}
	l.setAt(i, v)
}

// keep keeps the elements for which keep returns true, in order.
func (l *listValue) keep(keep func(i int, v string) bool) {
	out := make([]string, 0, l.n)
	for i := range l.n {
		if v := l.at(i); keep(i, v) {
			out = append(out, v)
		}
	}
	l.setAll(out)
}

// trim keeps elements start to stop inclusive; start > stop empties it.
func (l *listValue) trim(start, stop int) {
	if start > stop {
		l.setAll(nil)
		return
	}
	out := make([]string, stop-start+1)
	for i := range out {
		out[i] = l.at(start + i)
	}
	l.setAll(out)
}

// setAll makes the list hold vs, which it takes.
func (l *listValue) setAll(vs []string) {
	size := 4
	for size < len(vs) {
		size *= 2
	}
	vs = slices.Grow(vs, size-len(vs))
	l.buf, l.head, l.n = vs[:size], 0, len(vs)
}

// toSlice copies the elements in order.
func (l *listValue) toSlice() []string {
	out := make([]string, l.n)
	l.copyTo(out)
	return out
}

// lookupList returns the list at key, nil if key does not exist, or
// ErrWrongType.
func (db *db) lookupList(key string) (*listValue, *node, error) {
	n := db.lookup(key)
	if n == nil {
		return nil, nil, nil
	}
	l, ok := n.obj.(*listValue)
	if !ok {
		return nil, nil, ErrWrongType
	}
	return l, n, nil
}

// listForWrite returns the list at key, creating an empty one when key does
// not exist, or ErrWrongType. An empty list must not outlive the command.
func (db *db) listForWrite(key string) (*listValue, *node, error) {
	l, n, err := db.lookupList(key)
	if err != nil || l != nil {
		return l, n, err
	}
	l = &listValue{}
	n = newObjectNode(key, l)
	db.add(n)
	return l, n, nil
}
