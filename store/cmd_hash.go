package store

import (
	"math"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"hset", -4, "write denyoom fast", 1, 1, 1, cmdHset},
		cmd{"hmset", -4, "write denyoom fast", 1, 1, 1, cmdHmset},
		cmd{"hsetnx", 4, "write denyoom fast", 1, 1, 1, cmdHsetnx},
		cmd{"hget", 3, "readonly fast", 1, 1, 1, cmdHget},
		cmd{"hmget", -3, "readonly fast", 1, 1, 1, cmdHmget},
		cmd{"hgetall", 2, "readonly", 1, 1, 1, cmdHgetall},
		cmd{"hkeys", 2, "readonly", 1, 1, 1, cmdHkeys},
		cmd{"hvals", 2, "readonly", 1, 1, 1, cmdHvals},
		cmd{"hdel", -3, "write fast", 1, 1, 1, cmdHdel},
		cmd{"hlen", 2, "readonly fast", 1, 1, 1, cmdHlen},
		cmd{"hexists", 3, "readonly fast", 1, 1, 1, cmdHexists},
		cmd{"hstrlen", 3, "readonly fast", 1, 1, 1, cmdHstrlen},
		cmd{"hincrby", 4, "write denyoom fast", 1, 1, 1, cmdHincrby},
		cmd{"hincrbyfloat", 4, "write denyoom fast", 1, 1, 1, cmdHincrbyfloat},
		cmd{"hrandfield", -2, "readonly", 1, 1, 1, cmdHrandfield},
		cmd{"hscan", -3, "readonly", 1, 1, 1, cmdHscan},
	)
}

// HSET key field value [field value ...]: the number of new fields.
func cmdHset(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	added, err := hsetGeneric(ks, argv, "hset")
	if err != nil {
		return resp.Value{}, err
	}
	return resp.Int(int64(added)), nil
}

// HMSET key field value [field value ...]: OK.
func cmdHmset(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if _, err := hsetGeneric(ks, argv, "hmset"); err != nil {
		return resp.Value{}, err
	}
	return resp.OK, nil
}

// hsetGeneric sets the field-value pairs of argv[2:] and returns how many
// fields are new.
func hsetGeneric(ks *Keyspace, argv [][]byte, name string) (int, error) {
	if len(argv)%2 != 0 {
		return 0, errArity(name)
	}
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.hashForWrite(bstr(argv[1]))
	if err != nil {
		return 0, err
	}
	added := 0
	for i := 2; i < len(argv); i += 2 {
		if h.set(bstr(argv[i]), string(argv[i+1])) {
			added++
		}
	}
	db.notify(ClassHash, "hset", bstr(argv[1]))
	return added, nil
}

