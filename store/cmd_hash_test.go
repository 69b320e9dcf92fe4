package store

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gearsd/gearsd/resp"
)

func TestHashBasics(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("HSET", "h", "b", "1", "a", "2"), num(2)},
		{line("HSET", "h", "b", "3", "c", "4"), num(1)},
		{line("HSET", "h", "c"), resp.Err("ERR wrong number of arguments for 'hset' command")},
		{line("HMSET", "h", "c"), resp.Err("ERR wrong number of arguments for 'hmset' command")},
		// Small hashes answer in insertion order, as Redis's listpack does.
		{line("HGETALL", "h"), bulks("b", "3", "a", "2", "c", "4")},
		{line("HKEYS", "h"), bulks("b", "a", "c")},
		{line("HVALS", "h"), bulks("3", "2", "4")},
		{line("HGET", "h", "a"), bulk("2")},
		{line("HGET", "h", "z"), resp.Null},
		{line("HGET", "nope", "a"), resp.Null},
		{line("HMGET", "h", "a", "z", "c"), arr(bulk("2"), resp.Null, bulk("4"))},
		{line("HMGET", "nope", "a"), arr(resp.Null)},
		{line("HLEN", "h"), num(3)},
		{line("HEXISTS", "h", "a"), num(1)},
		{line("HEXISTS", "h", "z"), num(0)},
		{line("HSTRLEN", "h", "a"), num(1)},
		{line("HSTRLEN", "h", "z"), num(0)},
		{line("HMSET", "h", "d", "5"), resp.OK},
		{line("HSETNX", "h", "d", "6"), num(0)},
		{line("HSETNX", "h", "e", "6"), num(1)},
		{line("HDEL", "h", "a", "a", "z"), num(1)},
		{line("HGETALL", "h"), bulks("b", "3", "c", "4", "d", "5", "e", "6")},
		{line("HDEL", "h", "b", "c", "d", "e", "x"), num(4)},
		{line("EXISTS", "h"), num(0)},
		{line("HGETALL", "h"), arr()},
		{line("HDEL", "h", "a"), num(0)},
	})
}

func TestHashWrongType(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "SET", "s", "v")
	wrong := errv(ErrWrongType)
	for _, args := range [][]string{
		{"HSET", "s", "f", "v"}, {"HMSET", "s", "f", "v"}, {"HSETNX", "s", "f", "v"}, {"HGET", "s", "f"},
		{"HMGET", "s", "f"}, {"HGETALL", "s"}, {"HKEYS", "s"}, {"HVALS", "s"}, {"HDEL", "s", "f"},
		{"HLEN", "s"}, {"HEXISTS", "s", "f"}, {"HSTRLEN", "s", "f"}, {"HINCRBY", "s", "f", "1"},
	} {
		expect(t, ks, wrong, args...)
	}
	expect(t, ks, bulk("v"), "GET", "s")
}

func TestHincrby(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("HINCRBY", "h", "n", "5"), num(5)},
		{line("HINCRBY", "h", "n", "-7"), num(-2)},
		{line("HINCRBY", "h", "n", "x"), errv(ErrNotInteger)},
		{line("HSET", "h", "s", "abc", "big", "9223372036854775807"), num(2)},
		{line("HINCRBY", "h", "s", "1"), errv(ErrHashNotInteger)},
		{line("HINCRBY", "h", "big", "1"), errv(ErrOverflow)},
		{line("HGET", "h", "n"), bulk("-2")},
	})
}

