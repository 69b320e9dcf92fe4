package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// workload is one row of the keyspace table: the same redis-benchmark
// arguments against redis-server and gearsd.
type workload struct {
	tests  string // redis-benchmark -t
	args   []string
	label  string // how the row is named, "%s" standing for the test
	target float64
	needs  []string // commands gearsd must serve for the row to be run
}

const benchClients = "50"

func keyspaceWorkloads(n int) []workload {
	nn := strconv.Itoa(n)
	np := strconv.Itoa(n * 10)
	return []workload{
		{tests: "set,get", args: []string{"-c", benchClients, "-n", nn}, label: "%s -c 50", target: 1.0},
		{tests: "set,get", args: []string{"-c", benchClients, "-n", np, "-P", "16"}, label: "%s -c 50 -P 16", target: 1.0},
		{tests: "lpush,lpop", args: []string{"-c", benchClients, "-n", nn}, label: "%s -c 50", target: 0.8, needs: []string{"lpush", "lpop"}},
		{tests: "zadd", args: []string{"-c", benchClients, "-n", nn}, label: "%s -c 50", target: 0.8, needs: []string{"zadd"}},
		{tests: "hset", args: []string{"-c", benchClients, "-n", nn}, label: "%s -c 50", target: 0.8, needs: []string{"hset"}},
	}
}

// side is one server of the comparison.
type side struct {
	name string
	srv  *server
	addr string
}

// runKeyspace prints the keyspace table: each workload run against
// redis-server and each gearsd in turn, rounds times, the best of each side
// kept; then the memory of a million small string keys.
func runKeyspace(gearsd, redisServer, benchmark string, n, rounds, keys int, variants []string) {
	fmt.Println("## Keyspace vs redis-server")
	if _, err := exec.LookPath(benchmark); err != nil {
		fmt.Printf("redis-benchmark not found (%s): skipped.\n\n", benchmark)
		return
	}
	redisPath, err := exec.LookPath(redisServer)
	if err != nil {
		fmt.Printf("redis-server not found (%s): skipped.\n\n", redisServer)
		return
	}
	r := startRedis(redisPath)
	defer r.stop()
	g := start(gearsd, keyspaceArgs()...)
	defer g.stop()
	sides := []side{{"redis-server", r, r.client.Options().Addr}, {"gearsd", g, g.client.Options().Addr}}
	for _, env := range variants {
		v := startEnv(gearsd, []string{env}, keyspaceArgs()...)
		defer v.stop()
		sides = append(sides, side{"gearsd " + env, v, v.client.Options().Addr})
	}

	fmt.Printf("redis-benchmark -q --csv with the arguments shown, against each server in turn (the order rotating), %d rounds; "+
		"each server's best round is kept. 2 cores shared by redis-benchmark, the server and other work: single runs vary by 10-30%%.\n\n", rounds)
	head, rule := "| workload | redis-server req/s |", "|---|---|"
	for _, sd := range sides[1:] {
		head += " " + sd.name + " req/s | ratio |"
		rule += "---|---|"
	}
	names := make([]string, len(sides))
	for i, sd := range sides {
		names[i] = sd.name
	}
	head += " target | | server CPU per request: " + strings.Join(names, ", ") +
		" | redis-benchmark CPU per request, against: " + strings.Join(names, ", ") + " |"
	fmt.Println(head)
	fmt.Println(rule + "---|---|---|---|")
	for _, w := range keyspaceWorkloads(n) {
		if missing := unsupported(sides[1].addr, w.needs); missing != "" {
			for _, t := range strings.Split(w.tests, ",") {
				fmt.Printf("| %s |%s %.1fx | skipped: gearsd has no %s yet | |\n", fmt.Sprintf(w.label, strings.ToUpper(t)),
					strings.Repeat(" |", 1+2*(len(sides)-1)), w.target, missing)
			}
			continue
		}
		best := map[string][]float64{}
		cpu := make([]float64, len(sides))       // least server CPU per request of a round, in µs
		clientCPU := make([]float64, len(sides)) // and redis-benchmark's in the same round
		var order []string
		for round := range rounds {
			for k := range sides {
				sd := sides[(k+round)%len(sides)]
				flush(sd.addr)
				t0 := cpuTicks(sd.srv.cmd.Process.Pid)
				res, used, err := redisBenchmark(benchmark, sd.addr, w.tests, w.args)
				if err != nil {
					fmt.Fprintf(os.Stderr, "redis-benchmark against %s: %v\n", sd.name, err)
					continue
				}
				i := slices.IndexFunc(sides, func(x side) bool { return x.addr == sd.addr })
				reqs := float64(len(res)) * float64(requestsOf(w.args))
				us := float64(cpuTicks(sd.srv.cmd.Process.Pid)-t0) * 1e6 / ticksPerSecond / reqs
				if cpu[i] == 0 || us < cpu[i] {
					cpu[i] = us
					clientCPU[i] = float64(used.Microseconds()) / reqs
				}
				for _, tr := range res {
					if _, seen := best[tr.test]; !seen {
						order = append(order, tr.test)
						best[tr.test] = make([]float64, len(sides))
					}
					best[tr.test][i] = max(best[tr.test][i], tr.rps)
				}
			}
		}
		for _, t := range order {
			b := best[t]
			row := fmt.Sprintf("| %s | %s |", fmt.Sprintf(w.label, t), rate(b[0]))
			var verdicts []string
			for i := 1; i < len(sides); i++ {
				ratio := 0.0
				if b[0] > 0 {
					ratio = b[i] / b[0]
				}
				row += fmt.Sprintf(" %s | %.2fx |", rate(b[i]), ratio)
				v := "pass"
				if ratio < w.target {
					v = "**fail**"
				}
				verdicts = append(verdicts, v)
			}
			fmt.Printf("%s %.1fx | %s | %s µs | %s µs |\n", row, w.target, strings.Join(verdicts, " / "), micros(cpu), micros(clientCPU))
		}
	}

	// Memory: the same million keys loaded into each, then MEMORY PURGE
	// on both (gearsd: a GC and the free heap returned to the system).
	rMem := memoryFor(sides[0].addr, keys, func() int64 { return infoInt(sides[0].addr, "memory", "used_memory_rss") })
	gMem := memoryFor(sides[1].addr, keys, func() int64 { return vmRSS(g.cmd.Process.Pid) })
	ratio := float64(gMem.after) / float64(rMem.after)
	verdict := "pass"
	if ratio > 1.5 {
		verdict = "**fail**"
	}
	fmt.Printf("\n| memory, %s keys `key:%%012d` = `xxx`, RSS after MEMORY PURGE | redis-server | gearsd | ratio | target | |\n|---|---|---|---|---|---|\n",
		humanCount(keys))
	fmt.Printf("| empty | %s | %s | | | |\n", mb(rMem.before), mb(gMem.before))
	fmt.Printf("| loaded | %s | %s | %.2fx | at most 1.5x | %s |\n", mb(rMem.after), mb(gMem.after), ratio, verdict)
	fmt.Printf("| per key (loaded - empty) | %.0f B | %.0f B | | | |\n",
		float64(rMem.after-rMem.before)/float64(keys), float64(gMem.after-gMem.before)/float64(keys))
	fmt.Println()
	fmt.Println("redis-server: `redis-server --save \"\" --appendonly no`, RSS from INFO memory used_memory_rss. " +
		"gearsd: `" + strings.Join(append([]string{"gearsd"}, keyspaceArgs()...), " ") + "`, RSS from /proc/PID/status VmRSS.")
	fmt.Println()
}

