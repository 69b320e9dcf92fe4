package store

import (
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

func TestGetSet(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("GET", "k"), resp.Null},
		{line("SET", "k", "v"), resp.OK},
		{line("GET", "k"), bulk("v")},
		{line("set", "k", ""), resp.OK},
		{line("get", "k"), bulk("")},
		{line("SET", "k", "a\x00b\r\n"), resp.OK},
		{line("GET", "k"), bulk("a\x00b\r\n")},
		{line("HSET", "h", "f", "v"), num(1)},
		{line("GET", "h"), errv(ErrWrongType)},
		{line("SET", "h", "s"), resp.OK},
		{line("GET", "h"), bulk("s")},
	})
}

func TestSetOptions(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("SET", "k", "1", "NX"), resp.OK},
		{line("SET", "k", "2", "NX"), resp.Null},
		{line("SET", "k", "3", "XX"), resp.OK},
		{line("SET", "other", "3", "XX"), resp.Null},
		{line("GET", "other"), resp.Null},
		{line("SET", "k", "4", "GET"), bulk("3")},
		{line("SET", "new", "1", "GET"), resp.Null},
		{line("SET", "k", "5", "NX", "GET"), bulk("4")},
		{line("GET", "k"), bulk("4")},
		{line("SET", "k", "v", "nx", "xx"), errv(ErrSyntax)},
		{line("SET", "k", "v", "xx", "nx"), errv(ErrSyntax)},
		{line("SET", "k", "v", "foo"), errv(ErrSyntax)},
		{line("SET", "k", "v", "EX"), errv(ErrSyntax)},
		{line("SET", "k", "v", "EX", "10", "PX", "100"), errv(ErrSyntax)},
		{line("SET", "k", "v", "EX", "10", "KEEPTTL"), errv(ErrSyntax)},
		{line("SET", "k", "v", "KEEPTTL", "PXAT", "10"), errv(ErrSyntax)},
		{line("SET", "k", "v", "PERSIST"), errv(ErrSyntax)},
		{line("SET", "k", "v", "EX", "10", "EX", "20"), resp.OK},
		{line("TTL", "k"), num(20)},
		{line("SET", "k", "v", "EX", "abc"), errv(ErrNotInteger)},
		{line("SET", "k", "v", "EX", "0"), resp.Err("ERR invalid expire time in 'set' command")},
		{line("SET", "k", "v", "PX", "-5"), resp.Err("ERR invalid expire time in 'set' command")},
		{line("SET", "k", "v", "EX", "9223372036854775807"), resp.Err("ERR invalid expire time in 'set' command")},
		{line("SET", "k", "v", "PX", "9223372036854775807"), resp.Err("ERR invalid expire time in 'set' command")},
		// The expiry is checked before GET looks at the key's type.
		{line("HSET", "h", "f", "v"), num(1)},
		{line("SET", "h", "v", "GET", "EX", "0"), resp.Err("ERR invalid expire time in 'set' command")},
		{line("SET", "h", "v", "GET"), errv(ErrWrongType)},
		{line("TYPE", "h"), resp.Simple("hash")},
		{line("SET", "h", "v"), resp.OK},
	})
}

func TestSetExpiry(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	nowMs := testEpoch.UnixMilli()
	run(t, ks, []step{
		{line("SET", "ex", "v", "EX", "10"), resp.OK},
		{line("SET", "px", "v", "PX", "1500"), resp.OK},
		{line("SET", "exat", "v", "EXAT", formatInt(nowMs/1000+100)), resp.OK},
		{line("SET", "pxat", "v", "PXAT", formatInt(nowMs+2500)), resp.OK},
		{line("PTTL", "ex"), num(10000)},
		{line("PTTL", "px"), num(1500)},
		{line("TTL", "px"), num(2)}, // 1.5 s rounds to nearest
		{line("TTL", "exat"), num(100)},
		{line("PTTL", "pxat"), num(2500)},
		// KEEPTTL keeps it; a plain SET drops it.
		{line("SET", "ex", "w", "KEEPTTL"), resp.OK},
		{line("PTTL", "ex"), num(10000)},
		{line("SET", "px", "w"), resp.OK},
		{line("PTTL", "px"), num(-1)},
	})
	clock.Advance(2500 * time.Millisecond)
	run(t, ks, []step{
		{line("PTTL", "pxat"), num(0)}, // alive during its deadline's millisecond
		{line("GET", "pxat"), bulk("v")},
	})
	clock.Advance(time.Millisecond)
	run(t, ks, []step{
		{line("GET", "pxat"), resp.Null},
		{line("PTTL", "pxat"), num(-2)},
		{line("EXISTS", "pxat"), num(0)},
		// A deadline in the past makes the key expire at once.
		{line("SET", "past", "v", "PXAT", "1"), resp.OK},
		{line("GET", "past"), resp.Null},
	})
}

