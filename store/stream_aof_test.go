package store

import (
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// XCLAIM and XAUTOCLAIM with a min-idle-time claim what was idle long
// enough when they ran; replayed later they must claim exactly the same,
// with the same delivery times and counts, and what XREADGROUP delivered
// keeps its delivery time. (Consumers' idle times are not compared: as in
// Redis, a consumer is seen again when the file is loaded.)
func TestAOFReplaysClaimsExactly(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: testEpoch}
	ks, _ := openAOFKeyspace(t, dir, "always", clock)
	for _, c := range [][]string{
		{"XADD", "st", "1-0", "a", "1"}, {"XADD", "st", "2-0", "b", "2"}, {"XADD", "st", "3-0", "c", "3"},
		{"XGROUP", "CREATE", "st", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "st", ">"},
	} {
		if v := do(ks, c...); v.IsError() {
			t.Fatalf("%v: %v", c, v)
		}
	}
	clock.Advance(time.Second)
	do(ks, "XDEL", "st", "3-0")
	do(ks, "XADD", "st", "4-0", "d", "4")
	do(ks, "XREADGROUP", "GROUP", "g", "dave", "NOACK", "STREAMS", "st", ">")
	do(ks, "XADD", "st", "5-0", "e", "5")
	do(ks, "XREADGROUP", "GROUP", "g", "erin", "STREAMS", "st", ">")
	clock.Advance(time.Second)
	for _, c := range [][]string{
		{"XCLAIM", "st", "g", "bob", "500", "1-0", "RETRYCOUNT", "4"},
		{"XAUTOCLAIM", "st", "g", "carol", "900", "0"},
	} {
		if v := do(ks, c...); v.IsError() {
			t.Fatalf("%v: %v", c, v)
		}
	}
	probe := [][]string{
		{"XPENDING", "st", "g", "-", "+", "10"}, {"XPENDING", "st", "g"}, {"XINFO", "GROUPS", "st"},
		{"XINFO", "CONSUMERS", "st", "g"},
	}
	state := func(ks *Keyspace, p []string) resp.Value { return normalizeXinfo(do(ks, p...)) }
	want := make([]resp.Value, len(probe))
	for i, p := range probe {
		want[i] = state(ks, p)
	}
	ks.Close()
	// Replayed a minute later, nothing would be idle "long enough" by
	// chance: the records say what was claimed.
	clock.Advance(time.Minute)
	again, _ := openAOFKeyspace(t, dir, "always", clock)
	clock.Advance(-time.Minute)
	for i, p := range probe {
		if got := state(again, p); !equal(got, want[i]) {
			t.Errorf("%v after replay:\n got %v\nwant %v", p, got, want[i])
		}
	}
}

// Inside EXEC a client cannot block: XREAD BLOCK answers at once, as in
// Redis.
func TestXreadBlockInsideExecDoesNotWait(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	done := make(chan []resp.Value)
	go func() {
		replies, _ := ks.DoMulti([][][]byte{
			{[]byte("XREAD"), []byte("BLOCK"), []byte("0"), []byte("STREAMS"), []byte("s"), []byte("$")},
		}, nil)
		done <- replies
	}()
	select {
	case replies := <-done:
		if len(replies) != 1 || !equal(replies[0], resp.NullArray) {
			t.Errorf("got %v, want a null array", replies)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("XREAD BLOCK 0 inside EXEC waited")
	}
}
