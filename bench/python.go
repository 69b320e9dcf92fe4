package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// pythonBuild is one gearsd binary with the rawinterp of the same
// libpython, and how its lanes run.
type pythonBuild struct {
	name      string // "CPython 3.11, 1 lane (shared GIL)"
	gearsd    string
	rawinterp string
	args      []string // extra server arguments (--scheduler.lanes ...)
	ownGIL    bool
	lanes     int // the cores its lanes can use: 1 with a shared GIL
}

// shardsCall is the call every Python figure is taken with: a
// run-to-completion script, one new session each.
var shardsCall = []any{"RG.PYEXECUTE", "GB('ShardsIDReader').run()"}

// rawFigures are CPython's own create and end times per interpreter, from
// bench/rawinterp over the same libpython and configuration: the times with
// gearsd's reclaim (python/reclaim.c), so that CPython works on memory that
// comes back as it does in gearsd (without it, an own-GIL interpreter's
// fresh arenas make every creation pay page faults: 10.6 against 6.3 ms on
// 3.13, seen here), and the memory each keeps, with and without.
type rawFigures struct {
	create, end       time.Duration
	keptKB, reclaimKB float64 // per interpreter: CPython as it is, and with gearsd's reclaim
	// parallel is create+end with one rawinterp per lane running at once:
	// what the machine gives that many CPU-bound threads now.
	parallel time.Duration
}

var rawLine = regexp.MustCompile(`create_p50_us=(\d+) end_p50_us=(\d+) .*per_interpreter_kb=([\d.]+)`)

// rawInterp runs rawinterp with and without reclaim, then lanes of them at
// once, and parses their lines.
func rawInterp(bin string, ownGIL bool, lanes int) (rawFigures, error) {
	var f rawFigures
	run := func(reclaim bool) (create, end time.Duration, kb float64, err error) {
		out, err := exec.Command(bin, "-n", "300", fmt.Sprintf("-own-gil=%v", ownGIL), fmt.Sprintf("-reclaim=%v", reclaim)).CombinedOutput()
		if err != nil {
			return 0, 0, 0, fmt.Errorf("%s: %v\n%s", bin, err, out)
		}
		m := rawLine.FindStringSubmatch(string(out))
		if m == nil {
			return 0, 0, 0, fmt.Errorf("%s: unexpected output %q", bin, out)
		}
		c, _ := strconv.Atoi(m[1])
		e, _ := strconv.Atoi(m[2])
		kb, _ = strconv.ParseFloat(m[3], 64)
		return time.Duration(c) * time.Microsecond, time.Duration(e) * time.Microsecond, kb, nil
	}
	var err error
	if _, _, f.keptKB, err = run(false); err != nil {
		return f, err
	}
	if f.create, f.end, f.reclaimKB, err = run(true); err != nil {
		return f, err
	}
	f.parallel = f.create + f.end
	if lanes > 1 {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var sum time.Duration
		for i := 0; i < lanes; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, e, _, rerr := run(true)
				mu.Lock()
				defer mu.Unlock()
				if rerr != nil {
					err = rerr
				}
				sum += c + e
			}()
		}
		wg.Wait()
		f.parallel = sum / time.Duration(lanes)
	}
	return f, err
}

