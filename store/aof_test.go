package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// openAOFKeyspace opens a keyspace logging to dir with the fsync policy,
// on clock, closed when the test ends; warnings go to the returned log.
func openAOFKeyspace(t *testing.T, dir, fsync string, clock *fakeClock) (*Keyspace, *strings.Builder) {
	t.Helper()
	var log strings.Builder
	var mu sync.Mutex
	ks, err := Open(Options{Now: clock.Now, ActiveExpireInterval: -1, AOF: AOFOptions{
		Enabled: true, Dir: dir, Fsync: fsync, AutoRewritePercentage: -1, Checksum: true,
		Logf: func(f string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(&log, f+"\n", args...)
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	return ks, &log
}

// stateOf describes every key: type, value (members sorted where order is
// not part of the value) and deadline.
func stateOf(ks *Keyspace) map[string]string {
	db := ks.lock()
	defer ks.unlock()
	state := map[string]string{}
	db.dict.each(func(n *node) bool {
		var v string
		switch o := n.obj.(type) {
		case nil:
			v = n.str()
		case *hashValue:
			var pairs []string
			o.each(func(f, val string) { pairs = append(pairs, f+"="+val) })
			slices.Sort(pairs)
			v = strings.Join(pairs, ",")
		case *listValue:
			v = strings.Join(o.toSlice(), ",")
		case *setValue:
			var ms []string
			o.each(func(m string) { ms = append(ms, m) })
			slices.Sort(ms)
			v = strings.Join(ms, ",")
		case *zsetValue:
			var items []string
			o.each(0, o.len()-1, false, func(it zitem) { items = append(items, fmt.Sprint(it.member, "@", it.score)) })
			v = strings.Join(items, ",")
		default:
			v = fmt.Sprint(o.len())
		}
		state[n.key()] = fmt.Sprintf("%s:%s ttl=%d", n.typeName(), v, db.deadline(n))
		return true
	})
	return state
}

func mustEqualState(t *testing.T, want, got map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("key %q: want %s, got %q", k, v, got[k])
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("key %q: unexpected %s", k, v)
		}
	}
}

// aofWorkload runs writes of every family, with relative TTLs, random pops
// and failing commands.
func aofWorkload(t *testing.T, ks *Keyspace, clock *fakeClock) {
	t.Helper()
	cmds := [][]string{
		{"SET", "s", "v"}, {"APPEND", "s", "w"}, {"INCR", "n"}, {"INCRBY", "n", "41"},
		{"INCRBYFLOAT", "f", "1.1"}, {"INCRBYFLOAT", "f", "2.2"},
		{"SET", "ttl", "x", "EX", "100"}, {"SETEX", "ttl2", "50", "y"}, {"PSETEX", "ttl3", "5000", "z"},
		{"SET", "k1", "a"}, {"EXPIRE", "k1", "30"}, {"SET", "k2", "b"}, {"PEXPIRE", "k2", "-1"},
		{"SET", "k3", "c"}, {"EXPIRE", "k3", "30", "NX"}, {"EXPIRE", "k3", "10", "NX"}, {"PERSIST", "k3"},
		{"SET", "g", "v"}, {"GETEX", "g", "PX", "7000"},
		{"HSET", "h", "a", "1", "b", "2", "c", "3"}, {"HDEL", "h", "b"}, {"HINCRBY", "h", "a", "5"},
		{"RPUSH", "l", "a", "b", "c", "d"}, {"LPOP", "l"}, {"LPUSH", "l", "z"},
		{"SADD", "set", "a", "b", "c", "d", "e"}, {"SPOP", "set"}, {"SPOP", "set", "2"}, {"SREM", "set", "zz"},
		{"ZADD", "z", "1", "a", "2.5", "b", "-inf", "c"}, {"ZINCRBY", "z", "0.1", "a"},
		{"SET", "gone", "x"}, {"DEL", "gone"}, {"RENAME", "s", "s2"},
		{"LPUSH", "s2", "wrongtype"}, {"INCR", "h"},
	}
	for _, c := range cmds {
		do(ks, c...)
		clock.Advance(time.Millisecond)
	}
}

func TestAOFReplayEqualsState(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	aofWorkload(t, ks, clock)
	want := stateOf(ks)
	if len(want) < 10 {
		t.Fatalf("workload left %d keys", len(want))
	}
	ks.Close()
	clock.Advance(time.Second)
	again, _ := openAOFKeyspace(t, dir, "always", clock)
	mustEqualState(t, want, stateOf(again))
}

func TestAOFLogsAbsoluteDeadlines(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	do(ks, "SET", "a", "1", "EX", "10")
	do(ks, "SET", "b", "1")
	do(ks, "EXPIRE", "b", "20")
	do(ks, "EXPIRE", "missing", "20") // changes nothing: not logged
	ks.Close()
	data, _ := os.ReadFile(filepath.Join(dir, "appendonly.aof"))
	data = withoutAnnotations(data)
	at := func(s int64) string { return fmt.Sprint(testEpoch.UnixMilli() + s*1000) }
	want := string(appendCommand(nil, []byte("SET"), []byte("a"), []byte("1"), []byte("PXAT"), []byte(at(10)))) +
		string(appendCommand(nil, []byte("SET"), []byte("b"), []byte("1"))) +
		string(appendCommand(nil, []byte("PEXPIREAT"), []byte("b"), []byte(at(20))))
	if string(data) != want {
		t.Fatalf("file:\n%q\nwant:\n%q", data, want)
	}
}

// A key that expired is logged as DEL where it expired, so a replay, which
// expires nothing, sees the later writes as they were made.
func TestAOFLogsExpiryAsDel(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	do(ks, "SET", "k", "old", "PX", "10")
	do(ks, "SET", "j", "x", "PX", "10")
	clock.Advance(time.Second)
	do(ks, "APPEND", "k", "new") // k expired: APPEND makes a new key
	if n := ks.activeExpireCycle(time.Second); n != 1 {
		t.Fatalf("active expiry removed %d keys", n)
	}
	want := stateOf(ks)
	ks.Close()
	data, _ := os.ReadFile(filepath.Join(dir, "appendonly.aof"))
	if strings.Count(string(data), "DEL") != 2 {
		t.Fatalf("file has no DEL per expired key:\n%q", data)
	}
	again, _ := openAOFKeyspace(t, dir, "always", clock)
	mustEqualState(t, want, stateOf(again))
	if got := do(again, "GET", "k"); got.Str != "new" {
		t.Fatalf("GET k = %v", got)
	}
}

func TestAOFTruncatedTailIsRecovered(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	do(ks, "SET", "a", "1")
	do(ks, "SET", "b", "2")
	ks.Close()
	path := filepath.Join(dir, "appendonly.aof")
	good, _ := os.ReadFile(path)
	for _, tail := range []string{"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\n12", "*3\r\n$3", "*", "\x00\x00\x00\x00", "garbage"} {
		if err := os.WriteFile(path, append(slices.Clone(good), tail...), 0o644); err != nil {
			t.Fatal(err)
		}
		again, log := openAOFKeyspace(t, dir, "always", clock)
		if got := do(again, "MGET", "a", "b", "c"); got.String() != resp.Array(resp.Bulk("1"), resp.Bulk("2"), resp.Null).String() {
			t.Errorf("tail %q: MGET = %v", tail, got)
		}
		if !strings.Contains(log.String(), "AOF loaded anyway because aof-load-truncated is enabled") {
			t.Errorf("tail %q: no warning in %q", tail, log)
		}
		do(again, "SET", "c", "3")
		again.Close()
		third, _ := openAOFKeyspace(t, dir, "always", clock)
		if got := do(third, "GET", "c"); got.Str != "3" {
			t.Errorf("tail %q: a write after recovery was lost: %v", tail, got)
		}
		third.Close()
		os.WriteFile(path, good, 0o644)
	}
}

func TestAOFCorruptMiddleIsAnError(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	do(ks, "SET", "a", "1")
	ks.Close()
	path := filepath.Join(dir, "appendonly.aof")
	good, _ := os.ReadFile(path)
	bad := append(slices.Clone(good), "xx\r\n"...)
	bad = appendCommand(bad, []byte("SET"), []byte("b"), []byte("2"))
	os.WriteFile(path, bad, 0o644)
	_, err := Open(Options{AOF: AOFOptions{Enabled: true, Dir: dir}})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("at offset %d", len(good))) {
		t.Fatalf("Open = %v, want a format error at offset %d", err, len(good))
	}
}

// waitRewrite waits for the rewrite in progress to end and returns its
// status.
func waitRewrite(t *testing.T, ks *Keyspace) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		info := map[string]string{}
		for _, f := range ks.PersistenceInfo() {
			info[f[0]] = f[1]
		}
		if info["aof_rewrite_in_progress"] == "0" {
			return info["aof_last_bgrewrite_status"]
		}
		if time.Now().After(deadline) {
			t.Fatal("rewrite did not end")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAOFRewriteCompactsAndPreserves(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "everysec", clock)
	aofWorkload(t, ks, clock)
	for i := range 2000 {
		do(ks, "INCR", "counter")
		do(ks, "RPUSH", "biglist", fmt.Sprint(i))
		do(ks, "HSET", "bighash", fmt.Sprint("f", i%300), fmt.Sprint(i))
	}
	want := stateOf(ks)
	path := filepath.Join(dir, "appendonly.aof")
	ks.Close()
	ks, _ = openAOFKeyspace(t, dir, "everysec", clock)
	before, _ := os.Stat(path)
	if got := do(ks, "BGREWRITEAOF"); got.Str != "Background append only file rewriting started" {
		t.Fatalf("BGREWRITEAOF = %v", got)
	}
	if st := waitRewrite(t, ks); st != "ok" {
		t.Fatalf("rewrite status %s", st)
	}
	after, _ := os.Stat(path)
	if after.Size()*3 > before.Size() {
		t.Errorf("rewrite went from %d to %d bytes", before.Size(), after.Size())
	}
	do(ks, "INCR", "counter")
	want["counter"] = "string:2001 ttl=-1"
	ks.Close()
	again, _ := openAOFKeyspace(t, dir, "everysec", clock)
	mustEqualState(t, want, stateOf(again))
}

// Writers keep changing keys, creating and deleting them while rewrites
// run one after another: the last file must replay to the final state.
func TestAOFConcurrentWritersDuringRewrite(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "no", clock)
	for i := range 5000 {
		do(ks, "SET", fmt.Sprint("pre", i), fmt.Sprint(i))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprint("pre", (i*7+w)%5000)
				switch i % 6 {
				case 0:
					do(ks, "INCR", fmt.Sprint("c", w))
				case 1:
					do(ks, "APPEND", k, "x")
				case 2:
					do(ks, "DEL", fmt.Sprint("pre", (i*13+w)%5000))
				case 3:
					do(ks, "RPUSH", fmt.Sprint("l", w%2), fmt.Sprint(i))
				case 4:
					do(ks, "RENAME", k, fmt.Sprint("new", i%100))
				case 5:
					do(ks, "SET", fmt.Sprint("fresh", i), "v", "PX", "100000")
				}
			}
		}()
	}
	for range 5 {
		for {
			got := do(ks, "BGREWRITEAOF")
			if !got.IsError() {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if st := waitRewrite(t, ks); st != "ok" {
			t.Fatalf("rewrite status %s", st)
		}
	}
	close(stop)
	wg.Wait()
	want := stateOf(ks)
	ks.Close()
	again, _ := openAOFKeyspace(t, dir, "no", clock)
	mustEqualState(t, want, stateOf(again))
}

func TestAOFRewriteStreams(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "no", clock)
	for _, c := range [][]string{
		{"XADD", "st", "1-1", "a", "1"}, {"XADD", "st", "2-1", "b", "2"}, {"XADD", "st", "3-1", "c", "3"},
		{"XDEL", "st", "2-1"}, {"XGROUP", "CREATE", "st", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "st", ">"},
		{"XGROUP", "CREATECONSUMER", "st", "g", "bob"},
		{"XGROUP", "CREATE", "empty", "g2", "$", "MKSTREAM"},
	} {
		if v := do(ks, c...); v.IsError() {
			t.Fatalf("%v: %v", c, v)
		}
	}
	probe := [][]string{
		{"XRANGE", "st", "-", "+"}, {"XPENDING", "st", "g"}, {"XPENDING", "st", "g", "-", "+", "10"},
		{"XINFO", "GROUPS", "st"}, {"XLEN", "empty"}, {"XINFO", "GROUPS", "empty"},
	}
	var want []string
	for _, p := range probe {
		want = append(want, do(ks, p...).String())
	}
	do(ks, "BGREWRITEAOF")
	if st := waitRewrite(t, ks); st != "ok" {
		t.Fatalf("rewrite status %s", st)
	}
	ks.Close()
	again, _ := openAOFKeyspace(t, dir, "no", clock)
	for i, p := range probe {
		if got := do(again, p...).String(); got != want[i] {
			t.Errorf("%v after rewrite:\n got %s\nwant %s", p, got, want[i])
		}
	}
}

