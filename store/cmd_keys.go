package store

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"del", -2, "write", 1, -1, 1, cmdDel},
		cmd{"exists", -2, "readonly fast", 1, -1, 1, cmdExists},
		cmd{"type", 2, "readonly fast", 1, 1, 1, cmdType},
		cmd{"keys", 2, "readonly", 0, 0, 0, cmdKeys},
		cmd{"scan", -2, "readonly", 0, 0, 0, cmdScan},
		cmd{"dbsize", 1, "readonly fast", 0, 0, 0, cmdDbsize},
		cmd{"flushall", -1, "write", 0, 0, 0, cmdFlush},
		cmd{"flushdb", -1, "write", 0, 0, 0, cmdFlush},
		cmd{"expire", -3, "write fast", 1, 1, 1, cmdExpire},
		cmd{"pexpire", -3, "write fast", 1, 1, 1, cmdPexpire},
		cmd{"ttl", 2, "readonly fast", 1, 1, 1, cmdTTL},
		cmd{"pttl", 2, "readonly fast", 1, 1, 1, cmdPTTL},
		cmd{"persist", 2, "write fast", 1, 1, 1, cmdPersist},
		cmd{"unlink", -2, "write fast", 1, -1, 1, cmdDel},
		cmd{"touch", -2, "readonly fast", 1, -1, 1, cmdExists},
		cmd{"rename", 3, "write", 1, 2, 1, cmdRename},
		cmd{"renamenx", 3, "write fast", 1, 2, 1, cmdRenamenx},
		cmd{"copy", -3, "write denyoom", 1, 2, 1, cmdCopy},
		cmd{"expireat", -3, "write fast", 1, 1, 1, cmdExpireat},
		cmd{"pexpireat", -3, "write fast", 1, 1, 1, cmdPexpireat},
		cmd{"expiretime", 2, "readonly fast", 1, 1, 1, cmdExpiretime},
		cmd{"pexpiretime", 2, "readonly fast", 1, 1, 1, cmdPexpiretime},
		cmd{"randomkey", 1, "readonly", 0, 0, 0, cmdRandomkey},
		cmd{"object", -2, "", 0, 0, 0, cmdObject},
	)
}

// DEL key [key ...]
func cmdDel(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	deleted := 0
	for _, key := range argv[1:] {
		if n := db.lookup(bstr(key)); n != nil {
			db.remove(n)
			db.notify(ClassGeneric, "del", n.key())
			deleted++
		}
	}
	return resp.Int(int64(deleted)), nil
}

// EXISTS key [key ...]: a key named twice counts twice.
func cmdExists(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	found := 0
	for _, key := range argv[1:] {
		if db.lookup(bstr(key)) != nil {
			found++
		}
	}
	return resp.Int(int64(found)), nil
}

// TYPE key
func cmdType(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	n := db.lookup(bstr(argv[1]))
	if n == nil {
		return resp.Simple("none"), nil
	}
	return resp.Simple(n.typeName()), nil
}

