package store

import (
	"sync"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// fakeClock is an injectable clock that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testEpoch is the fake clock's start: 2023-11-14T22:13:20Z, 1.7e9 s.
var testEpoch = time.UnixMilli(1_700_000_000_000)

// newTestKeyspace returns a keyspace on a fake clock, without the active
// expiry cycle (tests run it by hand), closed when the test ends.
func newTestKeyspace(t *testing.T) (*Keyspace, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: testEpoch}
	ks := NewKeyspace(Options{Now: clock.Now, ActiveExpireInterval: -1})
	t.Cleanup(func() { ks.Close() })
	return ks, clock
}

func do(ks *Keyspace, args ...string) resp.Value {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return ks.Do(argv)
}

// step is one command and the reply it must get.
type step struct {
	args []string
	want resp.Value
}

// run sends each step's command and compares the reply.
func run(t *testing.T, ks *Keyspace, steps []step) {
	t.Helper()
	for _, s := range steps {
		if got := do(ks, s.args...); !equal(got, s.want) {
			t.Errorf("%q: got %v, want %v", s.args, got, s.want)
		}
	}
}

// expect checks one command's reply.
func expect(t *testing.T, ks *Keyspace, want resp.Value, args ...string) {
	t.Helper()
	if got := do(ks, args...); !equal(got, want) {
		t.Errorf("%q: got %v, want %v", args, got, want)
	}
}

func equal(a, b resp.Value) bool {
	if a.Kind != b.Kind || a.Str != b.Str || a.Int != b.Int || len(a.Array) != len(b.Array) {
		return false
	}
	for i := range a.Array {
		if !equal(a.Array[i], b.Array[i]) {
			return false
		}
	}
	return true
}

// Reply shorthands.
func bulk(s string) resp.Value        { return resp.Bulk(s) }
func num(n int64) resp.Value          { return resp.Int(n) }
func errv(e Error) resp.Value         { return resp.Err(string(e)) }
func arr(vs ...resp.Value) resp.Value { return resp.Array(vs...) }

func bulks(ss ...string) resp.Value { return resp.BulkArray(ss) }

// line is a command line for a step.
func line(args ...string) []string { return args }
