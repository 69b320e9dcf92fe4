package tests

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The append-only file seen from outside: gearsd is killed with SIGKILL
// while clients write, and restarted on the same directory.

// kill ends the process with SIGKILL and waits for it.
func (s *Server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-s.done
	s.done <- err
}

// acked is what the writers were told succeeded.
type acked struct {
	mu     sync.Mutex
	sets   map[string]string // key -> value of an acknowledged SET
	incrs  map[string]int64  // counter -> highest acknowledged INCR reply
	writes int
}

// writeUntilKilled runs writers against s, each sending SETs and INCRs and
// recording every acknowledged one, kills s with SIGKILL after d while
// they write, and returns the acknowledgements.
func writeUntilKilled(t *testing.T, s *Server, writers int, d time.Duration) *acked {
	t.Helper()
	a := &acked{sets: map[string]string{}, incrs: map[string]int64{}}
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range writers {
		c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: 5 * time.Second})
		defer c.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			counter := fmt.Sprintf("counter:%d", w)
			for i := 0; ; i++ {
				key, val := fmt.Sprintf("key:%d:%d", w, i), fmt.Sprintf("v%d", i)
				if err := c.Set(ctx, key, val, 0).Err(); err != nil {
					return // the server is gone
				}
				a.mu.Lock()
				a.sets[key] = val
				a.writes++
				a.mu.Unlock()
				n, err := c.Incr(ctx, counter).Result()
				if err != nil {
					return
				}
				a.mu.Lock()
				a.incrs[counter] = n
				a.writes++
				a.mu.Unlock()
			}
		}()
	}
	time.Sleep(d)
	s.kill(t)
	wg.Wait()
	return a
}

// lostWrites restarts on s's directory and counts the acknowledged writes
// that are missing; a counter below its highest acknowledged value counts
// for the increments it lost.
func lostWrites(t *testing.T, a *acked, restarted *Server) int {
	t.Helper()
	c := restarted.Client(t)
	ctx := context.Background()
	lost := 0
	keys := make([]string, 0, len(a.sets))
	for k := range a.sets {
		keys = append(keys, k)
	}
	for i := 0; i < len(keys); i += 500 {
		batch := keys[i:min(i+500, len(keys))]
		vals, err := c.MGet(ctx, batch...).Result()
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range vals {
			if v != a.sets[batch[j]] {
				lost++
			}
		}
	}
	for counter, want := range a.incrs {
		got, err := c.Get(ctx, counter).Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		if got < want {
			lost += int(want - got)
		}
	}
	return lost
}

func TestAOFAlwaysKeepsEveryAcknowledgedWrite(t *testing.T) {
	dir := t.TempDir()
	s := startServerIn(t, dir, "--appendonly", "yes", "--appendfsync", "always")
	a := writeUntilKilled(t, s, 8, 1500*time.Millisecond)
	if a.writes < 100 {
		t.Fatalf("only %d writes were acknowledged", a.writes)
	}
	again := startServerIn(t, dir, "--appendonly", "yes", "--appendfsync", "always")
	if lost := lostWrites(t, a, again); lost != 0 {
		t.Fatalf("%d of %d acknowledged writes lost with appendfsync always\n%s", lost, a.writes, again.log)
	}
	t.Logf("%d acknowledged writes, all found after SIGKILL", a.writes)
}

func TestAOFEverysecLosesAtMostAboutASecond(t *testing.T) {
	dir := t.TempDir()
	s := startServerIn(t, dir, "--appendonly", "yes", "--appendfsync", "everysec")
	const run = 2 * time.Second
	a := writeUntilKilled(t, s, 8, run)
	perSecond := float64(a.writes) / run.Seconds()
	again := startServerIn(t, dir, "--appendonly", "yes")
	lost := lostWrites(t, a, again)
	t.Logf("%d acknowledged writes (%.0f/s), %d lost after SIGKILL", a.writes, perSecond, lost)
	if float64(lost) > 1.5*perSecond {
		t.Fatalf("%d acknowledged writes lost, more than 1.5 s of writes at %.0f/s", lost, perSecond)
	}
}

