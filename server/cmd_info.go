package server

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/resp"
)

// INFO [section ...]: Redis's text format, "# Title" then name:value lines,
// sections separated by a blank line, CRLF line ends.
func init() {
	register(&command{name: "info", arity: -1, group: "server", since: "1.0.0",
		summary: "Returns information and statistics about the server.", run: cmdInfo})
}

// infoSections are the server's own sections, in the order INFO writes
// them; the modules' sections follow.
var infoSections = []struct {
	name   string
	fields func(s *Server) []InfoField
}{
	{"server", infoServer},
	{"clients", infoClients},
	{"memory", infoMemory},
	{"persistence", infoPersistence}, // cmd_info_persistence.go
	{"stats", infoStats},
	{"replication", infoReplication},
	{"cpu", infoCPU},
	{"keyspace", infoKeyspace},
}

// KeyspaceCounter may be implemented by a store to give INFO keyspace its
// count of keys with an expiry; without it INFO counts keys with DBSIZE and
// reports expires=0.
type KeyspaceCounter interface {
	KeyspaceStats() (keys, expires int64)
}

// StatsCounter may be implemented by a store to give INFO stats
// keyspace_hits, keyspace_misses and expired_keys, counted as Redis counts
// them; CONFIG RESETSTAT zeroes them with ResetStatsCounters. Without it
// the three read 0.
type StatsCounter interface {
	StatsCounters() (hits, misses, expired int64)
	ResetStatsCounters()
}

func cmdInfo(s *Server, c *client, args [][]byte) resp.Value {
	// >> Args: no section, default, all and everything mean every section.
	want := map[string]bool{}
	all := len(args) == 1
	for _, a := range args[1:] {
		switch name := strings.ToLower(string(a)); name {
		case "default", "all", "everything":
			all = true
		default:
			want[name] = true
		}
	}
	// >> Operation
	s.sampleHeapPeak()
	var b strings.Builder
	write := func(name string, fields []InfoField) {
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + strings.ToUpper(name[:1]) + name[1:] + "\r\n")
		for _, f := range fields {
			b.WriteString(f.Name + ":" + f.Value + "\r\n")
		}
	}
	for _, sec := range infoSections {
		if all || want[sec.name] {
			write(sec.name, sec.fields(s))
		}
	}
	for _, m := range s.modules {
		name, fields := m.Info()
		if name != "" && (all || want[strings.ToLower(name)]) {
			write(name, fields)
		}
	}
	// >> Response
	return resp.Bulk(b.String())
}

func field(name string, v any) InfoField { return InfoField{name, fmt.Sprint(v)} }

func infoServer(s *Server) []InfoField {
	port := strconv.Itoa(s.cfg.Int(config.Port))
	if a, ok := s.Addr().(*net.TCPAddr); ok {
		port = strconv.Itoa(a.Port)
	}
	exe, _ := os.Executable()
	up := time.Since(s.started)
	return []InfoField{
		field("redis_version", redisVersion),
		field("gearsd_version", Version),
		field("redis_mode", "standalone"),
		field("os", runtime.GOOS+" "+runtime.GOARCH),
		field("arch_bits", strconv.IntSize),
		field("go_version", runtime.Version()),
		field("process_id", os.Getpid()),
		field("run_id", s.runID),
		field("tcp_port", port),
		field("server_time_usec", time.Now().UnixMicro()),
		field("uptime_in_seconds", int64(up.Seconds())),
		field("uptime_in_days", int64(up.Hours()/24)),
		field("executable", exe),
		field("config_file", s.cfg.File()),
	}
}

func infoClients(s *Server) []InfoField {
	return []InfoField{
		field("connected_clients", len(s.clientList())),
		field("maxclients", s.cfg.Int(config.MaxClients)),
		field("blocked_clients", s.stats.blocked.Load()),
	}
}

// infoMemory reports the Go heap and the process's resident size; Python's
// allocations are outside the Go heap and show in the resident size only.
// The peak is the heap's (heap_peak.go).
func infoMemory(s *Server) []InfoField {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss := residentBytes()
	if rss == 0 {
		rss = int64(m.Sys)
	}
	peak := noteHeap(m.HeapAlloc)
	return []InfoField{
		field("used_memory", m.HeapAlloc),
		field("used_memory_human", humanBytes(int64(m.HeapAlloc))),
		field("used_memory_rss", rss),
		field("used_memory_rss_human", humanBytes(rss)),
		field("used_memory_peak", peak),
		field("used_memory_peak_human", humanBytes(int64(peak))),
		field("go_heap_sys", m.HeapSys),
		field("go_sys", m.Sys),
		field("go_num_gc", m.NumGC),
		field("go_goroutines", runtime.NumGoroutine()),
		field("mem_allocator", "go"),
	}
}

// residentBytes reads the resident set size from /proc (Linux), 0 elsewhere.
func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + "B"
	}
	v, suffix := float64(n), "B"
	for _, u := range []string{"K", "M", "G", "T"} {
		v /= unit
		suffix = u
		if v < unit {
			break
		}
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + suffix
}

// infoStats writes its fields in Redis 7's order.
func infoStats(s *Server) []InfoField {
	var hits, misses, expired int64
	if sc, ok := s.store.(StatsCounter); ok {
		hits, misses, expired = sc.StatsCounters()
	}
	return []InfoField{
		field("total_connections_received", s.stats.connections.Load()),
		field("total_commands_processed", s.stats.commands.Load()),
		field("total_net_input_bytes", s.stats.netInput.Load()),
		field("rejected_connections", s.stats.rejected.Load()),
		field("expired_keys", expired),
		field("keyspace_hits", hits),
		field("keyspace_misses", misses),
		field("pubsub_channels", len(s.pubsub.channels())),
		field("pubsub_patterns", s.pubsub.numpat()),
		field("total_error_replies", s.stats.errors.Load()),
	}
}

func infoReplication(s *Server) []InfoField {
	return []InfoField{field("role", "master"), field("connected_slaves", 0)}
}

func infoCPU(s *Server) []InfoField {
	sys, user, ok := cpuTimes()
	if !ok {
		return nil
	}
	return []InfoField{
		field("used_cpu_sys", strconv.FormatFloat(sys.Seconds(), 'f', 6, 64)),
		field("used_cpu_user", strconv.FormatFloat(user.Seconds(), 'f', 6, 64)),
	}
}

// infoKeyspace writes db0 when it holds keys, as Redis does.
func infoKeyspace(s *Server) []InfoField {
	if s.store == nil {
		return nil
	}
	var keys, expires int64
	if kc, ok := s.store.(KeyspaceCounter); ok {
		keys, expires = kc.KeyspaceStats()
	} else if _, ok := s.store.Lookup("dbsize"); ok {
		if v := s.store.Do([][]byte{[]byte("DBSIZE")}); v.Kind == resp.KindInt {
			keys = v.Int
		}
	}
	if keys == 0 {
		return nil
	}
	return []InfoField{field("db0", fmt.Sprintf("keys=%d,expires=%d,avg_ttl=0", keys, expires))}
}
