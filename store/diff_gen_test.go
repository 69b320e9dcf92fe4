package store

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// generator makes the differential test's commands: valid ones mostly,
// with keys of the wrong type, bad numbers, bad options, wrong arities and
// unknown commands mixed in. Keys come from small pools per type, so
// commands meet each other's keys often.
type generator struct {
	rng *rand.Rand
	now int64 // Unix seconds when the sequence started, for EXAT and the like
}

func newGenerator(seed uint64) *generator {
	return &generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), now: time.Now().Unix()}
}

// genCommand generates one command; weight says how often.
type genCommand struct {
	weight int
	gen    func(g *generator) []string
}

// genCommands is every command the generator knows, by family.
var genCommands = [][]genCommand{stringGens, keyGens, hashGens, listGens, setGens, zsetGens}

func (g *generator) next() []string {
	total := 0
	for _, fam := range genCommands {
		for _, c := range fam {
			total += c.weight
		}
	}
	pick := g.rng.IntN(total)
	var args []string
	for _, fam := range genCommands {
		for _, c := range fam {
			if pick -= c.weight; pick < 0 && args == nil {
				args = c.gen(g)
			}
		}
	}
	switch r := g.rng.IntN(100); {
	case r < 2: // wrong arity, most of the time
		args = args[:1+g.rng.IntN(len(args))]
	case r < 4:
		args = append(args, g.value())
	case r < 5:
		args = []string{g.oneOf("foo", "gett", "hsett", "x"), g.value(), g.value()}
	}
	args[0] = g.randomCase(args[0])
	return args
}

func (g *generator) oneOf(choices ...string) string { return choices[g.rng.IntN(len(choices))] }

func (g *generator) chance(percent int) bool { return g.rng.IntN(100) < percent }

func (g *generator) randomCase(s string) string {
	switch g.rng.IntN(3) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return strings.ToLower(s)
	}
	b := []byte(s)
	for i := range b {
		if c := b[i] | 0x20; 'a' <= c && c <= 'z' && g.chance(50) {
			b[i] ^= 0x20
		}
	}
	return string(b)
}

// Key pools by type; weird keys test key handling itself.
var (
	stringKeys = []string{"s0", "s1", "s2", "s3", "s4", "s5"}
	hashKeys   = []string{"h0", "h1", "h2", "h3"}
	listKeys   = []string{"l0", "l1", "l2", "l3"}
	setKeys    = []string{"t0", "t1", "t2", "t3"}
	zsetKeys   = []string{"z0", "z1", "z2", "z3"}
	// Lex ranges mean something only when all scores are equal (Redis's
	// own answer otherwise depends on its encoding): these sorted sets
	// only ever get score 0, and no other pool reaches them.
	lexKeys   = []string{"zl0", "zl1"}
	weirdKeys = []string{"", "with space", "bin\x00ary", "ключ", "s0:sub", "{tag}x"}
)

// key returns a key from pool, or now and then from any pool.
func (g *generator) key(pool []string) string {
	if g.chance(85) {
		return pool[g.rng.IntN(len(pool))]
	}
	return g.anyKey()
}

func (g *generator) anyKey() string {
	pools := [][]string{stringKeys, hashKeys, listKeys, setKeys, zsetKeys, weirdKeys}
	p := pools[g.rng.IntN(len(pools))]
	return p[g.rng.IntN(len(p))]
}

func (g *generator) keys(pool []string, min int) []string {
	n := min + g.rng.IntN(4)
	ks := make([]string, n)
	for i := range ks {
		ks[i] = g.key(pool)
	}
	return ks
}

var interestingValues = []string{
	"0", "1", "-1", "42", "-17", "007", "+5", " 3", "3 ", "1.5", "-2.25", "1e3", "abc", "",
	"9223372036854775807", "-9223372036854775808", "9223372036854775808", "99999999999999999999",
	"123456789012345678901", "x\r\ny", "nul\x00byte", "ü",
}

