package store

import (
	"strconv"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// counted runs a command and checks what it added to keyspace_hits,
// keyspace_misses and expired_keys.
func counted(t *testing.T, ks *Keyspace, hits, misses, expired int64, args ...string) {
	t.Helper()
	h0, m0, e0 := ks.StatsCounters()
	do(ks, args...)
	h1, m1, e1 := ks.StatsCounters()
	if h1-h0 != hits || m1-m0 != misses || e1-e0 != expired {
		t.Errorf("%q counted hits %d, misses %d, expired %d; want %d, %d, %d",
			args, h1-h0, m1-m0, e1-e0, hits, misses, expired)
	}
}

func TestStatsHitsAndMisses(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "SET", "s", "v")
	do(ks, "HSET", "h", "f", "v")
	do(ks, "RPUSH", "l", "a", "b")

	// Reads: one hit or miss per key looked up, whatever the reply.
	counted(t, ks, 1, 0, 0, "GET", "s")
	counted(t, ks, 0, 1, 0, "GET", "nope")
	counted(t, ks, 1, 0, 0, "GET", "h") // WRONGTYPE after a hit
	counted(t, ks, 2, 2, 0, "MGET", "s", "nope", "s", "nope2")
	counted(t, ks, 1, 0, 0, "HGET", "h", "f")
	counted(t, ks, 1, 0, 0, "HGET", "h", "nofield")
	counted(t, ks, 0, 1, 0, "HGET", "nope", "f")
	counted(t, ks, 1, 0, 0, "LRANGE", "l", "0", "-1")
	counted(t, ks, 0, 1, 0, "LRANGE", "nope", "0", "-1")
	counted(t, ks, 2, 1, 0, "EXISTS", "s", "nope", "h")
	counted(t, ks, 1, 0, 0, "TYPE", "l")
	counted(t, ks, 0, 1, 0, "TYPE", "nope")
	counted(t, ks, 0, 0, 0, "KEYS", "*")
	counted(t, ks, 0, 0, 0, "DBSIZE")
	counted(t, ks, 0, 0, 0, "GET") // arity error: nothing looked up

	// Writes look keys up without counting...
	counted(t, ks, 0, 0, 0, "SET", "s", "w")
	counted(t, ks, 0, 0, 0, "SET", "nope", "w", "XX")
	counted(t, ks, 0, 0, 0, "INCR", "n")
	counted(t, ks, 0, 0, 0, "HSET", "h", "g", "v")
	counted(t, ks, 0, 0, 0, "LPUSH", "l", "c")
	counted(t, ks, 0, 0, 0, "EXPIRE", "s", "100")
	counted(t, ks, 0, 0, 0, "DEL", "n", "nope")
	// ...but those that read a key first, as Redis's do, count that read.
	counted(t, ks, 1, 0, 0, "SET", "s", "x", "GET")
	counted(t, ks, 0, 1, 0, "GETDEL", "nope")
	counted(t, ks, 1, 0, 0, "COPY", "s", "s2") // the source, not the destination
	counted(t, ks, 0, 1, 0, "COPY", "nope", "s3")
	counted(t, ks, 0, 2, 0, "SUNIONSTORE", "dst", "nope", "nope2")
	counted(t, ks, 1, 0, 0, "OBJECT", "ENCODING", "s")
}

func TestStatsLazyExpiry(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	do(ks, "SET", "a", "v", "PX", "100")
	do(ks, "SET", "b", "v", "PX", "100")
	do(ks, "SET", "c", "v", "PX", "100")
	counted(t, ks, 1, 0, 0, "GET", "a")
	clock.Advance(time.Second)
	// A read that finds its key expired deletes it: a miss and an expiry.
	counted(t, ks, 0, 1, 1, "GET", "a")
	counted(t, ks, 0, 1, 0, "GET", "a") // gone already
	// A write that finds it expired deletes it too, without a miss.
	counted(t, ks, 0, 0, 1, "SET", "b", "w")
	counted(t, ks, 1, 0, 0, "GET", "b")
	// So does SCAN, for the keys it walks past.
	counted(t, ks, 0, 0, 1, "SCAN", "0")
	expect(t, ks, num(1), "DBSIZE")
}

func TestStatsActiveExpiry(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	for i := range 50 {
		do(ks, "SET", "k"+strconv.Itoa(i), "v", "PX", "100")
	}
	do(ks, "SET", "forever", "v")
	clock.Advance(time.Second)
	deleted := 0
	for i := 0; i < 1000 && deleted < 50; i++ {
		deleted += ks.activeExpireCycle(time.Hour)
	}
	hits, misses, expired := ks.StatsCounters()
	if deleted != 50 || expired != 50 || hits != 0 || misses != 0 {
		t.Errorf("the active cycle deleted %d keys; counted hits %d, misses %d, expired %d", deleted, hits, misses, expired)
	}
}

// Every path a command can come by counts the same: EXEC, a read while
// someone listens to keymiss events, a logged write.
func TestStatsPaths(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "SET", "s", "v")
	var cmds [][][]byte
	for _, c := range [][]string{{"GET", "s"}, {"GET", "nope"}, {"SET", "t", "v"}, {"INCR", "n"}, {"GETDEL", "t"}} {
		var argv [][]byte
		for _, a := range c {
			argv = append(argv, []byte(a))
		}
		cmds = append(cmds, argv)
	}
	replies, ok := ks.DoMulti(cmds, nil)
	if !ok || len(replies) != 5 {
		t.Fatalf("EXEC: %v %v", replies, ok)
	}
	if h, m, _ := ks.StatsCounters(); h != 2 || m != 1 {
		t.Errorf("EXEC counted hits %d, misses %d; want 2, 1", h, m)
	}

	sub := ks.Subscribe(ClassKeyMiss, 0, func(Event) {})
	defer sub.Close()
	counted(t, ks, 1, 1, 0, "MGET", "s", "nope")
	counted(t, ks, 0, 0, 0, "SET", "nope", "v", "XX")

	dir := t.TempDir()
	aks, _ := openAOFKeyspace(t, dir, "always", &fakeClock{t: testEpoch})
	do(aks, "SET", "s", "v")
	counted(t, aks, 0, 0, 0, "SET", "s", "w")
	counted(t, aks, 1, 0, 0, "GETDEL", "s")
	counted(t, aks, 0, 1, 0, "SET", "s", "x", "GET")
	counted(t, aks, 1, 0, 0, "GET", "s")
	aks.Close()
	// The replay of the file counts nothing.
	aks, _ = openAOFKeyspace(t, dir, "always", &fakeClock{t: testEpoch})
	if h, m, e := aks.StatsCounters(); h != 0 || m != 0 || e != 0 {
		t.Errorf("after the replay: hits %d, misses %d, expired %d", h, m, e)
	}
}

func TestStatsReset(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	do(ks, "SET", "a", "v", "PX", "10")
	clock.Advance(time.Second)
	do(ks, "GET", "a")
	do(ks, "SET", "b", "v")
	do(ks, "GET", "b")
	if h, m, e := ks.StatsCounters(); h != 1 || m != 1 || e != 1 {
		t.Fatalf("counted hits %d, misses %d, expired %d; want 1 each", h, m, e)
	}
	ks.ResetStatsCounters()
	if h, m, e := ks.StatsCounters(); h != 0 || m != 0 || e != 0 {
		t.Errorf("after a reset: hits %d, misses %d, expired %d", h, m, e)
	}
	counted(t, ks, 1, 0, 0, "GET", "b")
	expect(t, ks, resp.Null, "GET", "a")
}
