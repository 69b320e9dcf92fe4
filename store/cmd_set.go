package store

import (
	"slices"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"sadd", -3, "write denyoom fast", 1, 1, 1, cmdSadd},
		cmd{"srem", -3, "write fast", 1, 1, 1, cmdSrem},
		cmd{"smembers", 2, "readonly", 1, 1, 1, cmdSmembers},
		cmd{"sismember", 3, "readonly fast", 1, 1, 1, cmdSismember},
		cmd{"smismember", -3, "readonly fast", 1, 1, 1, cmdSmismember},
		cmd{"scard", 2, "readonly fast", 1, 1, 1, cmdScard},
		cmd{"spop", -2, "write fast", 1, 1, 1, cmdSpop},
		cmd{"srandmember", -2, "readonly", 1, 1, 1, cmdSrandmember},
		cmd{"smove", 4, "write fast", 1, 2, 1, cmdSmove},
		cmd{"sinter", -2, "readonly", 1, -1, 1, cmdSinter},
		cmd{"sinterstore", -3, "write denyoom", 1, -1, 1, cmdSinterstore},
		cmd{"sunion", -2, "readonly", 1, -1, 1, cmdSunion},
		cmd{"sunionstore", -3, "write denyoom", 1, -1, 1, cmdSunionstore},
		cmd{"sdiff", -2, "readonly", 1, -1, 1, cmdSdiff},
		cmd{"sdiffstore", -3, "write denyoom", 1, -1, 1, cmdSdiffstore},
		cmd{"sintercard", -3, "readonly movablekeys", 0, 0, 0, cmdSintercard},
		cmd{"sscan", -3, "readonly", 1, 1, 1, cmdSscan},
	)
}

// SADD key member [member ...]
func cmdSadd(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	key := bstr(argv[1])
	s, _, err := db.lookupSet(key)
	if err != nil {
		return resp.Value{}, err
	}
	if s == nil {
		s = newSetFor(bstr(argv[2]))
		db.add(newObjectNode(key, s))
	}
	added := 0
	for _, m := range argv[2:] {
		if s.add(bstr(m)) {
			added++
		}
	}
	if added > 0 {
		db.notify(ClassSet, "sadd", key)
	}
	return resp.Int(int64(added)), nil
}

// SREM key member [member ...]: the key goes with its last member.
func cmdSrem(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	s, n, err := db.lookupSet(bstr(argv[1]))
	if s == nil || err != nil {
		return resp.Zero, err
	}
	removed := 0
	for _, m := range argv[2:] {
		if s.remove(bstr(m)) {
			removed++
			if s.len() == 0 {
				break
			}
		}
	}
	if removed > 0 {
		db.notify(ClassSet, "srem", n.key())
	}
	db.removeIfEmpty(n)
	return resp.Int(int64(removed)), nil
}

// setReply answers the members of s in its order.
func setReply(s *setValue) resp.Value {
	out := make([]resp.Value, 0, s.len())
	s.each(func(m string) { out = append(out, resp.Bulk(m)) })
	return resp.Array(out...)
}

// SMEMBERS key
func cmdSmembers(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupSet(bstr(argv[1]))
	if s == nil || err != nil {
		return resp.Array(), err
	}
	return setReply(s), nil
}

// SISMEMBER key member
func cmdSismember(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupSet(bstr(argv[1]))
	if s == nil || err != nil {
		return resp.Zero, err
	}
	return resp.Bool(s.contains(bstr(argv[2]))), nil
}

