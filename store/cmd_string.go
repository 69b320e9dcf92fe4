package store

import (
	"math"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"get", 2, "readonly fast", 1, 1, 1, cmdGet},
		cmd{"set", -3, "write denyoom", 1, 1, 1, cmdSet},
		cmd{"mget", -2, "readonly fast", 1, -1, 1, cmdMget},
		cmd{"mset", -3, "write denyoom", 1, -1, 2, cmdMset},
		cmd{"incr", 2, "write denyoom fast", 1, 1, 1, cmdIncr},
		cmd{"decr", 2, "write denyoom fast", 1, 1, 1, cmdDecr},
		cmd{"incrby", 3, "write denyoom fast", 1, 1, 1, cmdIncrby},
		cmd{"decrby", 3, "write denyoom fast", 1, 1, 1, cmdDecrby},
		cmd{"setnx", 3, "write denyoom fast", 1, 1, 1, cmdSetnx},
		cmd{"setex", 4, "write denyoom", 1, 1, 1, cmdSetex},
		cmd{"psetex", 4, "write denyoom", 1, 1, 1, cmdPsetex},
		cmd{"getset", 3, "write denyoom fast", 1, 1, 1, cmdGetset},
		cmd{"getdel", 2, "write fast", 1, 1, 1, cmdGetdel},
		cmd{"getex", -2, "write fast", 1, 1, 1, cmdGetex},
		cmd{"msetnx", -3, "write denyoom", 1, -1, 2, cmdMsetnx},
		cmd{"append", 3, "write denyoom fast", 1, 1, 1, cmdAppend},
		cmd{"strlen", 2, "readonly fast", 1, 1, 1, cmdStrlen},
		cmd{"getrange", 4, "readonly", 1, 1, 1, cmdGetrange},
		cmd{"substr", 4, "readonly", 1, 1, 1, cmdGetrange},
		cmd{"setrange", 4, "write denyoom", 1, 1, 1, cmdSetrange},
		cmd{"incrbyfloat", 3, "write denyoom fast", 1, 1, 1, cmdIncrbyfloat},
	)
}

// GET key
func cmdGet(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	n, err := db.lookupString(bstr(argv[1]))
	if n == nil || err != nil {
		return resp.Null, err
	}
	return resp.Bulk(n.str()), nil
}

// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL]
func cmdSet(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	if len(argv) == 3 {
		db := ks.lock()
		defer ks.unlock()
		db.setString(bstr(argv[1]), argv[2], encAuto, false)
		db.notify(ClassString, "set", bstr(argv[1]))
		return resp.OK, nil
	}
	opts, err := parseSetOptions(argv[3:], false)
	if err != nil {
		return resp.Value{}, err
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	return setGeneric(db, argv[1], argv[2], opts, "set", resp.OK, resp.Null)
}

// setFlags are the options of SET and GETEX (Redis's OBJ_* flags).
type setFlags uint16

const (
	setNX setFlags = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT

	setAnyExpire = setEX | setPX | setEXAT | setPXAT
)

// setOptions are parsed SET or GETEX options.
type setOptions struct {
	flags  setFlags
	expire []byte // the argument of EX, PX, EXAT or PXAT
}

// parseSetOptions parses the options of SET (getex false) or GETEX (getex
// true) as Redis's parseExtendedStringArgumentsOrReply does: an option may
// repeat, conflicting ones are a syntax error.
func parseSetOptions(args [][]byte, getex bool) (setOptions, error) {
	var o setOptions
	set := !getex
	for j := 0; j < len(args); j++ {
		opt := args[j]
		hasNext := j+1 < len(args)
		f := o.flags
		var expFlag setFlags
		switch {
		case set && isOpt(opt, "nx") && f&setXX == 0:
			o.flags |= setNX
		case set && isOpt(opt, "xx") && f&setNX == 0:
			o.flags |= setXX
		case set && isOpt(opt, "get"):
			o.flags |= setGet
		case set && isOpt(opt, "keepttl") && f&(setPersist|setAnyExpire) == 0:
			o.flags |= setKeepTTL
		case getex && isOpt(opt, "persist") && f&(setKeepTTL|setAnyExpire) == 0:
			o.flags |= setPersist
		case isOpt(opt, "ex"):
			expFlag = setEX
		case isOpt(opt, "px"):
			expFlag = setPX
		case isOpt(opt, "exat"):
			expFlag = setEXAT
		case isOpt(opt, "pxat"):
			expFlag = setPXAT
		default:
			return o, ErrSyntax
		}
		if expFlag != 0 {
			// One expiry kind only (the same one may repeat), not with
			// KEEPTTL or PERSIST, and it needs its argument.
			if f&(setKeepTTL|setPersist|(setAnyExpire&^expFlag)) != 0 || !hasNext {
				return o, ErrSyntax
			}
			o.flags |= expFlag
			o.expire = args[j+1]
			j++
		}
	}
	return o, nil
}

// deadline converts the expiry argument to a Unix millisecond deadline, as
// Redis's getExpireMillisecondsOrReply: the argument must be positive and
// the deadline must not overflow. name is the command, for the error text.
func (o setOptions) deadline(now int64, name string) (int64, error) {
	ms, err := argInt(o.expire)
	if err != nil {
		return 0, err
	}
	seconds := o.flags&(setEX|setEXAT) != 0
	if ms <= 0 || (seconds && ms > math.MaxInt64/1000) {
		return 0, errInvalidExpire(name)
	}
	if seconds {
		ms *= 1000
	}
	if o.flags&(setEX|setPX) != 0 {
		ms += now // wraps negative on overflow, caught below as in Redis
	}
	if ms <= 0 {
		return 0, errInvalidExpire(name)
	}
	return ms, nil
}

// setGeneric is Redis's setGenericCommand, the core of SET, SETNX, SETEX
// and PSETEX: it answers ok when the value is written and abort when NX or
// XX prevents it, unless GET asked for the old value instead.
func setGeneric(db *db, key, val []byte, o setOptions, name string, ok, abort resp.Value) (resp.Value, error) {
	var deadline int64
	if o.expire != nil {
		var err error
		if deadline, err = o.deadline(db.now(), name); err != nil {
			return resp.Value{}, err
		}
	}
	k := bstr(key)
	was := db.reading
	if o.flags&setGet != 0 {
		db.readFirst() // SET ... GET and GETSET read first (stats.go)
	}
	n := db.lookup(k)
	db.reading = was
	var old resp.Value
	if o.flags&setGet != 0 {
		old = resp.Null
		if n != nil {
			if !n.isString() {
				return resp.Value{}, ErrWrongType
			}
			old = resp.Bulk(n.str())
		}
	}
	if (o.flags&setNX != 0 && n != nil) || (o.flags&setXX != 0 && n == nil) {
		if o.flags&setGet != 0 {
			return old, nil
		}
		return abort, nil
	}
	n = db.setString(k, val, encAuto, o.flags&setKeepTTL != 0)
	db.notify(ClassString, "set", k)
	if o.expire != nil {
		db.setDeadline(n, deadline)
		db.notify(ClassGeneric, "expire", k)
	}
	if o.flags&setGet != 0 {
		return old, nil
	}
	return ok, nil
}

// MGET key [key ...]
func cmdMget(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	vals := make([]resp.Value, len(argv)-1)
	db := ks.lock()
	defer ks.unlock()
	for i, key := range argv[1:] {
		vals[i] = resp.Null
		if n := db.lookup(bstr(key)); n != nil && n.isString() {
			vals[i] = resp.Bulk(n.str())
		}
	}
	return resp.Array(vals...), nil
}

// MSET key value [key value ...]
func cmdMset(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if len(argv)%2 == 0 {
		return resp.Value{}, errArity("mset")
	}
	db := ks.lock()
	defer ks.unlock()
	for i := 1; i < len(argv); i += 2 {
		db.setString(bstr(argv[i]), argv[i+1], encAuto, false)
		db.notify(ClassString, "set", bstr(argv[i]))
	}
	return resp.OK, nil
}

// INCR key
func cmdIncr(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return incrDecr(ks, argv[1], 1)
}

// DECR key
func cmdDecr(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return incrDecr(ks, argv[1], -1)
}

// INCRBY key increment
func cmdIncrby(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	by, err := argInt(argv[2])
	if err != nil {
		return resp.Value{}, err
	}
	return incrDecr(ks, argv[1], by)
}

// DECRBY key decrement
func cmdDecrby(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	by, err := argInt(argv[2])
	if err != nil {
		return resp.Value{}, err
	}
	if by == math.MinInt64 {
		return resp.Value{}, ErrDecrementOverflow
	}
	return incrDecr(ks, argv[1], -by)
}

// incrDecr adds by to the integer held at key (0 when missing), keeping
// the key's TTL.
func incrDecr(ks *Keyspace, key []byte, by int64) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	n, err := db.lookupString(bstr(key))
	if err != nil {
		return resp.Value{}, err
	}
	var v int64
	if n != nil {
		var ok bool
		if v, ok = parseInt(n.str()); !ok {
			return resp.Value{}, ErrNotInteger
		}
	}
	if (by < 0 && v < 0 && by < math.MinInt64-v) || (by > 0 && v > 0 && by > math.MaxInt64-v) {
		return resp.Value{}, ErrOverflow
	}
	v += by
	var buf [20]byte
	db.setString(bstr(key), appendInt(buf[:0], v), encAuto, true)
	db.notify(ClassString, "incrby", bstr(key))
	return resp.Int(v), nil
}

