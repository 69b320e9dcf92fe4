package tests

import (
	"strings"
	"testing"
	"time"
)

// Blocking list commands, against redis-server and gearsd alike: clients
// blocked on a key are served in the order they blocked, a push of several
// elements serves several clients, BLMOVE moves, timeouts answer a null
// array after about the timeout, and errors are Redis's.
func TestBlockingListsMatchRedis(t *testing.T) {
	gs := startServer(t)
	redisAddr := startRedis(t)
	run := func(addr string) []string {
		a, b, c, w := dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr)
		var out []string
		// Arrival order: a, then b, then c block on "q".
		a.send(t, "BLPOP", "q", "other", "0")
		time.Sleep(50 * time.Millisecond)
		b.send(t, "BRPOP", "q", "0")
		time.Sleep(50 * time.Millisecond)
		c.send(t, "BLMOVE", "q", "dst", "LEFT", "RIGHT", "0")
		time.Sleep(50 * time.Millisecond)
		out = append(out, w.do(t, "RPUSH", "q", "1", "2"))
		out = append(out, a.read(t), b.read(t))
		out = append(out, w.do(t, "LPUSH", "q", "3"), c.read(t), w.do(t, "LRANGE", "dst", "0", "-1"))
		// A client blocked on two keys is served by the first pushed.
		a.send(t, "BLPOP", "k1", "k2", "0")
		time.Sleep(50 * time.Millisecond)
		out = append(out, w.do(t, "RPUSH", "k2", "x"), a.read(t), w.do(t, "EXISTS", "k2"))
		// Timeouts.
		start := time.Now()
		out = append(out, a.do(t, "BLPOP", "none", "0.2"), a.do(t, "BLMOVE", "none", "d", "LEFT", "LEFT", "0.1"))
		if d := time.Since(start); d < 250*time.Millisecond || d > 2*time.Second {
			t.Errorf("%s: timeouts of 0.3s took %v", addr, d)
		}
		// Errors, and a non-blocking run inside MULTI.
		out = append(out, a.do(t, "BLPOP", "q", "-1"), a.do(t, "BLPOP", "q", "soon"), a.do(t, "BLMOVE", "q", "d", "UP", "LEFT", "0"))
		out = append(out, w.do(t, "SET", "str", "v"), a.do(t, "BLPOP", "str", "q", "0"))
		out = append(out, a.do(t, "MULTI"), a.do(t, "BLPOP", "none", "0"), a.do(t, "EXEC"))
		// The push's own client sees the element gone at once: the blocked
		// client was served before any other command.
		a.send(t, "BLPOP", "k3", "0")
		time.Sleep(50 * time.Millisecond)
		out = append(out, w.do(t, "RPUSH", "k3", "v"), w.do(t, "LLEN", "k3"), a.read(t))
		// A transaction that pushes then deletes serves nobody: blocked
		// clients are served after EXEC.
		a.send(t, "BLPOP", "k4", "0")
		time.Sleep(50 * time.Millisecond)
		out = append(out, w.do(t, "MULTI"), w.do(t, "RPUSH", "k4", "v"), w.do(t, "DEL", "k4"), w.do(t, "EXEC"))
		out = append(out, w.do(t, "RPUSH", "k4", "second"), a.read(t))
		// A pipelined command behind a blocked one waits for it.
		b.send(t, "BLPOP", "p", "0")
		b.send(t, "PING")
		time.Sleep(50 * time.Millisecond)
		out = append(out, w.do(t, "RPUSH", "p", "v"), b.read(t), b.read(t))
		return out
	}
	want, got := run(redisAddr), run(gs.Addr)
	if len(want) != len(got) {
		t.Fatalf("%d replies from redis-server, %d from gearsd", len(want), len(got))
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("reply %d:\n  redis-server: %q\n  gearsd:       %q", i, want[i], got[i])
		}
	}
}

// A blocked client does not hold up others, and shutdown releases it.
func TestBlockedClientIsAlone(t *testing.T) {
	gs := startServer(t)
	a := dialRaw(t, gs.Addr)
	a.send(t, "BLPOP", "never", "0")
	time.Sleep(50 * time.Millisecond)
	c := gs.Client(t)
	if v := MustDo(t, c, "PING"); v != "PONG" {
		t.Fatal(v)
	}
	if got := Info(t, c, "clients")["blocked_clients"]; got != "1" {
		t.Errorf("blocked_clients = %q", got)
	}
	done := make(chan string, 1)
	go func() {
		var out strings.Builder
		a.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		readReply(a.r, &out)
		done <- out.String()
	}()
	gs.Stop(t)
	select {
	case got := <-done:
		if got != "*-1\r\n" && got != "" {
			t.Errorf("blocked client at shutdown got %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown did not release a blocked client")
	}
}

// A blocked client that disconnects stops waiting: a later push is not
// popped for it (as with redis-server).
func TestBlockedClientDisconnects(t *testing.T) {
	for name, addr := range map[string]string{"redis-server": startRedis(t), "gearsd": startServer(t).Addr} {
		a := dialRaw(t, addr)
		a.send(t, "BLPOP", "gone", "0")
		time.Sleep(50 * time.Millisecond)
		a.c.Close()
		time.Sleep(300 * time.Millisecond)
		w := dialRaw(t, addr)
		w.do(t, "RPUSH", "gone", "v")
		time.Sleep(100 * time.Millisecond)
		if got := w.do(t, "LLEN", "gone"); got != ":1\r\n" {
			t.Errorf("%s: LLEN after a blocked client left: %q", name, got)
		}
	}
}