// startEnv is start with extra environment variables.
func startEnv(bin string, env []string, args ...string) *server {
	port := freePort()
	dir, err := os.MkdirTemp("", "gearsd-bench")
	must(err)
	argv := append([]string{"--port", strconv.Itoa(port), "--dir", dir, "--loglevel", "warning"}, args...)
	cmd := exec.Command(bin, argv...)
	cmd.Env = append(os.Environ(), env...)
	return launch(cmd, port)
}

// keyspaceArgs are gearsd's settings for the keyspace runs: no AOF, as
// redis-server runs, and no interpreters kept ready, since no Python runs.
func keyspaceArgs() []string {
	return []string{"--appendonly", "no", "--python.pool-size", "0"}
}

type benchResult struct {
	test string
	rps  float64
}

// redisBenchmark runs redis-benchmark -q --csv and returns each test's
// requests per second and the CPU time redis-benchmark used (user and
// system): on a machine where client and server share two cores, what the
// server makes its client spend is part of the rate.
func redisBenchmark(bin, addr, tests string, args []string) ([]benchResult, time.Duration, error) {
	host, port, _ := net.SplitHostPort(addr)
	argv := append([]string{"-h", host, "-p", port, "-q", "--csv", "-t", tests}, args...)
	cmd := exec.Command(bin, argv...)
	out, err := cmd.Output()
	if err != nil {
		return nil, 0, fmt.Errorf("%v: %s", err, out)
	}
	used := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil {
		return nil, 0, fmt.Errorf("%v: %s", err, out)
	}
	var res []benchResult
	for _, row := range rows {
		if len(row) < 2 || row[0] == "test" {
			continue
		}
		rps, err := strconv.ParseFloat(row[1], 64)
		if err != nil {
			continue
		}
		res = append(res, benchResult{test: row[0], rps: rps})
	}
	if len(res) == 0 {
		return nil, 0, fmt.Errorf("no results: %s", out)
	}
	return res, used, nil
}