// SMISMEMBER key member [member ...]
func cmdSmismember(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupSet(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	out := make([]resp.Value, len(argv)-2)
	for i, m := range argv[2:] {
		out[i] = resp.Bool(s != nil && s.contains(bstr(m)))
	}
	return resp.Array(out...), nil
}

// SCARD key
func cmdScard(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupSet(bstr(argv[1]))
	if s == nil || err != nil {
		return resp.Zero, err
	}
	return resp.Int(int64(s.len())), nil
}

// SPOP key [count]
func cmdSpop(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if len(argv) > 3 {
		return resp.Value{}, ErrSyntax
	}
	if len(argv) == 2 {
		db := ks.lock()
		defer ks.unlock()
		s, n, err := db.lookupSet(bstr(argv[1]))
		if s == nil || err != nil {
			return resp.Null, err
		}
		m := s.pop()
		db.notify(ClassSet, "spop", n.key())
		db.removeIfEmpty(n)
		return resp.Bulk(m), nil
	}
	count, err := argPositive(argv[2], ErrMustBePositive)
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	s, n, err := db.lookupSet(bstr(argv[1]))
	if s == nil || err != nil || count == 0 {
		return resp.Array(), err
	}
	if count >= int64(s.len()) {
		// All of it, in the set's order.
		db.remove(n)
		db.notify(ClassSet, "spop", n.key())
		db.notify(ClassGeneric, "del", n.key())
		return setReply(s), nil
	}
	out := make([]resp.Value, count)
	for i := range out {
		out[i] = resp.Bulk(s.pop())
	}
	db.notify(ClassSet, "spop", n.key())
	return resp.Array(out...), nil
}

// SRANDMEMBER key [count]: a negative count allows repetitions.
func cmdSrandmember(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if len(argv) > 3 {
		return resp.Value{}, ErrSyntax
	}
	if len(argv) == 2 {
		db := ks.lock()
		defer ks.unlock()
		s, _, err := db.lookupSet(bstr(argv[1]))
		if s == nil || err != nil {
			return resp.Null, err
		}
		return resp.Bulk(s.random()), nil
	}
	count, _, err := parseRandomCount(argv, "")
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupSet(bstr(argv[1]))
	if s == nil || err != nil || count == 0 {
		return resp.Array(), err
	}
	switch {
	case count < 0:
		out := make([]resp.Value, -count)
		for i := range out {
			out[i] = resp.Bulk(s.random())
		}
		return resp.Array(out...), nil
	case count >= int64(s.len()):
		return setReply(s), nil
	}
	out := make([]resp.Value, 0, count)
	for _, i := range randomIndexes(s.len(), int(count)) {
		out = append(out, resp.Bulk(s.at(i)))
	}
	return resp.Array(out...), nil
}

// SMOVE source destination member
func cmdSmove(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	src, srcNode, srcErr := db.lookupSet(bstr(argv[1]))
	dst, _, dstErr := db.lookupSet(bstr(argv[2]))
	if srcNode == nil && srcErr == nil {
		return resp.Zero, nil
	}
	if srcErr != nil {
		return resp.Value{}, srcErr
	}
	if dstErr != nil {
		return resp.Value{}, dstErr
	}
	member := bstr(argv[3])
	if src == dst {
		return resp.Bool(src.contains(member)), nil
	}
	if !src.remove(member) {
		return resp.Zero, nil
	}
	db.notify(ClassSet, "srem", bstr(argv[1]))
	db.removeIfEmpty(srcNode)
	if dst == nil {
		dst = newSetFor(member)
		db.add(newObjectNode(bstr(argv[2]), dst))
	}
	if dst.add(member) {
		db.notify(ClassSet, "sadd", bstr(argv[2]))
	}
	return resp.One, nil
}

// lookupSets returns the sets at keys, nil for a missing key, or
// ErrWrongType if any key holds another type.
func (db *db) lookupSets(keys [][]byte) ([]*setValue, error) {
	sets := make([]*setValue, len(keys))
	for i, k := range keys {
		s, _, err := db.lookupSet(bstr(k))
		if err != nil {
			return nil, err
		}
		sets[i] = s
	}
	return sets, nil
}

// setInter is Redis's SINTER: the members of the smallest set found in
// all the others, in the smallest set's order; at most limit of them when
// limit > 0.
func setInter(sets []*setValue, limit int) []string {
	for _, s := range sets {
		if s == nil {
			return nil
		}
	}
	sorted := slices.Clone(sets)
	slices.SortStableFunc(sorted, func(a, b *setValue) int { return a.len() - b.len() })
	var out []string
	sorted[0].each(func(m string) {
		if limit > 0 && len(out) >= limit {
			return
		}
		for _, s := range sorted[1:] {
			if s != sorted[0] && !s.contains(m) {
				return
			}
		}
		out = append(out, m)
	})
	return out
}

// setUnion is Redis's SUNION, built as Redis builds it: an intset that
// turns into a hashtable as members require.
func setUnion(sets []*setValue) *setValue {
	out := &setValue{}
	for _, s := range sets {
		if s != nil {
			s.each(func(m string) { out.add(m) })
		}
	}
	return out
}

// setDiff is Redis's SDIFF, with its choice of algorithm, which shows in
// the result's encoding: members of the first set are either added unless
// another set has them (1), or all added and then the others removed (2).
func setDiff(sets []*setValue) *setValue {
	out := &setValue{}
	first := sets[0]
	if first == nil {
		return out
	}
	var oneWork, twoWork int
	for i, s := range sets {
		if i > 0 && s == first {
			return out // the same key twice: nothing is left
		}
		if s != nil {
			oneWork += first.len()
			twoWork += s.len()
		}
	}
	if oneWork/2 <= twoWork {
		first.each(func(m string) {
			for _, s := range sets[1:] {
				if s != nil && s.contains(m) {
					return
				}
			}
			out.add(m)
		})
		return out
	}
	first.each(func(m string) { out.add(m) })
	for _, s := range sets[1:] {
		if s == nil {
			continue
		}
		s.each(func(m string) { out.remove(m) })
		if out.len() == 0 {
			break
		}
	}
	return out
}

// setOp names the set algebra commands.
type setOp uint8

const (
	opInter setOp = iota
	opUnion
	opDiff
)

// setAlgebra answers SINTER, SUNION, SDIFF (dst nil) and their STORE forms.
func setAlgebra(ks *Keyspace, keys [][]byte, dst []byte, op setOp) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	was := db.readFirst() // the STORE forms read their sources too
	sets, err := db.lookupSets(keys)
	db.reading = was
	if err != nil {
		return resp.Value{}, err
	}
	var result *setValue
	switch op {
	case opInter:
		members := setInter(sets, 0)
		if dst == nil {
			return resp.BulkArray(members), nil
		}
		result = &setValue{}
		for _, m := range members {
			result.add(m)
		}
	case opUnion:
		result = setUnion(sets)
	case opDiff:
		result = setDiff(sets)
	}
	if dst == nil {
		return setReply(result), nil
	}
	if result.len() == 0 {
		if n := db.lookup(bstr(dst)); n != nil {
			db.remove(n)
			db.notify(ClassGeneric, "del", n.key())
		}
		return resp.Zero, nil
	}
	db.putObject(bstr(dst), result)
	db.notify(ClassSet, [...]string{opInter: "sinterstore", opUnion: "sunionstore", opDiff: "sdiffstore"}[op], bstr(dst))
	return resp.Int(int64(result.len())), nil
}

