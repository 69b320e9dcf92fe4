package store

import (
	"math"
	"slices"

	"github.com/gearsd/gearsd/resp"
)

// ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE and their reply forms: Redis's
// zunionInterDiffGenericCommand. Sources may be sorted sets or sets (whose
// members score 1).

func init() {
	register(
		cmd{"zunionstore", -4, "write denyoom movablekeys", 1, 1, 1, cmdZunionstore},
		cmd{"zinterstore", -4, "write denyoom movablekeys", 1, 1, 1, cmdZinterstore},
		cmd{"zunion", -3, "readonly movablekeys", 0, 0, 0, cmdZunion},
		cmd{"zinter", -3, "readonly movablekeys", 0, 0, 0, cmdZinter},
		cmd{"zdiff", -3, "readonly movablekeys", 0, 0, 0, cmdZdiff},
		cmd{"zdiffstore", -4, "write denyoom movablekeys", 1, 1, 1, cmdZdiffstore},
	)
}

// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
func cmdZunionstore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zsetOpGeneric(ks, argv, argv[1], 2, opUnion, "zunionstore")
}

// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
func cmdZinterstore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zsetOpGeneric(ks, argv, argv[1], 2, opInter, "zinterstore")
}

// ZDIFFSTORE destination numkeys key [key ...]
func cmdZdiffstore(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zsetOpGeneric(ks, argv, argv[1], 2, opDiff, "zdiffstore")
}

// ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
func cmdZunion(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zsetOpGeneric(ks, argv, nil, 1, opUnion, "zunion")
}

// ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
func cmdZinter(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zsetOpGeneric(ks, argv, nil, 1, opInter, "zinter")
}

// ZDIFF numkeys key [key ...] [WITHSCORES]
func cmdZdiff(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return zsetOpGeneric(ks, argv, nil, 1, opDiff, "zdiff")
}

// zsource is one input of a sorted set operation.
type zsource struct {
	z      *zsetValue
	s      *setValue
	weight float64
}

func (src zsource) len() int {
	switch {
	case src.z != nil:
		return src.z.len()
	case src.s != nil:
		return src.s.len()
	}
	return 0
}

// same reports whether two inputs are the same key's value.
func (src zsource) same(o zsource) bool {
	return src.z != nil && src.z == o.z || src.s != nil && src.s == o.s
}

// each calls fn with every member and its score (1 for a set), in order.
func (src zsource) each(fn func(member string, score float64)) {
	switch {
	case src.z != nil:
		src.z.tree.Scan(func(it zitem) bool {
			fn(it.member, it.score)
			return true
		})
	case src.s != nil:
		src.s.each(func(m string) { fn(m, 1) })
	}
}

func (src zsource) find(member string) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.score(member)
	case src.s != nil && src.s.contains(member):
		return 1, true
	}
	return 0, false
}

// aggregate names AGGREGATE's choices.
type aggregate uint8

const (
	aggSum aggregate = iota
	aggMin
	aggMax
)

// apply is Redis's zunionInterAggregate: +inf and -inf add up to 0, and
// comparisons with NaN keep the current score.
func (a aggregate) apply(target, val float64) float64 {
	switch a {
	case aggMin:
		if val < target {
			return val
		}
		return target
	case aggMax:
		if val > target {
			return val
		}
		return target
	}
	if sum := target + val; !math.IsNaN(sum) {
		return sum
	}
	return 0
}

