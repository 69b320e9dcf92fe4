package store

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gearsd/gearsd/resp"
)

func TestZadd(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("ZADD", "z", "1", "a", "2", "b"), num(2)},
		{line("ZADD", "z", "3", "a", "1", "c"), num(1)},
		{line("ZADD", "z", "CH", "4", "a", "1", "c", "5", "d"), num(2)},
		{line("ZADD", "z", "NX", "9", "a", "6", "e"), num(1)},
		{line("ZSCORE", "z", "a"), bulk("4")},
		{line("ZADD", "z", "XX", "9", "a", "9", "f"), num(0)},
		{line("ZSCORE", "z", "a"), bulk("9")},
		{line("ZSCORE", "z", "f"), resp.Null},
		{line("ZADD", "z", "GT", "CH", "1", "a", "10", "b"), num(1)},
		{line("ZADD", "z", "LT", "CH", "1", "a", "20", "b"), num(1)},
		{line("ZADD", "z", "INCR", "2.5", "a"), bulk("3.5")},
		{line("ZADD", "z", "INCR", "NX", "1", "a"), resp.Null},
		{line("ZADD", "z", "INCR", "GT", "-1", "a"), resp.Null},
		{line("ZINCRBY", "z", "0.1", "new"), bulk("0.10000000000000001")},
		{line("ZADD", "z", "inf", "a"), num(0)},
		{line("ZINCRBY", "z", "-inf", "a"), errv(ErrZaddNaN)},
		{line("ZADD", "z", "NX", "XX", "1", "a"), errv(ErrZaddXXAndNX)},
		{line("ZADD", "z", "GT", "LT", "1", "a"), errv(ErrZaddGTLTNX)},
		{line("ZADD", "z", "NX", "GT", "1", "a"), errv(ErrZaddGTLTNX)},
		{line("ZADD", "z", "INCR", "1", "a", "2", "b"), errv(ErrZaddIncrPair)},
		{line("ZADD", "z", "1", "a", "2"), errv(ErrSyntax)},
		{line("ZADD", "z", "x", "a"), errv(ErrNotFloat)},
		{line("ZADD", "z", "nan", "a"), errv(ErrNotFloat)},
		{line("ZADD", "z", "1"), resp.Err("ERR wrong number of arguments for 'zadd' command")},
		{line("ZADD", "nokey", "XX", "1", "a"), num(0)},
		{line("EXISTS", "nokey"), num(0)},
		{line("ZCARD", "z"), num(6)},
		{line("SET", "s", "v"), resp.OK},
		{line("ZADD", "s", "1", "a"), errv(ErrWrongType)},
	})
}

func TestZsetReads(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d"), num(4)},
		{line("ZRANK", "z", "c"), num(2)},
		{line("ZREVRANK", "z", "c"), num(1)},
		{line("ZRANK", "z", "x"), resp.Null},
		{line("ZMSCORE", "z", "a", "x"), arr(bulk("1"), resp.Null)},
		{line("ZMSCORE", "nokey", "a"), arr(resp.Null)},
		{line("ZCOUNT", "z", "2", "3"), num(3)},
		{line("ZCOUNT", "z", "(2", "+inf"), num(1)},
		{line("ZCOUNT", "z", "-inf", "(1"), num(0)},
		{line("ZCOUNT", "z", "3", "1"), num(0)},
		{line("ZCOUNT", "z", " 1", ""), num(0)}, // strtod's leniency
		{line("ZCOUNT", "z", "x", "1"), errv(ErrMinMaxNotFloat)},
		{line("ZREM", "z", "a", "x"), num(1)},
		{line("ZREM", "z", "b", "c", "d"), num(3)},
		{line("EXISTS", "z"), num(0)},
	})
}