func TestMgetMset(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("MSET", "a", "1", "b", "2", "a", "3"), resp.OK},
		{line("MGET", "a", "b", "c"), arr(bulk("3"), bulk("2"), resp.Null)},
		{line("MSET", "a", "1", "b"), resp.Err("ERR wrong number of arguments for 'mset' command")},
		{line("HSET", "h", "f", "v"), num(1)},
		{line("MGET", "h", "a"), arr(resp.Null, bulk("3"))},
	})
}

func TestIncrDecr(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("INCR", "n"), num(1)},
		{line("INCRBY", "n", "41"), num(42)},
		{line("DECR", "n"), num(41)},
		{line("DECRBY", "n", "50"), num(-9)},
		{line("GET", "n"), bulk("-9")},
		{line("INCRBY", "n", "x"), errv(ErrNotInteger)},
		{line("INCRBY", "n", "1.5"), errv(ErrNotInteger)},
		{line("INCRBY", "n", " 1"), errv(ErrNotInteger)},
		{line("INCRBY", "n", "+1"), errv(ErrNotInteger)},
		{line("DECRBY", "n", "-9223372036854775808"), errv(ErrDecrementOverflow)},
		{line("SET", "s", "abc"), resp.OK},
		{line("INCR", "s"), errv(ErrNotInteger)},
		{line("SET", "s", "007"), resp.OK},
		{line("INCR", "s"), errv(ErrNotInteger)},
		{line("SET", "s", "9223372036854775807"), resp.OK},
		{line("INCR", "s"), errv(ErrOverflow)},
		{line("SET", "s", "-9223372036854775808"), resp.OK},
		{line("DECR", "s"), errv(ErrOverflow)},
		{line("INCRBY", "s", "9223372036854775807"), num(-1)},
		{line("HSET", "h", "f", "v"), num(1)},
		{line("INCR", "h"), errv(ErrWrongType)},
	})
}

func TestIncrKeepsTTL(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("SET", "n", "1", "EX", "100"), resp.OK},
		{line("INCR", "n"), num(2)},
		{line("TTL", "n"), num(100)},
	})
}

func TestParseInt(t *testing.T) {
	good := map[string]int64{
		"0": 0, "1": 1, "-1": -1, "123": 123,
		"9223372036854775807":  9223372036854775807,
		"-9223372036854775808": -9223372036854775808,
	}
	for s, want := range good {
		if got, ok := parseInt(s); !ok || got != want {
			t.Errorf("parseInt(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "-", "-0", "01", "+1", " 1", "1 ", "1a", "1.0",
		"9223372036854775808", "-9223372036854775809", "99999999999999999999", "000000000000000000001"} {
		if got, ok := parseInt(s); ok {
			t.Errorf("parseInt(%q) = %d, want failure", s, got)
		}
	}
}

func TestSetVariants(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("SETNX", "k", "1"), num(1)},
		{line("SETNX", "k", "2"), num(0)},
		{line("SETEX", "k", "10", "v"), resp.OK},
		{line("TTL", "k"), num(10)},
		{line("SETEX", "k", "0", "v"), resp.Err("ERR invalid expire time in 'setex' command")},
		{line("PSETEX", "k", "1500", "w"), resp.OK},
		{line("PTTL", "k"), num(1500)},
		{line("PSETEX", "k", "x", "w"), errv(ErrNotInteger)},
		{line("GETSET", "k", "x"), bulk("w")},
		{line("TTL", "k"), num(-1)},
		{line("GETSET", "new", "x"), resp.Null},
		{line("GETDEL", "k"), bulk("x")},
		{line("GETDEL", "k"), resp.Null},
		{line("MSETNX", "a", "1", "b", "2"), num(1)},
		{line("MSETNX", "b", "3", "c", "4"), num(0)},
		{line("MGET", "a", "b", "c"), arr(bulk("1"), bulk("2"), resp.Null)},
		{line("MSETNX", "a"), resp.Err("ERR wrong number of arguments for 'msetnx' command")},
		{line("HSET", "h", "f", "v"), num(1)},
		{line("GETSET", "h", "x"), errv(ErrWrongType)},
		{line("GETDEL", "h"), errv(ErrWrongType)},
		{line("SETNX", "h", "x"), num(0)},
	})
}

func TestGetex(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	nowMs := clock.Now().UnixMilli()
	run(t, ks, []step{
		{line("GETEX", "k"), resp.Null},
		{line("GETEX", "k", "EX", "x"), resp.Null}, // the key is looked up first
		{line("SET", "k", "v"), resp.OK},
		{line("GETEX", "k", "EX", "x"), errv(ErrNotInteger)},
		{line("GETEX", "k", "EX", "0"), resp.Err("ERR invalid expire time in 'getex' command")},
		{line("GETEX", "k", "KEEPTTL"), errv(ErrSyntax)},
		{line("GETEX", "k", "EX", "10", "PERSIST"), errv(ErrSyntax)},
		{line("GETEX", "k", "EX", "10"), bulk("v")},
		{line("TTL", "k"), num(10)},
		{line("GETEX", "k"), bulk("v")},
		{line("TTL", "k"), num(10)},
		{line("GETEX", "k", "PERSIST"), bulk("v")},
		{line("TTL", "k"), num(-1)},
		{line("GETEX", "k", "PXAT", formatInt(nowMs+5000)), bulk("v")},
		{line("PTTL", "k"), num(5000)},
		{line("GETEX", "k", "PXAT", formatInt(nowMs)), bulk("v")}, // already past: deleted
		{line("EXISTS", "k"), num(0)},
	})
}

