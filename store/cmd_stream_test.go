package store

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// entry is an entry reply: [id, [f, v, ...]].
func entry(id string, fv ...string) resp.Value { return arr(bulk(id), bulks(fv...)) }

func TestXaddIDs(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	run(t, ks, []step{
		{line("XADD", "s", "1-1", "a", "1"), bulk("1-1")},
		{line("XADD", "s", "1-1", "a", "1"), errv(ErrStreamIDTooSmall)},
		{line("XADD", "s", "1-*", "a", "1"), bulk("1-2")},
		{line("XADD", "s", "5", "a", "1"), bulk("5-0")},
		{line("XADD", "s", "3-*", "a", "1"), errv(ErrStreamIDTooSmall)},
		{line("XADD", "s", "0-0", "a", "1"), errv(ErrStreamIDZero)},
		{line("XADD", "s", "1-x", "a", "1"), errv(ErrInvalidStreamID)},
		{line("XADD", "s", "+", "a", "1"), errv(ErrInvalidStreamID)},
		{line("XADD", "s", "9-0", "a"), errv(errArity("xadd"))},
		{line("XADD", "s", "MAXLEN"), errv(errArity("xadd"))},
		{line("XADD", "nokey", "NOMKSTREAM", "*", "a", "1"), resp.Null},
		{line("EXISTS", "nokey"), num(0)},
		{line("XLEN", "s"), num(3)},
		{line("TYPE", "s"), resp.Simple("stream")},
		{line("OBJECT", "ENCODING", "s"), bulk("stream")},
		{line("SET", "str", "x"), resp.OK},
		{line("XADD", "str", "*", "a", "1"), errv(ErrWrongType)},
	})
	// "*" takes the clock, or the last id's successor when the clock is behind.
	now := strconv.FormatInt(clock.Now().UnixMilli(), 10)
	expect(t, ks, bulk(now+"-0"), "XADD", "s", "*", "a", "1")
	expect(t, ks, bulk(now+"-1"), "XADD", "s", "*", "a", "1")
	expect(t, ks, bulk("99999999999999-0"), "XADD", "s", "99999999999999-0", "a", "1")
	expect(t, ks, bulk("99999999999999-1"), "XADD", "s", "*", "a", "1")
	expect(t, ks, bulk("18446744073709551615-18446744073709551615"), "XADD", "s", "18446744073709551615-18446744073709551615", "a", "1")
	expect(t, ks, errv(ErrStreamExhausted), "XADD", "s", "*", "a", "1")
}

func TestXaddTrimOptions(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	for i := 1; i <= 5; i++ {
		do(ks, "XADD", "s", strconv.Itoa(i), "f", "v")
	}
	run(t, ks, []step{
		{line("XADD", "s", "MAXLEN", "3", "6", "f", "v"), bulk("6-0")},
		{line("XLEN", "s"), num(3)},
		{line("XADD", "s", "MINID", "=", "5", "7", "f", "v"), bulk("7-0")},
		{line("XRANGE", "s", "-", "+"), arr(entry("5-0", "f", "v"), entry("6-0", "f", "v"), entry("7-0", "f", "v"))},
		// An approximate trim removes whole nodes only: one node here.
		{line("XADD", "s", "MAXLEN", "~", "1", "8", "f", "v"), bulk("8-0")},
		{line("XLEN", "s"), num(4)},
		{line("XADD", "s", "MAXLEN", "-1", "9", "f", "v"), errv(ErrStreamMaxlenNeg)},
		{line("XADD", "s", "MAXLEN", "1", "MINID", "1", "9", "f", "v"), errv(ErrStreamMaxlenMinid)},
		{line("XADD", "s", "MAXLEN", "1", "LIMIT", "10", "9", "f", "v"), errv(ErrStreamLimitNoApprox)},
		{line("XADD", "s", "LIMIT", "10", "9", "f", "v"), errv(ErrStreamLimitNoTrim)},
		{line("XADD", "s", "LIMIT", "-1", "9", "f", "v"), errv(ErrStreamLimitNeg)},
		{line("XADD", "s", "MAXLEN", "x", "9", "f", "v"), errv(ErrNotInteger)},
		{line("XTRIM", "s", "MAXLEN", "2"), num(2)},
		{line("XTRIM", "s", "MINID", "8"), num(1)},
		{line("XTRIM", "s", "FOO", "8"), errv(ErrSyntax)},
		{line("XTRIM", "s", "LIMIT", "0", "x"), errv(ErrSyntax)},
		{line("XTRIM", "nokey", "MAXLEN", "1"), num(0)},
		{line("XTRIM", "s", "LIMIT", "0", "LIMIT", "0"), errv(ErrXtrimNoStrategy)},
	})
}