// KEYS pattern: in the key table's order, expired keys left out (but not
// deleted, as in Redis).
func cmdKeys(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	pattern := string(argv[1])
	all := pattern == "*"
	db := ks.lock()
	defer ks.unlock()
	var keys []resp.Value
	db.dict.each(func(n *node) bool {
		if (all || globMatch(pattern, n.key())) && !db.expired(n) {
			keys = append(keys, resp.Bulk(n.key()))
		}
		return true
	})
	return resp.Array(keys...), nil
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
func cmdScan(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	cursor, err := parseCursor(argv[1])
	if err != nil {
		return resp.Value{}, err
	}
	opts, err := parseScanOptions(argv[2:], true)
	if err != nil {
		return resp.Value{}, err
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	next, nodes := db.scanKeys(cursor, opts.count, opts.match, opts.pattern, opts.typ)
	// >> Response
	keys := make([]resp.Value, len(nodes))
	for i, n := range nodes {
		keys[i] = resp.Bulk(n.key())
	}
	return scanReply(next, keys), nil
}

// scanReply is the reply of every SCAN command: the next cursor as a bulk
// string, then the elements.
func scanReply(next uint64, elems []resp.Value) resp.Value {
	return resp.Array(resp.Bulk(strconv.FormatUint(next, 10)), resp.Array(elems...))
}

// parseCursor parses a SCAN cursor as Redis does, with C's strtoul: no
// leading space, an optional sign (a negative cursor wraps around), and
// an empty or digitless argument read as 0 when nothing follows.
func parseCursor(b []byte) (uint64, error) {
	s := cString(b)
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	overflow := false
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if i == start {
		// No digits: strtoul leaves eptr at the start of the string.
		if len(s) == 0 {
			return 0, nil
		}
		return 0, ErrInvalidCursor
	}
	if i != len(s) || overflow {
		return 0, ErrInvalidCursor
	}
	if neg {
		v = -v
	}
	return v, nil
}

// scanOptions are the options of SCAN, HSCAN, SSCAN and ZSCAN.
type scanOptions struct {
	count   int
	match   bool   // false when there is no MATCH or it is "*"
	pattern string // when match is set
	typ     string // "" for any type; SCAN only
}

// parseScanOptions parses [MATCH pattern] [COUNT count] [TYPE type] as
// Redis's scanGenericCommand; TYPE only when keys is set (SCAN itself).
func parseScanOptions(args [][]byte, keys bool) (scanOptions, error) {
	o := scanOptions{count: 10}
	for i := 0; i < len(args); i += 2 {
		hasArg := i+1 < len(args)
		switch {
		case isOpt(args[i], "count") && hasArg:
			n, err := argInt(args[i+1])
			if err != nil {
				return o, err
			}
			if n < 1 {
				return o, ErrSyntax
			}
			o.count = int(min(n, math.MaxInt32))
		case isOpt(args[i], "match") && hasArg:
			o.pattern = string(args[i+1])
			o.match = o.pattern != "*"
		case isOpt(args[i], "type") && keys && hasArg:
			o.typ = cString(args[i+1])
		default:
			return o, ErrSyntax
		}
	}
	return o, nil
}

// DBSIZE: expired keys not yet deleted count, as in Redis.
func cmdDbsize(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	return resp.Int(int64(db.dict.len())), nil
}

// FLUSHALL [ASYNC | SYNC], FLUSHDB [ASYNC | SYNC]: there is one database,
// and the old keys are left to the garbage collector either way.
func cmdFlush(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if len(argv) > 2 || (len(argv) == 2 && !isOpt(argv[1], "sync") && !isOpt(argv[1], "async")) {
		return resp.Value{}, ErrSyntax
	}
	db := ks.lock()
	defer ks.unlock()
	db.flush()
	return resp.OK, nil
}

// EXPIRE key seconds [NX | XX | GT | LT]
func cmdExpire(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return expireGeneric(ks, argv, true, true, "expire")
}

// PEXPIRE key milliseconds [NX | XX | GT | LT]
func cmdPexpire(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return expireGeneric(ks, argv, true, false, "pexpire")
}

// expireFlags are the conditions of the EXPIRE family.
type expireFlags uint8

const (
	expireNX expireFlags = 1 << iota
	expireXX
	expireGT
	expireLT
)

// parseExpireFlags is Redis's parseExtendedExpireArgumentsOrReply.
func parseExpireFlags(args [][]byte) (expireFlags, error) {
	var f expireFlags
	for _, a := range args {
		switch {
		case isOpt(a, "nx"):
			f |= expireNX
		case isOpt(a, "xx"):
			f |= expireXX
		case isOpt(a, "gt"):
			f |= expireGT
		case isOpt(a, "lt"):
			f |= expireLT
		default:
			return 0, errUnsupportedOption(a)
		}
	}
	if f&expireNX != 0 && f&(expireXX|expireGT|expireLT) != 0 {
		return 0, ErrExpireNXWithOthers
	}
	if f&expireGT != 0 && f&expireLT != 0 {
		return 0, ErrExpireGTAndLT
	}
	return f, nil
}

// expireGeneric is Redis's expireGenericCommand: the time argument is
// relative to now when relative is set, in seconds when seconds is set; a
// deadline already past deletes the key.
func expireGeneric(ks *Keyspace, argv [][]byte, relative, seconds bool, name string) (resp.Value, error) {
	// >> Args
	flags, err := parseExpireFlags(argv[3:])
	if err != nil {
		return resp.Value{}, err
	}
	when, err := argInt(argv[2])
	if err != nil {
		return resp.Value{}, err
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			return resp.Value{}, errInvalidExpire(name)
		}
		when *= 1000
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	if relative {
		if when > math.MaxInt64-db.now() {
			return resp.Value{}, errInvalidExpire(name)
		}
		when += db.now()
	}
	n := db.lookup(bstr(argv[1]))
	if n == nil {
		return resp.Zero, nil
	}
	if flags != 0 {
		cur := db.deadline(n) // -1: no TTL, an infinite one for GT and LT
		switch {
		case flags&expireNX != 0 && cur != -1,
			flags&expireXX != 0 && cur == -1,
			flags&expireGT != 0 && (when <= cur || cur == -1),
			flags&expireLT != 0 && cur != -1 && when >= cur:
			return resp.Zero, nil
		}
	}
	if when <= db.now() {
		db.remove(n)
		db.notify(ClassGeneric, "del", n.key())
	} else {
		db.setDeadline(n, when)
		db.notify(ClassGeneric, "expire", n.key())
	}
	return resp.One, nil
}

// EXPIREAT key unix-seconds [NX | XX | GT | LT]
func cmdExpireat(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return expireGeneric(ks, argv, false, true, "expireat")
}

// PEXPIREAT key unix-milliseconds [NX | XX | GT | LT]
func cmdPexpireat(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return expireGeneric(ks, argv, false, false, "pexpireat")
}

// TTL key
func cmdTTL(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return ttlGeneric(ks, argv[1], false, false)
}

// PTTL key
func cmdPTTL(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return ttlGeneric(ks, argv[1], true, false)
}

// EXPIRETIME key
func cmdExpiretime(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return ttlGeneric(ks, argv[1], false, true)
}

// PEXPIRETIME key
func cmdPexpiretime(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return ttlGeneric(ks, argv[1], true, true)
}

// ttlGeneric answers -2 for a missing key, -1 for a key without TTL, else
// the time left, or the deadline when abs is set, in seconds rounded to
// nearest unless ms is set.
func ttlGeneric(ks *Keyspace, key []byte, ms, abs bool) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	n := db.lookup(bstr(key))
	if n == nil {
		return resp.Int(-2), nil
	}
	at := db.deadline(n)
	if at == -1 {
		return resp.Int(-1), nil
	}
	ttl := at
	if !abs {
		ttl -= db.now()
	}
	ttl = max(ttl, 0)
	if !ms {
		// Unsigned, as Redis's overflowing (ttl+500)/1000 comes out.
		ttl = int64((uint64(ttl) + 500) / 1000)
	}
	return resp.Int(ttl), nil
}

// PERSIST key
func cmdPersist(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	n := db.lookup(bstr(argv[1]))
	if n == nil || !db.persist(n) {
		return resp.Zero, nil
	}
	db.notify(ClassGeneric, "persist", n.key())
	return resp.One, nil
}

// RENAME key newkey
func cmdRename(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return renameGeneric(ks, argv, false)
}

// RENAMENX key newkey
func cmdRenamenx(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return renameGeneric(ks, argv, true)
}

// renameGeneric moves a key and its TTL to a new name, replacing what is
// there unless nx is set.
func renameGeneric(ks *Keyspace, argv [][]byte, nx bool) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	src, dst := bstr(argv[1]), bstr(argv[2])
	n := db.lookup(src)
	if n == nil {
		return resp.Value{}, ErrNoSuchKey
	}
	done := resp.OK
	if nx {
		done = resp.One
	}
	if src == dst {
		if nx {
			return resp.Zero, nil
		}
		return resp.OK, nil
	}
	if old := db.lookup(dst); old != nil {
		if nx {
			return resp.Zero, nil
		}
		db.remove(old)
	}
	deadline := db.deadline(n)
	db.remove(n)
	moved := n.withKey(dst)
	db.add(moved)
	if deadline != -1 {
		db.setDeadline(moved, deadline)
	}
	db.notify(ClassGeneric, "rename_from", src)
	db.notify(ClassGeneric, "rename_to", dst)
	return done, nil
}