func TestZrange(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e")
	run(t, ks, []step{
		{line("ZRANGE", "z", "0", "-1"), bulks("a", "b", "c", "d", "e")},
		{line("ZRANGE", "z", "1", "2", "WITHSCORES"), bulks("b", "2", "c", "3")},
		{line("ZRANGE", "z", "0", "1", "REV"), bulks("e", "d")},
		{line("ZREVRANGE", "z", "-2", "-1"), bulks("b", "a")},
		{line("ZRANGE", "z", "(1", "3", "BYSCORE"), bulks("b", "c")},
		{line("ZRANGE", "z", "+inf", "(3", "BYSCORE", "REV"), bulks("e", "d")},
		{line("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"), bulks("b", "c")},
		{line("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"), bulks("d", "c")},
		{line("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"), arr()},
		{line("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "3", "-1"), bulks("d", "e")},
		{line("ZRANGEBYSCORE", "z", "2", "3", "WITHSCORES"), bulks("b", "2", "c", "3")},
		{line("ZREVRANGEBYSCORE", "z", "3", "2"), bulks("c", "b")},
		{line("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"), errv(ErrLimitWithRank)},
		{line("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"), errv(ErrWithscoresLex)},
		{line("ZREVRANGE", "z", "0", "1", "REV"), errv(ErrSyntax)},
		{line("ZRANGEBYSCORE", "z", "0", "1", "BYLEX"), errv(ErrSyntax)},
		{line("ZRANGE", "z", "x", "1"), errv(ErrNotInteger)},
		{line("ZRANGE", "nokey", "0", "-1"), arr()},
		{line("ZRANGESTORE", "dst", "z", "1", "3"), num(3)},
		{line("ZRANGE", "dst", "0", "-1", "WITHSCORES"), bulks("b", "2", "c", "3", "d", "4")},
		{line("ZRANGESTORE", "dst", "z", "10", "20"), num(0)},
		{line("EXISTS", "dst"), num(0)},
		{line("ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES"), errv(ErrSyntax)},
	})
}

func TestZrangeByLex(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e")
	run(t, ks, []step{
		{line("ZRANGEBYLEX", "z", "-", "+"), bulks("a", "b", "c", "d", "e")},
		{line("ZRANGEBYLEX", "z", "[b", "(d"), bulks("b", "c")},
		{line("ZREVRANGEBYLEX", "z", "(d", "[b"), bulks("c", "b")},
		{line("ZRANGEBYLEX", "z", "-", "+", "LIMIT", "1", "2"), bulks("b", "c")},
		{line("ZLEXCOUNT", "z", "(a", "+"), num(4)},
		{line("ZLEXCOUNT", "z", "+", "-"), num(0)},
		{line("ZLEXCOUNT", "z", "-", "-"), num(0)},
		{line("ZLEXCOUNT", "z", "a", "+"), errv(ErrMinMaxNotLex)},
		{line("ZLEXCOUNT", "z", "[a", "+x"), errv(ErrMinMaxNotLex)},
		{line("ZRANGE", "z", "[c", "-", "BYLEX", "REV"), bulks("c", "b", "a")},
	})
	// With mixed scores the answer is the listpack walk's, as in Redis.
	ks2, _ := newTestKeyspace(t)
	do(ks2, "ZADD", "m", "1", "b", "2", "a", "3", "c")
	expect(t, ks2, bulks("b", "a", "c"), "ZRANGEBYLEX", "m", "-", "+")
	expect(t, ks2, bulks("b", "a"), "ZRANGEBYLEX", "m", "[b", "(c")
	expect(t, ks2, bulks("c"), "ZRANGEBYLEX", "m", "[c", "+")
	expect(t, ks2, bulks("b", "a"), "ZRANGEBYLEX", "m", "(a", "[b")
	expect(t, ks2, num(3), "ZLEXCOUNT", "m", "[a", "+")
	expect(t, ks2, bulks("c", "a", "b"), "ZREVRANGEBYLEX", "m", "+", "[a")
	expect(t, ks2, bulks("c"), "ZRANGEBYLEX", "m", "-", "+", "LIMIT", "2", "1")
}

func TestZpopZrandmember(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("ZPOPMIN", "z"), arr()},
		{line("ZADD", "z", "1", "a", "2", "b", "3", "c"), num(3)},
		{line("ZPOPMIN", "z"), bulks("a", "1")},
		{line("ZPOPMAX", "z", "5"), bulks("c", "3", "b", "2")},
		{line("EXISTS", "z"), num(0)},
		{line("ZPOPMIN", "z", "-1"), errv(ErrMustBePositive)},
		{line("ZPOPMIN", "z", "1", "2"), errv(ErrSyntax)},
		{line("ZADD", "z", "1", "a", "2", "b"), num(2)},
		{line("ZPOPMIN", "z", "0"), arr()},
		{line("ZRANDMEMBER", "z", "5", "WITHSCORES"), bulks("a", "1", "b", "2")},
		{line("ZRANDMEMBER", "z", "1", "foo"), errv(ErrSyntax)},
		{line("ZRANDMEMBER", "nokey"), resp.Null},
	})
	if r := do(ks, "ZRANDMEMBER", "z", "-5"); len(r.Array) != 5 {
		t.Errorf("ZRANDMEMBER z -5: %v", r)
	}
}

