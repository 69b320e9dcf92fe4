package server

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Replies buffered before a SUBSCRIBE in the same pipeline come first, and
// the commands after it are served by the subscriber's loop.
func TestSubscribeInPipeline(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	c.send("PING")
	c.send("SUBSCRIBE", "a")
	c.send("PING")
	expect(t, c.read(), "PONG")
	expect(t, c.read(), `["subscribe", "a", (integer) 1]`)
	expect(t, c.read(), `["pong", ""]`)
	expect(t, dialRaw(t, ts.addr).do("PUBLISH", "a", "m"), "(integer) 1")
	expect(t, c.read(), `["message", "a", "m"]`)
}

// Shutdown closes an idle subscriber at once rather than waiting for it.
func TestShutdownWithSubscriber(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	expect(t, c.do("SUBSCRIBE", "a"), `["subscribe", "a", (integer) 1]`)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Shutdown took %v with a subscriber", d)
	}
}

// notify-keyspace-events can be turned on and off at run time.
func TestKeyspaceEventsAtRunTime(t *testing.T) {
	ts := startServer(t, []string{"notify-keyspace-events", "E$"})
	sub := dialRaw(t, ts.addr)
	expect(t, sub.do("SUBSCRIBE", "__keyevent@0__:set"), `["subscribe", "__keyevent@0__:set", (integer) 1]`)
	w := dialRaw(t, ts.addr)
	expect(t, w.do("SET", "a", "1"), "OK")
	expect(t, sub.read(), `["message", "__keyevent@0__:set", "a"]`)
	expect(t, w.do("CONFIG", "SET", "notify-keyspace-events", ""), "OK")
	expect(t, w.do("SET", "b", "1"), "OK")
	expect(t, w.do("CONFIG", "SET", "notify-keyspace-events", "KEA"), "OK")
	expect(t, w.do("SET", "c", "1"), "OK")
	expect(t, sub.read(), `["message", "__keyevent@0__:set", "c"]`)
}

func TestPubsubInfoStats(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	c.send("SUBSCRIBE", "a", "b")
	c.read()
	c.read()
	expect(t, c.do("PSUBSCRIBE", "p*"), `["psubscribe", "p*", (integer) 3]`)
	info := dialRaw(t, ts.addr).do("INFO", "stats").Str
	for _, want := range []string{"pubsub_channels:2\r\n", "pubsub_patterns:1\r\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO stats lacks %q", strings.TrimSpace(want))
		}
	}
}