// SETNX key value
func cmdSetnx(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	return setGeneric(db, argv[1], argv[2], setOptions{flags: setNX}, "setnx", resp.One, resp.Zero)
}

// SETEX key seconds value
func cmdSetex(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	return setGeneric(db, argv[1], argv[3], setOptions{flags: setEX, expire: argv[2]}, "setex", resp.OK, resp.Null)
}

// PSETEX key milliseconds value
func cmdPsetex(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	return setGeneric(db, argv[1], argv[3], setOptions{flags: setPX, expire: argv[2]}, "psetex", resp.OK, resp.Null)
}

// GETSET key value: SET key value GET.
func cmdGetset(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	return setGeneric(db, argv[1], argv[2], setOptions{flags: setGet}, "getset", resp.OK, resp.Null)
}

// GETDEL key
func cmdGetdel(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	n, err := db.lookupString(bstr(argv[1]))
	if n == nil || err != nil {
		return resp.Null, err
	}
	db.remove(n)
	db.notify(ClassGeneric, "del", n.key())
	return resp.Bulk(n.str()), nil
}

// GETEX key [EX s | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST]
func cmdGetex(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	opts, err := parseSetOptions(argv[2:], true)
	if err != nil {
		return resp.Value{}, err
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	n, err := db.lookupString(bstr(argv[1]))
	if n == nil || err != nil {
		return resp.Null, err
	}
	// As in Redis, a bad expiry only counts once the key is known.
	var deadline int64
	if opts.expire != nil {
		if deadline, err = opts.deadline(db.now(), "getex"); err != nil {
			return resp.Value{}, err
		}
	}
	val := resp.Bulk(n.str())
	switch {
	case opts.flags&(setEXAT|setPXAT) != 0 && deadline <= db.now():
		db.remove(n)
		db.notify(ClassGeneric, "del", n.key())
	case opts.expire != nil:
		db.setDeadline(n, deadline)
		db.notify(ClassGeneric, "expire", n.key())
	case opts.flags&setPersist != 0:
		if db.persist(n) {
			db.notify(ClassGeneric, "persist", n.key())
		}
	}
	return val, nil
}

// MSETNX key value [key value ...]: all or nothing.
func cmdMsetnx(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if len(argv)%2 == 0 {
		return resp.Value{}, errArity("msetnx")
	}
	db := ks.lock()
	defer ks.unlock()
	for i := 1; i < len(argv); i += 2 {
		if db.lookup(bstr(argv[i])) != nil {
			return resp.Zero, nil
		}
	}
	for i := 1; i < len(argv); i += 2 {
		db.setString(bstr(argv[i]), argv[i+1], encAuto, false)
		db.notify(ClassString, "set", bstr(argv[i]))
	}
	return resp.One, nil
}

// maxStringLength is Redis's proto-max-bulk-len default, 512MB.
const maxStringLength = 512 << 20

// checkStringLength is Redis's checkStringLength: size bytes written at
// offset must fit the limit, without overflowing.
func checkStringLength(offset, size int64) error {
	total := offset + size
	if total > maxStringLength || total < size || total < offset {
		return ErrStringTooLong
	}
	return nil
}

// APPEND key value: the new length. The TTL stays.
func cmdAppend(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	key := bstr(argv[1])
	n, err := db.lookupString(key)
	if err != nil {
		return resp.Value{}, err
	}
	if n == nil {
		n = db.setString(key, argv[2], encAuto, false)
		db.notify(ClassString, "append", key)
		return resp.Int(int64(len(n.str()))), nil
	}
	old := n.str()
	if err := checkStringLength(int64(len(old)), int64(len(argv[2]))); err != nil {
		return resp.Value{}, err
	}
	val := make([]byte, 0, len(old)+len(argv[2]))
	val = append(append(val, old...), argv[2]...)
	n.setStr(val, encRaw)
	db.notify(ClassString, "append", key)
	return resp.Int(int64(len(val))), nil
}

// STRLEN key
func cmdStrlen(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	n, err := db.lookupString(bstr(argv[1]))
	if n == nil || err != nil {
		return resp.Zero, err
	}
	return resp.Int(int64(len(n.str()))), nil
}

// GETRANGE key start end (and its old name SUBSTR)
func cmdGetrange(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	start, end, err := argRange(argv[2], argv[3])
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	n, err := db.lookupString(bstr(argv[1]))
	if n == nil || err != nil {
		return resp.Bulk(""), err
	}
	s := n.str()
	size := int64(len(s))
	if start < 0 && end < 0 && start > end {
		return resp.Bulk(""), nil
	}
	if start < 0 {
		start += size
	}
	if end < 0 {
		end += size
	}
	start, end = max(start, 0), max(end, 0)
	if end >= size {
		end = size - 1
	}
	if start > end || size == 0 {
		return resp.Bulk(""), nil
	}
	return resp.Bulk(s[start : end+1]), nil
}

// SETRANGE key offset value: the new length. The TTL stays.
func cmdSetrange(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	offset, err := argInt(argv[2])
	if err != nil {
		return resp.Value{}, err
	}
	if offset < 0 {
		return resp.Value{}, ErrOffsetRange
	}
	value := argv[3]
	db := ks.lock()
	defer ks.unlock()
	key := bstr(argv[1])
	n, err := db.lookupString(key)
	if err != nil {
		return resp.Value{}, err
	}
	var old string
	if n != nil {
		old = n.str()
	}
	if len(value) == 0 {
		// Nothing to write: not even a missing key is created.
		return resp.Int(int64(len(old))), nil
	}
	if err := checkStringLength(offset, int64(len(value))); err != nil {
		return resp.Value{}, err
	}
	size := max(len(old), int(offset)+len(value))
	val := make([]byte, size)
	copy(val, old)
	copy(val[offset:], value)
	if n == nil {
		n = db.setString(key, val, encRaw, false)
	} else {
		n.setStr(val, encRaw)
	}
	db.notify(ClassString, "setrange", key)
	return resp.Int(int64(size)), nil
}

// INCRBYFLOAT key increment: computed in long double, as Redis does, and
// stored as text. The TTL stays.
func cmdIncrbyfloat(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	incr, incrOK := parseLongDouble(bstr(argv[2]))
	db := ks.lock()
	defer ks.unlock()
	key := bstr(argv[1])
	n, err := db.lookupString(key)
	if err != nil {
		return resp.Value{}, err
	}
	cur := newLongDouble()
	if n != nil {
		var ok bool
		if cur, ok = parseLongDouble(n.str()); !ok {
			return resp.Value{}, ErrNotFloat
		}
	}
	if !incrOK {
		return resp.Value{}, ErrNotFloat
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		return resp.Value{}, ErrNaNOrInfinity
	}
	text := formatLongDouble(sum)
	db.setString(key, []byte(text), encNoInt, true)
	db.notify(ClassString, "incrbyfloat", key)
	return resp.Bulk(text), nil
}
