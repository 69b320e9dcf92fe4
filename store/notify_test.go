package store

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// collect subscribes to classes and returns a function that waits for n
// events and returns them as "name key" strings.
func collect(t *testing.T, ks *Keyspace, classes EventClass) func(n int) []string {
	t.Helper()
	ch := make(chan Event, 1024)
	sub := ks.Subscribe(classes, 0, func(e Event) { ch <- e })
	t.Cleanup(sub.Close)
	return func(n int) []string {
		t.Helper()
		var got []string
		for len(got) < n {
			select {
			case e := <-ch:
				got = append(got, e.Name+" "+e.Key)
			case <-time.After(2 * time.Second):
				t.Fatalf("got %d events of %d: %q", len(got), n, got)
			}
		}
		select {
		case e := <-ch:
			t.Fatalf("unexpected event %s %s after %q", e.Name, e.Key, got)
		case <-time.After(20 * time.Millisecond):
		}
		return got
	}
}

func TestNotifyEventNames(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	next := collect(t, ks, ClassAll|ClassNew)
	cases := []struct {
		cmd  []string
		want []string
	}{
		{line("SET", "k", "1"), line("new k", "set k")},
		{line("INCRBY", "k", "2"), line("incrby k")},
		{line("SET", "k", "v", "EX", "10"), line("set k", "expire k")},
		{line("PERSIST", "k"), line("persist k")},
		{line("PERSIST", "k"), nil},
		{line("APPEND", "k", "x"), line("append k")},
		{line("RENAME", "k", "k2"), line("new k2", "rename_from k", "rename_to k2")},
		{line("DEL", "k2", "nokey"), line("del k2")},
		{line("HSET", "h", "f", "v"), line("new h", "hset h")},
		{line("HDEL", "h", "f"), line("hdel h", "del h")},
		{line("RPUSH", "l", "a", "b"), line("new l", "rpush l")},
		{line("LMOVE", "l", "m", "LEFT", "RIGHT"), line("new m", "rpush m", "lpop l")},
		{line("LPOP", "l"), line("lpop l", "del l")},
		{line("SADD", "s", "x"), line("new s", "sadd s")},
		{line("SADD", "s", "x"), nil},
		{line("SET", "t", "v", "PX", "5"), line("new t", "set t", "expire t")},
	}
	for _, c := range cases {
		do(ks, c.cmd...)
		if got := next(len(c.want)); !slices.Equal(got, c.want) {
			t.Errorf("%s: events %q, want %q", strings.Join(c.cmd, " "), got, c.want)
		}
	}
	clock.Advance(10 * time.Millisecond)
	expect(t, ks, resp.Null, "GET", "t")
	if got := next(1); got[0] != "expired t" {
		t.Errorf("lazy expiry: %q", got)
	}
}

func TestNotifyClassesFilter(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	next := collect(t, ks, ClassGeneric)
	do(ks, "SET", "a", "1")
	do(ks, "DEL", "a")
	if got := next(1); got[0] != "del a" {
		t.Errorf("got %q", got)
	}
}

