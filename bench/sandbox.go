package main

import (
	"fmt"
	"time"
)

// runSandbox measures what python.sandbox strict (the default) costs
// against trusted mode, in the same run and alternating: SET/GET from
// redis-benchmark (the sandbox is Python's, so this shows only the
// descriptor registry's cost), RG.PYEXECUTE one call at a time with the
// pool warm, and the sustained calls/s of clients back to back.
func runSandbox(gearsd, benchmark string, n, clients int, duration time.Duration, rounds int) {
	fmt.Println("## python.sandbox strict against trusted")
	fmt.Println()
	fmt.Printf("The same binary with `--python.sandbox strict` (the default) and `--python.sandbox trusted`, alternating, best of %d rounds each. "+
		"SET/GET: `redis-benchmark -t set,get -c 50 -n 200000`. RG.PYEXECUTE: %s, one call at a time with the pool warm (p50), "+
		"then %d clients back to back for %s (calls/s).\n\n", rounds, "`GB('ShardsIDReader').run()`", clients, duration)
	type figures struct {
		set, get, calls float64
		p50             time.Duration
		buildUS         int64 // interpreter_build_avg_us after the load
	}
	best := map[string]*figures{}
	for _, mode := range []string{"strict", "trusted"} {
		best[mode] = &figures{p50: time.Hour, buildUS: 1 << 62}
	}
	for round := 0; round < rounds; round++ {
		for _, mode := range []string{"strict", "trusted"} {
			if round%2 == 1 { // alternate which goes first
				mode = map[string]string{"strict": "trusted", "trusted": "strict"}[mode]
			}
			f := best[mode]
			s := start(gearsd, "--appendonly", "no", "--python.sandbox", mode)
			res, _, err := redisBenchmark(benchmark, s.client.Options().Addr, "set,get", []string{"-c", "50", "-n", "200000"})
			if err == nil {
				for _, r := range res {
					switch r.test {
					case "SET":
						f.set = max(f.set, r.rps)
					case "GET":
						f.get = max(f.get, r.rps)
					}
				}
			}
			warmPool(s.client, "4")
			p50, _ := latency(s.client, n, shardsCall...)
			f.p50 = min(f.p50, p50)
			warmPool(s.client, "4")
			load := sustained(s, clients, duration, shardsCall...)
			f.calls = max(f.calls, load.rate)
			f.buildUS = min(f.buildUS, infoInt(s.client.Options().Addr, "gears", "interpreter_build_avg_us"))
			s.stop()
		}
	}
	st, tr := best["strict"], best["trusted"]
	fmt.Println("| workload | trusted | strict | ratio (strict / trusted) | target |")
	fmt.Println("|---|---|---|---|---|")
	row := func(name, a, b string, ratio float64) {
		fmt.Printf("| %s | %s | %s | %.2fx | at least 0.97x %s |\n", name, a, b, ratio, verdict(ratio >= 0.97))
	}
	row("SET -c 50", rate(tr.set), rate(st.set), st.set/tr.set)
	row("GET -c 50", rate(tr.get), rate(st.get), st.get/tr.get)
	row("RG.PYEXECUTE, one at a time (p50; ratio of speeds)", ms(tr.p50), ms(st.p50), float64(tr.p50)/float64(st.p50))
	row(fmt.Sprintf("RG.PYEXECUTE, %d clients (calls/s)", clients), fmt.Sprintf("%.1f", tr.calls), fmt.Sprintf("%.1f", st.calls), st.calls/tr.calls)
	fmt.Printf("| interpreter build, average under that load (INFO gears interpreter_build_avg_us) | %d µs | %d µs | %.2fx | |\n",
		tr.buildUS, st.buildUS, float64(tr.buildUS)/float64(st.buildUS))
	fmt.Println()
}