// zsetOpGeneric parses numkeys at argv[numkeysAt], the keys and the options,
// and answers the union, intersection or difference, stored at dst when it
// is not nil.
func zsetOpGeneric(ks *Keyspace, argv [][]byte, dst []byte, numkeysAt int, op setOp, name string) (resp.Value, error) {
	numkeys, err := argInt(argv[numkeysAt])
	if err != nil {
		return resp.Value{}, err
	}
	if numkeys < 1 {
		return resp.Value{}, errNoInputKeys(name)
	}
	if numkeys > int64(len(argv)-numkeysAt-1) {
		return resp.Value{}, ErrSyntax
	}
	keys := argv[numkeysAt+1 : numkeysAt+1+int(numkeys)]
	opts := argv[numkeysAt+1+int(numkeys):]

	db := ks.lock()
	defer ks.unlock()
	// Redis reads the keys, and so checks their types, before the options.
	// The STORE forms read their sources too (stats.go).
	was := db.readFirst()
	srcs := make([]zsource, len(keys))
	for i, k := range keys {
		srcs[i].weight = 1
		n := db.lookup(bstr(k))
		if n == nil {
			continue
		}
		switch v := n.obj.(type) {
		case *zsetValue:
			srcs[i].z = v
		case *setValue:
			srcs[i].s = v
		default:
			return resp.Value{}, ErrWrongType
		}
	}
	db.reading = was
	agg, withScores := aggSum, false
	for j := 0; j < len(opts); {
		left := len(opts) - j
		switch {
		case op != opDiff && left >= len(srcs)+1 && isOpt(opts[j], "weights"):
			for i := range srcs {
				w, ok := parseDouble(bstr(opts[j+1+i]))
				if !ok {
					return resp.Value{}, ErrWeightNotFloat
				}
				srcs[i].weight = w
			}
			j += 1 + len(srcs)
		case op != opDiff && left >= 2 && isOpt(opts[j], "aggregate"):
			switch a := opts[j+1]; {
			case isOpt(a, "sum"):
				agg = aggSum
			case isOpt(a, "min"):
				agg = aggMin
			case isOpt(a, "max"):
				agg = aggMax
			default:
				return resp.Value{}, ErrSyntax
			}
			j += 2
		case dst == nil && isOpt(opts[j], "withscores"):
			withScores = true
			j++
		default:
			return resp.Value{}, ErrSyntax
		}
	}

	var result *zsetValue
	switch op {
	case opUnion:
		result = zsetUnion(srcs, agg)
	case opInter:
		result = zsetInter(srcs, agg)
	case opDiff:
		result = zsetDiff(srcs)
	}
	if dst == nil {
		items := make([]zitem, 0, result.len())
		result.tree.Scan(func(it zitem) bool {
			items = append(items, it)
			return true
		})
		return zitemsReply(items, withScores), nil
	}
	if result.len() == 0 {
		if n := db.lookup(bstr(dst)); n != nil {
			db.remove(n)
			db.notify(ClassGeneric, "del", n.key())
		}
		return resp.Zero, nil
	}
	// Only a stored result becomes a listpack (and loses any -0).
	result.toListpackIfFits()
	db.putObject(bstr(dst), result)
	db.notify(ClassZset, name, bstr(dst))
	return resp.Int(int64(result.len())), nil
}

// bySize orders inputs from the smallest, keeping the order of equals, as
// Redis's qsort (glibc's merge sort) does.
func bySize(srcs []zsource) []zsource {
	sorted := slices.Clone(srcs)
	slices.SortStableFunc(sorted, func(a, b zsource) int { return a.len() - b.len() })
	return sorted
}

// weighted is a score times its input's weight, NaN (0 * inf) made 0.
func weighted(score, weight float64) float64 {
	if v := score * weight; !math.IsNaN(v) {
		return v
	}
	return 0
}

func zsetUnion(srcs []zsource, agg aggregate) *zsetValue {
	acc := map[string]float64{}
	var order []string
	for _, src := range bySize(srcs) {
		src.each(func(m string, score float64) {
			v := weighted(score, src.weight)
			if cur, ok := acc[m]; ok {
				acc[m] = agg.apply(cur, v)
			} else {
				acc[m] = v
				order = append(order, m)
			}
		})
	}
	out := newZset(false)
	for _, m := range order {
		out.set(m, acc[m])
	}
	return out
}

func zsetInter(srcs []zsource, agg aggregate) *zsetValue {
	out := newZset(false)
	sorted := bySize(srcs)
	if sorted[0].len() == 0 {
		return out
	}
	sorted[0].each(func(m string, score float64) {
		total := weighted(score, sorted[0].weight)
		for _, src := range sorted[1:] {
			var v float64
			if src.same(sorted[0]) {
				v = score * src.weight
			} else if s, ok := src.find(m); ok {
				v = s * src.weight
			} else {
				return
			}
			total = agg.apply(total, v)
		}
		out.set(m, total)
	})
	return out
}

// zsetDiff is the members of the first input found in no other, with their
// scores in the first.
func zsetDiff(srcs []zsource) *zsetValue {
	out := newZset(false)
	srcs[0].each(func(m string, score float64) {
		for _, src := range srcs[1:] {
			if _, ok := src.find(m); ok {
				return
			}
		}
		out.set(m, score)
	})
	return out
}