func (g *generator) value() string {
	switch r := g.rng.IntN(10); {
	case r < 5:
		return interestingValues[g.rng.IntN(len(interestingValues))]
	case r < 9:
		return strconv.Itoa(g.rng.IntN(200) - 50)
	}
	return strings.Repeat(g.oneOf("a", "xy", "0"), g.rng.IntN(100))
}

// intArg is an integer argument, sometimes not one.
func (g *generator) intArg() string {
	if g.chance(85) {
		return strconv.Itoa(g.rng.IntN(200) - 50)
	}
	return g.oneOf("x", "1.5", "", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "+1", "-0")
}

// ttlArg is a relative TTL: long enough that nothing expires during the
// test by accident, or invalid, or already past.
func (g *generator) ttlArg(ms bool) string {
	if g.chance(80) {
		n := 100 + g.rng.IntN(10_000)
		if ms {
			n *= 1000
		}
		return strconv.Itoa(n)
	}
	return g.oneOf("0", "-1", "-100", "x", "1.5", "9223372036854775807", "9223372036854775", "-9223372036854775808")
}

// atArg is an absolute deadline in seconds or milliseconds.
func (g *generator) atArg(ms bool) string {
	at := g.now + 100 + int64(g.rng.IntN(10_000))
	if g.chance(20) {
		at = int64(g.rng.IntN(1000)) // long past
	}
	if ms {
		at *= 1000
	}
	if g.chance(10) {
		return g.oneOf("0", "-1", "x", "9223372036854775807")
	}
	return strconv.FormatInt(at, 10)
}

func (g *generator) expireFlags() []string {
	var out []string
	for g.chance(25) {
		out = append(out, g.oneOf("NX", "XX", "GT", "LT", "nx", "gt", "bad"))
	}
	return out
}

func (g *generator) globPattern() string {
	return g.oneOf("*", "s*", "h?", "*0", "[sh]1", "[^s]*", "s[0-2]", `\s0`, "", "*:*", "[", "**", "bin*")
}

var stringGens = []genCommand{
	{10, func(g *generator) []string { return []string{"get", g.key(stringKeys)} }},
	{10, func(g *generator) []string {
		args := []string{"set", g.key(stringKeys), g.value()}
		for g.chance(40) {
			switch g.rng.IntN(9) {
			case 0:
				args = append(args, "NX")
			case 1:
				args = append(args, "XX")
			case 2:
				args = append(args, "GET")
			case 3:
				args = append(args, "KEEPTTL")
			case 4:
				args = append(args, "EX", g.ttlArg(false))
			case 5:
				args = append(args, "PX", g.ttlArg(true))
			case 6:
				args = append(args, "EXAT", g.atArg(false))
			case 7:
				args = append(args, "PXAT", g.atArg(true))
			case 8:
				args = append(args, g.oneOf("PERSIST", "EX", "foo", "nx"))
			}
		}
		return args
	}},
	{3, func(g *generator) []string { return append([]string{"mget"}, g.keys(stringKeys, 1)...) }},
	{3, func(g *generator) []string {
		args := []string{"mset"}
		for range 1 + g.rng.IntN(3) {
			args = append(args, g.key(stringKeys), g.value())
		}
		return args
	}},
	{4, func(g *generator) []string { return []string{g.oneOf("incr", "decr"), g.key(stringKeys)} }},
	{4, func(g *generator) []string {
		return []string{g.oneOf("incrby", "decrby"), g.key(stringKeys), g.intArg()}
	}},
	{2, func(g *generator) []string { return []string{"setnx", g.key(stringKeys), g.value()} }},
	{2, func(g *generator) []string {
		return []string{"setex", g.key(stringKeys), g.ttlArg(false), g.value()}
	}},
	{1, func(g *generator) []string {
		return []string{"psetex", g.key(stringKeys), g.ttlArg(true), g.value()}
	}},
	{2, func(g *generator) []string { return []string{"getset", g.key(stringKeys), g.value()} }},
	{2, func(g *generator) []string { return []string{"getdel", g.key(stringKeys)} }},
	{3, func(g *generator) []string {
		args := []string{"getex", g.key(stringKeys)}
		for g.chance(40) {
			switch g.rng.IntN(6) {
			case 0:
				args = append(args, "EX", g.ttlArg(false))
			case 1:
				args = append(args, "PX", g.ttlArg(true))
			case 2:
				args = append(args, "EXAT", g.atArg(false))
			case 3:
				args = append(args, "PXAT", g.atArg(true))
			case 4:
				args = append(args, "PERSIST")
			case 5:
				args = append(args, g.oneOf("KEEPTTL", "NX", "EX", "foo"))
			}
		}
		return args
	}},
	{2, func(g *generator) []string {
		args := []string{"msetnx"}
		for range 1 + g.rng.IntN(3) {
			args = append(args, g.key(stringKeys), g.value())
		}
		return args
	}},
	{3, func(g *generator) []string { return []string{"append", g.key(stringKeys), g.value()} }},
	{2, func(g *generator) []string { return []string{"strlen", g.key(stringKeys)} }},
	{3, func(g *generator) []string {
		return []string{g.oneOf("getrange", "substr"), g.key(stringKeys), g.indexArg(), g.indexArg()}
	}},
	{2, func(g *generator) []string {
		offset := strconv.Itoa(g.rng.IntN(60))
		if g.chance(15) {
			offset = g.oneOf("-1", "x", "536870912", "9223372036854775807")
		}
		return []string{"setrange", g.key(stringKeys), offset, g.value()}
	}},
	{3, func(g *generator) []string {
		incr := g.oneOf("0.1", "-1.5", "1e3", "3.0e-2", "2", "-0.2", "10.5", "1.23456789012345678")
		if g.chance(20) {
			incr = g.oneOf("inf", "-inf", "x", "0x10", "1e400", " 1", "nan", "", "1e-5000")
		}
		return []string{"incrbyfloat", g.key(stringKeys), incr}
	}},
}