func TestZsetStoreOps(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "ZADD", "a", "1", "x", "2", "y")
	do(ks, "ZADD", "b", "10", "y", "20", "z")
	do(ks, "SADD", "s", "x", "z")
	run(t, ks, []step{
		{line("ZUNIONSTORE", "d", "2", "a", "b"), num(3)},
		{line("ZRANGE", "d", "0", "-1", "WITHSCORES"), bulks("x", "1", "y", "12", "z", "20")},
		{line("ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "2", "1"), num(1)},
		{line("ZRANGE", "d", "0", "-1", "WITHSCORES"), bulks("y", "14")},
		{line("ZUNION", "2", "a", "s", "AGGREGATE", "MAX", "WITHSCORES"), bulks("x", "1", "z", "1", "y", "2")},
		{line("ZINTER", "2", "a", "s"), bulks("x")},
		{line("ZDIFF", "2", "a", "b", "WITHSCORES"), bulks("x", "1")},
		{line("ZDIFFSTORE", "d", "2", "a", "a"), num(0)},
		{line("EXISTS", "d"), num(0)},
		{line("ZUNIONSTORE", "d", "0", "a"), resp.Err("ERR at least 1 input key is needed for 'zunionstore' command")},
		{line("ZUNIONSTORE", "d", "x", "a"), errv(ErrNotInteger)},
		{line("ZUNIONSTORE", "d", "3", "a"), errv(ErrSyntax)},
		{line("ZUNIONSTORE", "d", "1", "a", "WEIGHTS", "x"), errv(ErrWeightNotFloat)},
		{line("ZUNIONSTORE", "d", "1", "a", "AGGREGATE", "avg"), errv(ErrSyntax)},
		{line("ZUNIONSTORE", "d", "1", "a", "WITHSCORES"), errv(ErrSyntax)},
		{line("ZDIFF", "1", "a", "WEIGHTS", "1"), errv(ErrSyntax)},
		{line("SET", "str", "v"), resp.OK},
		{line("ZUNIONSTORE", "d", "2", "a", "str", "BAD"), errv(ErrWrongType)},
		// +inf and -inf add up to 0.
		{line("ZADD", "p", "inf", "m"), num(1)},
		{line("ZADD", "n", "-inf", "m"), num(1)},
		{line("ZUNION", "2", "p", "n", "WITHSCORES"), bulks("m", "0")},
	})
}

func TestZsetEncoding(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	args := []string{"ZADD", "z"}
	for i := range zsetMaxListpackEntries {
		args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	run(t, ks, []step{
		{args, num(zsetMaxListpackEntries)},
		{line("OBJECT", "ENCODING", "z"), bulk("listpack")},
		{line("ZADD", "z", "1", "one-more"), num(1)},
		{line("OBJECT", "ENCODING", "z"), bulk("skiplist")},
		{line("ZADD", "long", "1", strings.Repeat("m", 65)), num(1)},
		{line("OBJECT", "ENCODING", "long"), bulk("skiplist")},
		// A listpack keeps an integral score as an integer: -0 reads 0.
		{line("ZADD", "zero", "-0", "a"), num(1)},
		{line("ZSCORE", "zero", "a"), bulk("0")},
		{line("ZADD", "long", "-0", "a"), num(1)},
		{line("ZSCORE", "long", "a"), bulk("-0")},
	})
}

func TestZscan(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("ZSCAN", "z", "0"), arr(bulk("0"), arr())},
		{line("ZADD", "z", "2", "b", "1.5", "a"), num(2)},
		{line("ZSCAN", "z", "0"), arr(bulk("0"), bulks("a", "1.5", "b", "2"))},
		{line("ZSCAN", "z", "0", "MATCH", "b"), arr(bulk("0"), bulks("b", "2"))},
	})
}