func TestAOFTornLastRecordIsRecovered(t *testing.T) {
	dir := t.TempDir()
	s := startServerIn(t, dir, "--appendonly", "yes")
	c := s.Client(t)
	MustDo(t, c, "SET", "a", "1")
	MustDo(t, c, "HSET", "h", "f", "v")
	s.Stop(t)
	path := filepath.Join(dir, "appendonly.aof")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$10\r\nhalf")
	f.Close()

	again := startServerIn(t, dir, "--appendonly", "yes")
	c = again.Client(t)
	if v := MustDo(t, c, "GET", "a"); v != "1" {
		t.Fatalf("GET a = %v", v)
	}
	if v := MustDo(t, c, "HGET", "h", "f"); v != "v" {
		t.Fatalf("HGET h f = %v", v)
	}
	if n := MustDo(t, c, "EXISTS", "b"); n != int64(0) {
		t.Fatalf("the torn SET b was applied")
	}
	if !strings.Contains(again.log.String(), "AOF loaded anyway because aof-load-truncated is enabled") {
		t.Fatalf("no warning about the torn record in the log:\n%s", again.log)
	}
}

func TestAOFCorruptMiddleRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "appendonly.aof")
	os.WriteFile(path, []byte("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n?bad\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"), 0o644)
	port := freePort(t)
	out, err := exec.Command(binary(t), "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "at offset 27") {
		t.Fatalf("gearsd started on a corrupt file, or did not name the offset: %v\n%s", err, out)
	}
}

func TestAOFKeepsWritesFromPython(t *testing.T) {
	dir := t.TempDir()
	s := startServerIn(t, dir, "--appendonly", "yes", "--appendfsync", "always")
	c := s.Client(t)
	MustDo(t, c, "RG.PYEXECUTE", "execute('SET', 'k', 'v')\nexecute('HSET', 'h', 'f', 'py')\nexecute('EXPIRE', 'h', '1000')")
	s.kill(t)
	again := startServerIn(t, dir, "--appendonly", "yes")
	c = again.Client(t)
	if v := MustDo(t, c, "GET", "k"); v != "v" {
		t.Fatalf("GET k = %v", v)
	}
	if v := MustDo(t, c, "HGET", "h", "f"); v != "py" {
		t.Fatalf("HGET h f = %v", v)
	}
	if ttl := MustDo(t, c, "TTL", "h").(int64); ttl < 990 || ttl > 1000 {
		t.Fatalf("TTL h = %d", ttl)
	}
}

func TestAOFRewriteAndInfoPersistence(t *testing.T) {
	dir := t.TempDir()
	// always: the INCR after the rewrite is killed right after its reply.
	s := startServerIn(t, dir, "--appendonly", "yes", "--appendfsync", "always")
	c := s.Client(t)
	if info := Info(t, c, "persistence"); info["aof_enabled"] != "1" || info["aof_last_write_status"] != "ok" {
		t.Fatalf("INFO persistence: %v", info)
	}
	for i := range 1000 {
		MustDo(t, c, "INCR", "n")
		MustDo(t, c, "RPUSH", "l", i)
	}
	Eventually(t, 5*time.Second, "the file to be written", func() bool {
		n, _ := strconv.Atoi(Info(t, c, "persistence")["aof_current_size"])
		return n > 30000
	})
	before, _ := strconv.Atoi(Info(t, c, "persistence")["aof_current_size"])
	if v := MustDo(t, c, "BGREWRITEAOF"); v != "Background append only file rewriting started" {
		t.Fatalf("BGREWRITEAOF = %v", v)
	}
	Eventually(t, 10*time.Second, "the rewrite to end", func() bool {
		return Info(t, c, "persistence")["aof_rewrite_in_progress"] == "0"
	})
	info := Info(t, c, "persistence")
	after, _ := strconv.Atoi(info["aof_current_size"])
	if info["aof_last_bgrewrite_status"] != "ok" || after*2 > before {
		t.Fatalf("rewrite: status %s, %d bytes before, %d after", info["aof_last_bgrewrite_status"], before, after)
	}
	MustDo(t, c, "INCR", "n")
	s.kill(t)
	again := startServerIn(t, dir, "--appendonly", "yes")
	c = again.Client(t)
	if v := MustDo(t, c, "GET", "n"); v != "1001" {
		t.Fatalf("GET n = %v", v)
	}
	if v := MustDo(t, c, "LLEN", "l"); v != int64(1000) {
		t.Fatalf("LLEN l = %v", v)
	}
}