// indexArg is an index into a string or a list, from either end.
func (g *generator) indexArg() string {
	if g.chance(90) {
		return strconv.Itoa(g.rng.IntN(30) - 15)
	}
	return g.oneOf("x", "9223372036854775807", "-9223372036854775808", "1.5")
}

var keyGens = []genCommand{
	{3, func(g *generator) []string { return append([]string{"del"}, g.keys(stringKeys, 1)...) }},
	{1, func(g *generator) []string { return append([]string{"del"}, g.keys(hashKeys, 1)...) }},
	{3, func(g *generator) []string { return append([]string{"exists"}, g.keys(stringKeys, 1)...) }},
	{3, func(g *generator) []string { return []string{"type", g.anyKey()} }},
	{1, func(g *generator) []string { return []string{"keys", g.globPattern()} }},
	{2, func(g *generator) []string {
		// Only cursor 0 or invalid ones: a scan from elsewhere would delete
		// different expired keys on each side.
		args := []string{"scan", g.oneOf("0", "0", "0", "x", "", "+", "1x")}
		for g.chance(40) {
			switch g.rng.IntN(4) {
			case 0:
				args = append(args, "MATCH", g.globPattern())
			case 1:
				args = append(args, "COUNT", g.oneOf("1", "3", "100", "0", "-1", "x"))
			case 2:
				args = append(args, "TYPE", g.oneOf("string", "hash", "HASH", "list", "none", "bogus"))
			case 3:
				args = append(args, g.oneOf("MATCH", "COUNT", "foo"))
			}
		}
		return args
	}},
	{1, func(g *generator) []string { return []string{"dbsize"} }},
	{4, func(g *generator) []string {
		return append([]string{"expire", g.anyKey(), g.ttlArg(false)}, g.expireFlags()...)
	}},
	{3, func(g *generator) []string {
		return append([]string{"pexpire", g.anyKey(), g.ttlArg(true)}, g.expireFlags()...)
	}},
	{3, func(g *generator) []string { return []string{"ttl", g.anyKey()} }},
	{3, func(g *generator) []string { return []string{"pttl", g.anyKey()} }},
	{2, func(g *generator) []string { return []string{"persist", g.anyKey()} }},
	{1, func(g *generator) []string {
		if !g.chance(5) { // rare: the sequence needs keys to work on
			return []string{"flushdb", g.oneOf("now", "sync")}
		}
		return append([]string{g.oneOf("flushall", "flushdb")}, g.oneOf("", "ASYNC", "sync"))[:1+g.rng.IntN(2)]
	}},
	{1, func(g *generator) []string { return append([]string{"unlink"}, g.keys(stringKeys, 1)...) }},
	{1, func(g *generator) []string { return append([]string{"touch"}, g.keys(hashKeys, 1)...) }},
	{2, func(g *generator) []string {
		return []string{g.oneOf("rename", "renamenx"), g.anyKey(), g.anyKey()}
	}},
	{2, func(g *generator) []string {
		args := []string{"copy", g.anyKey(), g.anyKey()}
		for g.chance(30) {
			switch g.rng.IntN(3) {
			case 0:
				args = append(args, "REPLACE")
			case 1:
				args = append(args, "DB", g.oneOf("0", "0", "x", "16", "-1", "99999999999"))
			case 2:
				args = append(args, g.oneOf("DB", "foo"))
			}
		}
		return args
	}},
	{2, func(g *generator) []string {
		return append([]string{"expireat", g.anyKey(), g.atArg(false)}, g.expireFlags()...)
	}},
	{2, func(g *generator) []string {
		return append([]string{"pexpireat", g.anyKey(), g.atArg(true)}, g.expireFlags()...)
	}},
	{2, func(g *generator) []string { return []string{g.oneOf("expiretime", "pexpiretime"), g.anyKey()} }},
	{1, func(g *generator) []string { return []string{"randomkey"} }},
	{3, func(g *generator) []string {
		sub := g.oneOf("encoding", "encoding", "encoding", "refcount", "freq", "help", "bogus")
		if sub == "help" {
			return []string{"object", sub}
		}
		return []string{"object", sub, g.anyKey()}
	}},
}

