package store

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

func TestDelExistsType(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("MSET", "a", "1", "b", "2"), resp.OK},
		{line("HSET", "h", "f", "v"), num(1)},
		{line("EXISTS", "a", "a", "h", "nope"), num(3)},
		{line("TYPE", "a"), resp.Simple("string")},
		{line("TYPE", "h"), resp.Simple("hash")},
		{line("TYPE", "nope"), resp.Simple("none")},
		{line("DEL", "a", "a", "h", "nope"), num(2)},
		{line("EXISTS", "a", "h"), num(0)},
		{line("DBSIZE"), num(1)},
		{line("DBSIZE", "x"), resp.Err("ERR wrong number of arguments for 'dbsize' command")},
	})
}

func TestFlush(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("MSET", "a", "1", "b", "2"), resp.OK},
		{line("FLUSHALL", "now"), errv(ErrSyntax)},
		{line("FLUSHDB", "sync", "async"), errv(ErrSyntax)},
		{line("DBSIZE"), num(2)},
		{line("FLUSHDB", "ASYNC"), resp.OK},
		{line("DBSIZE"), num(0)},
		{line("SET", "a", "1", "EX", "10"), resp.OK},
		{line("FLUSHALL", "sync"), resp.OK},
		{line("FLUSHALL"), resp.OK},
		{line("GET", "a"), resp.Null},
	})
	if len(ks.db.expires) != 0 {
		t.Errorf("FLUSHALL left %d TTLs", len(ks.db.expires))
	}
}

func TestKeys(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	do(ks, "MSET", "user:1", "a", "user:2", "b", "item:1", "c", "temp", "d")
	do(ks, "EXPIRE", "temp", "1")
	clock.Advance(2 * time.Second)
	got := sortedStrings(t, do(ks, "KEYS", "*"))
	if want := []string{"item:1", "user:1", "user:2"}; !slices.Equal(got, want) {
		t.Errorf("KEYS * = %q, want %q", got, want)
	}
	got = sortedStrings(t, do(ks, "KEYS", "user:*"))
	if want := []string{"user:1", "user:2"}; !slices.Equal(got, want) {
		t.Errorf("KEYS user:* = %q, want %q", got, want)
	}
	expect(t, ks, arr(), "KEYS", "none*")
}

// sortedStrings returns the bulk strings of an array reply, sorted.
func sortedStrings(t *testing.T, v resp.Value) []string {
	t.Helper()
	if v.Kind != resp.KindArray {
		t.Fatalf("not an array: %v", v)
	}
	out := make([]string, len(v.Array))
	for i, e := range v.Array {
		out[i] = e.Str
	}
	slices.Sort(out)
	return out
}

func TestExpireTTLPersist(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	run(t, ks, []step{
		{line("TTL", "k"), num(-2)},
		{line("EXPIRE", "k", "10"), num(0)},
		{line("SET", "k", "v"), resp.OK},
		{line("TTL", "k"), num(-1)},
		{line("PTTL", "k"), num(-1)},
		{line("EXPIRE", "k", "10"), num(1)},
		{line("TTL", "k"), num(10)},
		{line("PEXPIRE", "k", "2500"), num(1)},
		{line("PTTL", "k"), num(2500)},
		{line("TTL", "k"), num(3)},
		{line("PERSIST", "k"), num(1)},
		{line("PERSIST", "k"), num(0)},
		{line("PERSIST", "nope"), num(0)},
		{line("TTL", "k"), num(-1)},
		{line("EXPIRE", "k", "abc"), errv(ErrNotInteger)},
		{line("EXPIRE", "k", "10", "foo"), resp.Err("ERR Unsupported option foo")},
		{line("EXPIRE", "k", "9223372036854775807"), resp.Err("ERR invalid expire time in 'expire' command")},
		{line("PEXPIRE", "k", "9223372036854775807"), resp.Err("ERR invalid expire time in 'pexpire' command")},
	})
	clock.Advance(time.Second)
	run(t, ks, []step{
		{line("EXPIRE", "k", "1"), num(1)},
		{line("EXPIRE", "k", "0"), num(1)},
		{line("EXISTS", "k"), num(0)},
		{line("SET", "k", "v"), resp.OK},
		{line("PEXPIRE", "k", "-1"), num(1)},
		{line("EXISTS", "k"), num(0)},
	})
}