// COPY source destination [DB destination-db] [REPLACE]: there is one
// database, so DB may only name it.
func cmdCopy(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	replace := false
	for j := 3; j < len(argv); j++ {
		switch {
		case isOpt(argv[j], "replace"):
			replace = true
		case isOpt(argv[j], "db") && j+1 < len(argv):
			id, err := argInt(argv[j+1])
			if err != nil {
				return resp.Value{}, err
			}
			if id < math.MinInt32 || id > math.MaxInt32 {
				return resp.Value{}, ErrIntRange
			}
			if id != 0 {
				return resp.Value{}, ErrDBIndex
			}
			j++
		default:
			return resp.Value{}, ErrSyntax
		}
	}
	src, dst := bstr(argv[1]), bstr(argv[2])
	if src == dst {
		return resp.Value{}, ErrSameObject
	}
	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	was := db.readFirst() // the source is read (stats.go)
	n := db.lookup(src)
	db.reading = was
	if n == nil {
		return resp.Zero, nil
	}
	if old := db.lookup(dst); old != nil {
		if !replace {
			return resp.Zero, nil
		}
		db.remove(old)
	}
	c := n.withKey(dst)
	if c.obj != nil {
		c.obj = c.obj.clone()
	} else if c.enc == encAuto {
		c.enc = encCopied
	}
	db.add(c)
	if deadline := db.deadline(n); deadline != -1 {
		db.setDeadline(c, deadline)
	}
	db.notify(ClassGeneric, "copy_to", dst)
	return resp.One, nil
}