func (g *generator) field() string {
	if g.chance(3) {
		return strings.Repeat("f", 65) // past the listpack's value limit
	}
	return g.oneOf("f0", "f1", "f2", "f3", "f4", "f5", "n", "", "ü")
}

func (g *generator) fields(min int) []string {
	fs := make([]string, min+g.rng.IntN(3))
	for i := range fs {
		fs[i] = g.field()
	}
	return fs
}

var hashGens = []genCommand{
	{8, func(g *generator) []string {
		args := []string{g.oneOf("hset", "hset", "hmset"), g.key(hashKeys)}
		for range 1 + g.rng.IntN(3) {
			args = append(args, g.field(), g.value())
		}
		return args
	}},
	{2, func(g *generator) []string { return []string{"hsetnx", g.key(hashKeys), g.field(), g.value()} }},
	{5, func(g *generator) []string { return []string{"hget", g.key(hashKeys), g.field()} }},
	{3, func(g *generator) []string { return append([]string{"hmget", g.key(hashKeys)}, g.fields(1)...) }},
	{3, func(g *generator) []string { return []string{g.oneOf("hgetall", "hkeys", "hvals"), g.key(hashKeys)} }},
	{4, func(g *generator) []string { return append([]string{"hdel", g.key(hashKeys)}, g.fields(1)...) }},
	{2, func(g *generator) []string { return []string{"hlen", g.key(hashKeys)} }},
	{2, func(g *generator) []string { return []string{"hexists", g.key(hashKeys), g.field()} }},
	{2, func(g *generator) []string { return []string{"hstrlen", g.key(hashKeys), g.field()} }},
	{4, func(g *generator) []string { return []string{"hincrby", g.key(hashKeys), g.field(), g.intArg()} }},
	{3, func(g *generator) []string {
		incr := g.oneOf("0.1", "-1.5", "1e3", "2", "10.5")
		if g.chance(20) {
			incr = g.oneOf("inf", "x", "0x10", "1e400", "", "-inf")
		}
		return []string{"hincrbyfloat", g.key(hashKeys), g.field(), incr}
	}},
	{2, func(g *generator) []string {
		args := []string{"hrandfield", g.key(hashKeys)}
		if g.chance(70) {
			args = append(args, g.randomCount())
			if g.chance(50) {
				args = append(args, g.oneOf("WITHVALUES", "withvalues", "foo"))
			}
		}
		return args
	}},
	{2, func(g *generator) []string { return g.scanArgs("hscan", hashKeys) }},
}

