package store

import (
	"slices"
	"strconv"
	"testing"

	"github.com/gearsd/gearsd/resp"
)

func TestSetBasics(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("SADD", "s", "3", "1", "2", "1"), num(3)},
		// An intset answers in ascending order, as Redis's does.
		{line("SMEMBERS", "s"), bulks("1", "2", "3")},
		{line("OBJECT", "ENCODING", "s"), bulk("intset")},
		{line("SISMEMBER", "s", "2"), num(1)},
		{line("SISMEMBER", "s", "x"), num(0)},
		{line("SMISMEMBER", "s", "1", "x", "3"), arr(num(1), num(0), num(1))},
		{line("SMISMEMBER", "nope", "1"), arr(num(0))},
		{line("SCARD", "s"), num(3)},
		{line("SADD", "s", "a"), num(1)},
		{line("OBJECT", "ENCODING", "s"), bulk("hashtable")},
		{line("SREM", "s", "a", "b", "1"), num(2)},
		{line("OBJECT", "ENCODING", "s"), bulk("hashtable")}, // never back
		{line("SREM", "s", "2", "3", "4"), num(2)},
		{line("EXISTS", "s"), num(0)},
		{line("SMEMBERS", "s"), arr()},
		{line("SADD", "t", "007"), num(1)},
		{line("OBJECT", "ENCODING", "t"), bulk("hashtable")}, // not a canonical integer
		{line("SET", "str", "v"), resp.OK},
		{line("SADD", "str", "a"), errv(ErrWrongType)},
		{line("SMEMBERS", "str"), errv(ErrWrongType)},
		{line("SCARD", "str"), errv(ErrWrongType)},
	})
}

func TestIntsetLimit(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	args := []string{"SADD", "s"}
	for i := range setMaxIntsetEntries {
		args = append(args, strconv.Itoa(i))
	}
	expect(t, ks, num(setMaxIntsetEntries), args...)
	expect(t, ks, bulk("intset"), "OBJECT", "ENCODING", "s")
	expect(t, ks, num(1), "SADD", "s", "-1")
	expect(t, ks, bulk("hashtable"), "OBJECT", "ENCODING", "s")
	expect(t, ks, num(setMaxIntsetEntries+1), "SCARD", "s")
}

func TestSpopSrandmember(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("SPOP", "s"), resp.Null},
		{line("SPOP", "s", "2"), arr()},
		{line("SRANDMEMBER", "s"), resp.Null},
		{line("SRANDMEMBER", "s", "2"), arr()},
		{line("SADD", "s", "a", "b", "c"), num(3)},
		{line("SPOP", "s", "1", "2"), errv(ErrSyntax)},
		{line("SPOP", "s", "-1"), errv(ErrMustBePositive)},
		{line("SRANDMEMBER", "s", "1", "2"), errv(ErrSyntax)},
		{line("SRANDMEMBER", "s", "x"), errv(ErrNotInteger)},
		{line("SRANDMEMBER", "s", "0"), arr()},
	})
	if r := do(ks, "SRANDMEMBER", "s", "-10"); len(r.Array) != 10 {
		t.Errorf("SRANDMEMBER s -10: %v", r)
	}
	if got := sortedStrings(t, do(ks, "SRANDMEMBER", "s", "2")); len(got) != 2 || got[0] == got[1] {
		t.Errorf("SRANDMEMBER s 2: %q", got)
	}
	popped := sortedStrings(t, do(ks, "SPOP", "s", "2"))
	if len(popped) != 2 {
		t.Fatalf("SPOP s 2: %q", popped)
	}
	expect(t, ks, num(1), "SCARD", "s")
	last := do(ks, "SPOP", "s").Str
	if all := append(popped, last); !slices.Contains(all, "a") || !slices.Contains(all, "b") || !slices.Contains(all, "c") {
		t.Errorf("popped %q", all)
	}
	expect(t, ks, num(0), "EXISTS", "s")
	do(ks, "SADD", "s", "3", "1", "2")
	expect(t, ks, bulks("1", "2", "3"), "SPOP", "s", "5")
	expect(t, ks, num(0), "EXISTS", "s")
}

func TestSmove(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("SET", "str", "v"), resp.OK},
		{line("SMOVE", "nope", "str", "a"), num(0)},
		{line("SADD", "a", "1", "2"), num(2)},
		{line("SMOVE", "a", "str", "1"), errv(ErrWrongType)},
		{line("SMOVE", "a", "a", "1"), num(1)},
		{line("SMOVE", "a", "a", "9"), num(0)},
		{line("SMOVE", "a", "b", "9"), num(0)},
		{line("SMOVE", "a", "b", "1"), num(1)},
		{line("SMOVE", "a", "b", "2"), num(1)},
		{line("EXISTS", "a"), num(0)},
		{line("SMEMBERS", "b"), bulks("1", "2")},
	})
}

func TestSetAlgebra(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("SADD", "a", "1", "2", "3", "4"), num(4)},
		{line("SADD", "b", "3", "4", "5"), num(3)},
		{line("SADD", "c", "4", "x"), num(2)},
		{line("SINTER", "a", "b"), bulks("3", "4")},
		{line("SINTER", "a", "b", "c"), bulks("4")},
		{line("SINTER", "a", "nope"), arr()},
		{line("SUNION", "a", "b"), bulks("1", "2", "3", "4", "5")},
		{line("SDIFF", "a", "b"), bulks("1", "2")},
		{line("SDIFF", "a", "a"), arr()},
		{line("SDIFF", "nope", "a"), arr()},
		{line("SINTERCARD", "2", "a", "b"), num(2)},
		{line("SINTERCARD", "2", "a", "b", "LIMIT", "1"), num(1)},
		{line("SINTERCARD", "0", "a"), errv(ErrNumkeys)},
		{line("SINTERCARD", "x", "a"), errv(ErrNumkeys)},
		{line("SINTERCARD", "3", "a", "b"), errv(ErrNumkeysTooLarge)},
		{line("SINTERCARD", "1", "a", "LIMIT", "-1"), errv(ErrLimitNegative)},
		{line("SINTERCARD", "1", "a", "FOO"), errv(ErrSyntax)},
		{line("SINTERSTORE", "d", "a", "b"), num(2)},
		{line("SMEMBERS", "d"), bulks("3", "4")},
		{line("SUNIONSTORE", "d", "a", "c"), num(5)},
		{line("OBJECT", "ENCODING", "d"), bulk("hashtable")},
		{line("SET", "d2", "v", "EX", "100"), resp.OK},
		{line("SDIFFSTORE", "d2", "a", "b"), num(2)},
		{line("TTL", "d2"), num(-1)},
		{line("SMEMBERS", "d2"), bulks("1", "2")},
		{line("SDIFFSTORE", "d2", "a", "a"), num(0)},
		{line("EXISTS", "d2"), num(0)},
		{line("SET", "str", "v"), resp.OK},
		{line("SINTER", "nope", "str"), errv(ErrWrongType)},
		{line("SUNIONSTORE", "d", "a", "str"), errv(ErrWrongType)},
	})
}

func TestSscan(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("SSCAN", "s", "0"), arr(bulk("0"), arr())},
		{line("SADD", "s", "10", "2", "11"), num(3)},
		{line("SSCAN", "s", "0"), arr(bulk("0"), bulks("2", "10", "11"))},
		{line("SSCAN", "s", "0", "MATCH", "1*"), arr(bulk("0"), bulks("10", "11"))},
		{line("SSCAN", "s", "x"), errv(ErrInvalidCursor)},
	})
}
