package store

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/gearsd/gearsd/resp"
)

// TestListValueAgainstSlice runs random operations on the ring buffer and
// on a plain slice.
func TestListValueAgainstSlice(t *testing.T) {
	l := &listValue{}
	var model []string
	rng := rand.New(rand.NewPCG(3, 4))
	maxLen := 0
	for op := range 40_000 {
		v := strconv.Itoa(op)
		// Phases of growth and shrinking, so the buffer resizes both ways.
		pushes := 6
		if op/5000%2 == 1 {
			pushes = 2
		}
		switch r := rng.IntN(10); {
		case r < pushes/2:
			l.pushFront(v)
			model = append([]string{v}, model...)
		case r < pushes:
			l.pushBack(v)
			model = append(model, v)
		case r < (pushes+8)/2 && len(model) > 0:
			if got := l.pop(true); got != model[0] {
				t.Fatalf("op %d: pop left %q, want %q", op, got, model[0])
			}
			model = model[1:]
		case r < 8 && len(model) > 0:
			if got := l.pop(false); got != model[len(model)-1] {
				t.Fatalf("op %d: pop right %q, want %q", op, got, model[len(model)-1])
			}
			model = model[:len(model)-1]
		case r < 9:
			i := rng.IntN(len(model) + 1)
			l.insertAt(i, v)
			model = slices.Insert(model, i, v)
		default:
			if len(model) > 0 {
				i := rng.IntN(len(model))
				l.keep(func(j int, _ string) bool { return j != i })
				model = slices.Delete(model, i, i+1)
			}
		}
		if !slices.Equal(l.toSlice(), model) {
			t.Fatalf("op %d: list %q, want %q", op, l.toSlice(), model)
		}
		maxLen = max(maxLen, len(model))
	}
	if maxLen < 500 || len(l.buf) > 64 && l.n < len(l.buf)/4 {
		t.Errorf("the test did not exercise resizing: max length %d, final %d in %d", maxLen, l.n, len(l.buf))
	}
}

func TestPushPop(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("LPUSHX", "l", "a"), num(0)},
		{line("RPUSH", "l", "a", "b"), num(2)},
		{line("LPUSH", "l", "x", "y"), num(4)},
		{line("LRANGE", "l", "0", "-1"), bulks("y", "x", "a", "b")},
		{line("RPUSHX", "l", "z"), num(5)},
		{line("LPOP", "l"), bulk("y")},
		{line("RPOP", "l"), bulk("z")},
		{line("LPOP", "l", "2"), bulks("x", "a")},
		{line("RPOP", "l", "0"), arr()},
		{line("LPOP", "l", "-1"), errv(ErrMustBePositive)},
		{line("LPOP", "l", "x"), errv(ErrMustBePositive)},
		{line("LPOP", "l", "1", "2"), resp.Err("ERR wrong number of arguments for 'lpop' command")},
		{line("RPOP", "l", "5"), bulks("b")},
		{line("EXISTS", "l"), num(0)},
		{line("LPOP", "l"), resp.Null},
		{line("LPOP", "l", "1"), resp.NullArray},
		{line("LLEN", "l"), num(0)},
		{line("SET", "s", "v"), resp.OK},
		{line("LPUSH", "s", "a"), errv(ErrWrongType)},
		{line("LPUSHX", "s", "a"), errv(ErrWrongType)},
		{line("LPOP", "s"), errv(ErrWrongType)},
		{line("LLEN", "s"), errv(ErrWrongType)},
	})
}