func TestStreamNodesAndApproxTrim(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	for i := 1; i <= 250; i++ {
		do(ks, "XADD", "s", strconv.Itoa(i), "f", "v")
	}
	info := do(ks, "XINFO", "STREAM", "s")
	if info.Array[3].Int != 3 {
		t.Fatalf("radix-tree-keys: %v, want 3 nodes of 100, 100, 50", info.Array[3])
	}
	// ~ 120 may remove the first node only: 150 remain.
	expect(t, ks, num(100), "XTRIM", "s", "MAXLEN", "~", "120")
	expect(t, ks, num(0), "XTRIM", "s", "MAXLEN", "~", "120", "LIMIT", "50")
	expect(t, ks, num(100), "XTRIM", "s", "MINID", "~", "240")
	expect(t, ks, num(50), "XLEN", "s")
	// Bytes close a node too: 4096 bytes of listpack.
	big := string(make([]byte, 1000))
	for i := 1; i <= 5; i++ {
		do(ks, "XADD", "b", strconv.Itoa(i), "f", big)
	}
	if got := do(ks, "XINFO", "STREAM", "b").Array[3].Int; got != 2 {
		t.Errorf("5 entries of 1000 bytes: %d nodes, want 2", got)
	}
}

func TestXrangeXrevrange(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	for _, id := range []string{"1-0", "1-1", "2-0", "3-5"} {
		do(ks, "XADD", "s", id, "k", id)
	}
	run(t, ks, []step{
		{line("XRANGE", "s", "-", "+", "COUNT", "2"), arr(entry("1-0", "k", "1-0"), entry("1-1", "k", "1-1"))},
		{line("XRANGE", "s", "(1-0", "2"), arr(entry("1-1", "k", "1-1"), entry("2-0", "k", "2-0"))},
		{line("XRANGE", "s", "1", "1"), arr(entry("1-0", "k", "1-0"), entry("1-1", "k", "1-1"))},
		{line("XRANGE", "s", "-", "(2-0"), arr(entry("1-0", "k", "1-0"), entry("1-1", "k", "1-1"))},
		{line("XREVRANGE", "s", "+", "-", "COUNT", "1"), arr(entry("3-5", "k", "3-5"))},
		{line("XREVRANGE", "s", "(3-5", "(1-0"), arr(entry("2-0", "k", "2-0"), entry("1-1", "k", "1-1"))},
		{line("XRANGE", "s", "-", "+", "COUNT", "0"), resp.NullArray},
		{line("XRANGE", "nokey", "-", "+", "COUNT", "0"), arr()},
		{line("XRANGE", "s", "(-", "+"), errv(ErrInvalidStreamID)},
		{line("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"), errv(ErrStreamStartInterval)},
		{line("XRANGE", "s", "-", "(0-0"), errv(ErrStreamEndInterval)},
		{line("XRANGE", "s", "-", "+", "COUNT"), errv(ErrSyntax)},
		{line("XRANGE", "s", "003", "+", "COUNT", "1"), arr(entry("3-5", "k", "3-5"))},
	})
}

func TestXdelBookkeeping(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	for _, id := range []string{"1-0", "2-0", "3-0"} {
		do(ks, "XADD", "s", id, "f", "v")
	}
	run(t, ks, []step{
		{line("XDEL", "s", "1-0", "9-9", "1-0"), num(1)},
		{line("XDEL", "s", "2-0", "bad"), errv(ErrInvalidStreamID)},
		{line("XDEL", "nokey", "bad"), num(0)},
		{line("XLEN", "s"), num(2)},
		{line("XDEL", "s", "2-0", "3-0"), num(2)},
		{line("XLEN", "s"), num(0)},
		// The key stays, empty, with what it remembers.
		{line("EXISTS", "s"), num(1)},
		{line("XINFO", "STREAM", "s"), arr(
			bulk("length"), num(0), bulk("radix-tree-keys"), num(0), bulk("radix-tree-nodes"), num(1),
			bulk("last-generated-id"), bulk("3-0"), bulk("max-deleted-entry-id"), bulk("3-0"),
			bulk("entries-added"), num(3), bulk("recorded-first-entry-id"), bulk("0-0"),
			bulk("groups"), num(0), bulk("first-entry"), resp.Null, bulk("last-entry"), resp.Null)},
		{line("XADD", "s", "3-0", "f", "v"), errv(ErrStreamIDTooSmall)},
		{line("XSETID", "s", "1-0"), resp.OK},
		{line("XADD", "s", "2-0", "f", "v"), bulk("2-0")},
		{line("XSETID", "s", "1-0"), errv(Error("ERR The ID specified in XSETID is smaller than the target stream top item"))},
		{line("XSETID", "nokey", "1-0"), errv(ErrNoSuchKey)},
	})
}

