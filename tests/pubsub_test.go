package tests

import (
	"net"
	"strings"
	"testing"
	"time"
)

// Pub/Sub: subscriptions, messages, the subscribed context's refusals and
// PING, unsubscription replies and PUBSUB, byte for byte as redis-server.
func TestPubSubMatchesRedis(t *testing.T) {
	gs := startServer(t)
	redisAddr := startRedis(t)
	run := func(addr string) []string {
		sub, pub := dialRaw(t, addr), dialRaw(t, addr)
		var out []string
		sub.send(t, "SUBSCRIBE", "c1", "c2")
		out = append(out, sub.read(t), sub.read(t))
		sub.send(t, "PSUBSCRIBE", "c*", "news.?")
		out = append(out, sub.read(t), sub.read(t))
		sub.send(t, "SUBSCRIBE", "c1") // again: the count stays
		out = append(out, sub.read(t))
		out = append(out, pub.do(t, "PUBLISH", "c1", "hello"))
		out = append(out, sub.read(t), sub.read(t)) // message, then pmessage
		out = append(out, pub.do(t, "PUBLISH", "news.x", "n"), sub.read(t))
		out = append(out, pub.do(t, "PUBLISH", "nobody", "x"))
		out = append(out, pub.do(t, "PUBSUB", "NUMSUB", "c1", "c2", "c9"), pub.do(t, "PUBSUB", "NUMPAT"),
			pub.do(t, "PUBSUB", "CHANNELS", "c2"), pub.do(t, "PUBSUB", "CHANNELS", "zz*"))
		out = append(out, sub.do(t, "GET", "k"), sub.do(t, "PING"), sub.do(t, "PING", "x"), sub.do(t, "MULTI"))
		sub.send(t, "UNSUBSCRIBE", "c1", "nosuch")
		out = append(out, sub.read(t), sub.read(t))
		sub.send(t, "PUNSUBSCRIBE")
		out = append(out, sub.read(t), sub.read(t))
		sub.send(t, "UNSUBSCRIBE")
		out = append(out, sub.read(t))
		sub.send(t, "UNSUBSCRIBE")
		out = append(out, sub.read(t))
		// Out of the subscribed context: an ordinary client again.
		out = append(out, sub.do(t, "PING"), sub.do(t, "SET", "k", "v"), sub.do(t, "GET", "k"))
		out = append(out, pub.do(t, "PUBSUB", "NUMPAT"), pub.do(t, "PUBLISH", "c1", "x"))
		// RESET leaves the subscribed context.
		sub.send(t, "SUBSCRIBE", "r")
		out = append(out, sub.read(t), sub.do(t, "RESET"), sub.do(t, "GET", "k"), pub.do(t, "PUBLISH", "r", "x"))
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

// Keyspace notifications: the same writes produce the same messages, in
// the same order, as redis-server with notify-keyspace-events KEA.
func TestKeyspaceNotificationsMatchRedis(t *testing.T) {
	gs := startServer(t)
	redisAddr := startRedis(t)
	writes := [][]string{
		{"SET", "s", "1"}, {"SET", "s", "2", "EX", "100"}, {"INCRBY", "s", "3"}, {"INCRBYFLOAT", "s", "1.5"},
		{"APPEND", "s", "x"}, {"SETRANGE", "s", "0", "y"}, {"PERSIST", "s"}, {"EXPIRE", "s", "50"},
		{"GETDEL", "s"}, {"MSET", "a", "1", "b", "2"}, {"RENAME", "a", "c"}, {"COPY", "c", "d"},
		{"DEL", "b", "c", "d", "missing"}, {"SETNX", "n", "1"}, {"SETNX", "n", "2"},
		{"HSET", "h", "f", "1", "g", "2"}, {"HINCRBY", "h", "f", "1"}, {"HINCRBYFLOAT", "h", "f", "0.5"},
		{"HDEL", "h", "f", "g"}, {"RPUSH", "l", "a", "b", "c"}, {"LPUSH", "l", "z"}, {"LSET", "l", "0", "q"},
		{"LINSERT", "l", "BEFORE", "q", "p"}, {"LREM", "l", "1", "p"}, {"LTRIM", "l", "0", "1"},
		{"LMOVE", "l", "l2", "LEFT", "RIGHT"}, {"RPOPLPUSH", "l", "l2"}, {"LPOP", "l2", "2"},
		{"SADD", "st", "a", "b"}, {"SREM", "st", "a"}, {"SMOVE", "st", "st2", "b"},
		{"SADD", "x1", "1", "2"}, {"SADD", "x2", "2"}, {"SINTERSTORE", "x3", "x1", "x2"}, {"SUNIONSTORE", "x3", "x1", "x2"},
		{"SDIFFSTORE", "x3", "x2", "x1"}, {"EXPIRE", "x1", "-1"},
		{"SADD", "sp", "a", "b", "c"}, {"SPOP", "sp"}, {"SPOP", "sp", "5"},
		{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZADD", "z", "INCR", "1", "a"}, {"ZINCRBY", "z", "1", "b"},
		{"ZREM", "z", "a"}, {"ZPOPMIN", "z"}, {"ZADD", "z", "5", "d", "6", "e"}, {"ZREMRANGEBYSCORE", "z", "5", "5"},
		{"ZREMRANGEBYRANK", "z", "0", "0"}, {"ZADD", "z2", "1", "x"}, {"ZUNIONSTORE", "z3", "2", "z", "z2"},
		{"ZRANGESTORE", "z4", "z3", "0", "-1"}, {"ZINTERSTORE", "z5", "2", "z", "z2"}, {"ZPOPMAX", "z3", "10"},
		{"XADD", "st1", "1-1", "f", "v"}, {"XADD", "st1", "2-1", "f", "v"}, {"XDEL", "st1", "1-1"},
		{"XTRIM", "st1", "MAXLEN", "0"}, {"XGROUP", "CREATE", "st1", "g", "0"}, {"XGROUP", "CREATECONSUMER", "st1", "g", "c"},
		{"XGROUP", "SETID", "st1", "g", "$"}, {"XGROUP", "DELCONSUMER", "st1", "g", "c"}, {"XGROUP", "DESTROY", "st1", "g"},
		{"SET", "gx", "1"}, {"GETEX", "gx", "PX", "100000"}, {"GETEX", "gx", "PERSIST"}, {"PEXPIREAT", "gx", "1"},
		{"SET", "e", "v", "PX", "1"},
	}
	run := func(addr string) []string {
		sub, w := dialRaw(t, addr), dialRaw(t, addr)
		w.do(t, "CONFIG", "SET", "notify-keyspace-events", "KEAn")
		sub.send(t, "PSUBSCRIBE", "__key*__:*")
		sub.read(t)
		for _, c := range writes {
			w.do(t, c...)
		}
		time.Sleep(20 * time.Millisecond)
		w.do(t, "GET", "e") // lazily expired
		w.do(t, "SET", "end", "1")
		var out []string
		for {
			m := sub.read(t)
			out = append(out, m)
			if strings.Contains(m, "__keyevent@0__:set\r\n$3\r\nend\r\n") {
				return out
			}
		}
	}
	want, got := run(redisAddr), run(gs.Addr)
	if len(want) < 2*len(writes) {
		t.Fatalf("only %d messages from redis-server", len(want))
	}
	for i := 0; i < len(want) || i < len(got); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			t.Fatalf("message %d:\n  redis-server: %q\n  gearsd:       %q", i, w, g)
		}
	}
}

// notify-keyspace-events classes filter, K and E choose the channels, and
// an empty value turns notifications off.
func TestKeyspaceNotificationClasses(t *testing.T) {
	gs := startServer(t)
	sub, w := dialRaw(t, gs.Addr), dialRaw(t, gs.Addr)
	sub.send(t, "PSUBSCRIBE", "__key*__:*")
	sub.read(t)
	w.do(t, "CONFIG", "SET", "notify-keyspace-events", "Eg")
	w.do(t, "SET", "a", "1") // $: filtered out
	w.do(t, "DEL", "a")
	if m := sub.read(t); !strings.Contains(m, "__keyevent@0__:del\r\n$1\r\na") {
		t.Errorf("Eg: %q", m)
	}
	w.do(t, "CONFIG", "SET", "notify-keyspace-events", "")
	w.do(t, "SET", "b", "1")
	w.do(t, "CONFIG", "SET", "notify-keyspace-events", "K$")
	w.do(t, "SET", "c", "1")
	if m := sub.read(t); !strings.Contains(m, "__keyspace@0__:c\r\n$3\r\nset") {
		t.Errorf("K$ after off: %q", m)
	}
}

// A subscriber that does not read never slows a publisher; past its
// output limit it is disconnected, as Redis does.
func TestSlowSubscriberDoesNotBlockPublisher(t *testing.T) {
	gs := startServer(t)
	sub := dialRaw(t, gs.Addr)
	if tc, ok := sub.c.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096)
	}
	sub.send(t, "SUBSCRIBE", "flood")
	sub.read(t)
	pub := gs.Client(t)
	payload := strings.Repeat("x", 64<<10)
	start := time.Now()
	for i := 0; i < 1000; i++ { // 64 MB, twice the hard limit
		MustDo(t, pub, "PUBLISH", "flood", payload)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("publishing to a stuck subscriber took %v", d)
	}
	Eventually(t, 5*time.Second, "the stuck subscriber is disconnected", func() bool {
		n, _ := Do(pub, "PUBSUB", "NUMSUB", "flood")
		a, _ := n.([]any)
		return len(a) == 2 && a[1] == int64(0)
	})
}

