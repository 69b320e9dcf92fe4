package store

import (
	"math"
	"math/rand/v2"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"zadd", -4, "write denyoom fast", 1, 1, 1, cmdZadd},
		cmd{"zincrby", 4, "write denyoom fast", 1, 1, 1, cmdZincrby},
		cmd{"zrem", -3, "write fast", 1, 1, 1, cmdZrem},
		cmd{"zscore", 3, "readonly fast", 1, 1, 1, cmdZscore},
		cmd{"zmscore", -3, "readonly fast", 1, 1, 1, cmdZmscore},
		cmd{"zcard", 2, "readonly fast", 1, 1, 1, cmdZcard},
		cmd{"zcount", 4, "readonly fast", 1, 1, 1, cmdZcount},
		cmd{"zlexcount", 4, "readonly fast", 1, 1, 1, cmdZlexcount},
		cmd{"zrank", 3, "readonly fast", 1, 1, 1, cmdZrank},
		cmd{"zrevrank", 3, "readonly fast", 1, 1, 1, cmdZrevrank},
		cmd{"zpopmin", -2, "write fast", 1, 1, 1, cmdZpopmin},
		cmd{"zpopmax", -2, "write fast", 1, 1, 1, cmdZpopmax},
		cmd{"zrandmember", -2, "readonly", 1, 1, 1, cmdZrandmember},
		cmd{"zscan", -3, "readonly", 1, 1, 1, cmdZscan},
	)
}

// Sorted set errors.
const (
	ErrZaddXXAndNX    Error = "ERR XX and NX options at the same time are not compatible"
	ErrZaddGTLTNX     Error = "ERR GT, LT, and/or NX options at the same time are not compatible"
	ErrZaddIncrPair   Error = "ERR INCR option supports a single increment-element pair"
	ErrZaddNaN        Error = "ERR resulting score is not a number (NaN)"
	ErrMinMaxNotFloat Error = "ERR min or max is not a float"
	ErrMinMaxNotLex   Error = "ERR min or max not valid string range item"
	ErrLimitWithRank  Error = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	ErrWithscoresLex  Error = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	ErrWeightNotFloat Error = "ERR weight value is not a float"
)

// errNoInputKeys is ZUNIONSTORE's and its kin's answer to numkeys < 1.
func errNoInputKeys(name string) Error {
	return Error("ERR at least 1 input key is needed for '" + name + "' command")
}

// zaddFlags are ZADD's options.
type zaddFlags uint8

const (
	zaddNX zaddFlags = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddCH
	zaddIncr
)

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
func cmdZadd(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	var flags zaddFlags
	i := 2
	for ; i < len(argv); i++ {
		f := zaddOption(argv[i])
		if f == 0 {
			break // the first score
		}
		flags |= f
	}
	return zaddGeneric(ks, argv[1], argv[i:], flags)
}

// zaddOption returns the flag an argument names, or 0.
func zaddOption(arg []byte) zaddFlags {
	switch {
	case isOpt(arg, "nx"):
		return zaddNX
	case isOpt(arg, "xx"):
		return zaddXX
	case isOpt(arg, "gt"):
		return zaddGT
	case isOpt(arg, "lt"):
		return zaddLT
	case isOpt(arg, "ch"):
		return zaddCH
	case isOpt(arg, "incr"):
		return zaddIncr
	}
	return 0
}

// ZINCRBY key increment member: ZADD key INCR increment member.
func cmdZincrby(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zaddGeneric(ks, argv[1], argv[2:], zaddIncr)
}