// micros joins per-server figures in µs.
func micros(us []float64) string {
	var s []string
	for _, u := range us {
		s = append(s, fmt.Sprintf("%.2f", u))
	}
	return strings.Join(s, " / ")
}

// unsupported returns the first of names that addr does not know.
func unsupported(addr string, names []string) string {
	for _, name := range names {
		v := rawDo(addr, "COMMAND", "INFO", name)
		if strings.HasPrefix(v, "*1\r\n*-1") || strings.HasPrefix(v, "*1\r\n$-1") {
			return strings.ToUpper(name)
		}
	}
	return ""
}

func flush(addr string) { rawDo(addr, "FLUSHALL") }

type memResult struct{ before, after int64 }

// memoryFor loads keys string keys into addr through a pipelined
// connection and returns its RSS before and after, each read after MEMORY
// PURGE.
func memoryFor(addr string, keys int, rss func() int64) memResult {
	flush(addr)
	rawDo(addr, "MEMORY", "PURGE")
	time.Sleep(200 * time.Millisecond)
	var m memResult
	m.before = rss()
	c, err := net.Dial("tcp", addr)
	must(err)
	defer c.Close()
	rd := bufio.NewReaderSize(c, 64*1024)
	const batch = 1000
	done := make(chan error, 1)
	go func() {
		// Read the replies as they come, so neither side's buffers fill.
		for i := 0; i < keys; i++ {
			line, err := rd.ReadString('\n')
			if err != nil {
				done <- err
				return
			}
			if line != "+OK\r\n" {
				done <- fmt.Errorf("SET replied %q", line)
				return
			}
		}
		done <- nil
	}()
	w := bufio.NewWriterSize(c, 64*1024)
	key := []byte("key:000000000000")
	for i := 0; i < keys; i++ {
		key = fmt.Appendf(key[:4], "%012d", i)
		fmt.Fprintf(w, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxxx\r\n", len(key), key)
		if i%batch == batch-1 {
			must(w.Flush())
		}
	}
	must(w.Flush())
	must(<-done)
	if got := rawDo(addr, "DBSIZE"); got != ":"+strconv.Itoa(keys)+"\r\n" {
		panic(fmt.Sprintf("DBSIZE after loading %d keys: %q", keys, got))
	}
	rawDo(addr, "MEMORY", "PURGE")
	time.Sleep(200 * time.Millisecond)
	m.after = rss()
	flush(addr)
	return m
}

// rawDo sends one command and returns its raw reply (one read, enough for
// the short replies it is used for).
func rawDo(addr string, args ...string) string {
	c, err := net.Dial("tcp", addr)
	must(err)
	defer c.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_, err = io.WriteString(c, b.String())
	must(err)
	_ = c.SetReadDeadline(time.Now().Add(60 * time.Second))
	buf := make([]byte, 64*1024)
	n, err := c.Read(buf)
	must(err)
	return string(buf[:n])
}

func infoInt(addr, section, name string) int64 {
	c := redisClient(addr)
	defer c.Close()
	text, err := c.Info(context.Background(), section).Result()
	must(err)
	for _, line := range strings.Split(text, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == name {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// vmRSS reads a process's resident set size from /proc.
func vmRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	must(err)
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func rate(rps float64) string {
	switch {
	case rps == 0:
		return "-"
	case rps >= 1e6:
		return fmt.Sprintf("%.2fM", rps/1e6)
	default:
		return fmt.Sprintf("%.1fk", rps/1e3)
	}
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

func humanCount(n int) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%dM", n/1_000_000)
	}
	return strconv.Itoa(n)
}

func redisClient(addr string) *redis.Client { return redis.NewClient(&redis.Options{Addr: addr}) }

// ticksPerSecond is the unit of /proc/PID/stat's CPU times (USER_HZ).
const ticksPerSecond = 100

// cpuTicks is the CPU time a process has used, user and system, in ticks.
func cpuTicks(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (in parentheses, which may hold
	// spaces): utime and stime are the 14th and 15th of the line.
	rest := string(data[strings.LastIndexByte(string(data), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// requestsOf is the -n of redis-benchmark arguments.
func requestsOf(args []string) int {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-n" {
			n, _ := strconv.Atoi(args[i+1])
			return n
		}
	}
	return 100000 // redis-benchmark's default
}
