package store

import (
	"math"
	"strconv"
)

// The per-type functions of aofDumpers (aof_rewrite.go): each writes the
// commands that rebuild one value, aofItemsPerCommand elements a command,
// in the value's own order so that replay keeps it (a small hash's field
// order, a list's order).

// chunked emits name key e1 e2 ... in commands of at most
// aofItemsPerCommand elements; each element is width arguments.
func chunked(name string, key []byte, width int, each func(add func(args ...string)), emit func(args ...[]byte)) {
	args := [][]byte{[]byte(name), key}
	items := 0
	each(func(elem ...string) {
		for _, e := range elem[:width] {
			args = append(args, []byte(e))
		}
		if items++; items == aofItemsPerCommand {
			emit(args...)
			args, items = args[:2], 0
		}
	})
	if items > 0 {
		emit(args...)
	}
}

func dumpHash(key []byte, obj object, emit func(args ...[]byte)) {
	h := obj.(*hashValue)
	chunked("HSET", key, 2, func(add func(...string)) {
		h.each(func(f, v string) { add(f, v) })
	}, emit)
}

func dumpList(key []byte, obj object, emit func(args ...[]byte)) {
	l := obj.(*listValue)
	chunked("RPUSH", key, 1, func(add func(...string)) {
		for i := range l.len() {
			add(l.at(i))
		}
	}, emit)
}

func dumpSet(key []byte, obj object, emit func(args ...[]byte)) {
	s := obj.(*setValue)
	chunked("SADD", key, 1, func(add func(...string)) {
		s.each(func(m string) { add(m) })
	}, emit)
}

func dumpZset(key []byte, obj object, emit func(args ...[]byte)) {
	z := obj.(*zsetValue)
	chunked("ZADD", key, 2, func(add func(...string)) {
		z.each(0, z.len()-1, false, func(it zitem) { add(formatScore(it.score), it.member) })
	}, emit)
}

// formatScore writes a score so that ZADD parses it back to the same
// float64: the shortest representation that round-trips.
func formatScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