// A blocked XREADGROUP served by a later XADD is logged: its delivery is
// in the group's pending entries after a replay.
func TestAOFBlockedXreadgroupIsLogged(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	do(ks, "XGROUP", "CREATE", "st", "g", "$", "MKSTREAM")
	got := make(chan resp.Value)
	go func() { got <- doBlocking(ks, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "st", ">") }()
	time.Sleep(50 * time.Millisecond)
	do(ks, "XADD", "st", "5-1", "f", "v")
	if v := <-got; !strings.Contains(v.String(), "5-1") {
		t.Fatalf("XREADGROUP = %v", v)
	}
	probe := []string{"XPENDING", "st", "g", "-", "+", "10"}
	want := do(ks, probe...).String()
	ks.Close()
	again, _ := openAOFKeyspace(t, dir, "always", clock)
	if got := do(again, probe...).String(); got != want {
		t.Fatalf("XPENDING after replay = %s, want %s", got, want)
	}
}

// A transaction is replayed whole, and one the file cuts short is reverted.
func TestAOFTransactions(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	ks.DoMulti([][][]byte{{[]byte("SET"), []byte("a"), []byte("1")}, {[]byte("INCR"), []byte("n")}, {[]byte("GET"), []byte("a")}}, nil)
	ks.Close()
	path := filepath.Join(dir, "appendonly.aof")
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "*1\r\n$5\r\nMULTI\r\n") || !strings.HasSuffix(string(withoutAnnotations(data)), "*1\r\n$4\r\nEXEC\r\n") {
		t.Fatalf("file:\n%q", data)
	}
	good := len(data)
	torn := appendCommand(slices.Clone(data), []byte("MULTI"))
	torn = appendCommand(torn, []byte("SET"), []byte("x"), []byte("1"))
	torn = append(torn, "*3\r\n$3\r\nSE"...)
	for _, tail := range [][]byte{torn, torn[:len(torn)-len("*3\r\n$3\r\nSE")]} {
		os.WriteFile(path, tail, 0o644)
		again, log := openAOFKeyspace(t, dir, "always", clock)
		if got := do(again, "MGET", "a", "n", "x").String(); got != resp.Array(resp.Bulk("1"), resp.Bulk("1"), resp.Null).String() {
			t.Errorf("MGET = %s", got)
		}
		if !strings.Contains(log.String(), "Revert incomplete MULTI/EXEC transaction") {
			t.Errorf("no warning: %q", log)
		}
		again.Close()
		if info, _ := os.Stat(path); info.Size() != int64(good) {
			t.Errorf("file cut to %d bytes, want %d", info.Size(), good)
		}
	}
}

// Concurrent writers under appendfsync always share fsyncs (group
// commit). (That each returns only once its record is synced is what
// TestAOFAlwaysKeepsEveryAcknowledgedWrite in tests/ shows with SIGKILL.)
func TestAOFAlwaysGroupCommit(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	const writers, each = 16, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				do(ks, "SET", fmt.Sprint("k", w, ":", i), "v")
			}
		}()
	}
	wg.Wait()
	a := ks.aof
	a.mu.Lock()
	syncs, synced, fed := a.syncs, a.synced, a.fed
	a.mu.Unlock()
	t.Logf("%d writes, %d fsyncs", writers*each, syncs)
	if synced != fed {
		t.Fatalf("synced %d of %d bytes after every write returned", synced, fed)
	}
	if syncs >= writers*each {
		t.Fatalf("%d fsyncs for %d concurrent writes: none were shared", syncs, writers*each)
	}
}

// withoutAnnotations drops the checksum annotations (aof_checksum.go) from
// a file's bytes, leaving its records.
func withoutAnnotations(data []byte) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte(checksumPrefix)) {
			out = append(out, line...)
		}
	}
	return out
}
