package store

import (
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

func block(t *testing.T, ks *Keyspace, args ...string) (resp.Value, *Waiter) {
	t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return ks.Block(argv)
}

func wait(t *testing.T, w *Waiter) resp.Value {
	t.Helper()
	select {
	case v := <-w.Done():
		return v
	case <-time.After(2 * time.Second):
		t.Fatal("blocked client not served")
		return resp.Value{}
	}
}

func TestBlockServedInArrivalOrder(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	_, w1 := block(t, ks, "BLPOP", "a", "b", "0")
	_, w2 := block(t, ks, "BRPOP", "b", "1.5")
	_, w3 := block(t, ks, "BLPOP", "b", "0")
	if w1 == nil || w2 == nil || w3 == nil {
		t.Fatal("did not block on empty keys")
	}
	if w2.Timeout() != 1500*time.Millisecond || w1.Timeout() != 0 {
		t.Errorf("timeouts %v %v", w1.Timeout(), w2.Timeout())
	}
	expect(t, ks, num(2), "RPUSH", "b", "x", "y")
	if v := wait(t, w1); !equal(v, bulks("b", "x")) {
		t.Errorf("first waiter got %v", v)
	}
	if v := wait(t, w2); !equal(v, bulks("b", "y")) {
		t.Errorf("second waiter got %v", v)
	}
	// The third waits on: the list is empty and gone.
	expect(t, ks, num(0), "EXISTS", "b")
	if v := w3.Cancel(); v.Kind != resp.KindNullArray {
		t.Errorf("cancelled waiter got %v", v)
	}
	if ks.db.ev.blockedN != 0 || len(ks.db.ev.blocked) != 0 {
		t.Errorf("waiters left: %d %v", ks.db.ev.blockedN, ks.db.ev.blocked)
	}
}

func TestBlmoveServed(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	_, w := block(t, ks, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0")
	do(ks, "LPUSH", "src", "a", "b")
	if v := wait(t, w); !equal(v, bulk("a")) {
		t.Errorf("BLMOVE got %v", v)
	}
	expect(t, ks, bulks("a"), "LRANGE", "dst", "0", "-1")
	expect(t, ks, bulks("b"), "LRANGE", "src", "0", "-1")
}

func TestBlockAnswersAtOnce(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	do(ks, "RPUSH", "l", "1")
	do(ks, "SET", "s", "x")
	if v, w := block(t, ks, "BLPOP", "none", "l", "0"); w != nil || !equal(v, bulks("l", "1")) {
		t.Errorf("BLPOP on a non-empty list: %v %v", v, w)
	}
	if v, w := block(t, ks, "BLPOP", "s", "0"); w != nil || !equal(v, errv(ErrWrongType)) {
		t.Errorf("BLPOP on a string: %v", v)
	}
	for tm, want := range map[string]Error{"-1": ErrTimeoutNegative, "x": ErrTimeoutNotFloat, "inf": ErrTimeoutNegative, "nan": ErrTimeoutNotFloat} {
		if v, _ := block(t, ks, "BLPOP", "l", tm); !equal(v, errv(want)) {
			t.Errorf("timeout %q: %v", tm, v)
		}
	}
	// Do never blocks.
	expect(t, ks, resp.NullArray, "BLPOP", "none", "0")
	expect(t, ks, resp.NullArray, "BLMOVE", "none", "x", "LEFT", "LEFT", "0")
}

// A waiter served while it was timing out gets the element, not a null.
func TestBlockCancelAfterServe(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	_, w := block(t, ks, "BLPOP", "k", "0")
	do(ks, "RPUSH", "k", "v")
	deadline := time.Now().Add(2 * time.Second)
	for {
		ks.lock()
		served := w.served
		ks.unlock()
		if served || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if v := w.Cancel(); !equal(v, bulks("k", "v")) {
		t.Errorf("Cancel after serve: %v", v)
	}
}
