package store

import "github.com/gearsd/gearsd/resp"

// The ZRANGE family: one parser and one walk (Redis's zrangeGenericCommand)
// behind ZRANGE, ZRANGESTORE, ZREVRANGE and the BYSCORE and BYLEX forms.

func init() {
	register(
		cmd{"zrange", -4, "readonly", 1, 1, 1, cmdZrange},
		cmd{"zrangestore", -5, "write denyoom", 1, 2, 1, cmdZrangestore},
		cmd{"zrevrange", -4, "readonly", 1, 1, 1, cmdZrevrange},
		cmd{"zrangebyscore", -4, "readonly", 1, 1, 1, cmdZrangebyscore},
		cmd{"zrevrangebyscore", -4, "readonly", 1, 1, 1, cmdZrevrangebyscore},
		cmd{"zrangebylex", -4, "readonly", 1, 1, 1, cmdZrangebylex},
		cmd{"zrevrangebylex", -4, "readonly", 1, 1, 1, cmdZrevrangebylex},
		cmd{"zremrangebyrank", 4, "write", 1, 1, 1, cmdZremrangebyrank},
		cmd{"zremrangebyscore", 4, "write", 1, 1, 1, cmdZremrangebyscore},
		cmd{"zremrangebylex", 4, "write", 1, 1, 1, cmdZremrangebylex},
	)
}

// zrangeKind is how a range is given.
type zrangeKind uint8

const (
	zrangeAuto zrangeKind = iota // ZRANGE: by rank unless BYSCORE or BYLEX
	zrangeRank
	zrangeScore
	zrangeLex
)

// zrangeDir is the direction; auto lets REV choose.
type zrangeDir uint8

const (
	zrangeDirAuto zrangeDir = iota
	zrangeForward
	zrangeReverse
)

// ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
func cmdZrange(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zrangeGeneric(ks, argv, 1, nil, zrangeAuto, zrangeDirAuto)
}

// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]
func cmdZrangestore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zrangeGeneric(ks, argv, 2, argv[1], zrangeAuto, zrangeDirAuto)
}

// ZREVRANGE key start stop [WITHSCORES]
func cmdZrevrange(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zrangeGeneric(ks, argv, 1, nil, zrangeRank, zrangeReverse)
}

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
func cmdZrangebyscore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zrangeGeneric(ks, argv, 1, nil, zrangeScore, zrangeForward)
}

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
func cmdZrevrangebyscore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zrangeGeneric(ks, argv, 1, nil, zrangeScore, zrangeReverse)
}

// ZRANGEBYLEX key min max [LIMIT offset count]
func cmdZrangebylex(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zrangeGeneric(ks, argv, 1, nil, zrangeLex, zrangeForward)
}

// ZREVRANGEBYLEX key max min [LIMIT offset count]
func cmdZrevrangebylex(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zrangeGeneric(ks, argv, 1, nil, zrangeLex, zrangeReverse)
}

// ZREMRANGEBYRANK key start stop
func cmdZremrangebyrank(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zremrangeGeneric(ks, argv, zrangeRank)
}

// ZREMRANGEBYSCORE key min max
func cmdZremrangebyscore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zremrangeGeneric(ks, argv, zrangeScore)
}

// ZREMRANGEBYLEX key min max
func cmdZremrangebylex(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zremrangeGeneric(ks, argv, zrangeLex)
}

