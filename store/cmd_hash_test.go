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