// SINTER key [key ...]
func cmdSinter(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return setAlgebra(ks, argv[1:], nil, opInter)
}

// SINTERSTORE destination key [key ...]
func cmdSinterstore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return setAlgebra(ks, argv[2:], argv[1], opInter)
}

// SUNION key [key ...]
func cmdSunion(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return setAlgebra(ks, argv[1:], nil, opUnion)
}

// SUNIONSTORE destination key [key ...]
func cmdSunionstore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return setAlgebra(ks, argv[2:], argv[1], opUnion)
}

// SDIFF key [key ...]
func cmdSdiff(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return setAlgebra(ks, argv[1:], nil, opDiff)
}

// SDIFFSTORE destination key [key ...]
func cmdSdiffstore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return setAlgebra(ks, argv[2:], argv[1], opDiff)
}

// Errors of the commands that take a number of keys.
const (
	ErrNumkeys         Error = "ERR numkeys should be greater than 0"
	ErrNumkeysTooLarge Error = "ERR Number of keys can't be greater than number of args"
	ErrLimitNegative   Error = "ERR LIMIT can't be negative"
)

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func cmdSintercard(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	numkeys, err := argInt(argv[1])
	if err != nil || numkeys < 1 {
		return resp.Value{}, ErrNumkeys
	}
	if numkeys > int64(len(argv)-2) {
		return resp.Value{}, ErrNumkeysTooLarge
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(argv); j++ {
		if !isOpt(argv[j], "limit") || j+1 >= len(argv) {
			return resp.Value{}, ErrSyntax
		}
		j++
		if limit, err = argPositive(argv[j], ErrLimitNegative); err != nil {
			return resp.Value{}, err
		}
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	sets, err := db.lookupSets(argv[2 : 2+numkeys])
	if err != nil {
		return resp.Value{}, err
	}
	return resp.Int(int64(len(setInter(sets, int(min(limit, int64(^uint(0)>>1))))))), nil
}

// SSCAN key cursor [MATCH pattern] [COUNT count]: every member in one reply.
func cmdSscan(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if _, err := parseCursor(argv[2]); err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupSet(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	if s == nil {
		return scanReply(0, nil), nil
	}
	opts, err := parseScanOptions(argv[3:], false)
	if err != nil {
		return resp.Value{}, err
	}
	var out []resp.Value
	s.each(func(m string) {
		if !opts.match || globMatch(opts.pattern, m) {
			out = append(out, resp.Bulk(m))
		}
	})
	return scanReply(0, out), nil
}