func TestAppendStrlenRanges(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("APPEND", "k", "Hello"), num(5)},
		{line("APPEND", "k", " World"), num(11)},
		{line("STRLEN", "k"), num(11)},
		{line("STRLEN", "nope"), num(0)},
		{line("GETRANGE", "k", "0", "4"), bulk("Hello")},
		{line("GETRANGE", "k", "-5", "-1"), bulk("World")},
		{line("GETRANGE", "k", "-1", "-5"), bulk("")},
		{line("GETRANGE", "k", "5", "1"), bulk("")},
		{line("GETRANGE", "k", "0", "100"), bulk("Hello World")},
		{line("GETRANGE", "k", "-100", "2"), bulk("Hel")},
		{line("SUBSTR", "k", "6", "-1"), bulk("World")},
		{line("GETRANGE", "nope", "0", "1"), bulk("")},
		{line("GETRANGE", "k", "x", "1"), errv(ErrNotInteger)},
		{line("SETRANGE", "k", "6", "Redis"), num(11)},
		{line("GET", "k"), bulk("Hello Redis")},
		{line("SETRANGE", "pad", "3", "x"), num(4)},
		{line("GET", "pad"), bulk("\x00\x00\x00x")},
		{line("SETRANGE", "none", "3", ""), num(0)},
		{line("EXISTS", "none"), num(0)},
		{line("SETRANGE", "k", "-1", "x"), errv(ErrOffsetRange)},
		{line("SETRANGE", "k", "536870911", "xx"), errv(ErrStringTooLong)},
		{line("SETRANGE", "k", "9223372036854775807", "x"), errv(ErrStringTooLong)},
		{line("HSET", "h", "f", "v"), num(1)},
		{line("APPEND", "h", "x"), errv(ErrWrongType)},
		{line("SETRANGE", "h", "0", ""), errv(ErrWrongType)},
	})
}

func TestIncrbyfloat(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("INCRBYFLOAT", "f", "0.1"), bulk("0.1")},
		{line("INCRBYFLOAT", "f", "0.2"), bulk("0.3")},
		{line("INCRBYFLOAT", "f", "-0.3"), bulk("0")},
		{line("INCRBYFLOAT", "f", "5.0e3"), bulk("5000")},
		{line("INCRBYFLOAT", "f", "x"), errv(ErrNotFloat)},
		{line("INCRBYFLOAT", "f", "inf"), errv(ErrNaNOrInfinity)},
		{line("SET", "s", "abc", "EX", "100"), resp.OK},
		{line("INCRBYFLOAT", "s", "1"), errv(ErrNotFloat)},
		{line("SET", "s", "1", "EX", "100"), resp.OK},
		{line("INCRBYFLOAT", "s", "1.5"), bulk("2.5")},
		{line("TTL", "s"), num(100)},
		{line("HSET", "h", "f", "v"), num(1)},
		{line("INCRBYFLOAT", "h", "x"), errv(ErrWrongType)},
	})
}

func TestObjectEncodingStrings(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	long := "0123456789012345678901234567890123456789abcde" // 45 bytes
	run(t, ks, []step{
		{line("SET", "k", "123"), resp.OK},
		{line("OBJECT", "ENCODING", "k"), bulk("int")},
		{line("OBJECT", "REFCOUNT", "k"), num(2147483647)},
		{line("SET", "k", "123456"), resp.OK},
		{line("OBJECT", "REFCOUNT", "k"), num(1)},
		{line("SET", "k", "0123"), resp.OK},
		{line("OBJECT", "ENCODING", "k"), bulk("embstr")},
		{line("SET", "k", long), resp.OK},
		{line("OBJECT", "ENCODING", "k"), bulk("raw")},
		{line("SET", "k", "1"), resp.OK},
		{line("APPEND", "k", "2"), num(2)},
		{line("OBJECT", "ENCODING", "k"), bulk("raw")},
		{line("INCR", "k"), num(13)},
		{line("OBJECT", "ENCODING", "k"), bulk("int")},
		{line("INCRBYFLOAT", "k", "1"), bulk("14")},
		{line("OBJECT", "ENCODING", "k"), bulk("embstr")},
		{line("OBJECT", "ENCODING", "nope"), resp.Null},
		{line("OBJECT", "ENCODING"), resp.Err("ERR wrong number of arguments for 'object|encoding' command")},
		{line("object", "Foo", "k"), resp.Err("ERR unknown subcommand 'Foo'. Try OBJECT HELP.")},
		{line("OBJECT", "FREQ", "k"), errv(ErrNoLFU)},
	})
}