// runPython prints the Python tables: per build, CPython's raw figures, a
// pool-disabled call and a warm call one at a time, then sustained load
// from many clients; then Redis's EVAL as the reference round trip.
func runPython(builds []pythonBuild, n, clients int, duration time.Duration, redisServer string) {
	fmt.Println("## Python sessions: RG.PYEXECUTE \"GB('ShardsIDReader').run()\", a new session per call")
	fmt.Println()
	type row struct {
		b                pythonBuild
		raw              rawFigures
		coldP50, warmP50 time.Duration
		warmP99          time.Duration
		load             loadFigures
	}
	var rows []row
	for _, b := range builds {
		r := row{b: b}
		var err error
		if r.raw, err = rawInterp(b.rawinterp, b.ownGIL, b.lanes); err != nil {
			fmt.Println("rawinterp failed:", err)
			continue
		}
		s := start(b.gearsd, append([]string{"--python.pool-size", "0"}, b.args...)...)
		r.coldP50, _ = latency(s.client, n/3, shardsCall...)
		s.stop()
		s = start(b.gearsd, append([]string{"--python.pool-size", "4"}, b.args...)...)
		warmPool(s.client, "4")
		r.warmP50, r.warmP99 = latency(s.client, n, shardsCall...)
		s.stop()
		s = start(b.gearsd, b.args...)
		warmPool(s.client, "4")
		r.load = sustained(s, clients, duration, shardsCall...)
		s.stop()
		rows = append(rows, r)
	}

	fmt.Println("### Interpreter creation: a call with no pool against CPython's own create and end")
	fmt.Println()
	fmt.Println("One client, one call at a time, the server settled before each (the previous session ended). " +
		"CPython's figures are bench/rawinterp's over the same libpython and configuration, on one thread, in the same run, " +
		"with the memory of ended interpreters given back as gearsd does.")
	fmt.Println()
	fmt.Println("| build | CPython create | CPython end | create+end | gearsd call, pool disabled (p50) | ratio | target |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, r := range rows {
		raw := r.raw.create + r.raw.end
		ratio := float64(r.coldP50) / float64(raw)
		fmt.Printf("| %s | %s | %s | %s | %s | %.2fx | at most 1.5x %s |\n", r.b.name, ms(r.raw.create), ms(r.raw.end), ms(raw),
			ms(r.coldP50), ratio, verdict(ratio <= 1.5))
	}
	fmt.Println()

	fmt.Println("### Warm latency: a call that finds an interpreter ready")
	fmt.Println()
	fmt.Println("| build | p50 | p99 | target |")
	fmt.Println("|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | p50 at most 1 ms %s |\n", r.b.name, ms(r.warmP50), ms(r.warmP99), verdict(r.warmP50 <= time.Millisecond))
	}
	if path, err := exec.LookPath(redisServer); err == nil {
		rs := startRedis(path)
		p50, p99 := latency(rs.client, n, "EVAL", "return 1", "0")
		rs.stop()
		fmt.Printf("| redis-server, EVAL \"return 1\" 0 (reference round trip) | %s | %s | |\n", ms(p50), ms(p99))
	}
	fmt.Println()

	fmt.Printf("### Sustained load: %d clients back to back for %s\n\n", clients, duration)
	fmt.Println("Each call is a new session: the pool refills while the lanes work, and every ended interpreter must give its memory back. " +
		"The ceiling is what CPython alone allows: the cores the lanes can use divided by CPython's create+end time of the same run, " +
		"that time taken with one rawinterp per lane running at once (what the machine gives that many CPU-bound threads now; " +
		"the figure one rawinterp alone gives is beside it). " +
		"RSS is read after MEMORY PURGE (a collection, the free heap and the kept arenas returned), with the pool full, before the load and after it has drained.")
	fmt.Println()
	fmt.Println("| build | calls/s | p50 | p99 | ceiling (one rawinterp alone) | ratio (alone) | target | live interpreters, most | server CPU per call | RSS before / after |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		ceiling := float64(r.b.lanes) / r.raw.parallel.Seconds()
		alone := float64(r.b.lanes) / (r.raw.create + r.raw.end).Seconds()
		ratio := r.load.rate / ceiling
		fmt.Printf("| %s | %.1f | %s | %s | %.0f/s (%.0f/s) | %.2fx (%.2fx) | at least 0.7x %s | %d (pool %d + %d clients) | %s | %.1f / %.1f MB |\n",
			r.b.name, r.load.rate, ms(r.load.p50), ms(r.load.p99), ceiling, alone, ratio, r.load.rate/alone, verdict(ratio >= 0.7),
			r.load.maxLive, r.load.pool, clients, ms(r.load.cpuPerCall), r.load.rssBefore, r.load.rssAfter)
	}
	fmt.Println()
	fmt.Println("Resident memory each interpreter created and ended leaves behind, CPython alone (bench/rawinterp, 300 of them):")
	fmt.Println()
	fmt.Println("| build | CPython as it is | with gearsd's reclaim |")
	fmt.Println("|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %.1f KB | %.1f KB |\n", r.b.name, r.raw.keptKB, r.raw.reclaimKB)
	}
	fmt.Println()
}

func verdict(ok bool) string {
	if ok {
		return "(pass)"
	}
	return "(FAIL)"
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%d µs", d.Microseconds())
}

// loadFigures are one sustained run's.
type loadFigures struct {
	rate                float64
	p50, p99            time.Duration
	maxLive, pool       int
	cpuPerCall          time.Duration
	rssBefore, rssAfter float64 // MB
}

// sustained runs clients connections sending call back to back for d,
// sampling INFO gears meanwhile.
func sustained(s *server, clients int, d time.Duration, call ...any) loadFigures {
	var f loadFigures
	f.pool = gearsField(s.client, "pool_size")
	f.rssBefore = purgedRSS(s)
	cpu0 := cpuTicks(s.cmd.Process.Pid)
	stop := time.Now().Add(d)
	var mu sync.Mutex
	var samples []time.Duration
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := redis.NewClient(&redis.Options{Addr: s.client.Options().Addr, ReadTimeout: time.Minute})
			defer c.Close()
			var mine []time.Duration
			for time.Now().Before(stop) {
				t := time.Now()
				must(c.Do(context.Background(), call...).Err())
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		}()
	}
	for time.Now().Before(stop) {
		f.maxLive = max(f.maxLive, gearsField(s.client, "live_interpreters"))
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	elapsed := time.Since(t0)
	cpu := time.Duration(cpuTicks(s.cmd.Process.Pid)-cpu0) * time.Second / ticksPerSecond
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	f.rate = float64(len(samples)) / elapsed.Seconds()
	f.p50, f.p99 = samples[len(samples)/2], samples[len(samples)*99/100]
	f.cpuPerCall = cpu / time.Duration(len(samples))
	settle(s.client)
	f.rssAfter = purgedRSS(s)
	return f
}

// purgedRSS is the server's resident size in MB after MEMORY PURGE.
func purgedRSS(s *server) float64 {
	must(s.client.Do(context.Background(), "MEMORY", "PURGE").Err())
	return float64(vmRSS(s.cmd.Process.Pid)) / (1 << 20)
}

// usableCores is what lanes can use on this machine.
func usableCores(lanes int) int { return min(lanes, runtime.NumCPU()) }

// buildName labels a build for the tables.
func buildName(version string, lanes int, ownGIL bool) string {
	gil := "shared GIL"
	if ownGIL {
		gil = "a GIL each"
	}
	return fmt.Sprintf("CPython %s, %d lane%s (%s)", version, lanes, map[bool]string{true: "s"}[lanes > 1], gil)
}

// pythonVersion asks a server which CPython it links.
func pythonVersion(bin string) string {
	s := start(bin, "--python.pool-size", "0")
	defer s.stop()
	return strings.TrimSpace(gearsString(s.client, "python_version"))
}