func TestExpireConditions(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("SET", "k", "v"), resp.OK},
		{line("EXPIRE", "k", "10", "NX", "XX"), errv(ErrExpireNXWithOthers)},
		{line("EXPIRE", "k", "10", "nx", "gt"), errv(ErrExpireNXWithOthers)},
		{line("EXPIRE", "k", "10", "GT", "LT"), errv(ErrExpireGTAndLT)},
		// Without a TTL: XX and GT fail, LT succeeds (no TTL is infinite).
		{line("EXPIRE", "k", "10", "XX"), num(0)},
		{line("EXPIRE", "k", "10", "GT"), num(0)},
		{line("EXPIRE", "k", "100", "LT"), num(1)},
		{line("EXPIRE", "k", "50", "NX"), num(0)},
		{line("EXPIRE", "k", "50", "XX"), num(1)},
		{line("TTL", "k"), num(50)},
		{line("EXPIRE", "k", "40", "GT"), num(0)},
		{line("EXPIRE", "k", "60", "GT"), num(1)},
		{line("EXPIRE", "k", "70", "LT"), num(0)},
		{line("EXPIRE", "k", "30", "LT", "XX"), num(1)},
		{line("TTL", "k"), num(30)},
		{line("PERSIST", "k"), num(1)},
		{line("EXPIRE", "k", "30", "NX"), num(1)},
	})
}

func TestLazyAndActiveExpiry(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	for i := range 1000 {
		do(ks, "SET", "k"+strconv.Itoa(i), "v", "PX", strconv.Itoa(100+i%2*10_000))
	}
	do(ks, "SET", "forever", "v")
	clock.Advance(time.Second)
	// Half the keys are expired but still held until something notices.
	expect(t, ks, num(1001), "DBSIZE")
	expect(t, ks, resp.Null, "GET", "k0")
	expect(t, ks, num(1000), "DBSIZE")
	// A cycle stops once a sample is mostly alive; cycle after cycle, as
	// the cron runs them, every expired key goes.
	deleted := 0
	for i := 0; i < 10_000 && deleted < 499; i++ {
		deleted += ks.activeExpireCycle(time.Hour)
	}
	if deleted != 499 {
		t.Errorf("active expiry deleted %d keys, want 499", deleted)
	}
	expect(t, ks, num(501), "DBSIZE")
	expect(t, ks, bulk("v"), "GET", "k1")
	expect(t, ks, bulk("v"), "GET", "forever")
}

