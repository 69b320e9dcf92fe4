package store

import (
	"math"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"lpush", -3, "write denyoom fast", 1, 1, 1, cmdLpush},
		cmd{"rpush", -3, "write denyoom fast", 1, 1, 1, cmdRpush},
		cmd{"lpushx", -3, "write denyoom fast", 1, 1, 1, cmdLpushx},
		cmd{"rpushx", -3, "write denyoom fast", 1, 1, 1, cmdRpushx},
		cmd{"lpop", -2, "write fast", 1, 1, 1, cmdLpop},
		cmd{"rpop", -2, "write fast", 1, 1, 1, cmdRpop},
		cmd{"llen", 2, "readonly fast", 1, 1, 1, cmdLlen},
		cmd{"lrange", 4, "readonly", 1, 1, 1, cmdLrange},
		cmd{"lindex", 3, "readonly", 1, 1, 1, cmdLindex},
		cmd{"lset", 4, "write denyoom", 1, 1, 1, cmdLset},
		cmd{"linsert", 5, "write denyoom", 1, 1, 1, cmdLinsert},
		cmd{"lrem", 4, "write", 1, 1, 1, cmdLrem},
		cmd{"ltrim", 4, "write", 1, 1, 1, cmdLtrim},
		cmd{"lpos", -3, "readonly", 1, 1, 1, cmdLpos},
		cmd{"lmove", 5, "write denyoom", 1, 2, 1, cmdLmove},
		cmd{"rpoplpush", 3, "write denyoom", 1, 2, 1, cmdRpoplpush},
	)
}

// LPUSH key element [element ...]
func cmdLpush(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return pushGeneric(ks, argv, true, false)
}

// RPUSH key element [element ...]
func cmdRpush(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return pushGeneric(ks, argv, false, false)
}

// LPUSHX key element [element ...]
func cmdLpushx(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return pushGeneric(ks, argv, true, true)
}

// RPUSHX key element [element ...]
func cmdRpushx(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return pushGeneric(ks, argv, false, true)
}

// pushGeneric pushes argv[2:] one by one at the head (left) or the tail,
// creating the list unless onlyExisting is set; it answers the length.
func pushGeneric(ks *Keyspace, argv [][]byte, left, onlyExisting bool) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	key := bstr(argv[1])
	l, _, err := db.lookupList(key)
	if err != nil {
		return resp.Value{}, err
	}
	if l == nil {
		if onlyExisting {
			return resp.Zero, nil
		}
		l, _, _ = db.listForWrite(key)
	}
	for _, e := range argv[2:] {
		l.push(string(e), left)
	}
	db.notify(ClassList, pushEvent(left), key)
	return resp.Int(int64(l.len())), nil
}

// LPOP key [count]
func cmdLpop(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return popGeneric(ks, argv, true, "lpop")
}

// RPOP key [count]
func cmdRpop(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return popGeneric(ks, argv, false, "rpop")
}

// argPositive parses a count that must not be negative, as Redis's
// getPositiveLongFromObjectOrReply: msg is the error for both a negative
// number and a non-number.
func argPositive(b []byte, msg Error) (int64, error) {
	n, err := argInt(b)
	if err != nil || n < 0 {
		return 0, msg
	}
	return n, nil
}

