package server

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/store"
	"github.com/rs/zerolog"
)

// infoFields reads the name:value lines of an INFO reply, in order.
func infoFields(text string) (names []string, values map[string]string) {
	values = map[string]string{}
	for _, line := range strings.Split(text, "\r\n") {
		if name, v, ok := strings.Cut(line, ":"); ok {
			names = append(names, name)
			values[name] = v
		}
	}
	return names, values
}

func infoInt(t *testing.T, values map[string]string, name string) int64 {
	t.Helper()
	v, ok := values[name]
	if !ok {
		t.Fatalf("INFO has no %s", name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("INFO %s = %q", name, v)
	}
	return n
}

func TestInfoKeyspaceCounters(t *testing.T) {
	ts := startServer(t, nil)
	rc := dialRaw(t, ts.addr)
	expect(t, rc.do("SET", "a", "1"), "OK")
	expect(t, rc.do("SET", "e", "v", "PX", "1"), "OK")
	expect(t, rc.do("GET", "a"), `"1"`)
	expect(t, rc.do("GET", "nope"), "(nil)")
	rc.do("MGET", "a", "nope", "a")
	time.Sleep(10 * time.Millisecond)
	expect(t, rc.do("GET", "e"), "(nil)") // expired: by this GET or the active cycle
	expect(t, rc.do("INCR", "n"), "(integer) 1")

	names, values := infoFields(rc.do("INFO", "stats").Str)
	for name, want := range map[string]int64{"keyspace_hits": 3, "keyspace_misses": 3, "expired_keys": 1} {
		if got := infoInt(t, values, name); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	// Redis 7's order, for the fields gearsd has.
	order := []string{"total_connections_received", "total_commands_processed", "total_net_input_bytes",
		"rejected_connections", "expired_keys", "keyspace_hits", "keyspace_misses",
		"pubsub_channels", "pubsub_patterns", "total_error_replies"}
	if strings.Join(names, ",") != strings.Join(order, ",") {
		t.Errorf("INFO stats fields %q, want %q", names, order)
	}

	expect(t, rc.do("CONFIG", "RESETSTAT"), "OK")
	_, values = infoFields(rc.do("INFO", "stats").Str)
	for _, name := range []string{"keyspace_hits", "keyspace_misses", "expired_keys"} {
		if got := infoInt(t, values, name); got != 0 {
			t.Errorf("after CONFIG RESETSTAT %s = %d", name, got)
		}
	}
	rc.do("GET", "a")
	if _, values = infoFields(rc.do("INFO", "stats").Str); infoInt(t, values, "keyspace_hits") != 1 {
		t.Errorf("keyspace_hits after a reset and a GET: %s", values["keyspace_hits"])
	}
}

// A store without the counters (a cluster-backed one, say) reports 0.
func TestInfoKeyspaceCountersOptional(t *testing.T) {
	cfg, err := config.Load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ks := store.NewKeyspace(store.Options{})
	defer ks.Close()
	bare := struct{ store.Store }{ks} // hides StatsCounters
	s := New(cfg, bare, zerolog.Nop())
	defer s.Close()
	ks.Do([][]byte{[]byte("GET"), []byte("k")})
	for _, f := range infoStats(s) {
		switch f.Name {
		case "keyspace_hits", "keyspace_misses", "expired_keys":
			if f.Value != "0" {
				t.Errorf("%s = %s without the interface", f.Name, f.Value)
			}
		}
	}
	cmdConfigResetstat(s, nil, nil) // must not need the interface either
	if _, ok := any(ks).(StatsCounter); !ok {
		t.Error("the keyspace does not implement StatsCounter")
	}
}

func TestInfoMemoryPeak(t *testing.T) {
	ts := startServer(t, nil)
	rc := dialRaw(t, ts.addr)
	_, values := infoFields(rc.do("INFO", "memory").Str)
	used0, peak0 := infoInt(t, values, "used_memory"), infoInt(t, values, "used_memory_peak")
	if peak0 < used0 || values["used_memory_peak_human"] == "" {
		t.Fatalf("used_memory_peak %d (%s) below used_memory %d", peak0, values["used_memory_peak_human"], used0)
	}

	// The sampler sees a heap INFO never sees: a large allocation made and
	// dropped between two INFOs.
	size := int(peak0) + 16<<20
	buf := make([]byte, size)
	deadline := time.Now().Add(10 * time.Second)
	for heapPeak.max.Load() < uint64(size) {
		if time.Now().After(deadline) {
			t.Fatalf("the sampler never saw the heap above %d bytes (peak %d)", size, heapPeak.max.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	runtime.KeepAlive(buf)
	buf = nil
	runtime.GC()
	_, values = infoFields(rc.do("INFO", "memory").Str)
	used1, peak1 := infoInt(t, values, "used_memory"), infoInt(t, values, "used_memory_peak")
	if used1 >= int64(size) || peak1 < int64(size) {
		t.Errorf("after dropping %d bytes: used_memory %d, used_memory_peak %d", size, used1, peak1)
	}

	// A large value stored through a command: used_memory grows past the
	// old peak and the peak follows.
	size = int(peak1) + 16<<20
	expect(t, rc.do("SET", "big", strings.Repeat("x", size)), "OK")
	_, values = infoFields(rc.do("INFO", "memory").Str)
	used2, peak2 := infoInt(t, values, "used_memory"), infoInt(t, values, "used_memory_peak")
	if used2 < int64(size) || peak2 < used2 || peak2 <= peak1 {
		t.Errorf("with a %d-byte value: used_memory %d, used_memory_peak %d (was %d)", size, used2, peak2, peak1)
	}
	names, _ := infoFields(rc.do("INFO", "memory").Str)
	if got := strings.Join(names[:6], ","); got != "used_memory,used_memory_human,used_memory_rss,used_memory_rss_human,used_memory_peak,used_memory_peak_human" {
		t.Errorf("INFO memory begins %s", got)
	}
	// CONFIG RESETSTAT leaves the peak alone, as Redis's does.
	expect(t, rc.do("CONFIG", "RESETSTAT"), "OK")
	if _, values = infoFields(rc.do("INFO", "memory").Str); infoInt(t, values, "used_memory_peak") < peak2 {
		t.Errorf("CONFIG RESETSTAT lowered used_memory_peak to %s", values["used_memory_peak"])
	}
}
