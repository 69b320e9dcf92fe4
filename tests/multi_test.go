package tests

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Transactions: the same MULTI/EXEC/WATCH sequences, on two connections
// (the second one touches watched keys), go to redis-server and to gearsd;
// every raw reply must be equal.
func TestTransactionsMatchRedis(t *testing.T) {
	gs := startServer(t)
	redisAddr := startRedis(t)
	type step struct {
		conn int // 0: the transaction's client, 1: another client
		args []string
	}
	s := func(conn int, args ...string) step { return step{conn, args} }
	script := []step{
		s(0, "FLUSHALL"),
		// Errors outside MULTI.
		s(0, "EXEC"), s(0, "DISCARD"),
		// Queued commands, runtime errors per command.
		s(0, "MULTI"), s(0, "SET", "k", "1"), s(0, "INCR", "k"), s(0, "HSET", "k", "f", "v"),
		s(0, "LPUSH", "l", "a", "b"), s(0, "LRANGE", "l", "0", "-1"), s(0, "PING"), s(0, "ECHO", "hi"), s(0, "EXEC"),
		// Nested MULTI and WATCH inside MULTI: errors, not queued, not dirty.
		s(0, "MULTI"), s(0, "MULTI"), s(0, "WATCH", "k"), s(0, "GET", "k"), s(0, "EXEC"),
		// Queue-time errors abort.
		s(0, "MULTI"), s(0, "SET", "x"), s(0, "SET", "x", "1"), s(0, "EXEC"), s(0, "EXISTS", "x"),
		s(0, "MULTI"), s(0, "NOSUCHCOMMAND", "a"), s(0, "EXEC"),
		// DISCARD.
		s(0, "MULTI"), s(0, "SET", "d", "1"), s(0, "DISCARD"), s(0, "EXISTS", "d"), s(0, "EXEC"),
		// WATCH: untouched, touched by another client, touched by itself.
		s(0, "WATCH", "k"), s(0, "MULTI"), s(0, "INCR", "k"), s(0, "EXEC"),
		s(0, "WATCH", "k"), s(1, "SET", "k", "10"), s(0, "MULTI"), s(0, "INCR", "k"), s(0, "EXEC"), s(0, "GET", "k"),
		s(0, "WATCH", "k"), s(0, "SET", "k", "20"), s(0, "MULTI"), s(0, "INCR", "k"), s(0, "EXEC"),
		// A write that changes nothing is no touch; a delete is.
		s(0, "WATCH", "k"), s(1, "SETNX", "k", "x"), s(0, "MULTI"), s(0, "GET", "k"), s(0, "EXEC"),
		s(0, "WATCH", "k", "nokey"), s(1, "DEL", "nokey"), s(0, "MULTI"), s(0, "GET", "k"), s(0, "EXEC"),
		s(0, "WATCH", "k"), s(1, "DEL", "k"), s(0, "MULTI"), s(0, "GET", "k"), s(0, "EXEC"),
		// A watched key created, a hash field set, a list pushed.
		s(0, "WATCH", "new"), s(1, "SET", "new", "1"), s(0, "MULTI"), s(0, "PING"), s(0, "EXEC"),
		s(0, "WATCH", "h"), s(1, "HSET", "h", "f", "1"), s(0, "MULTI"), s(0, "PING"), s(0, "EXEC"),
		s(0, "WATCH", "l"), s(1, "RPUSH", "l", "z"), s(0, "MULTI"), s(0, "PING"), s(0, "EXEC"),
		// UNWATCH forgets; DISCARD forgets; FLUSHALL touches.
		s(0, "WATCH", "k"), s(0, "UNWATCH"), s(1, "SET", "k", "1"), s(0, "MULTI"), s(0, "GET", "k"), s(0, "EXEC"),
		s(0, "WATCH", "k"), s(0, "MULTI"), s(0, "DISCARD"), s(1, "SET", "k", "2"), s(0, "MULTI"), s(0, "GET", "k"), s(0, "EXEC"),
		s(0, "WATCH", "k"), s(1, "FLUSHALL"), s(0, "MULTI"), s(0, "PING"), s(0, "EXEC"),
		// Blocking commands inside MULTI do not block.
		s(0, "MULTI"), s(0, "BLPOP", "empty", "0"), s(0, "RPUSH", "bl", "1"), s(0, "BLPOP", "bl", "0"), s(0, "EXEC"),
		// A transaction's SET with an expiry, RENAME, and EXEC with nothing queued.
		s(0, "MULTI"), s(0, "SET", "t", "v", "EX", "100"), s(0, "RENAME", "t", "t2"), s(0, "TTL", "t2"), s(0, "EXEC"),
		s(0, "MULTI"), s(0, "EXEC"),
	}
	run := func(addr string) []string {
		conns := []*rawConn{dialRaw(t, addr), dialRaw(t, addr)}
		var out []string
		for _, st := range script {
			out = append(out, conns[st.conn].do(t, st.args...))
		}
		return out
	}
	want, got := run(redisAddr), run(gs.Addr)
	for i, st := range script {
		if want[i] != got[i] {
			t.Errorf("step %d %q:\n  redis-server: %q\n  gearsd:       %q", i, st.args, want[i], got[i])
		}
	}
}