func TestActiveExpiryGoroutine(t *testing.T) {
	clock := &fakeClock{t: testEpoch}
	ks := NewKeyspace(Options{Now: clock.Now, ActiveExpireInterval: time.Millisecond})
	defer ks.Close()
	do(ks, "SET", "k", "v", "PX", "10")
	clock.Advance(time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for do(ks, "DBSIZE").Int != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the expired key was never deleted by the active cycle")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestParseCursor(t *testing.T) {
	good := map[string]uint64{"0": 0, "": 0, "17": 17, "+5": 5, "-1": 1<<64 - 1, "18446744073709551615": 1<<64 - 1, "5\x00x": 5}
	for s, want := range good {
		if got, err := parseCursor([]byte(s)); err != nil || got != want {
			t.Errorf("parseCursor(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"+", "-", "x", " 1", "1 ", "1x", "18446744073709551616"} {
		if got, err := parseCursor([]byte(s)); err != ErrInvalidCursor {
			t.Errorf("parseCursor(%q) = %d, %v; want ErrInvalidCursor", s, got, err)
		}
	}
}

func TestScan(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	want := map[string]bool{}
	for i := range 500 {
		k := "key:" + strconv.Itoa(i)
		want[k] = true
		do(ks, "SET", k, "v")
	}
	do(ks, "HSET", "hash:1", "f", "v")
	seen := scanAll(t, ks, "COUNT", "7")
	if len(seen) != 501 {
		t.Errorf("SCAN returned %d distinct keys, want 501", len(seen))
	}
	seen = scanAll(t, ks, "MATCH", "key:1*", "COUNT", "50")
	if len(seen) != 111 {
		t.Errorf("SCAN MATCH key:1* returned %d keys, want 111", len(seen))
	}
	seen = scanAll(t, ks, "TYPE", "HASH")
	if len(seen) != 1 || !seen["hash:1"] {
		t.Errorf("SCAN TYPE HASH returned %v", seen)
	}
	run(t, ks, []step{
		{line("SCAN", "x"), errv(ErrInvalidCursor)},
		{line("SCAN", "0", "COUNT", "0"), errv(ErrSyntax)},
		{line("SCAN", "0", "COUNT", "x"), errv(ErrNotInteger)},
		{line("SCAN", "0", "COUNT"), errv(ErrSyntax)},
		{line("SCAN", "0", "FOO", "bar"), errv(ErrSyntax)},
	})
}

// scanAll runs a whole SCAN with the given options and returns the keys.
func scanAll(t *testing.T, ks *Keyspace, opts ...string) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	cursor := "0"
	for i := 0; ; i++ {
		if i > 10_000 {
			t.Fatal("SCAN does not end")
		}
		r := do(ks, append([]string{"SCAN", cursor}, opts...)...)
		if r.Kind != resp.KindArray || len(r.Array) != 2 {
			t.Fatalf("SCAN reply %v", r)
		}
		for _, k := range r.Array[1].Array {
			seen[k.Str] = true
		}
		cursor = r.Array[0].Str
		if cursor == "0" {
			return seen
		}
	}
}

// TestScanDuringResize is SCAN's guarantee: keys present for the whole scan
// are returned even while the table grows and shrinks between calls.
func TestScanDuringResize(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	for i := range 300 {
		do(ks, "SET", "stay:"+strconv.Itoa(i), "v")
	}
	seen := map[string]bool{}
	cursor, added := "0", 0
	for round := 0; ; round++ {
		r := do(ks, "SCAN", cursor, "COUNT", "5")
		for _, k := range r.Array[1].Array {
			seen[k.Str] = true
		}
		cursor = r.Array[0].Str
		if cursor == "0" {
			break
		}
		// Grow the table for a while, then shrink it, mid-scan.
		if round < 40 {
			for range 50 {
				do(ks, "SET", "tmp:"+strconv.Itoa(added), "v")
				added++
			}
		} else if round == 40 {
			do(ks, "FLUSHALL")
			for i := range 300 {
				do(ks, "SET", "stay:"+strconv.Itoa(i), "v")
			}
		}
		ks.rehashStep()
	}
	for i := range 300 {
		if !seen["stay:"+strconv.Itoa(i)] {
			t.Errorf("stay:%d missed", i)
		}
	}
}

func TestScanEntries(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "SET", "s", "v")
	do(ks, "HSET", "h", "f", "1", "g", "2")
	got := map[string]Entry{}
	var cursor uint64
	for {
		var entries []Entry
		cursor, entries = ks.ScanEntries(cursor, "*", 1, true)
		for _, e := range entries {
			got[e.Key] = e
		}
		if cursor == 0 {
			break
		}
	}
	if e := got["s"]; e.Type != "string" || e.Value != "v" {
		t.Errorf("s = %+v", e)
	}
	h := got["h"]
	if m, ok := h.Value.(map[string]string); h.Type != "hash" || !ok || len(m) != 2 || m["f"] != "1" || m["g"] != "2" {
		t.Errorf("h = %+v", h)
	}
	_, entries := ks.ScanEntries(0, "h*", 100, false)
	if len(entries) != 1 || entries[0].Key != "h" || entries[0].Value != nil {
		t.Errorf("ScanEntries h* without values = %+v", entries)
	}
}

func TestRenameCopy(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("RENAME", "a", "b"), errv(ErrNoSuchKey)},
		{line("RENAMENX", "a", "b"), errv(ErrNoSuchKey)},
		{line("SET", "a", "1", "EX", "100"), resp.OK},
		{line("RENAME", "a", "a"), resp.OK},
		{line("RENAMENX", "a", "a"), num(0)},
		{line("RENAME", "a", "b"), resp.OK},
		{line("EXISTS", "a"), num(0)},
		{line("GET", "b"), bulk("1")},
		{line("TTL", "b"), num(100)},
		{line("HSET", "h", "f", "v"), num(1)},
		{line("RENAMENX", "b", "h"), num(0)},
		{line("RENAME", "h", "b"), resp.OK},
		{line("HGET", "b", "f"), bulk("v")},
		{line("TTL", "b"), num(-1)},
		{line("COPY", "b", "b"), errv(ErrSameObject)},
		{line("COPY", "b", "c"), num(1)},
		{line("COPY", "b", "c"), num(0)},
		{line("HSET", "c", "g", "w"), num(1)},
		{line("HLEN", "b"), num(1)}, // a deep copy
		{line("SET", "s", "5", "PX", "5000"), resp.OK},
		{line("COPY", "s", "c", "REPLACE"), num(1)},
		{line("GET", "c"), bulk("5")},
		{line("PTTL", "c"), num(5000)},
		{line("OBJECT", "REFCOUNT", "c"), num(1)}, // not a shared integer
		{line("COPY", "nope", "d"), num(0)},
		{line("COPY", "s", "d", "DB", "0"), num(1)},
		{line("COPY", "s", "e", "DB", "1"), errv(ErrDBIndex)},
		{line("COPY", "s", "e", "DB", "x"), errv(ErrNotInteger)},
		{line("COPY", "s", "e", "DB", "4294967296"), errv(ErrIntRange)},
		{line("COPY", "s", "e", "DB"), errv(ErrSyntax)},
	})
}