func TestXreadNonBlocking(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "XADD", "a", "1-0", "f", "1")
	do(ks, "XADD", "a", "2-0", "f", "2")
	do(ks, "XADD", "b", "1-0", "g", "1")
	run(t, ks, []step{
		{line("XREAD", "STREAMS", "a", "b", "1-0", "0"), arr(
			arr(bulk("a"), arr(entry("2-0", "f", "2"))),
			arr(bulk("b"), arr(entry("1-0", "g", "1"))))},
		{line("XREAD", "COUNT", "1", "STREAMS", "a", "0"), arr(arr(bulk("a"), arr(entry("1-0", "f", "1"))))},
		{line("XREAD", "STREAMS", "a", "$"), resp.NullArray},
		{line("XREAD", "COUNT", "1", "STREAMS", "a"), errv(ErrUnbalancedStreams)},
		{line("XREAD", "STREAMS", "a", ">"), errv(ErrXreadGreater)},
		{line("XREAD", "GROUP", "g", "c", "STREAMS", "a", "0"), errv(ErrXreadGroupOption)},
		{line("XREAD", "BLOCK", "-1", "STREAMS", "a", "0"), errv(ErrTimeoutNegative)},
		{line("XREAD", "BLOCK", "x", "STREAMS", "a", "0"), errv(ErrTimeoutNotInteger)},
		{line("XREAD", "COUNT", "1", "a", "0"), errv(ErrSyntax)},
	})
}

// doBlocking sends a command through DoBlocking, as the server does for a
// client that may wait.
func doBlocking(ks *Keyspace, args ...string) resp.Value {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return ks.DoBlocking(argv)
}