// randomCount is the count of HRANDFIELD, SRANDMEMBER, ZRANDMEMBER.
func (g *generator) randomCount() string {
	if g.chance(90) {
		return strconv.Itoa(g.rng.IntN(20) - 8)
	}
	return g.oneOf("x", "-9223372036854775808", "9223372036854775807", "4611686018427387904")
}

// scanArgs is an HSCAN, SSCAN or ZSCAN of a key of pool.
func (g *generator) scanArgs(name string, pool []string) []string {
	args := []string{name, g.key(pool), g.oneOf("0", "0", "0", "x", "")}
	for g.chance(40) {
		switch g.rng.IntN(4) {
		case 0:
			args = append(args, "MATCH", g.oneOf("*", "f*", "?", "*1", "[a-f]*", ""))
		case 1:
			args = append(args, "COUNT", g.oneOf("1", "3", "100", "0", "x"))
		case 2:
			args = append(args, "TYPE", "string")
		case 3:
			args = append(args, g.oneOf("MATCH", "foo"))
		}
	}
	return args
}

func (g *generator) element() string {
	if g.chance(80) {
		return g.oneOf("a", "b", "c", "d", "1", "2", "10", "")
	}
	return g.value()
}

func (g *generator) elements(min int) []string {
	es := make([]string, min+g.rng.IntN(4))
	for i := range es {
		es[i] = g.element()
	}
	return es
}

func (g *generator) side() string { return g.oneOf("LEFT", "RIGHT", "left", "right", "up") }

var listGens = []genCommand{
	{8, func(g *generator) []string {
		return append([]string{g.oneOf("lpush", "rpush"), g.key(listKeys)}, g.elements(1)...)
	}},
	{2, func(g *generator) []string {
		return append([]string{g.oneOf("lpushx", "rpushx"), g.key(listKeys)}, g.elements(1)...)
	}},
	{5, func(g *generator) []string {
		args := []string{g.oneOf("lpop", "rpop"), g.key(listKeys)}
		if g.chance(40) {
			args = append(args, g.oneOf("0", "1", "2", "5", "-1", "x"))
		}
		return args
	}},
	{2, func(g *generator) []string { return []string{"llen", g.key(listKeys)} }},
	{4, func(g *generator) []string { return []string{"lrange", g.key(listKeys), g.indexArg(), g.indexArg()} }},
	{2, func(g *generator) []string { return []string{"lindex", g.key(listKeys), g.indexArg()} }},
	{2, func(g *generator) []string { return []string{"lset", g.key(listKeys), g.indexArg(), g.element()} }},
	{2, func(g *generator) []string {
		return []string{"linsert", g.key(listKeys), g.oneOf("BEFORE", "AFTER", "after", "middle"), g.element(), g.element()}
	}},
	{2, func(g *generator) []string { return []string{"lrem", g.key(listKeys), g.indexArg(), g.element()} }},
	{1, func(g *generator) []string { return []string{"ltrim", g.key(listKeys), g.indexArg(), g.indexArg()} }},
	{3, func(g *generator) []string {
		args := []string{"lpos", g.key(listKeys), g.element()}
		for g.chance(40) {
			switch g.rng.IntN(4) {
			case 0:
				args = append(args, "RANK", g.oneOf("1", "2", "-1", "-2", "0", "x", "-9223372036854775808"))
			case 1:
				args = append(args, "COUNT", g.oneOf("0", "1", "2", "-1", "x"))
			case 2:
				args = append(args, "MAXLEN", g.oneOf("0", "1", "3", "-1"))
			case 3:
				args = append(args, g.oneOf("RANK", "foo"))
			}
		}
		return args
	}},
	{2, func(g *generator) []string {
		return []string{"lmove", g.key(listKeys), g.key(listKeys), g.side(), g.side()}
	}},
	{1, func(g *generator) []string { return []string{"rpoplpush", g.key(listKeys), g.key(listKeys)} }},
}

