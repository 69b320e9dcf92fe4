// Command rawinterp measures CPython itself: it creates and ends
// sub-interpreters with the configuration gearsd uses, over the same
// libpython, on one locked thread, and prints the time per create and end
// and the resident memory growth per interpreter. It is the floor gearsd's
// own figures are compared with (make bench, docs/benchmarks.md).
//
// -reclaim=false leaves CPython as it is; -reclaim=true gives back what
// CPython 3.12+ keeps of an ended interpreter, as gearsd does
// (python/reclaim.c).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gearsd/gearsd/python"
)

func main() {
	n := flag.Int("n", 300, "interpreters to create and end")
	own := flag.Bool("own-gil", false, "isolated configuration with its own GIL (CPython 3.12+)")
	reclaim := flag.Bool("reclaim", false, "give back what CPython keeps of an ended interpreter, as gearsd does")
	flag.Parse()
	runtime.LockOSThread()
	python.SetReclaim(*reclaim)
	rt, err := python.Initialize()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	main := rt.MainThreadState()
	// One interpreter first, so that the figures leave out what the first
	// one loads once for the process.
	cycle(rt, main, *own)
	rss0 := rss()
	creates := make([]time.Duration, *n)
	ends := make([]time.Duration, *n)
	for i := range creates {
		creates[i], ends[i] = cycle(rt, main, *own)
	}
	grown := rss() - rss0
	fmt.Printf("rawinterp python=%s own-gil=%v reclaim=%v n=%d create_p50_us=%d end_p50_us=%d rss_growth_kb=%d per_interpreter_kb=%.1f\n",
		python.VersionString(), *own, *reclaim, *n, p50(creates).Microseconds(), p50(ends).Microseconds(),
		grown/1024, float64(grown)/1024/float64(*n))
}

func cycle(rt *python.Runtime, main *python.ThreadState, own bool) (create, end time.Duration) {
	t0 := time.Now()
	main.Attach()
	_, ts, err := rt.NewInterpreter(main, own, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	t1 := time.Now()
	ts.Attach()
	ts.EndInterpreter(main, nil)
	return t1.Sub(t0), time.Since(t1)
}

func p50(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// rss is the resident set size in bytes.
func rss() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