// Through Do (Python's execute(), EXEC), BLOCK never waits, as in a Redis
// script.
func TestXreadBlockThroughDoAnswersAtOnce(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	start := time.Now()
	if v := do(ks, "XREAD", "BLOCK", "0", "STREAMS", "s", "$"); !equal(v, resp.NullArray) {
		t.Fatalf("got %v", v)
	}
	do(ks, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	if v := do(ks, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"); !equal(v, resp.NullArray) {
		t.Fatalf("XREADGROUP: got %v", v)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Do waited %v", d)
	}
}

func TestXreadBlockIsWokenByXadd(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "XADD", "s", "1-0", "f", "old")
	got := make(chan resp.Value)
	go func() { got <- doBlocking(ks, "XREAD", "BLOCK", "0", "STREAMS", "s", "$") }()
	// The reader waits outside the lock: other commands run meanwhile.
	waitBlockedOn(t, ks, "s", 1)
	expect(t, ks, num(1), "XLEN", "s")
	expect(t, ks, bulk("2-0"), "XADD", "s", "2-0", "f", "new")
	select {
	case v := <-got:
		if want := arr(arr(bulk("s"), arr(entry("2-0", "f", "new")))); !equal(v, want) {
			t.Errorf("got %v, want %v", v, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("XADD did not wake the reader")
	}
}

func TestXreadBlockTimesOut(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	start := time.Now()
	if v := doBlocking(ks, "XREAD", "BLOCK", "30", "STREAMS", "s", "$"); !equal(v, resp.NullArray) {
		t.Errorf("XREAD BLOCK 30: got %v", v)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("returned after %v, before its timeout", d)
	}
	// XREADGROUP blocks on ">" alike, and is served by the next XADD.
	do(ks, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	got := make(chan resp.Value)
	go func() { got <- doBlocking(ks, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">") }()
	time.Sleep(20 * time.Millisecond)
	do(ks, "XADD", "s", "1-0", "f", "v")
	if v := <-got; !equal(v, arr(arr(bulk("s"), arr(entry("1-0", "f", "v"))))) {
		t.Errorf("XREADGROUP BLOCK: got %v", v)
	}
	expect(t, ks, arr(num(1), bulk("1-0"), bulk("1-0"), arr(arr(bulk("c"), bulk("1")))), "XPENDING", "s", "g")

	// A reader whose group is destroyed while it waits is told so by the
	// next XADD, as in Redis.
	go func() { got <- doBlocking(ks, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">") }()
	waitBlockedOn(t, ks, "s", 1)
	do(ks, "XGROUP", "DESTROY", "s", "g")
	do(ks, "XADD", "s", "2-0", "f", "v")
	if v := <-got; !equal(v, errv(ErrBlockedGroupGone)) {
		t.Errorf("group destroyed while blocked: got %v", v)
	}
	waitBlockedOn(t, ks, "s", 0)
}

// waitBlockedOn waits until n readers are blocked on key of ks.
func waitBlockedOn(t *testing.T, ks *Keyspace, key string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		streamWaiting.mu.Lock()
		got := len(streamWaiting.byKey[waitKey{&ks.db, key}])
		streamWaiting.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d readers blocked on %q, want %d", got, key, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestConsumerGroups(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	for _, id := range []string{"1-0", "2-0", "3-0"} {
		do(ks, "XADD", "s", id, "f", id)
	}
	run(t, ks, []step{
		{line("XGROUP", "CREATE", "s", "g", "0"), resp.OK},
		{line("XGROUP", "CREATE", "s", "g", "0"), errv(ErrBusyGroup)},
		{line("XGROUP", "CREATE", "nokey", "g", "0"), errv(ErrXgroupNoKey)},
		{line("XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "-2"), errv(ErrEntriesReadRange)},
		{line("XGROUP", "CREATE", "s", "g2", "$", "FOO"), errv(Error("ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."))},
		{line("XGROUP", "FOO"), errv(Error("ERR unknown subcommand 'FOO'. Try XGROUP HELP."))},
		{line("XGROUP", "CREATE", "s"), errv(errArity("xgroup|create"))},
		{line("XGROUP", "SETID", "s", "nog", "0"), errv(Error("NOGROUP No such consumer group 'nog' for key name 's'"))},
		{line("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"), errv(Error("NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option"))},
		{line("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"), errv(ErrXreadgroupDollar)},
		{line("XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "s", ">"), errv(ErrXreadgroupNoGroup)},
		{line("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"), arr(arr(bulk("s"), arr(entry("1-0", "f", "1-0"), entry("2-0", "f", "2-0"))))},
		{line("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"), arr(arr(bulk("s"), arr(entry("3-0", "f", "3-0"))))},
		{line("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"), resp.NullArray},
		// History: the consumer's own pending entries.
		{line("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"), arr(arr(bulk("s"), arr(entry("1-0", "f", "1-0"), entry("2-0", "f", "2-0"))))},
		{line("XPENDING", "s", "g"), arr(num(3), bulk("1-0"), bulk("3-0"), arr(arr(bulk("alice"), bulk("2")), arr(bulk("bob"), bulk("1"))))},
		{line("XACK", "s", "g", "1-0", "9-0"), num(1)},
		{line("XACK", "s", "g", "bad"), errv(ErrInvalidStreamID)},
		{line("XACK", "s", "nog", "1-0"), num(0)},
		{line("XDEL", "s", "2-0"), num(1)},
		// A deleted entry still pending reads as its id and a null.
		{line("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"), arr(arr(bulk("s"), arr(arr(bulk("2-0"), resp.NullArray))))},
		{line("XINFO", "GROUPS", "s"), arr(arr(
			bulk("name"), bulk("g"), bulk("consumers"), num(2), bulk("pending"), num(2),
			bulk("last-delivered-id"), bulk("3-0"), bulk("entries-read"), num(3), bulk("lag"), num(0)))},
		{line("XGROUP", "CREATECONSUMER", "s", "g", "carol"), num(1)},
		{line("XGROUP", "CREATECONSUMER", "s", "g", "carol"), num(0)},
		{line("XGROUP", "DELCONSUMER", "s", "g", "bob"), num(1)},
		{line("XGROUP", "DESTROY", "s", "g"), num(1)},
		{line("XGROUP", "DESTROY", "s", "g"), num(0)},
		{line("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"), resp.OK},
		{line("XLEN", "new"), num(0)},
	})
}

func TestXpendingXclaimXautoclaim(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	for _, id := range []string{"1-0", "2-0", "3-0", "4-0"} {
		do(ks, "XADD", "s", id, "f", id)
	}
	do(ks, "XGROUP", "CREATE", "s", "g", "0")
	do(ks, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
	clock.Advance(100 * time.Millisecond)
	run(t, ks, []step{
		{line("XPENDING", "s", "g", "-", "+", "2"), arr(
			arr(bulk("1-0"), bulk("alice"), num(100), num(1)),
			arr(bulk("2-0"), bulk("alice"), num(100), num(1)))},
		{line("XPENDING", "s", "g", "IDLE", "200", "-", "+", "10"), arr()},
		{line("XPENDING", "s", "g", "(1-0", "2-0", "10", "bob"), arr()},
		{line("XPENDING", "s", "g", "-", "+"), errv(ErrSyntax)},
		{line("XPENDING", "s", "nog"), errv(Error("NOGROUP No such key 's' or consumer group 'nog'"))},
		// Not idle long enough, then claimed.
		{line("XCLAIM", "s", "g", "bob", "1000", "1-0"), arr()},
		{line("XCLAIM", "s", "g", "bob", "50", "1-0", "2-0"), arr(entry("1-0", "f", "1-0"), entry("2-0", "f", "2-0"))},
		{line("XCLAIM", "s", "g", "bob", "0", "3-0", "JUSTID", "RETRYCOUNT", "7"), bulks("3-0")},
		{line("XPENDING", "s", "g", "3-0", "3-0", "1"), arr(arr(bulk("3-0"), bulk("bob"), num(0), num(7)))},
		{line("XCLAIM", "s", "g", "bob", "0", "1-0", "BOGUS"), errv(Error("ERR Unrecognized XCLAIM option 'BOGUS'"))},
		{line("XCLAIM", "s", "g", "bob", "x", "1-0"), errv(Error("ERR Invalid min-idle-time argument for XCLAIM"))},
		{line("XDEL", "s", "4-0"), num(1)},
		// XAUTOCLAIM drops pending entries deleted from the stream.
		{line("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "2"), arr(bulk("3-0"), arr(entry("1-0", "f", "1-0"), entry("2-0", "f", "2-0")), arr())},
		{line("XAUTOCLAIM", "s", "g", "carol", "0", "3-0", "JUSTID"), arr(bulk("0-0"), bulks("3-0"), bulks("4-0"))},
		{line("XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "0"), errv(ErrXautoclaimCount)},
		{line("XPENDING", "s", "g"), arr(num(3), bulk("1-0"), bulk("3-0"), arr(arr(bulk("carol"), bulk("3"))))},
		// FORCE creates a pending entry for an entry never delivered.
		{line("XGROUP", "CREATE", "s", "g2", "$"), resp.OK},
		{line("XCLAIM", "s", "g2", "dave", "0", "1-0", "FORCE", "JUSTID"), bulks("1-0")},
		{line("XPENDING", "s", "g2"), arr(num(1), bulk("1-0"), bulk("1-0"), arr(arr(bulk("dave"), bulk("1"))))},
	})
}

func TestXinfoFullAndConsumers(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	do(ks, "XADD", "s", "1-0", "f", "v")
	do(ks, "XGROUP", "CREATE", "s", "g", "0")
	do(ks, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
	at := clock.Now().UnixMilli()
	clock.Advance(5 * time.Millisecond)
	run(t, ks, []step{
		{line("XINFO", "CONSUMERS", "s", "g"), arr(arr(bulk("name"), bulk("c"), bulk("pending"), num(1), bulk("idle"), num(5)))},
		{line("XINFO", "CONSUMERS", "s", "nog"), errv(Error("NOGROUP No such consumer group 'nog' for key name 's'"))},
		{line("XINFO", "STREAM", "nokey"), errv(ErrNoSuchKey)},
		{line("XINFO", "STREAM", "s", "FULL", "COUNT"), errv(Error("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."))},
		{line("XINFO", "STREAM", "s", "FULL"), arr(
			bulk("length"), num(1), bulk("radix-tree-keys"), num(1), bulk("radix-tree-nodes"), num(2),
			bulk("last-generated-id"), bulk("1-0"), bulk("max-deleted-entry-id"), bulk("0-0"),
			bulk("entries-added"), num(1), bulk("recorded-first-entry-id"), bulk("1-0"),
			bulk("entries"), arr(entry("1-0", "f", "v")),
			bulk("groups"), arr(arr(
				bulk("name"), bulk("g"), bulk("last-delivered-id"), bulk("1-0"),
				bulk("entries-read"), num(1), bulk("lag"), num(0), bulk("pel-count"), num(1),
				bulk("pending"), arr(arr(bulk("1-0"), bulk("c"), num(at), num(1))),
				bulk("consumers"), arr(arr(
					bulk("name"), bulk("c"), bulk("seen-time"), num(at), bulk("pel-count"), num(1),
					bulk("pending"), arr(arr(bulk("1-0"), num(at), num(1))))))))},
	})
}

func TestStreamIDParsing(t *testing.T) {
	for arg, want := range map[string]string{
		"1": "1-0", "1-2": "1-2", "007": "7-0", " 3": "3-0", "+5": "5-0",
		"18446744073709551615-18446744073709551615": "18446744073709551615-18446744073709551615",
		"1-2\x00junk": "1-2",
	} {
		id, _, err := parseStreamID([]byte(arg), 0, idStrict)
		if err != nil || id.String() != want {
			t.Errorf("%q: got %v %v, want %s", arg, id, err, want)
		}
	}
	for _, arg := range []string{"", "-1", "1-", "x", "1-2-3", "18446744073709551616", "-", "+", "1- 2x", "-0"} {
		if _, _, err := parseStreamID([]byte(arg), 0, idStrict); err == nil {
			t.Errorf("%q: parsed, want an error", arg)
		}
	}
}

// A reader blocked on several streams is served, as Redis serves it, from
// the first key that became ready, alone: here both get entries in one
// EXEC, b first.
func TestXreadBlockServedFromFirstReadyKey(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	got := make(chan resp.Value)
	go func() { got <- doBlocking(ks, "XREAD", "BLOCK", "5000", "STREAMS", "a", "b", "$", "$") }()
	waitBlockedOn(t, ks, "b", 1)
	ks.DoMulti([][][]byte{
		{[]byte("XADD"), []byte("b"), []byte("1-0"), []byte("f"), []byte("b")},
		{[]byte("XADD"), []byte("a"), []byte("1-0"), []byte("f"), []byte("a")},
	}, nil)
	if v, want := <-got, arr(arr(bulk("b"), arr(entry("1-0", "f", "b")))); !equal(v, want) {
		t.Errorf("got %v, want %v", v, want)
	}
}

// Redis reads ids and the "*", "$" and ">" markers as C strings: up to a
// NUL byte.
func TestStreamMarkersAreCStrings(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	now := strconv.FormatInt(clock.Now().UnixMilli(), 10)
	run(t, ks, []step{
		{line("XADD", "s", "5-1\x00zz", "a", "1"), bulk("5-1")},
		{line("XADD", "s", "*\x00x", "a", "1"), bulk(now + "-0")},
		{line("XREAD", "STREAMS", "s", "$\x00"), resp.NullArray},
		{line("XGROUP", "CREATE", "s", "g", "$\x00"), resp.OK},
		{line("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">\x00"), resp.NullArray},
	})
}

// Consumers blocked on one group share what a writer adds: every entry is
// delivered once, none is lost to a wake-up that came between a reader's
// empty read and its wait.
func TestXreadgroupBlockedConsumersShareEntries(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	const entries, consumers = 300, 4
	seen := make(chan string, entries*2)
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(done)
	for c := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				v := doBlocking(ks, "XREADGROUP", "GROUP", "g", "c"+strconv.Itoa(c), "COUNT", "7", "BLOCK", "50", "STREAMS", "s", ">")
				if v.Kind != resp.KindArray {
					continue
				}
				for _, e := range v.Array[0].Array[1].Array {
					seen <- e.Array[0].Str
				}
			}
		}()
	}
	for i := 1; i <= entries; i++ {
		do(ks, "XADD", "s", strconv.Itoa(i)+"-0", "f", "v")
	}
	got := map[string]bool{}
	timeout := time.After(10 * time.Second)
	for len(got) < entries {
		select {
		case id := <-seen:
			if got[id] {
				t.Fatalf("%s delivered twice", id)
			}
			got[id] = true
		case <-timeout:
			t.Fatalf("%d of %d entries delivered", len(got), entries)
		}
	}
	expect(t, ks, num(entries), "XLEN", "s")
}