func TestAOFKeepsTransactions(t *testing.T) {
	dir := t.TempDir()
	s := startServerIn(t, dir, "--appendonly", "yes", "--appendfsync", "always")
	c := s.Client(t)
	ctx := context.Background()
	if _, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "tx:a", "1", 0)
		p.Incr(ctx, "tx:n")
		p.RPush(ctx, "tx:l", "x", "y")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s.kill(t)
	again := startServerIn(t, dir, "--appendonly", "yes")
	c = again.Client(t)
	if v := MustDo(t, c, "MGET", "tx:a", "tx:n"); fmt.Sprint(v) != "[1 1]" {
		t.Fatalf("MGET = %v", v)
	}
	if v := MustDo(t, c, "LRANGE", "tx:l", "0", "-1"); fmt.Sprint(v) != "[x y]" {
		t.Fatalf("LRANGE = %v", v)
	}
}

// The append-only file carries a checksum annotation per batch: Redis's own
// tools take it as a Redis AOF (redis-check-aof says valid, redis-server
// loads the same keys), and a byte flipped inside a value, which still
// parses, makes gearsd refuse to start instead of loading it.
func TestAOFChecksumAgainstRedisAndCorruption(t *testing.T) {
	dir := t.TempDir()
	s := startServerIn(t, dir, "--appendonly", "yes", "--appendfsync", "always")
	c := s.Client(t)
	MustDo(t, c, "SET", "s", "a-string-value")
	MustDo(t, c, "HSET", "h", "f", "1", "g", "2")
	MustDo(t, c, "RPUSH", "l", "x", "y")
	MustDo(t, c, "SADD", "set", "m")
	MustDo(t, c, "ZADD", "z", "1.5", "m")
	MustDo(t, c, "XADD", "st", "1-1", "f", "v")
	MustDo(t, c, "SET", "ttl", "v", "EX", "1000")
	s.Stop(t)
	path := filepath.Join(dir, "appendonly.aof")
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "\r\n#CRC32C ") {
		t.Fatalf("no checksum annotation in %q", data)
	}
	if out, err := exec.Command("redis-check-aof", path).CombinedOutput(); err != nil || !strings.Contains(string(out), "is valid") {
		t.Errorf("redis-check-aof: %v\n%s", err, out)
	}
	rdir := t.TempDir()
	os.WriteFile(filepath.Join(rdir, "appendonly.aof"), data, 0o644)
	redisAddr := startRedisIn(t, rdir, "--appendonly", "yes")
	r := dialRaw(t, redisAddr)
	if got := r.do(t, "DBSIZE"); got != ":7\r\n" {
		t.Errorf("redis-server loaded %q keys from gearsd's file, want 7", got)
	}
	for _, cmd := range [][]string{{"GET", "s"}, {"HGETALL", "h"}, {"LRANGE", "l", "0", "-1"}, {"ZSCORE", "z", "m"}, {"XLEN", "st"}} {
		if got := r.do(t, cmd...); strings.HasPrefix(got, "-") || got == "$-1\r\n" {
			t.Errorf("redis-server %v: %q", cmd, got)
		}
	}
	i := strings.Index(string(data), "a-string-value")
	data[i+2] ^= 0x01
	os.WriteFile(path, data, 0o644)
	port := freePort(t)
	out, err := exec.Command(binary(t), "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "checksum mismatch") {
		t.Fatalf("gearsd started on a file with a flipped byte, or did not say why: %v\n%s", err, out)
	}
}
