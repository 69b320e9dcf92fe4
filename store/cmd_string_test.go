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