// member is a set member: integers often, so intsets form and convert.
func (g *generator) member() string {
	switch r := g.rng.IntN(10); {
	case r < 6:
		return strconv.Itoa(g.rng.IntN(30) - 5)
	case r < 9:
		return g.oneOf("a", "b", "c", "x", "007", "-0", "")
	}
	return g.value()
}

func (g *generator) members(min int) []string {
	ms := make([]string, min+g.rng.IntN(4))
	for i := range ms {
		ms[i] = g.member()
	}
	return ms
}

var setGens = []genCommand{
	{8, func(g *generator) []string { return append([]string{"sadd", g.key(setKeys)}, g.members(1)...) }},
	{1, func(g *generator) []string {
		// Enough integers to pass the intset limit now and then.
		args := []string{"sadd", g.key(setKeys)}
		for i := range 100 + g.rng.IntN(500) {
			args = append(args, strconv.Itoa(i))
		}
		return args
	}},
	{4, func(g *generator) []string { return append([]string{"srem", g.key(setKeys)}, g.members(1)...) }},
	{3, func(g *generator) []string { return []string{"smembers", g.key(setKeys)} }},
	{3, func(g *generator) []string { return []string{"sismember", g.key(setKeys), g.member()} }},
	{2, func(g *generator) []string { return append([]string{"smismember", g.key(setKeys)}, g.members(1)...) }},
	{2, func(g *generator) []string { return []string{"scard", g.key(setKeys)} }},
	{2, func(g *generator) []string {
		args := []string{"spop", g.key(setKeys)}
		if g.chance(50) {
			args = append(args, g.oneOf("0", "1", "3", "100", "-1", "x"))
		}
		return args
	}},
	{2, func(g *generator) []string {
		args := []string{"srandmember", g.key(setKeys)}
		if g.chance(70) {
			args = append(args, g.randomCount())
		}
		return args
	}},
	{2, func(g *generator) []string {
		return []string{"smove", g.key(setKeys), g.key(setKeys), g.member()}
	}},
	{4, func(g *generator) []string {
		return append([]string{g.oneOf("sinter", "sunion", "sdiff")}, g.keys(setKeys, 1)...)
	}},
	{3, func(g *generator) []string {
		return append([]string{g.oneOf("sinterstore", "sunionstore", "sdiffstore"), g.key(setKeys)}, g.keys(setKeys, 1)...)
	}},
	{2, func(g *generator) []string {
		keys := g.keys(setKeys, 1)
		args := append([]string{"sintercard", strconv.Itoa(len(keys))}, keys...)
		if g.chance(20) {
			args[1] = g.oneOf("0", "x", "9", "-1")
		}
		if g.chance(40) {
			args = append(args, "LIMIT", g.oneOf("0", "1", "2", "-1", "x"))
		}
		return args
	}},
	{2, func(g *generator) []string { return g.scanArgs("sscan", setKeys) }},
}

func (g *generator) score() string {
	switch r := g.rng.IntN(20); {
	case r < 12:
		return strconv.Itoa(g.rng.IntN(20) - 5)
	case r < 17:
		return g.oneOf("1.5", "-2.25", "0.1", "1e3", "3.0", "-0", "0x10", "1e-5", "100000000000000000000")
	case r < 19:
		return g.oneOf("inf", "-inf", "+inf")
	}
	return g.oneOf("x", "nan", "", " 1", "1e999")
}