func TestExpireatExpiretime(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	sec := clock.Now().Unix()
	run(t, ks, []step{
		{line("SET", "k", "v"), resp.OK},
		{line("EXPIRETIME", "k"), num(-1)},
		{line("EXPIRETIME", "nope"), num(-2)},
		{line("EXPIREAT", "k", formatInt(sec+100)), num(1)},
		{line("EXPIRETIME", "k"), num(sec + 100)},
		{line("PEXPIRETIME", "k"), num((sec + 100) * 1000)},
		{line("TTL", "k"), num(100)},
		{line("PEXPIREAT", "k", formatInt(sec*1000+1500)), num(1)},
		{line("PTTL", "k"), num(1500)},
		{line("EXPIREAT", "k", formatInt(sec+50), "LT"), num(0)},
		{line("EXPIREAT", "k", "1"), num(1)},
		{line("EXISTS", "k"), num(0)},
		{line("SET", "k", "v"), resp.OK},
		{line("PEXPIREAT", "k", "9223372036854775807"), num(1)},
		{line("EXPIRETIME", "k"), num(9223372036854776)}, // Redis's overflow, unsigned
	})
}

func TestRandomkeyUnlinkTouch(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	expect(t, ks, resp.Null, "RANDOMKEY")
	do(ks, "SET", "gone", "v", "PX", "10")
	clock.Advance(time.Second)
	expect(t, ks, resp.Null, "RANDOMKEY") // the expired key is deleted on the way
	expect(t, ks, num(0), "DBSIZE")
	do(ks, "MSET", "a", "1", "b", "2")
	seen := map[string]bool{}
	for range 200 {
		seen[do(ks, "RANDOMKEY").Str] = true
	}
	if len(seen) != 2 || !seen["a"] || !seen["b"] {
		t.Errorf("RANDOMKEY returned %v", seen)
	}
	expect(t, ks, num(3), "TOUCH", "a", "b", "a", "c")
	expect(t, ks, num(2), "UNLINK", "a", "b", "c")
}