// zaddGeneric is Redis's zaddGenericCommand over the score-member pairs.
func zaddGeneric(ks *Keyspace, key []byte, pairs [][]byte, flags zaddFlags) (resp.Value, error) {
	// >> Args
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return resp.Value{}, ErrSyntax
	}
	nx, xx, gt, lt := flags&zaddNX != 0, flags&zaddXX != 0, flags&zaddGT != 0, flags&zaddLT != 0
	incr := flags&zaddIncr != 0
	if nx && xx {
		return resp.Value{}, ErrZaddXXAndNX
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		return resp.Value{}, ErrZaddGTLTNX
	}
	if incr && len(pairs) > 2 {
		return resp.Value{}, ErrZaddIncrPair
	}
	scores := make([]float64, len(pairs)/2)
	for j := range scores {
		var err error
		if scores[j], err = argDouble(pairs[2*j]); err != nil {
			return resp.Value{}, err
		}
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	z, _, err := db.lookupZset(bstr(key))
	if err != nil {
		return resp.Value{}, err
	}
	var added, updated, processed int
	var score float64
	if z == nil && !xx {
		z = newZset(true)
		db.add(newObjectNode(bstr(key), z))
	}
	for j := 0; z != nil && j < len(scores); j++ {
		member := bstr(pairs[2*j+1])
		score = scores[j]
		cur, exists := z.score(member)
		switch {
		case exists && nx, !exists && xx:
			continue
		case exists:
			if incr {
				if score += cur; math.IsNaN(score) {
					// The key was found, so nothing is left empty.
					return resp.Value{}, ErrZaddNaN
				}
			}
			if (lt && score >= cur) || (gt && score <= cur) {
				continue
			}
			if score != cur {
				z.set(member, score)
				updated++
			}
		default:
			z.set(member, score)
			added++
		}
		processed++
	}
	if added+updated > 0 {
		event := "zadd"
		if incr {
			event = "zincr"
		}
		db.notify(ClassZset, event, bstr(key))
	}
	// >> Response
	if incr {
		if processed == 0 {
			return resp.Null, nil
		}
		return resp.Bulk(formatDouble(score)), nil
	}
	if flags&zaddCH != 0 {
		return resp.Int(int64(added + updated)), nil
	}
	return resp.Int(int64(added)), nil
}

// ZREM key member [member ...]
func cmdZrem(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	z, n, err := db.lookupZset(bstr(argv[1]))
	if z == nil || err != nil {
		return resp.Zero, err
	}
	removed := 0
	for _, m := range argv[2:] {
		if z.remove(bstr(m)) {
			removed++
			if z.len() == 0 {
				break
			}
		}
	}
	if removed > 0 {
		db.notify(ClassZset, "zrem", n.key())
	}
	db.removeIfEmpty(n)
	return resp.Int(int64(removed)), nil
}

// ZSCORE key member
func cmdZscore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	z, _, err := db.lookupZset(bstr(argv[1]))
	if z == nil || err != nil {
		return resp.Null, err
	}
	if s, ok := z.score(bstr(argv[2])); ok {
		return resp.Bulk(formatDouble(s)), nil
	}
	return resp.Null, nil
}

// ZMSCORE key member [member ...]
func cmdZmscore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	z, _, err := db.lookupZset(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	out := make([]resp.Value, len(argv)-2)
	for i, m := range argv[2:] {
		out[i] = resp.Null
		if z == nil {
			continue
		}
		if s, ok := z.score(bstr(m)); ok {
			out[i] = resp.Bulk(formatDouble(s))
		}
	}
	return resp.Array(out...), nil
}

// ZCARD key
func cmdZcard(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	z, _, err := db.lookupZset(bstr(argv[1]))
	if z == nil || err != nil {
		return resp.Zero, err
	}
	return resp.Int(int64(z.len())), nil
}

// parseScoreBound parses one end of a score range as Redis's zslParseRange:
// a '(' makes it exclusive, and the rest is read with strtod (so leading
// space and an empty string, read as 0, are accepted; NaN is not).
func parseScoreBound(b []byte) (float64, bool, error) {
	s := cString(b)
	ex := len(s) > 0 && s[0] == '('
	if ex {
		s = s[1:]
	}
	f, n := strtod(s)
	if n != len(s) || math.IsNaN(f) {
		return 0, false, ErrMinMaxNotFloat
	}
	return f, ex, nil
}

func parseScoreRange(min, max []byte) (scoreRange, error) {
	var r scoreRange
	var err error
	if r.min, r.minex, err = parseScoreBound(min); err != nil {
		return r, err
	}
	if r.max, r.maxex, err = parseScoreBound(max); err != nil {
		return r, err
	}
	return r, nil
}

// parseLexBound parses one end of a lex range: "-", "+", "(member" or
// "[member" (Redis's zslParseLexRangeItem).
func parseLexBound(b []byte) (lexBound, error) {
	if len(b) == 0 {
		return lexBound{}, ErrMinMaxNotLex
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 {
			return lexBound{}, ErrMinMaxNotLex
		}
		if b[0] == '+' {
			return lexBound{inf: 1, ex: true}, nil
		}
		return lexBound{inf: -1, ex: true}, nil
	case '(':
		return lexBound{s: string(b[1:]), ex: true}, nil
	case '[':
		return lexBound{s: string(b[1:])}, nil
	}
	return lexBound{}, ErrMinMaxNotLex
}

func parseLexRange(min, max []byte) (lexRange, error) {
	var r lexRange
	var err error
	if r.min, err = parseLexBound(min); err != nil {
		return r, err
	}
	if r.max, err = parseLexBound(max); err != nil {
		return r, err
	}
	return r, nil
}

