package tests

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The engine under sustained load: what every call leaves behind must come
// back. The bounds are on resources and liveness, never on speed (the
// figures are make bench's).

// rssMB is the server process's resident set size, after MEMORY PURGE: a
// collection and the free heap returned to the system, so what is left is
// what the server holds, not garbage the Go collector has not reached yet
// (gc-floor-mb lets up to 64 MB of it wait).
func (s *Server) rssMB(t *testing.T, c *redis.Client) float64 {
	t.Helper()
	MustDo(t, c, "MEMORY", "PURGE")
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// drained waits until only the pool's interpreters are alive and the pool
// is full again.
func drained(t *testing.T, c *redis.Client) {
	t.Helper()
	Eventually(t, 60*time.Second, "live interpreters back to the pool", func() bool {
		g := Info(t, c, "gears")
		return g["live_interpreters"] == g["pool_size"] && g["pool_ready"] == g["pool_size"]
	})
}

// sessionScript keeps some memory while it runs: a list of 1,000 strings.
const sessionScript = "x = ['s%d' % i for i in range(1000)]\nGB('ShardsIDReader').map(lambda r: str(len(x))).run()"

// (a) Thousands of sessions one after the other give their memory back.
func TestSequentialSessionsGiveMemoryBack(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	drained(t, c)
	before := s.rssMB(t, c)
	for i := 0; i < 2000; i++ {
		v, err := Do(c, "RG.PYEXECUTE", sessionScript)
		if err != nil || fmt.Sprint(v) != "[[1000] []]" {
			t.Fatalf("session %d: %v %v", i, v, err)
		}
	}
	drained(t, c)
	after := s.rssMB(t, c)
	g := Info(t, c, "gears")
	t.Logf("RSS %.1f MB -> %.1f MB after 2000 sessions (%s created, %s ended, %s arenas and %s strings reclaimed)",
		before, after, g["interpreters_created"], g["interpreters_ended"], g["reclaimed_arenas"], g["reclaimed_strings"])
	if after-before > 30 {
		t.Fatalf("RSS grew %.1f MB over 2000 sessions, want at most 30", after-before)
	}
}

// (b, f) Eight clients back to back for 20 seconds: interpreters are ended
// as fast as they are created, and memory stays flat.
func TestEightClientsKeepInterpretersBounded(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	drained(t, c)
	pool := GearsInt(t, c, "pool_size")
	before := s.rssMB(t, c)
	const clients = 8
	limit := pool + clients + 4
	stop := time.Now().Add(20 * time.Second)
	var calls, failures atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := s.Client(t)
			for time.Now().Before(stop) {
				v, err := Do(cl, "RG.PYEXECUTE", sessionScript)
				calls.Add(1)
				if err != nil || fmt.Sprint(v) != "[[1000] []]" {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprint(v, err))
				}
			}
		}()
	}
	maxLive, maxBacklog := 0, 0
	for time.Now().Before(stop) {
		g := Info(t, c, "gears")
		live, _ := strconv.Atoi(g["live_interpreters"])
		created, _ := strconv.Atoi(g["interpreters_created"])
		ended, _ := strconv.Atoi(g["interpreters_ended"])
		maxLive = max(maxLive, live)
		maxBacklog = max(maxBacklog, created-ended)
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d of %d calls failed, first: %v", n, calls.Load(), firstErr.Load())
	}
	drained(t, c)
	after := s.rssMB(t, c)
	t.Logf("%d calls; live interpreters at most %d, created-ended at most %d; RSS %.1f -> %.1f MB",
		calls.Load(), maxLive, maxBacklog, before, after)
	if maxLive > limit {
		t.Errorf("live interpreters reached %d, want at most pool+clients+4 = %d", maxLive, limit)
	}
	// (f) ending keeps pace with creating: the backlog is what is in use.
	if maxBacklog > limit {
		t.Errorf("interpreters_created ran %d ahead of interpreters_ended, want at most %d", maxBacklog, limit)
	}
	if after-before > 50 {
		t.Errorf("RSS grew %.1f MB, want within 50 MB of the start", after-before)
	}
}

// busyEveryLane starts one UNBLOCKING execution per lane running script,
// waits until they all run, and returns their ids.
func busyEveryLane(t *testing.T, c *redis.Client, script string) []string {
	t.Helper()
	lanes := GearsInt(t, c, "lanes")
	var ids []string
	for i := 0; i < lanes; i++ {
		ids = append(ids, MustDo(t, c, "RG.PYEXECUTE", script, "UNBLOCKING").(string))
	}
	Eventually(t, 20*time.Second, "every lane busy", func() bool { return GearsInt(t, c, "executions_running") == lanes })
	return ids
}

