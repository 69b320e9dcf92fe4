package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
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

func TestClientListPubsubAndBlocked(t *testing.T) {
	ts := startServer(t, nil)
	sub := dialRaw(t, ts.addr)
	sub.send("CLIENT", "SETNAME", "sub")
	sub.read()
	sub.send("SUBSCRIBE", "a", "b")
	sub.read()
	sub.read()
	expect(t, sub.do("PSUBSCRIBE", "p*"), `["psubscribe", "p*", (integer) 3]`)
	tx := dialRaw(t, ts.addr)
	expect(t, tx.do("CLIENT", "SETNAME", "tx"), "OK")
	expect(t, tx.do("MULTI"), "OK")
	bl := dialRaw(t, ts.addr)
	expect(t, bl.do("CLIENT", "SETNAME", "bl"), "OK")
	bl.send("BLPOP", "nothing", "0")
	time.Sleep(50 * time.Millisecond)

	me := dialRaw(t, ts.addr)
	list := me.do("CLIENT", "LIST").Str
	for _, want := range []string{"name=sub age=0 idle=0 flags=P db=0 sub=2 psub=1", "name=tx age=0 idle=0 flags=x ", "name=bl age=0 idle=0 flags=b "} {
		if !strings.Contains(list, want) {
			t.Errorf("CLIENT LIST lacks %q:\n%s", want, list)
		}
	}
	if only := me.do("CLIENT", "LIST", "TYPE", "pubsub").Str; strings.Count(only, "\n") != 1 || !strings.Contains(only, "name=sub ") {
		t.Errorf("CLIENT LIST TYPE pubsub:\n%s", only)
	}
	if normal := me.do("CLIENT", "LIST", "TYPE", "normal").Str; strings.Contains(normal, "name=sub ") {
		t.Errorf("CLIENT LIST TYPE normal lists a subscriber:\n%s", normal)
	}
	expect(t, me.do("RPUSH", "nothing", "x"), "(integer) 1")
	expect(t, bl.read(), `["nothing", "x"]`)
}

// The idle timeout spares subscribers, as in Redis.
func TestSubscriberOutlivesTimeout(t *testing.T) {
	ts := startServer(t, []string{"timeout", "1"})
	sub := dialRaw(t, ts.addr)
	expect(t, sub.do("SUBSCRIBE", "a"), `["subscribe", "a", (integer) 1]`)
	idle := dialRaw(t, ts.addr)
	expect(t, idle.do("PING"), "PONG")
	time.Sleep(2500 * time.Millisecond)
	expect(t, dialRaw(t, ts.addr).do("PUBLISH", "a", "still"), "(integer) 1")
	expect(t, sub.read(), `["message", "a", "still"]`)
	if err := idle.readErr(); err == nil {
		t.Error("an idle ordinary client outlived timeout")
	}
}

// Publishers, subscribers coming and going, and keyspace events at once:
// under -race, nothing is shared without a lock and nothing deadlocks.
func TestPubsubChurn(t *testing.T) {
	ts := startServer(t, []string{"notify-keyspace-events", "KEA"})
	done := make(chan struct{})
	errs := make(chan error, 16)
	for i := range 4 {
		go func() {
			c := dialRaw(t, ts.addr)
			for j := 0; ; j++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				c.send("PUBLISH", "ch", "m")
				c.send("SET", "k", "v")
				if v := c.read(); v.Kind != resp.KindInt {
					errs <- fmt.Errorf("publisher %d: %v", i, v)
					return
				}
				c.read()
			}
		}()
	}
	for i := range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				c := dialRaw(t, ts.addr)
				c.send("SUBSCRIBE", "ch")
				c.send("PSUBSCRIBE", "__key*__:*")
				c.read()
				c.read()
				c.send("UNSUBSCRIBE")
				c.conn.Close()
			}
		}()
		_ = i
	}
	time.Sleep(time.Second)
	close(done)
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