func TestHashEncoding(t *testing.T) {
	h := &hashValue{}
	for i := range hashMaxListpackEntries {
		h.set("f"+strconv.Itoa(i), "v")
	}
	if h.encoding() != "listpack" {
		t.Fatalf("%d fields: %s", h.len(), h.encoding())
	}
	h.set("one-more", "v")
	if h.encoding() != "hashtable" || h.len() != hashMaxListpackEntries+1 {
		t.Fatalf("%d fields: %s", h.len(), h.encoding())
	}
	h = &hashValue{}
	h.set("f", strings.Repeat("x", hashMaxListpackValue))
	if h.encoding() != "listpack" {
		t.Fatalf("a %d-byte value converted the hash", hashMaxListpackValue)
	}
	h.set(strings.Repeat("x", hashMaxListpackValue+1), "v")
	if h.encoding() != "hashtable" {
		t.Fatalf("a %d-byte field did not convert the hash", hashMaxListpackValue+1)
	}
	// HSET converts before writing a long value, and stays converted.
	ks, _ := newTestKeyspace(t)
	do(ks, "HSET", "h", "f", strings.Repeat("x", 65))
	if n := ks.db.dict.find("h"); n.obj.encoding() != "hashtable" {
		t.Errorf("after a 65-byte value: %s", n.obj.encoding())
	}
}

func TestHincrbyfloat(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("HINCRBYFLOAT", "h", "f", "0.1"), bulk("0.1")},
		{line("HINCRBYFLOAT", "h", "f", "0.2"), bulk("0.3")},
		{line("HINCRBYFLOAT", "h", "f", "inf"), errv(ErrNaNOrInfinityArg)},
		{line("HINCRBYFLOAT", "h", "f", "x"), errv(ErrNotFloat)},
		{line("HSET", "h", "s", "abc"), num(1)},
		{line("HINCRBYFLOAT", "h", "s", "1"), errv(ErrHashNotFloat)},
		{line("HGET", "h", "f"), bulk("0.3")},
	})
}

func TestHrandfield(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("HRANDFIELD", "h"), resp.Null},
		{line("HRANDFIELD", "h", "3"), arr()},
		{line("HSET", "h", "a", "1", "b", "2", "c", "3"), num(3)},
		{line("HRANDFIELD", "h", "0"), arr()},
		{line("HRANDFIELD", "h", "5"), bulks("a", "b", "c")},
		{line("HRANDFIELD", "h", "5", "WITHVALUES"), bulks("a", "1", "b", "2", "c", "3")},
		{line("HRANDFIELD", "h", "1", "foo"), errv(ErrSyntax)},
		{line("HRANDFIELD", "h", "x"), errv(ErrNotInteger)},
		{line("HRANDFIELD", "h", "-9223372036854775808"), errv(ErrLongRange)},
		{line("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"), errv(ErrValueRange)},
	})
	for _, count := range []string{"2", "-7"} {
		r := do(ks, "HRANDFIELD", "h", count, "WITHVALUES")
		want := 4
		if count == "-7" {
			want = 14
		}
		if len(r.Array) != want {
			t.Fatalf("HRANDFIELD h %s WITHVALUES: %v", count, r)
		}
		seen := map[string]bool{}
		for i := 0; i < len(r.Array); i += 2 {
			f, v := r.Array[i].Str, r.Array[i+1].Str
			if map[string]string{"a": "1", "b": "2", "c": "3"}[f] != v {
				t.Errorf("HRANDFIELD gave %q=%q", f, v)
			}
			if count == "2" && seen[f] {
				t.Errorf("HRANDFIELD h 2 repeated %q", f)
			}
			seen[f] = true
		}
	}
}

func TestHscan(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("HSCAN", "h", "0"), arr(bulk("0"), arr())},
		{line("HSCAN", "h", "0", "BAD"), arr(bulk("0"), arr())}, // options are read after the key
		{line("HSET", "h", "f1", "a", "g", "b", "f2", "c"), num(3)},
		{line("HSCAN", "h", "0"), arr(bulk("0"), bulks("f1", "a", "g", "b", "f2", "c"))},
		{line("HSCAN", "h", "0", "MATCH", "f*", "COUNT", "1"), arr(bulk("0"), bulks("f1", "a", "f2", "c"))},
		{line("HSCAN", "h", "x"), errv(ErrInvalidCursor)},
		{line("HSCAN", "h", "0", "TYPE", "hash"), errv(ErrSyntax)},
		{line("SET", "s", "v"), resp.OK},
		{line("HSCAN", "s", "0", "BAD"), errv(ErrWrongType)},
	})
}