// ZCOUNT key min max
func cmdZcount(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	r, err := parseScoreRange(argv[2], argv[3])
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	z, _, err := db.lookupZset(bstr(argv[1]))
	if z == nil || err != nil {
		return resp.Zero, err
	}
	from, to := z.scoreSpan(r)
	return resp.Int(int64(to - from)), nil
}

// ZLEXCOUNT key min max
func cmdZlexcount(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	r, err := parseLexRange(argv[2], argv[3])
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	z, _, err := db.lookupZset(bstr(argv[1]))
	if z == nil || err != nil {
		return resp.Zero, err
	}
	from, to := z.lexSpan(r)
	return resp.Int(int64(to - from)), nil
}

// ZRANK key member
func cmdZrank(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zrankGeneric(ks, argv, false)
}

// ZREVRANK key member
func cmdZrevrank(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zrankGeneric(ks, argv, true)
}

func zrankGeneric(ks *Keyspace, argv [][]byte, rev bool) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	z, _, err := db.lookupZset(bstr(argv[1]))
	if z == nil || err != nil {
		return resp.Null, err
	}
	r, ok := z.rank(bstr(argv[2]))
	if !ok {
		return resp.Null, nil
	}
	if rev {
		r = z.len() - 1 - r
	}
	return resp.Int(int64(r)), nil
}

// zpopGeneric is ZPOPMIN and ZPOPMAX: member, score pairs in one flat
// array; the key goes with its last member.
func zpopGeneric(ks *Keyspace, argv [][]byte, max bool) (resp.Value, error) {
	if len(argv) > 3 {
		return resp.Value{}, ErrSyntax
	}
	count := int64(1)
	if len(argv) == 3 {
		var err error
		if count, err = argPositive(argv[2], ErrMustBePositive); err != nil {
			return resp.Value{}, err
		}
	}
	db := ks.lock()
	defer ks.unlock()
	z, n, err := db.lookupZset(bstr(argv[1]))
	if z == nil || err != nil || count == 0 {
		return resp.Array(), err
	}
	k := int(min(count, int64(z.len())))
	out := make([]resp.Value, 0, 2*k)
	for range k {
		var it zitem
		if max {
			it, _ = z.tree.Max()
		} else {
			it, _ = z.tree.Min()
		}
		z.remove(it.member)
		out = append(out, resp.Bulk(it.member), resp.Bulk(formatDouble(it.score)))
	}
	if max {
		db.notify(ClassZset, "zpopmax", n.key())
	} else {
		db.notify(ClassZset, "zpopmin", n.key())
	}
	db.removeIfEmpty(n)
	return resp.Array(out...), nil
}

// ZPOPMIN key [count]
func cmdZpopmin(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zpopGeneric(ks, argv, false)
}

// ZPOPMAX key [count]
func cmdZpopmax(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zpopGeneric(ks, argv, true)
}

// ZRANDMEMBER key [count [WITHSCORES]]
func cmdZrandmember(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if len(argv) == 2 {
		db := ks.lock()
		defer ks.unlock()
		z, _, err := db.lookupZset(bstr(argv[1]))
		if z == nil || err != nil {
			return resp.Null, err
		}
		return resp.Bulk(z.at(rand.IntN(z.len())).member), nil
	}
	count, withScores, err := parseRandomCount(argv, "withscores")
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	z, _, err := db.lookupZset(bstr(argv[1]))
	if z == nil || err != nil || count == 0 {
		return resp.Array(), err
	}
	var out []resp.Value
	emit := func(it zitem) {
		out = append(out, resp.Bulk(it.member))
		if withScores {
			out = append(out, resp.Bulk(formatDouble(it.score)))
		}
	}
	switch {
	case count < 0 || count == 1:
		for range abs64(count) {
			emit(z.at(rand.IntN(z.len())))
		}
	case count >= int64(z.len()):
		z.each(0, z.len()-1, false, emit)
	default:
		for _, i := range randomIndexes(z.len(), int(count)) {
			emit(z.at(i))
		}
	}
	return resp.Array(out...), nil
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]: every member in one reply.
func cmdZscan(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if _, err := parseCursor(argv[2]); err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	z, _, err := db.lookupZset(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	if z == nil {
		return scanReply(0, nil), nil
	}
	opts, err := parseScanOptions(argv[3:], false)
	if err != nil {
		return resp.Value{}, err
	}
	var out []resp.Value
	z.tree.Scan(func(it zitem) bool {
		if !opts.match || globMatch(opts.pattern, it.member) {
			out = append(out, resp.Bulk(it.member), resp.Bulk(formatDouble(it.score)))
		}
		return true
	})
	return scanReply(0, out), nil
}
