// Command soak runs gearsd under a long mixed load and checks what a user
// counts on: no errors, no acknowledged write lost, and resources that stay
// flat. `make soak` runs it for about 10 minutes.
//
// The load: many clients, each mixing data commands (writes of keys that are
// never overwritten, so every acknowledged one must be there at the end;
// INCR of a counter of its own; reads) with RG.PYEXECUTE calls, each a new
// session. Half way, the server is killed with SIGKILL under appendfsync
// always and restarted on the same files. Every few seconds the server's
// RSS, goroutines and live interpreters are sampled; across the second half
// (after the restart's own warm-up) they must stay flat.
//
// Registrations, triggers and time events are not in the load yet: gearsd
// does not run them yet (issue #9).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	bin := flag.String("gearsd", "bin/gearsd", "gearsd binary")
	clients := flag.Int("clients", 200, "clients at once")
	duration := flag.Duration("duration", 10*time.Minute, "how long the load runs, the kill and restart included")
	sessions := flag.Int("sessions", 10000, "RG.PYEXECUTE calls to make over the run (each a new session)")
	sample := flag.Duration("sample", 5*time.Second, "how often resources are sampled")
	flag.Parse()

	redis.SetLogger(quietLogger{}) // reconnecting after the kill is expected
	dir, err := os.MkdirTemp("", "gearsd-soak")
	must(err)
	defer os.RemoveAll(dir)
	port := freePort()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	srv := startServer(*bin, dir, port)
	fmt.Printf("# soak: %d clients for %s, %d sessions, SIGKILL and restart half way (%s, port %d)\n\n", *clients, *duration, *sessions, dir, port)

	var (
		stop     atomic.Bool
		down     atomic.Bool // between the kill and the restart: failures expected
		calls    atomic.Int64
		errs     errorCounts
		workers  = make([]*worker, *clients)
		wg       sync.WaitGroup
		pyBudget atomic.Int64 // sessions still to make
	)
	pyBudget.Store(int64(*sessions))
	start := time.Now()
	for i := range workers {
		w := &worker{id: i, c: redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1, MaxRetries: -1,
			DialTimeout: 2 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 10 * time.Second})}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(&stop, &down, &calls, &errs, &pyBudget, start, *duration, int64(*sessions))
		}()
	}

	// Sampling, the kill and the restart.
	var samples []resources
	killAt := start.Add(*duration / 2)
	killed := false
	tick := time.NewTicker(*sample)
	for now := range tick.C {
		if now.Sub(start) >= *duration {
			break
		}
		if !killed && now.After(killAt) {
			killed = true
			down.Store(true)
			fmt.Printf("%6.0fs  SIGKILL (%d calls so far)\n", now.Sub(start).Seconds(), calls.Load())
			srv.Process.Signal(syscall.SIGKILL)
			srv.Wait()
			srv = startServer(*bin, dir, port)
			// A client's first command after the restart may still go to
			// its connection to the killed server: that one failure, a
			// network error, is expected for a few seconds.
			graceUntil.Store(time.Now().Add(5 * time.Second).UnixNano())
			down.Store(false)
			fmt.Printf("%6.0fs  restarted\n", time.Since(start).Seconds())
			continue
		}
		r := sampleResources(addr, srv.Process.Pid, now.Sub(start))
		r.afterKill = killed
		samples = append(samples, r)
		fmt.Printf("%6.0fs  calls %8d  rss %7.1f MB  goroutines %5d  live interpreters %3d  sessions made %6d\n",
			r.at.Seconds(), calls.Load(), r.rssMB, r.goroutines, r.live, int64(*sessions)-pyBudget.Load())
	}
	tick.Stop()
	stop.Store(true)
	wg.Wait()

	// >> Verify every acknowledged write.
	check := redis.NewClient(&redis.Options{Addr: addr})
	ctx := context.Background()
	lost, counters, acked := 0, 0, 0
	for _, w := range workers {
		// A slot holds its last acknowledged write, or a later one that was
		// tried and not acknowledged (in flight at the kill).
		for slot, seq := range w.acked {
			if seq == 0 {
				continue
			}
			acked++
			v, err := check.Get(ctx, w.key(slot)).Result()
			n, _ := strconv.Atoi(v)
			if err != nil || n < seq || n > w.seq || n%slots != slot {
				lost++
			}
		}
		n, err := check.Get(ctx, fmt.Sprintf("soak:%d:counter", w.id)).Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			lost++
		}
		if n < w.incrAcked || n > w.incrTried {
			counters++
		}
	}

	// >> Resources across the second half: the last third against the first.
	var second []resources
	for _, r := range samples {
		if r.afterKill {
			second = append(second, r)
		}
	}
	flat, why := flatness(second)

	fmt.Println()
	fmt.Printf("| figure | value | target |\n|---|---|---|\n")
	fmt.Printf("| calls | %d | |\n", calls.Load())
	fmt.Printf("| sessions (RG.PYEXECUTE) | %d | %d |\n", int64(*sessions)-pyBudget.Load(), *sessions)
	fmt.Printf("| errors | %d %s | 0 |\n", errs.total(), errs.summary())
	fmt.Printf("| keys whose last acknowledged write was lost after SIGKILL | %d of %d | 0 |\n", lost, acked)
	fmt.Printf("| counters outside [acknowledged, tried] | %d of %d | 0 |\n", counters, len(workers))
	fmt.Printf("| RSS, goroutines, live interpreters in the second half | %s | flat |\n", why)
	ok := errs.total() == 0 && lost == 0 && counters == 0 && flat
	fmt.Printf("\nsoak: %s\n", map[bool]string{true: "PASS", false: "FAIL"}[ok])
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	if !ok {
		os.Exit(1)
	}
}

