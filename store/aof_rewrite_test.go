package store

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

// snapshotKeys counts the SET commands per key in a snapshot.
func snapshotKeys(t *testing.T, snap []byte) map[string]int {
	t.Helper()
	r := &recordReader{r: bufio.NewReader(bytes.NewReader(snap))}
	seen := map[string]int{}
	for {
		argv, err := r.next()
		if err == io.EOF {
			return seen
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[string(argv[1])]++
	}
}

// The snapshot's scan yields every key present throughout exactly once,
// though the key table grows and shrinks between its steps (a shrink makes
// SCAN return some keys twice).
func TestRewriteScanVisitsEachKeyOnce(t *testing.T) {
	ks := NewKeyspace(Options{ActiveExpireInterval: -1})
	defer ks.Close()
	const kept = 100
	for i := range kept {
		do(ks, "SET", fmt.Sprint("k", i), "v")
	}
	rw := &rewrite{copied: map[string]struct{}{}}
	step := func(n int) {
		db := ks.lock()
		rw.scan(db, n)
		ks.unlock()
	}
	shrinks := 0
	for round := 0; !rw.done; round++ {
		// Grow to thousands of buckets, step, then shrink back and step.
		for i := range 1000 {
			do(ks, "SET", fmt.Sprint("tmp", round, ":", i), "v")
		}
		for range 20 {
			ks.rehashStep()
		}
		step(60)
		db := ks.lock()
		big := len(db.dict.tables[0])
		ks.unlock()
		for i := range 1000 {
			do(ks, "DEL", fmt.Sprint("tmp", round, ":", i))
		}
		for range 20 {
			ks.rehashStep()
		}
		db = ks.lock()
		if len(db.dict.tables[0]) < big {
			shrinks++
		}
		ks.unlock()
		step(1)
	}
	if shrinks < 3 {
		t.Fatalf("the table shrank %d times only", shrinks)
	}
	seen := snapshotKeys(t, rw.snap)
	for i := range kept {
		if n := seen[fmt.Sprint("k", i)]; n != 1 {
			t.Errorf("key k%d in the snapshot %d times", i, n)
		}
	}
}

// Auto-rewrite starts once the file has doubled past the minimum size.
func TestAOFAutoRewrite(t *testing.T) {
	dir := t.TempDir()
	ks, err := Open(Options{ActiveExpireInterval: -1, AOF: AOFOptions{
		Enabled: true, Dir: dir, AutoRewritePercentage: 100, AutoRewriteMinSize: 10000,
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	for range 2000 {
		do(ks, "INCR", "n")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		info := map[string]string{}
		for _, f := range ks.PersistenceInfo() {
			info[f[0]] = f[1]
		}
		if info["aof_rewrites"] == "1" && info["aof_rewrite_in_progress"] == "0" {
			if info["aof_current_size"] != info["aof_base_size"] || info["aof_base_size"] == "0" {
				t.Fatalf("after the rewrite: %v", info)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no automatic rewrite: %v", info)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := do(ks, "GET", "n"); got.Str != "2000" {
		t.Fatalf("GET n = %v", got)
	}
}