func TestListIndexing(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("RPUSH", "l", "a", "b", "c", "d"), num(4)},
		{line("LRANGE", "l", "1", "2"), bulks("b", "c")},
		{line("LRANGE", "l", "-2", "100"), bulks("c", "d")},
		{line("LRANGE", "l", "-100", "0"), bulks("a")},
		{line("LRANGE", "l", "3", "1"), arr()},
		{line("LRANGE", "l", "x", "1"), errv(ErrNotInteger)},
		{line("LRANGE", "nope", "0", "-1"), arr()},
		{line("LINDEX", "l", "-1"), bulk("d")},
		{line("LINDEX", "l", "4"), resp.Null},
		{line("LSET", "l", "1", "B"), resp.OK},
		{line("LSET", "l", "9", "B"), errv(ErrIndexOutOfRange)},
		{line("LSET", "nope", "x", "B"), errv(ErrNoSuchKey)},
		{line("LINSERT", "l", "BEFORE", "c", "bc"), num(5)},
		{line("LINSERT", "l", "after", "d", "e"), num(6)},
		{line("LINSERT", "l", "after", "zz", "e"), num(-1)},
		{line("LINSERT", "nope", "after", "zz", "e"), num(0)},
		{line("LINSERT", "l", "middle", "d", "e"), errv(ErrSyntax)},
		{line("LRANGE", "l", "0", "-1"), bulks("a", "B", "bc", "c", "d", "e")},
		{line("LTRIM", "l", "1", "-2"), resp.OK},
		{line("LRANGE", "l", "0", "-1"), bulks("B", "bc", "c", "d")},
		{line("LTRIM", "l", "5", "10"), resp.OK},
		{line("EXISTS", "l"), num(0)},
		{line("LTRIM", "nope", "0", "1"), resp.OK},
	})
}

func TestLremLpos(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("RPUSH", "l", "a", "b", "a", "c", "a", "b"), num(6)},
		{line("LPOS", "l", "a"), num(0)},
		{line("LPOS", "l", "a", "RANK", "2"), num(2)},
		{line("LPOS", "l", "a", "RANK", "-1"), num(4)},
		{line("LPOS", "l", "a", "COUNT", "0"), arr(num(0), num(2), num(4))},
		{line("LPOS", "l", "a", "COUNT", "2", "RANK", "-1"), arr(num(4), num(2))},
		{line("LPOS", "l", "a", "COUNT", "5", "MAXLEN", "3"), arr(num(0), num(2))},
		{line("LPOS", "l", "z"), resp.Null},
		{line("LPOS", "l", "z", "COUNT", "1"), arr()},
		{line("LPOS", "nope", "z"), resp.Null},
		{line("LPOS", "l", "a", "RANK", "0"), errv(ErrLposRankZero)},
		{line("LPOS", "l", "a", "COUNT", "-1"), errv(ErrLposCount)},
		{line("LPOS", "l", "a", "MAXLEN", "x"), errv(ErrLposMaxlen)},
		{line("LPOS", "l", "a", "FOO", "1"), errv(ErrSyntax)},
		{line("LREM", "l", "-1", "a"), num(1)},
		{line("LRANGE", "l", "0", "-1"), bulks("a", "b", "a", "c", "b")},
		{line("LREM", "l", "1", "b"), num(1)},
		{line("LREM", "l", "0", "a"), num(2)},
		{line("LRANGE", "l", "0", "-1"), bulks("c", "b")},
		{line("LREM", "l", "0", "c"), num(1)},
		{line("LREM", "l", "0", "b"), num(1)},
		{line("EXISTS", "l"), num(0)},
	})
}

func TestLmove(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("RPUSH", "a", "1", "2", "3"), num(3)},
		{line("LMOVE", "a", "b", "LEFT", "RIGHT"), bulk("1")},
		{line("LMOVE", "a", "b", "RIGHT", "LEFT"), bulk("3")},
		{line("LRANGE", "b", "0", "-1"), bulks("3", "1")},
		{line("LMOVE", "b", "b", "LEFT", "RIGHT"), bulk("3")}, // a rotation
		{line("LRANGE", "b", "0", "-1"), bulks("1", "3")},
		{line("RPOPLPUSH", "a", "b"), bulk("2")},
		{line("EXISTS", "a"), num(0)},
		{line("RPOPLPUSH", "a", "b"), resp.Null},
		{line("LMOVE", "a", "b", "UP", "LEFT"), errv(ErrSyntax)},
		{line("SET", "s", "v"), resp.OK},
		{line("LMOVE", "b", "s", "LEFT", "LEFT"), errv(ErrWrongType)},
		{line("LLEN", "b"), num(3)},
		{line("LMOVE", "nope", "s", "LEFT", "LEFT"), resp.Null},
	})
}

func TestCopyList(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	run(t, ks, []step{
		{line("RPUSH", "a", "1", "2", "3", "4", "5"), num(5)},
		{line("COPY", "a", "b"), num(1)},
		{line("LPUSH", "b", "0"), num(6)},
		{line("LRANGE", "b", "0", "-1"), bulks("0", "1", "2", "3", "4", "5")},
		{line("LRANGE", "a", "0", "-1"), bulks("1", "2", "3", "4", "5")},
	})
}