// A watched key that expires before EXEC fails the transaction (Redis 7).
func TestWatchExpiredKey(t *testing.T) {
	for name, addr := range map[string]string{"redis-server": startRedis(t), "gearsd": startServer(t).Addr} {
		c := dialRaw(t, addr)
		c.do(t, "SET", "e", "v", "PX", "50")
		c.do(t, "WATCH", "e")
		time.Sleep(120 * time.Millisecond)
		c.do(t, "MULTI")
		c.do(t, "PING")
		if got := c.do(t, "EXEC"); got != "*-1\r\n" {
			t.Errorf("%s: EXEC after a watched key expired: %q", name, got)
		}
	}
}

// RG.PYEXECUTE answers its RedisGears text when sent inside MULTI.
func TestPyExecuteInsideMulti(t *testing.T) {
	gs := startServer(t)
	c := dialRaw(t, gs.Addr)
	c.do(t, "MULTI")
	got := c.do(t, "RG.PYEXECUTE", "GB().run()")
	if !strings.Contains(got, "Can not run gears inside a multi exec") {
		t.Errorf("RG.PYEXECUTE inside MULTI: %q", got)
	}
	if got := c.do(t, "EXEC"); !strings.HasPrefix(got, "-EXECABORT") {
		t.Errorf("EXEC after a refused command: %q", got)
	}
}

// go-redis's optimistic locking works against gearsd: concurrent
// WATCH/MULTI increments never lose an update.
func TestWatchOptimisticLockingGoRedis(t *testing.T) {
	gs := startServer(t)
	ctx := context.Background()
	const workers, each = 8, 25
	errs := make(chan error, workers)
	for range workers {
		go func() {
			c := redis.NewClient(&redis.Options{Addr: gs.Addr})
			defer c.Close()
			for i := 0; i < each; {
				err := c.Watch(ctx, func(tx *redis.Tx) error {
					n, err := tx.Get(ctx, "counter").Int()
					if err != nil && !errors.Is(err, redis.Nil) {
						return err
					}
					_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.Set(ctx, "counter", n+1, 0)
						return nil
					})
					return err
				}, "counter")
				if errors.Is(err, redis.TxFailedErr) {
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				i++
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	c := gs.Client(t)
	if n := MustDo(t, c, "GET", "counter"); n != "200" {
		t.Errorf("counter = %v, want %d", n, workers*each)
	}
}

// A transaction that queued a command that waits (DEBUG SLEEP) runs on the
// connection's own goroutine, not on the event loop, however many commands
// that never wait came after it: another client is answered while EXEC
// sleeps. (The queued PINGs used to hand the connection back to the loop,
// where EXEC then held every other client for the whole sleep.)
func TestExecOfAWaitingTransactionLeavesTheLoop(t *testing.T) {
	s := startServer(t)
	a, b := dialRaw(t, s.Addr), dialRaw(t, s.Addr)
	if got := a.do(t, "MULTI"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	a.do(t, "DEBUG", "SLEEP", "3")
	for range 20 {
		if got := a.do(t, "PING"); got != "+QUEUED\r\n" {
			t.Fatal(got)
		}
	}
	a.send(t, "EXEC")
	time.Sleep(300 * time.Millisecond) // EXEC is in its 3 s sleep now
	if got := b.do(t, "PING"); got != "+PONG\r\n" {
		t.Fatalf("PING = %q", got)
	}
	// b was answered while a's EXEC still sleeps: a has no reply yet.
	a.c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := a.r.Peek(1); err == nil {
		t.Fatal("EXEC answered before the other client's PING: the PING waited for the sleep")
	}
	a.c.SetReadDeadline(time.Time{})
	if got := a.read(t); !strings.HasPrefix(got, "*21\r\n+OK\r\n+PONG\r\n") {
		t.Errorf("EXEC = %q", got)
	}
}