// slots bounds each worker's keys, so the data stops growing and resources
// can be judged flat: write n goes to slot n % slots, with value n.
const slots = 500

type worker struct {
	id        int
	c         *redis.Client
	seq       int
	acked     [slots]int // per slot, the last write acknowledged (0: none)
	incrAcked int64
	incrTried int64
}

func (w *worker) key(seq int) string { return fmt.Sprintf("soak:%d:%d", w.id, seq%slots) }

// run mixes the commands until stop. A failure while the server is down
// (killed and not yet back) is expected and not counted; one at any other
// time is an error.
func (w *worker) run(stop, down *atomic.Bool, calls *atomic.Int64, errs *errorCounts, pyBudget *atomic.Int64, start time.Time, duration time.Duration, sessions int64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(uint64(w.id), 42))
	for !stop.Load() {
		wasDown := down.Load()
		var err error
		// Sessions are spread over the run: take one when the budget is
		// ahead of the clock.
		elapsed := float64(time.Since(start)) / float64(duration)
		due := int64(elapsed * float64(sessions))
		if sessions-pyBudget.Load() < due && pyBudget.Add(-1) >= 0 {
			script := "GB('ShardsIDReader').run()"
			if rng.IntN(2) == 0 {
				script = fmt.Sprintf("GB().map(lambda r: r['key']).count().run('soak:%d:*')", w.id)
			}
			err = w.c.Do(ctx, "RG.PYEXECUTE", script).Err()
		} else {
			switch op := rng.IntN(10); {
			case op < 4:
				w.seq++
				err = w.c.Set(ctx, w.key(w.seq), strconv.Itoa(w.seq), 0).Err()
				if err == nil {
					w.acked[w.seq%slots] = w.seq
				}
			case op < 6:
				w.incrTried++
				err = w.c.Incr(ctx, fmt.Sprintf("soak:%d:counter", w.id)).Err()
				if err == nil {
					w.incrAcked++
				}
			case op < 8 && w.seq > 0:
				err = w.c.Get(ctx, w.key(1+rng.IntN(w.seq))).Err()
				if errors.Is(err, redis.Nil) {
					err = nil // written, not acknowledged, lost with the kill: fine
				}
			default:
				err = w.c.HSet(ctx, fmt.Sprintf("soak:%d:h", w.id), "f"+strconv.Itoa(rng.IntN(100)), "v").Err()
			}
		}
		calls.Add(1)
		inGrace := time.Now().UnixNano() < graceUntil.Load() && isNetErr(err)
		if err != nil && !wasDown && !down.Load() && !inGrace {
			errs.add(err)
		}
		if err != nil && (wasDown || down.Load()) {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// graceUntil ends the few seconds after the restart when a network error
// (a connection to the killed server) is expected.
var graceUntil atomic.Int64

func isNetErr(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	return strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe")
}

type errorCounts struct {
	mu    sync.Mutex
	count map[string]int
}

func (e *errorCounts) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.count == nil {
		e.count = map[string]int{}
	}
	text := err.Error()
	if len(text) > 80 {
		text = text[:80]
	}
	e.count[text]++
}

func (e *errorCounts) total() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.count {
		n += c
	}
	return n
}

func (e *errorCounts) summary() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var parts []string
	for text, n := range e.count {
		parts = append(parts, fmt.Sprintf("%d× %q", n, text))
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, "; ") + ")"
}

type resources struct {
	at         time.Duration
	rssMB      float64
	goroutines int64
	live       int64
	afterKill  bool
}

func sampleResources(addr string, pid int, at time.Duration) resources {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	r := resources{at: at, rssMB: float64(vmRSS(pid)) / (1 << 20)}
	ctx := context.Background()
	info, _ := c.Info(ctx, "memory", "gears").Result()
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "go_goroutines":
			r.goroutines = n
		case "live_interpreters":
			r.live = n
		}
	}
	return r
}

// flatness compares the last third of the samples with the first third of
// the second half: RSS may grow by 10% (and 20 MB) at most, goroutines by
// 10% (and 50), live interpreters must stay within pool + clients.
func flatness(s []resources) (bool, string) {
	if len(s) < 6 {
		return false, fmt.Sprintf("too few samples (%d)", len(s))
	}
	third := len(s) / 3
	avg := func(rs []resources) (rss, g, live float64) {
		for _, r := range rs {
			rss += r.rssMB
			g += float64(r.goroutines)
			live += float64(r.live)
		}
		n := float64(len(rs))
		return rss / n, g / n, live / n
	}
	r1, g1, l1 := avg(s[:third])
	r2, g2, l2 := avg(s[len(s)-third:])
	ok := r2 <= r1*1.1+20 && g2 <= g1*1.1+50 && l2 <= l1*1.1+5
	return ok, fmt.Sprintf("RSS %.1f -> %.1f MB, goroutines %.0f -> %.0f, live interpreters %.1f -> %.1f", r1, r2, g1, g2, l1, l2)
}

func startServer(bin, dir string, port int) *exec.Cmd {
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--dir", dir, "--appendonly", "yes", "--appendfsync", "always",
		"--loglevel", "warning", "--maxclients", "10000")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	must(cmd.Start())
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 600; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return cmd
		}
		time.Sleep(50 * time.Millisecond)
	}
	panic("gearsd did not start")
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func vmRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...interface{}) {}