// HSETNX key field value
func cmdHsetnx(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.hashForWrite(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	if _, exists := h.get(bstr(argv[2])); exists {
		return resp.Zero, nil
	}
	h.set(bstr(argv[2]), string(argv[3]))
	db.notify(ClassHash, "hset", bstr(argv[1]))
	return resp.One, nil
}

// HGET key field
func cmdHget(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.lookupHash(bstr(argv[1]))
	if h == nil || err != nil {
		return resp.Null, err
	}
	if v, ok := h.get(bstr(argv[2])); ok {
		return resp.Bulk(v), nil
	}
	return resp.Null, nil
}

// HMGET key field [field ...]
func cmdHmget(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	vals := make([]resp.Value, len(argv)-2)
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.lookupHash(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	for i, f := range argv[2:] {
		vals[i] = resp.Null
		if h == nil {
			continue
		}
		if v, ok := h.get(bstr(f)); ok {
			vals[i] = resp.Bulk(v)
		}
	}
	return resp.Array(vals...), nil
}

// hashParts selects what hashReadAll returns of each field.
type hashParts uint8

const (
	hashFields hashParts = 1 << iota
	hashValues
)

// hashReadAll answers HGETALL, HKEYS and HVALS.
func hashReadAll(ks *Keyspace, key []byte, parts hashParts) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.lookupHash(bstr(key))
	if h == nil || err != nil {
		return resp.Array(), err
	}
	n := h.len()
	if parts == hashFields|hashValues {
		n *= 2
	}
	out := make([]resp.Value, 0, n)
	h.each(func(f, v string) {
		if parts&hashFields != 0 {
			out = append(out, resp.Bulk(f))
		}
		if parts&hashValues != 0 {
			out = append(out, resp.Bulk(v))
		}
	})
	return resp.Array(out...), nil
}

// HGETALL key
func cmdHgetall(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return hashReadAll(ks, argv[1], hashFields|hashValues)
}

// HKEYS key
func cmdHkeys(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return hashReadAll(ks, argv[1], hashFields)
}

// HVALS key
func cmdHvals(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return hashReadAll(ks, argv[1], hashValues)
}

// HDEL key field [field ...]: the key goes with its last field.
func cmdHdel(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	h, n, err := db.lookupHash(bstr(argv[1]))
	if h == nil || err != nil {
		return resp.Zero, err
	}
	deleted, removed := 0, false
	for _, f := range argv[2:] {
		if h.del(bstr(f)) {
			deleted++
			if h.len() == 0 {
				db.remove(n)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		db.notify(ClassHash, "hdel", n.key())
	}
	if removed {
		db.notify(ClassGeneric, "del", n.key())
	}
	return resp.Int(int64(deleted)), nil
}

// HLEN key
func cmdHlen(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.lookupHash(bstr(argv[1]))
	if h == nil || err != nil {
		return resp.Zero, err
	}
	return resp.Int(int64(h.len())), nil
}

// HEXISTS key field
func cmdHexists(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.lookupHash(bstr(argv[1]))
	if h == nil || err != nil {
		return resp.Zero, err
	}
	_, ok := h.get(bstr(argv[2]))
	return resp.Bool(ok), nil
}

// HSTRLEN key field
func cmdHstrlen(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.lookupHash(bstr(argv[1]))
	if h == nil || err != nil {
		return resp.Zero, err
	}
	v, _ := h.get(bstr(argv[2]))
	return resp.Int(int64(len(v))), nil
}

// HINCRBY key field increment
func cmdHincrby(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	by, err := argInt(argv[3])
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.hashForWrite(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	var cur int64
	if v, ok := h.get(bstr(argv[2])); ok {
		if cur, ok = parseInt(v); !ok {
			return resp.Value{}, ErrHashNotInteger
		}
	}
	if (by < 0 && cur < 0 && by < math.MinInt64-cur) || (by > 0 && cur > 0 && by > math.MaxInt64-cur) {
		return resp.Value{}, ErrOverflow
	}
	cur += by
	h.set(bstr(argv[2]), formatInt(cur))
	db.notify(ClassHash, "hincrby", bstr(argv[1]))
	return resp.Int(cur), nil
}

// HINCRBYFLOAT key field increment: in long double, as INCRBYFLOAT.
func cmdHincrbyfloat(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	incr, ok := parseLongDouble(bstr(argv[3]))
	if !ok {
		return resp.Value{}, ErrNotFloat
	}
	if incr.IsInf() {
		return resp.Value{}, ErrNaNOrInfinityArg
	}
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.hashForWrite(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	cur := newLongDouble()
	if v, exists := h.get(bstr(argv[2])); exists {
		if cur, ok = parseLongDouble(v); !ok {
			return resp.Value{}, ErrHashNotFloat
		}
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		return resp.Value{}, ErrNaNOrInfinity
	}
	text := formatLongDouble(sum)
	h.set(bstr(argv[2]), text)
	db.notify(ClassHash, "hincrbyfloat", bstr(argv[1]))
	return resp.Bulk(text), nil
}

// HRANDFIELD key [count [WITHVALUES]]
func cmdHrandfield(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if len(argv) == 2 {
		db := ks.lock()
		defer ks.unlock()
		h, _, err := db.lookupHash(bstr(argv[1]))
		if h == nil || err != nil {
			return resp.Null, err
		}
		f, _ := h.randomField()
		return resp.Bulk(f), nil
	}
	count, withValues, err := parseRandomCount(argv, "withvalues")
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.lookupHash(bstr(argv[1]))
	if h == nil || err != nil || count == 0 {
		return resp.Array(), err
	}
	var out []resp.Value
	emit := func(f, v string) {
		out = append(out, resp.Bulk(f))
		if withValues {
			out = append(out, resp.Bulk(v))
		}
	}
	switch {
	case count < 0 || count == 1:
		// With repetitions, in random order.
		for range abs64(count) {
			emit(h.randomField())
		}
	case count >= int64(h.len()):
		h.each(emit)
	default:
		// Distinct fields: a random sample, in the hash's order.
		picked := randomSample(h.len(), int(count))
		i := 0
		h.each(func(f, v string) {
			if picked[i] {
				emit(f, v)
			}
			i++
		})
	}
	return resp.Array(out...), nil
}

// HSCAN key cursor [MATCH pattern] [COUNT count]: every field in one reply.
func cmdHscan(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if _, err := parseCursor(argv[2]); err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	h, _, err := db.lookupHash(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	if h == nil {
		return scanReply(0, nil), nil
	}
	opts, err := parseScanOptions(argv[3:], false)
	if err != nil {
		return resp.Value{}, err
	}
	var out []resp.Value
	h.each(func(f, v string) {
		if !opts.match || globMatch(opts.pattern, f) {
			out = append(out, resp.Bulk(f), resp.Bulk(v))
		}
	})
	return scanReply(0, out), nil
}