// A listener that does not keep up loses events, counted, and never slows
// a writer.
func TestEventBusNeverBlocksWriters(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	release := make(chan struct{})
	sub := ks.Subscribe(ClassAll, 4, func(Event) { <-release })
	defer sub.Close()
	done := make(chan struct{})
	go func() {
		for range 1000 {
			do(ks, "SET", "k", "v")
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("writers blocked behind a slow listener")
	}
	close(release)
	if d := sub.Dropped(); d < 900 {
		t.Errorf("dropped %d events, want most of 1000", d)
	}
}

func TestParseEventClasses(t *testing.T) {
	for in, want := range map[string]string{"KEA": "AKE", "Ex": "xE", "": "", "Kg$": "g$K", "AKEnm": "AmnKE"} {
		c, ok := ParseEventClasses(in)
		if !ok || c.String() != want {
			t.Errorf("%q: %q %v, want %q", in, c.String(), ok, want)
		}
	}
	if _, ok := ParseEventClasses("KQ"); ok {
		t.Error("Q accepted")
	}
}

func TestWatchAndDoMulti(t *testing.T) {
	ks, clock := newTestKeyspace(t)
	cmds := [][][]byte{{[]byte("SET"), []byte("k"), []byte("2")}, {[]byte("INCR"), []byte("k")}, {[]byte("HSET"), []byte("k"), []byte("f"), []byte("v")}}

	// Untouched: runs, with per-command errors.
	w := ks.Watch(nil, [][]byte{[]byte("k")})
	replies, ok := ks.DoMulti(cmds, w)
	if !ok || len(replies) != 3 || !equal(replies[1], num(3)) || !equal(replies[2], errv(ErrWrongType)) {
		t.Fatalf("DoMulti: %v %v", replies, ok)
	}
	if len(ks.db.ev.watched) != 0 {
		t.Error("DoMulti left watched keys")
	}

	// Touched by another client: nothing runs.
	w = ks.Watch(nil, [][]byte{[]byte("k")})
	do(ks, "SET", "k", "9")
	if _, ok := ks.DoMulti(cmds, w); ok {
		t.Error("EXEC ran after a watched key changed")
	}
	expect(t, ks, bulk("9"), "GET", "k")

	// A write that changes nothing is no touch.
	w = ks.Watch(nil, [][]byte{[]byte("k")})
	do(ks, "SETNX", "k", "x")
	if _, ok := ks.DoMulti(nil, w); !ok {
		t.Error("a failed SETNX touched the key")
	}

	// Expiring after WATCH is a change, even before anyone touches it.
	do(ks, "SET", "e", "v", "PX", "10")
	w = ks.Watch(nil, [][]byte{[]byte("e")})
	clock.Advance(20 * time.Millisecond)
	if _, ok := ks.DoMulti(nil, w); ok {
		t.Error("EXEC ran after a watched key expired")
	}

	// Already expired when watched: its deletion is no change.
	do(ks, "SET", "e", "v", "PX", "10")
	clock.Advance(20 * time.Millisecond)
	w = ks.Watch(nil, [][]byte{[]byte("e")})
	expect(t, ks, resp.Null, "GET", "e")
	if _, ok := ks.DoMulti(nil, w); !ok {
		t.Error("deleting a key already expired at WATCH failed EXEC")
	}

	// FLUSHALL touches the watched keys that exist.
	w = ks.Watch(nil, [][]byte{[]byte("k")})
	do(ks, "FLUSHALL")
	if _, ok := ks.DoMulti(nil, w); ok {
		t.Error("EXEC ran after FLUSHALL")
	}
	w = ks.Watch(nil, [][]byte{[]byte("missing")})
	do(ks, "FLUSHALL")
	if _, ok := ks.DoMulti(nil, w); !ok {
		t.Error("FLUSHALL touched a missing key")
	}

	// Unwatch releases.
	w = ks.Watch(nil, [][]byte{[]byte("a"), []byte("a"), []byte("b")})
	if w.Len() != 2 {
		t.Errorf("watching a twice: %d keys", w.Len())
	}
	ks.Unwatch(w)
	if len(ks.db.ev.watched) != 0 {
		t.Error("Unwatch left watched keys")
	}
}

// EXEC is one lock section: a concurrent writer never sees half of it.
func TestDoMultiAtomic(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	stop := make(chan struct{})
	bad := make(chan string, 1)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			v := do(ks, "MGET", "a", "b")
			if len(v.Array) == 2 && v.Array[0].Str != v.Array[1].Str {
				select {
				case bad <- v.Array[0].Str + "/" + v.Array[1].Str:
				default:
				}
			}
		}
	}()
	for i := range 2000 {
		n := []byte(strings.Repeat("x", i%7))
		ks.DoMulti([][][]byte{{[]byte("SET"), []byte("a"), n}, {[]byte("SET"), []byte("b"), n}}, nil)
	}
	close(stop)
	select {
	case s := <-bad:
		t.Errorf("saw a half-applied transaction: %s", s)
	default:
	}
}
