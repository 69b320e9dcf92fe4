package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// keyspaceStats reads keyspace_hits, keyspace_misses and expired_keys from
// INFO stats.
func keyspaceStats(t *testing.T, rc *rawConn) [3]int64 {
	t.Helper()
	raw := rc.do(t, "INFO", "stats")
	var out [3]int64
	found := 0
	for _, line := range strings.Split(raw, "\r\n") {
		name, val, _ := strings.Cut(line, ":")
		for i, f := range []string{"keyspace_hits", "keyspace_misses", "expired_keys"} {
			if name == f {
				n, err := strconv.ParseInt(val, 10, 64)
				if err != nil {
					t.Fatalf("INFO stats %s: %q", f, val)
				}
				out[i] = n
				found++
			}
		}
	}
	if found != 3 {
		t.Fatalf("INFO stats lacks keyspace_hits, keyspace_misses or expired_keys:\n%s", raw)
	}
	return out
}

// TestKeyspaceStatsMatchRedis sends the same commands to redis-server and
// to gearsd and compares what they add to keyspace_hits, keyspace_misses
// and expired_keys. The totals are compared at points that do not depend
// on when each server's active expiry cycle runs: a key read after its
// TTL is a miss and one expiry whoever deleted it.
func TestKeyspaceStatsMatchRedis(t *testing.T) {
	gs := startServer(t)
	redisAddr := startRedis(t)
	sides := []struct {
		name string
		c    *rawConn
	}{{"redis-server", dialRaw(t, redisAddr)}, {"gearsd", dialRaw(t, gs.Addr)}}

	reads := [][]string{
		{"SET", "a", "1"}, {"HSET", "h", "f", "v"}, {"RPUSH", "l", "x", "y"},
		{"GET", "a"}, {"GET", "nope"}, {"GET", "h"}, // a hit, then WRONGTYPE
		{"MGET", "a", "nope", "a", "l"},
		{"HGET", "h", "f"}, {"HGET", "h", "nofield"}, {"HGET", "nope", "f"},
		{"LRANGE", "l", "0", "-1"}, {"LRANGE", "nope", "0", "-1"},
		{"EXISTS", "a", "nope", "h", "l"}, {"TYPE", "l"}, {"TYPE", "nope"},
		// Writes look keys up without counting; SET ... GET and GETDEL read.
		{"SET", "a", "2"}, {"INCR", "n"}, {"HSET", "h", "g", "v"}, {"LPUSH", "l", "z"}, {"DEL", "nope"},
		{"SET", "a", "3", "GET"}, {"GETDEL", "nope"},
		// Inside a transaction too.
		{"MULTI"}, {"GET", "a"}, {"MGET", "nope", "h"}, {"EXISTS", "l"}, {"EXEC"},
	}
	expiry := [][]string{
		{"SET", "e", "v", "PX", "100"}, {"GET", "e"},
		{"SET", "e2", "v", "PX", "100"},
		// Left to the active expiry cycle: nothing touches them.
		{"SET", "act1", "v", "PX", "50"}, {"SET", "act2", "v", "PX", "50"},
		{"sleep"},
		// Expired: deleted by this lookup or by the cycle before it.
		{"GET", "e"}, {"TTL", "e"},
		{"SET", "e2", "w"}, // a write on an expired key: an expiry, no miss
	}
	wantKeys := "5" // a, h, l, n, e2: the cycle has deleted act1 and act2

	var counts [2][2][3]int64 // side, checkpoint
	for i, side := range sides {
		base := keyspaceStats(t, side.c)
		for _, cmd := range reads {
			side.c.do(t, cmd...)
		}
		now := keyspaceStats(t, side.c)
		for k := range now {
			counts[i][0][k] = now[k] - base[k]
		}
		for _, cmd := range expiry {
			if cmd[0] == "sleep" {
				time.Sleep(250 * time.Millisecond)
				continue
			}
			side.c.do(t, cmd...)
		}
		deadline := time.Now().Add(10 * time.Second)
		for side.c.do(t, "DBSIZE") != ":"+wantKeys+"\r\n" { // DBSIZE looks no key up
			if time.Now().After(deadline) {
				t.Fatalf("%s: the active expiry cycle left keys: %s", side.name, side.c.do(t, "KEYS", "*"))
			}
			time.Sleep(20 * time.Millisecond)
		}
		now = keyspaceStats(t, side.c)
		for k := range now {
			counts[i][1][k] = now[k] - base[k]
		}
	}
	for cp, what := range []string{"reads and writes", "then expiries"} {
		r, g := counts[0][cp], counts[1][cp]
		t.Logf("%s: hits, misses, expired: redis-server %v, gearsd %v", what, r, g)
		if r != g {
			t.Errorf("after the %s, hits, misses, expired: redis-server %v, gearsd %v", what, r, g)
		}
	}
	if counts[0][1][2] < 4 || counts[0][0][0] == 0 || counts[0][0][1] == 0 {
		t.Errorf("the sequence did not exercise every counter on redis-server: %v", counts[0])
	}

	// CONFIG RESETSTAT zeroes them on both.
	for _, side := range sides {
		side.c.do(t, "CONFIG", "RESETSTAT")
		if got := keyspaceStats(t, side.c); got != [3]int64{} {
			t.Errorf("%s: after CONFIG RESETSTAT: %v", side.name, got)
		}
	}
}