// zremrangeGeneric removes a range of ranks, scores or members and answers
// how many went; the key goes with its last member.
func zremrangeGeneric(ks *Keyspace, argv [][]byte, kind zrangeKind) (resp.Value, error) {
	// >> Args
	var start, end int64
	var scores scoreRange
	var lex lexRange
	var err error
	switch kind {
	case zrangeRank:
		if start, err = argInt(argv[2]); err != nil {
			return resp.Value{}, err
		}
		if end, err = argInt(argv[3]); err != nil {
			return resp.Value{}, err
		}
	case zrangeScore:
		scores, err = parseScoreRange(argv[2], argv[3])
	case zrangeLex:
		lex, err = parseLexRange(argv[2], argv[3])
	}
	if err != nil {
		return resp.Value{}, err
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	z, n, err := db.lookupZset(bstr(argv[1]))
	if z == nil || err != nil {
		return resp.Zero, err
	}
	var from, to int
	switch kind {
	case zrangeRank:
		first, last, ok := rangeIndexes(start, end, z.len())
		if !ok {
			return resp.Zero, nil
		}
		from, to = first, last+1
	case zrangeScore:
		from, to = z.scoreSpan(scores)
	case zrangeLex:
		from, to = z.lexSpan(lex)
	}
	if from >= to {
		return resp.Zero, nil
	}
	doomed := make([]string, 0, to-from)
	z.each(from, to-1, false, func(it zitem) { doomed = append(doomed, it.member) })
	for _, m := range doomed {
		z.remove(m)
	}
	db.notify(ClassZset, [...]string{zrangeRank: "zremrangebyrank", zrangeScore: "zremrangebyscore", zrangeLex: "zremrangebylex"}[kind], n.key())
	db.removeIfEmpty(n)
	return resp.Int(int64(len(doomed))), nil
}

// zrangeGeneric runs a range command whose source key is argv[keyAt],
// followed by the two ends of the range and the options; dst is the
// destination of ZRANGESTORE, nil otherwise.
func zrangeGeneric(ks *Keyspace, argv [][]byte, keyAt int, dst []byte, kind zrangeKind, dir zrangeDir) (resp.Value, error) {
	// >> Args
	store := dst != nil
	withScores := false
	offset, limit := int64(0), int64(-1)
	for j := keyAt + 3; j < len(argv); j++ {
		left := len(argv) - j - 1
		switch {
		case !store && isOpt(argv[j], "withscores"):
			withScores = true
		case isOpt(argv[j], "limit") && left >= 2:
			var err error
			if offset, err = argInt(argv[j+1]); err != nil {
				return resp.Value{}, err
			}
			if limit, err = argInt(argv[j+2]); err != nil {
				return resp.Value{}, err
			}
			j += 2
		case dir == zrangeDirAuto && isOpt(argv[j], "rev"):
			dir = zrangeReverse
		case kind == zrangeAuto && isOpt(argv[j], "bylex"):
			kind = zrangeLex
		case kind == zrangeAuto && isOpt(argv[j], "byscore"):
			kind = zrangeScore
		default:
			return resp.Value{}, ErrSyntax
		}
	}
	if dir == zrangeDirAuto {
		dir = zrangeForward
	}
	if kind == zrangeAuto {
		kind = zrangeRank
	}
	if limit != -1 && kind == zrangeRank {
		return resp.Value{}, ErrLimitWithRank
	}
	if withScores && kind == zrangeLex {
		return resp.Value{}, ErrWithscoresLex
	}
	rev := dir == zrangeReverse
	minArg, maxArg := argv[keyAt+1], argv[keyAt+2]
	if rev && kind != zrangeRank {
		minArg, maxArg = maxArg, minArg // given as max, min
	}
	var start, end int64
	var scores scoreRange
	var lex lexRange
	var err error
	switch kind {
	case zrangeRank:
		if start, err = argInt(minArg); err != nil {
			return resp.Value{}, err
		}
		if end, err = argInt(maxArg); err != nil {
			return resp.Value{}, err
		}
	case zrangeScore:
		if scores, err = parseScoreRange(minArg, maxArg); err != nil {
			return resp.Value{}, err
		}
	case zrangeLex:
		if lex, err = parseLexRange(minArg, maxArg); err != nil {
			return resp.Value{}, err
		}
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	was := db.readFirst() // ZRANGESTORE reads its source too (stats.go)
	z, _, err := db.lookupZset(bstr(argv[keyAt]))
	db.reading = was
	if err != nil {
		return resp.Value{}, err
	}
	var items []zitem
	if z != nil {
		switch kind {
		case zrangeRank:
			if from, to, ok := rangeIndexes(start, end, z.len()); ok {
				items = make([]zitem, 0, to-from+1)
				z.each(from, to, rev, func(it zitem) { items = append(items, it) })
			}
		case zrangeScore:
			from, to := z.scoreSpan(scores)
			items = z.window(from, to, rev, offset, limit)
		case zrangeLex:
			from, to := z.lexSpan(lex)
			if rev {
				from, to = z.lexSpanRev(lex)
			}
			items = z.window(from, to, rev, offset, limit)
		}
	}
	// >> Response
	if store {
		if len(items) == 0 {
			if n := db.lookup(bstr(dst)); n != nil {
				db.remove(n)
				db.notify(ClassGeneric, "del", n.key())
			}
			return resp.Zero, nil
		}
		// Redis knows a rank range's length beforehand: past the listpack
		// limit the result starts as a skiplist.
		out := newZset(kind != zrangeRank || len(items) <= zsetMaxListpackEntries)
		for _, it := range items {
			out.set(it.member, it.score)
		}
		db.putObject(bstr(dst), out)
		db.notify(ClassZset, "zrangestore", bstr(dst))
		return resp.Int(int64(len(items))), nil
	}
	return zitemsReply(items, withScores), nil
}

// window returns the items of ranks from..to-1, walked up or, when rev is
// set, down, after skipping offset of them and taking at most limit
// (negative: all). A negative offset walks past everything, as in Redis.
func (z *zsetValue) window(from, to int, rev bool, offset, limit int64) []zitem {
	if offset < 0 || (offset > 0 && offset >= int64(z.len())) || from >= to {
		return nil
	}
	n := int64(to - from)
	if offset >= n {
		return nil
	}
	n -= offset
	if limit >= 0 {
		n = min(n, limit)
	}
	if n == 0 {
		return nil
	}
	first, last := from+int(offset), from+int(offset)+int(n)-1
	if rev {
		// Ranks walked down from to-1: reversed ranks from len-to.
		first, last = z.len()-to+int(offset), z.len()-to+int(offset)+int(n)-1
	}
	items := make([]zitem, 0, n)
	z.each(first, last, rev, func(it zitem) { items = append(items, it) })
	return items
}

// zitemsReply is a flat array of members, each followed by its score when
// withScores is set.
func zitemsReply(items []zitem, withScores bool) resp.Value {
	size := len(items)
	if withScores {
		size *= 2
	}
	out := make([]resp.Value, 0, size)
	for _, it := range items {
		out = append(out, resp.Bulk(it.member))
		if withScores {
			out = append(out, resp.Bulk(formatDouble(it.score)))
		}
	}
	return resp.Array(out...)
}