// RANDOMKEY: expired keys met on the way are deleted, as in Redis.
func cmdRandomkey(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	for {
		n := db.dict.random()
		if n == nil {
			return resp.Null, nil
		}
		if !db.expired(n) {
			return resp.Bulk(n.key()), nil
		}
		db.expire(n)
	}
}

// objectHelp is OBJECT HELP's text, as Redis 7.0 prints it.
var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

// sharedIntegers is Redis's OBJ_SHARED_INTEGERS: strings holding 0 to
// 9999 share one object, whose REFCOUNT is INT_MAX.
const sharedIntegers = 10000

// OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT key, OBJECT HELP. Access times and
// frequencies are not tracked: IDLETIME answers 0, FREQ the error Redis
// gives without an LFU policy.
func cmdObject(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	sub := argv[1]
	var name string
	for _, s := range []string{"encoding", "freq", "idletime", "refcount", "help"} {
		if isOpt(sub, s) {
			name = s
		}
	}
	switch {
	case name == "":
		return resp.Value{}, Error(fmt.Sprintf("ERR unknown subcommand '%.128s'. Try %s HELP.", cString(sub), strings.ToUpper(string(argv[0]))))
	case name == "help" && len(argv) != 2, name != "help" && len(argv) != 3:
		return resp.Value{}, errArity("object|" + name)
	case name == "help":
		lines := make([]resp.Value, len(objectHelp))
		for i, l := range objectHelp {
			lines[i] = resp.Simple(l)
		}
		return resp.Array(lines...), nil
	}
	db := ks.lock()
	defer ks.unlock()
	n := db.lookup(bstr(argv[2]))
	if n == nil {
		return resp.Null, nil
	}
	switch name {
	case "encoding":
		if n.obj == nil {
			return resp.Bulk(stringEncoding(n.str(), n.enc)), nil
		}
		return resp.Bulk(n.obj.encoding()), nil
	case "freq":
		return resp.Value{}, ErrNoLFU
	case "idletime":
		return resp.Zero, nil
	}
	if n.obj == nil && n.enc == encAuto && stringEncoding(n.str(), n.enc) == "int" {
		if v, _ := parseInt(n.str()); v >= 0 && v < sharedIntegers {
			return resp.Int(math.MaxInt32), nil
		}
	}
	return resp.One, nil
}