// Writes from Python's execute() go through the store, so they notify
// like a client's.
func TestPythonWritesNotify(t *testing.T) {
	gs := startServer(t, "--notify-keyspace-events", "KA")
	sub, c := dialRaw(t, gs.Addr), dialRaw(t, gs.Addr)
	sub.send(t, "PSUBSCRIBE", "__keyspace@0__:py*")
	sub.read(t)
	if got := c.do(t, "RG.PYEXECUTE", "execute('SET', 'pyk', 'v')\nexecute('HSET', 'pyh', 'f', '1')"); got != "+OK\r\n" {
		t.Fatalf("RG.PYEXECUTE: %q", got)
	}
	for _, want := range []string{"__keyspace@0__:pyk\r\n$3\r\nset\r\n", "__keyspace@0__:pyh\r\n$4\r\nhset\r\n"} {
		if m := sub.read(t); !strings.HasSuffix(m, want) {
			t.Errorf("got %q, want a message ending %q", m, want)
		}
	}
}

// keymiss events (class m) of read-only commands, as redis-server emits
// them.
func TestKeymissMatchesRedis(t *testing.T) {
	gs := startServer(t)
	redisAddr := startRedis(t)
	reads := [][]string{
		{"SET", "here", "v"}, {"RPUSH", "list", "a"},
		{"GET", "m1"}, {"GET", "here"}, {"MGET", "here", "m2", "m3"}, {"EXISTS", "m4", "here"}, {"TYPE", "m5"},
		{"TTL", "m6"}, {"STRLEN", "m7"}, {"GETRANGE", "m8", "0", "1"}, {"HGET", "m9", "f"}, {"HGETALL", "m10"},
		{"LRANGE", "m11", "0", "-1"}, {"LLEN", "list"}, {"LINDEX", "m12", "0"}, {"SMEMBERS", "m13"},
		{"SISMEMBER", "m14", "x"}, {"SINTER", "m15", "m16"}, {"ZSCORE", "m17", "x"}, {"ZRANGE", "m18", "0", "-1"},
		{"XRANGE", "m19", "-", "+"}, {"XLEN", "m20"}, {"HEXISTS", "m21", "f"}, {"ZCARD", "m22"},
		{"SET", "exp", "v", "PX", "1"},
	}
	run := func(addr string) []string {
		sub, w := dialRaw(t, addr), dialRaw(t, addr)
		w.do(t, "CONFIG", "SET", "notify-keyspace-events", "KEmx")
		sub.send(t, "PSUBSCRIBE", "__key*__:*")
		sub.read(t)
		for _, c := range reads {
			w.do(t, c...)
		}
		time.Sleep(20 * time.Millisecond)
		w.do(t, "GET", "exp") // expired, then missed
		w.do(t, "GET", "end")
		var out []string
		for {
			m := sub.read(t)
			out = append(out, m)
			if strings.Contains(m, "__keyevent@0__:keymiss\r\n$3\r\nend\r\n") {
				return out
			}
		}
	}
	want, got := run(redisAddr), run(gs.Addr)
	for i := 0; i < len(want) || i < len(got); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			t.Fatalf("message %d:\n  redis-server: %q\n  gearsd:       %q", i, w, g)
		}
	}
}