// executionStatus is an execution's status in RG.DUMPEXECUTIONS.
func executionStatus(t *testing.T, c *redis.Client, id string) string {
	t.Helper()
	for _, e := range MustDo(t, c, "RG.DUMPEXECUTIONS").([]any) {
		if f := e.([]any); f[1] == id {
			return f[3].(string)
		}
	}
	return ""
}

// (c) A step asleep in time.sleep (its GIL released) on every lane does not
// keep another session waiting until it wakes.
func TestSleepingStepsDoNotHoldTheirLanes(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	ids := busyEveryLane(t, c, "import time\nGB('ShardsIDReader').foreach(lambda r: time.sleep(10)).run()")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := c.Do(ctx, "RG.PYEXECUTE", "GB('PythonReader').map(lambda x: x * 2).run(lambda: iter([1, 2, 3]), convertToStr=False)").Result()
	if err != nil || fmt.Sprint(v) != "[[2 4 6] []]" {
		t.Fatalf("beside sleeping steps: %v %v", v, err)
	}
	for _, id := range ids {
		if st := executionStatus(t, c, id); st != "running" {
			t.Fatalf("a sleeper is %q: the other session was served only once it woke", st)
		}
	}
	for _, id := range ids {
		if res := fmt.Sprint(MustDo(t, c, "RG.GETRESULTSBLOCKING", id)); res != "[[1] []]" {
			t.Fatalf("sleeper's results: %s", res)
		}
	}
}

// (d) A CPU-bound runaway on every lane does not make another session
// BUSY: on one lane it shares the GIL with it, time-sliced.
func TestRunawaysDoNotMakeOthersBusy(t *testing.T) {
	s := startServer(t, "--python.execution-timeout", "0")
	c := s.Client(t)
	ids := busyEveryLane(t, c, runawayScript)
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		v, err := c.Do(ctx, "RG.PYEXECUTE", shardsID).Result()
		cancel()
		if err != nil || fmt.Sprint(v) != "[[1] []]" {
			t.Fatalf("call %d beside runaways: %v %v", i, v, err)
		}
	}
	for _, id := range ids {
		if st := executionStatus(t, c, id); st != "running" {
			t.Fatalf("a runaway is %q before it was aborted", st)
		}
		MustDo(t, c, "RG.ABORTEXECUTION", id)
	}
}

// (e) A thread the script started calls execute() after RG.PYEXECUTE has
// returned: the server stays up, the write lands, and the session lives
// until the thread is done, then ends.
func TestLateThreadKeepsItsSessionAlive(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	drained(t, c)
	base := GearsInt(t, c, "live_interpreters")
	MustDo(t, c, "RG.PYEXECUTE", `
import threading, time
def late():
    time.sleep(0.5)
    execute('SET', 'late', 'written after the call')
threading.Thread(target=late).start()
`)
	if n := GearsInt(t, c, "script_threads"); n != 1 {
		t.Fatalf("script_threads = %d while the thread sleeps", n)
	}
	Eventually(t, 20*time.Second, "the late write", func() bool {
		v, err := c.Get(context.Background(), "late").Result()
		return err == nil && v == "written after the call"
	})
	Eventually(t, 20*time.Second, "the session to end with its thread", func() bool {
		return GearsInt(t, c, "script_threads") == 0 && GearsInt(t, c, "live_interpreters") == base
	})
	if !s.Alive() {
		t.Fatalf("server died\n%s", s.log)
	}
	// A daemon thread too (refused by an isolated interpreter, which is
	// fine: the script says so); either way the server keeps serving.
	_, err := Do(c, "RG.PYEXECUTE", `
import threading, time
def late():
    time.sleep(0.3)
    execute('INCR', 'daemon')
threading.Thread(target=late, daemon=True).start()
`)
	if err != nil && !strings.Contains(err.Error(), "daemon") {
		t.Fatalf("daemon thread: %v", err)
	}
	if err == nil {
		Eventually(t, 20*time.Second, "the daemon's write", func() bool {
			v, err := c.Get(context.Background(), "daemon").Result()
			return err == nil && v == "1"
		})
	}
	drained(t, c)
	if v := MustDo(t, c, "PING"); v != "PONG" || !s.Alive() {
		t.Fatalf("after the threads: %v\n%s", v, s.log)
	}
}