// popGeneric pops one element (a bulk reply) or, with a count, up to count
// of them (an array); the list goes with its last element.
func popGeneric(ks *Keyspace, argv [][]byte, left bool, name string) (resp.Value, error) {
	if len(argv) > 3 {
		return resp.Value{}, errArity(name)
	}
	hasCount := len(argv) == 3
	var count int64
	if hasCount {
		var err error
		if count, err = argPositive(argv[2], ErrMustBePositive); err != nil {
			return resp.Value{}, err
		}
	}
	db := ks.lock()
	defer ks.unlock()
	l, n, err := db.lookupList(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	if l == nil {
		if hasCount {
			return resp.NullArray, nil
		}
		return resp.Null, nil
	}
	if !hasCount {
		v := l.pop(left)
		db.notify(ClassList, popEvent(left), n.key())
		db.removeIfEmpty(n)
		return resp.Bulk(v), nil
	}
	out := make([]resp.Value, min(count, int64(l.len())))
	for i := range out {
		out[i] = resp.Bulk(l.pop(left))
	}
	if len(out) > 0 {
		db.notify(ClassList, popEvent(left), n.key())
	}
	db.removeIfEmpty(n)
	return resp.Array(out...), nil
}

// removeIfEmpty deletes the key of a container left empty: Redis never
// keeps an empty list, hash, set or sorted set. Its "del" event follows
// the event of the command that emptied it, as in Redis.
func (db *db) removeIfEmpty(n *node) {
	if n.obj != nil && n.obj.len() == 0 {
		db.remove(n)
		db.notify(ClassGeneric, "del", n.key())
	}
}

// pushEvent and popEvent name a list event by its end.
func pushEvent(left bool) string {
	if left {
		return "lpush"
	}
	return "rpush"
}

func popEvent(left bool) string {
	if left {
		return "lpop"
	}
	return "rpop"
}

// LLEN key
func cmdLlen(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	l, _, err := db.lookupList(bstr(argv[1]))
	if l == nil || err != nil {
		return resp.Zero, err
	}
	return resp.Int(int64(l.len())), nil
}

// rangeIndexes turns start and end, counted from either end, into a range
// of 0 <= start <= end < size, or ok false when it is empty (Redis's
// addListRangeReply and genericZrangebyrankCommand).
func rangeIndexes(start, end int64, size int) (int, int, bool) {
	n := int64(size)
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	if start > end || start >= n {
		return 0, 0, false
	}
	end = min(end, n-1)
	return int(start), int(end), true
}

// LRANGE key start stop
func cmdLrange(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	start, end, err := argRange(argv[2], argv[3])
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	l, _, err := db.lookupList(bstr(argv[1]))
	if l == nil || err != nil {
		return resp.Array(), err
	}
	from, to, ok := rangeIndexes(start, end, l.len())
	if !ok {
		return resp.Array(), nil
	}
	out := make([]resp.Value, to-from+1)
	for i := range out {
		out[i] = resp.Bulk(l.at(from + i))
	}
	return resp.Array(out...), nil
}

// listIndex turns an index counted from either end into a position, or -1
// when it is out of range.
func listIndex(index int64, size int) int {
	if index < 0 {
		index += int64(size)
	}
	if index < 0 || index >= int64(size) {
		return -1
	}
	return int(index)
}

// LINDEX key index: the key is looked up before the index is read.
func cmdLindex(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	l, _, err := db.lookupList(bstr(argv[1]))
	if l == nil || err != nil {
		return resp.Null, err
	}
	index, err := argInt(argv[2])
	if err != nil {
		return resp.Value{}, err
	}
	if i := listIndex(index, l.len()); i >= 0 {
		return resp.Bulk(l.at(i)), nil
	}
	return resp.Null, nil
}

// LSET key index element
func cmdLset(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	l, _, err := db.lookupList(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	if l == nil {
		return resp.Value{}, ErrNoSuchKey
	}
	index, err := argInt(argv[2])
	if err != nil {
		return resp.Value{}, err
	}
	i := listIndex(index, l.len())
	if i < 0 {
		return resp.Value{}, ErrIndexOutOfRange
	}
	l.setAt(i, string(argv[3]))
	db.notify(ClassList, "lset", bstr(argv[1]))
	return resp.OK, nil
}

// LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the
// pivot, 0 without the key.
func cmdLinsert(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	var after bool
	switch {
	case isOpt(argv[2], "after"):
		after = true
	case isOpt(argv[2], "before"):
	default:
		return resp.Value{}, ErrSyntax
	}
	db := ks.lock()
	defer ks.unlock()
	l, _, err := db.lookupList(bstr(argv[1]))
	if l == nil || err != nil {
		return resp.Zero, err
	}
	pivot := bstr(argv[3])
	for i := range l.len() {
		if l.at(i) == pivot {
			if after {
				i++
			}
			l.insertAt(i, string(argv[4]))
			db.notify(ClassList, "linsert", bstr(argv[1]))
			return resp.Int(int64(l.len())), nil
		}
	}
	return resp.Int(-1), nil
}

// LREM key count element: count > 0 removes from the head, < 0 from the
// tail, 0 all.
func cmdLrem(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	count, err := argInt(argv[2])
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	l, n, err := db.lookupList(bstr(argv[1]))
	if l == nil || err != nil {
		return resp.Zero, err
	}
	elem := bstr(argv[3])
	limit := abs64(count)
	if count == math.MinInt64 {
		limit = math.MaxInt64
	}
	// Pick the matches to remove, from the end count says.
	remove := make([]bool, l.len())
	var removed int64
	for k := range l.len() {
		i := k
		if count < 0 {
			i = l.len() - 1 - k
		}
		if l.at(i) == elem {
			remove[i] = true
			if removed++; count != 0 && removed == limit {
				break
			}
		}
	}
	if removed > 0 {
		l.keep(func(i int, _ string) bool { return !remove[i] })
		db.notify(ClassList, "lrem", n.key())
		db.removeIfEmpty(n)
	}
	return resp.Int(removed), nil
}

// LTRIM key start stop
func cmdLtrim(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	start, end, err := argRange(argv[2], argv[3])
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	l, n, err := db.lookupList(bstr(argv[1]))
	if l == nil || err != nil {
		return resp.OK, err
	}
	from, to, ok := rangeIndexes(start, end, l.len())
	if !ok {
		from, to = 1, 0
	}
	l.trim(from, to)
	db.notify(ClassList, "ltrim", n.key())
	db.removeIfEmpty(n)
	return resp.OK, nil
}

// Errors of LPOS's options.
const (
	ErrLposRankZero Error = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	ErrLposCount    Error = "ERR COUNT can't be negative"
	ErrLposMaxlen   Error = "ERR MAXLEN can't be negative"
)

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func cmdLpos(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	rank, count, maxlen := int64(1), int64(-1), int64(0) // count -1: no COUNT
	for j := 3; j < len(argv); j++ {
		more := j+1 < len(argv)
		var err error
		switch {
		case isOpt(argv[j], "rank") && more:
			j++
			if rank, err = argInt(argv[j]); err != nil {
				return resp.Value{}, err
			}
			if rank == 0 {
				return resp.Value{}, ErrLposRankZero
			}
		case isOpt(argv[j], "count") && more:
			j++
			if count, err = argPositive(argv[j], ErrLposCount); err != nil {
				return resp.Value{}, err
			}
		case isOpt(argv[j], "maxlen") && more:
			j++
			if maxlen, err = argPositive(argv[j], ErrLposMaxlen); err != nil {
				return resp.Value{}, err
			}
		default:
			return resp.Value{}, ErrSyntax
		}
	}
	fromTail := rank < 0
	if fromTail {
		rank = -rank // as in Redis, -LONG_MIN stays negative: the first match counts
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	l, _, err := db.lookupList(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	if l == nil {
		if count != -1 {
			return resp.Array(), nil
		}
		return resp.Null, nil
	}
	elem := bstr(argv[2])
	var found []resp.Value
	var matches int64
	for k := 0; k < l.len() && (maxlen == 0 || int64(k) < maxlen); k++ {
		i := k
		if fromTail {
			i = l.len() - 1 - k
		}
		if l.at(i) != elem {
			continue
		}
		if matches++; matches < rank {
			continue
		}
		if count == -1 {
			return resp.Int(int64(i)), nil
		}
		found = append(found, resp.Int(int64(i)))
		if count != 0 && matches-rank+1 >= count {
			break
		}
	}
	if count == -1 {
		return resp.Null, nil
	}
	return resp.Array(found...), nil
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func cmdLmove(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	from, err := argSide(argv[3])
	if err != nil {
		return resp.Value{}, err
	}
	to, err := argSide(argv[4])
	if err != nil {
		return resp.Value{}, err
	}
	return moveGeneric(ks, argv[1], argv[2], from, to)
}

// RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT.
func cmdRpoplpush(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return moveGeneric(ks, argv[1], argv[2], false, true)
}

// argSide parses LEFT (true) or RIGHT (false).
func argSide(b []byte) (bool, error) {
	switch {
	case isOpt(b, "left"):
		return true, nil
	case isOpt(b, "right"):
		return false, nil
	}
	return false, ErrSyntax
}

// moveGeneric pops from one end of src and pushes onto one end of dst,
// which may be the same list (a rotation).
func moveGeneric(ks *Keyspace, srcKey, dstKey []byte, fromLeft, toLeft bool) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	src, srcNode, err := db.lookupList(bstr(srcKey))
	if src == nil || err != nil {
		return resp.Null, err
	}
	dst, _, err := db.lookupList(bstr(dstKey))
	if err != nil {
		return resp.Value{}, err
	}
	v := src.pop(fromLeft)
	if dst == nil {
		dst, _, _ = db.listForWrite(bstr(dstKey))
	}
	dst.push(v, toLeft)
	db.notify(ClassList, pushEvent(toLeft), bstr(dstKey))
	db.notify(ClassList, popEvent(fromLeft), bstr(srcKey))
	db.removeIfEmpty(srcNode)
	return resp.Bulk(v), nil
}