// scoreBound is one end of a score range.
func (g *generator) scoreBound() string {
	switch r := g.rng.IntN(10); {
	case r < 5:
		return strconv.Itoa(g.rng.IntN(20) - 5)
	case r < 7:
		return "(" + strconv.Itoa(g.rng.IntN(20)-5)
	case r < 9:
		return g.oneOf("-inf", "+inf", "(1.5", "2.25", "(-inf", "inf")
	}
	return g.oneOf("x", "", "(", " 3", "nan", "((1")
}

// lexBound is one end of a lex range.
func (g *generator) lexBound() string {
	if g.chance(90) {
		return g.oneOf("-", "+", "[a", "(a", "[b", "(c", "[", "(", "[d", "[aa")
	}
	return g.oneOf("a", "", "++", "-x", "x")
}

// lexKey is a key of lexKeys, or of a pool of other types, but never a
// sorted set with mixed scores.
func (g *generator) lexKey() string {
	if g.chance(90) {
		return g.oneOf(lexKeys...)
	}
	return g.oneOf(stringKeys[0], hashKeys[0], listKeys[0], setKeys[0])
}

func (g *generator) zmember() string {
	if g.chance(95) {
		return g.oneOf("a", "b", "c", "d", "e", "f", "1", "")
	}
	return g.value()
}

func (g *generator) zsetSource() string {
	if g.chance(20) {
		return g.key(setKeys)
	}
	return g.key(zsetKeys)
}