func TestZremrange(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e")
	run(t, ks, []step{
		{line("ZREMRANGEBYRANK", "z", "0", "1"), num(2)},
		{line("ZREMRANGEBYRANK", "z", "5", "10"), num(0)},
		{line("ZREMRANGEBYSCORE", "z", "(3", "4"), num(1)},
		{line("ZRANGE", "z", "0", "-1"), bulks("c", "e")},
		{line("ZREMRANGEBYSCORE", "z", "x", "4"), errv(ErrMinMaxNotFloat)},
		{line("ZREMRANGEBYRANK", "nokey", "0", "1"), num(0)},
		{line("ZREMRANGEBYSCORE", "z", "-inf", "+inf"), num(2)},
		{line("EXISTS", "z"), num(0)},
		{line("ZADD", "l", "0", "a", "0", "b", "0", "c"), num(3)},
		{line("ZREMRANGEBYLEX", "l", "(a", "[b"), num(1)},
		{line("ZREMRANGEBYLEX", "l", "a", "[b"), errv(ErrMinMaxNotLex)},
		{line("ZRANGE", "l", "0", "-1"), bulks("a", "c")},
	})
}

// TestZsetEvents checks the keyspace events of sorted set writes, as
// redis-server 7.0 names and orders them.
func TestZsetEvents(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	next := collect(t, ks, ClassAll)
	cases := []struct {
		cmd  []string
		want []string
	}{
		{line("ZADD", "z", "1", "a", "2", "b", "3", "c"), line("zadd z")},
		{line("ZADD", "z", "INCR", "1", "a"), line("zincr z")},
		{line("ZINCRBY", "z", "0", "a"), nil},
		{line("ZADD", "z", "XX", "5", "q"), nil},
		{line("ZREM", "z", "a", "x"), line("zrem z")},
		{line("ZPOPMIN", "z"), line("zpopmin z")},
		{line("ZREMRANGEBYSCORE", "z", "0", "10"), line("zremrangebyscore z", "del z")},
		{line("ZADD", "z", "1", "a"), line("zadd z")},
		{line("ZRANGESTORE", "d", "z", "0", "-1"), line("zrangestore d")},
		{line("ZUNIONSTORE", "d", "1", "z"), line("zunionstore d")},
		{line("ZINTERSTORE", "d", "2", "z", "nokey"), line("del d")},
		{line("ZPOPMAX", "z", "5"), line("zpopmax z", "del z")},
	}
	for _, c := range cases {
		do(ks, c.cmd...)
		if got := next(len(c.want)); !slices.Equal(got, c.want) {
			t.Errorf("%s: events %q, want %q", strings.Join(c.cmd, " "), got, c.want)
		}
	}
}