var zsetGens = []genCommand{
	{8, func(g *generator) []string {
		args := []string{"zadd", g.key(zsetKeys)}
		for g.chance(30) {
			args = append(args, g.oneOf("NX", "XX", "GT", "LT", "CH", "INCR", "nx", "ch"))
		}
		for range 1 + g.rng.IntN(3) {
			args = append(args, g.score(), g.zmember())
		}
		return args
	}},
	{1, func(g *generator) []string {
		// Past the listpack's 128 entries now and then.
		args := []string{"zadd", g.key(zsetKeys)}
		for i := range 50 + g.rng.IntN(150) {
			args = append(args, strconv.Itoa(g.rng.IntN(100)), "m"+strconv.Itoa(i))
		}
		return args
	}},
	{3, func(g *generator) []string {
		return []string{"zincrby", g.key(zsetKeys), g.score(), g.zmember()}
	}},
	{3, func(g *generator) []string {
		args := []string{"zrem", g.key(zsetKeys)}
		for range 1 + g.rng.IntN(3) {
			args = append(args, g.zmember())
		}
		return args
	}},
	{3, func(g *generator) []string { return []string{"zscore", g.key(zsetKeys), g.zmember()} }},
	{2, func(g *generator) []string {
		return []string{"zmscore", g.key(zsetKeys), g.zmember(), g.zmember()}
	}},
	{2, func(g *generator) []string { return []string{"zcard", g.key(zsetKeys)} }},
	{3, func(g *generator) []string {
		return []string{"zcount", g.key(zsetKeys), g.scoreBound(), g.scoreBound()}
	}},
	{3, func(g *generator) []string {
		return []string{g.oneOf("zrank", "zrevrank"), g.key(zsetKeys), g.zmember()}
	}},
	{6, func(g *generator) []string {
		key := g.key(zsetKeys)
		name := g.oneOf("zrange", "zrange", "zrangestore", "zrevrange", "zrangebyscore", "zrevrangebyscore")
		kind := map[string]string{"zrevrange": "rank", "zrangebyscore": "score", "zrevrangebyscore": "score"}[name]
		if kind == "" {
			kind = g.oneOf("rank", "rank", "score", "lex")
		}
		var args []string
		if name == "zrangestore" {
			args = []string{name, g.key(zsetKeys), key}
		} else {
			args = []string{name, key}
		}
		if kind == "lex" {
			args[len(args)-1] = g.lexKey()
		}
		switch kind {
		case "rank":
			args = append(args, g.indexArg(), g.indexArg())
		case "score":
			args = append(args, g.scoreBound(), g.scoreBound())
		case "lex":
			args = append(args, g.lexBound(), g.lexBound())
		}
		if name == "zrange" || name == "zrangestore" {
			switch kind {
			case "score":
				args = append(args, "BYSCORE")
			case "lex":
				args = append(args, "BYLEX")
			}
			if g.chance(30) {
				args = append(args, "REV")
			}
		}
		for g.chance(30) {
			switch g.rng.IntN(4) {
			case 0:
				args = append(args, "WITHSCORES")
			case 1:
				args = append(args, "LIMIT", g.oneOf("0", "1", "2", "-1", "100", "x"), g.oneOf("1", "2", "-1", "0", "10"))
			case 2:
				args = append(args, g.oneOf("REV", "BYSCORE", "BYLEX", "LIMIT"))
			case 3:
				args = append(args, "foo")
			}
		}
		return args
	}},
	{4, func(g *generator) []string {
		return []string{"zadd", g.lexKey(), "0", g.oneOf("a", "b", "c", "d", "aa", "ab", "e", "")}
	}},
	{1, func(g *generator) []string { return []string{"zrem", g.lexKey(), g.oneOf("a", "b", "c", "aa")} }},
	{3, func(g *generator) []string {
		name := g.oneOf("zrangebylex", "zrevrangebylex", "zlexcount")
		args := []string{name, g.lexKey(), g.lexBound(), g.lexBound()}
		if name != "zlexcount" && g.chance(30) {
			args = append(args, "LIMIT", g.oneOf("0", "1", "-1", "x"), g.oneOf("1", "2", "-1"))
		}
		return args
	}},
	{2, func(g *generator) []string {
		args := []string{g.oneOf("zpopmin", "zpopmax"), g.key(zsetKeys)}
		if g.chance(50) {
			args = append(args, g.oneOf("0", "1", "2", "100", "-1", "x"))
		}
		return args
	}},
	{2, func(g *generator) []string {
		args := []string{"zrandmember", g.key(zsetKeys)}
		if g.chance(70) {
			args = append(args, g.randomCount())
			if g.chance(50) {
				args = append(args, g.oneOf("WITHSCORES", "withscores", "foo"))
			}
		}
		return args
	}},
	{4, func(g *generator) []string {
		name := g.oneOf("zunionstore", "zinterstore", "zdiffstore", "zunion", "zinter", "zdiff")
		var args []string
		if len(name) > 6 {
			args = []string{name, g.key(zsetKeys)}
		} else {
			args = []string{name}
		}
		n := 1 + g.rng.IntN(3)
		args = append(args, strconv.Itoa(n))
		if g.chance(10) {
			args[len(args)-1] = g.oneOf("0", "x", "5", "-1")
		}
		for range n {
			args = append(args, g.zsetSource())
		}
		for g.chance(30) {
			switch g.rng.IntN(4) {
			case 0:
				args = append(args, "WEIGHTS")
				for range n {
					args = append(args, g.oneOf("1", "2", "0.5", "-1", "0", "inf", "x"))
				}
			case 1:
				args = append(args, "AGGREGATE", g.oneOf("SUM", "MIN", "MAX", "max", "avg"))
			case 2:
				args = append(args, "WITHSCORES")
			case 3:
				args = append(args, g.oneOf("WEIGHTS", "AGGREGATE", "foo"))
			}
		}
		return args
	}},
	{2, func(g *generator) []string { return g.scanArgs("zscan", zsetKeys) }},
	{2, func(g *generator) []string {
		switch g.rng.IntN(3) {
		case 0:
			return []string{"zremrangebyrank", g.key(zsetKeys), g.indexArg(), g.indexArg()}
		case 1:
			return []string{"zremrangebyscore", g.key(zsetKeys), g.scoreBound(), g.scoreBound()}
		}
		return []string{"zremrangebylex", g.lexKey(), g.lexBound(), g.lexBound()}
	}},
}
