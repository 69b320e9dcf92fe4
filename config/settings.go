package config

// The table below is the one source of truth for gearsd's settings: their
// names, types, defaults, whether CONFIG SET may change them, and their
// descriptions. config.yaml at the repository root is rendered from it
// (WriteYAML; TestConfigYAMLUpToDate fails when the two drift, and
// `go test ./config -run TestConfigYAMLUpToDate -update` rewrites it), so the
// first layer of the loading order, "the defaults", is this table itself and
// nothing needs to be embedded.

// Names of the settings, for the typed getters: cfg.Int(config.Port).
const (
	Bind                    = "bind"
	Port                    = "port"
	RequirePass             = "requirepass"
	ProtectedMode           = "protected-mode"
	ACLFile                 = "aclfile"
	ACLLogMaxLen            = "acllog-max-len"
	TLSPort                 = "tls-port"
	TLSCertFile             = "tls-cert-file"
	TLSKeyFile              = "tls-key-file"
	TLSCACertFile           = "tls-ca-cert-file"
	TLSAuthClients          = "tls-auth-clients"
	TLSProtocols            = "tls-protocols"
	TLSCiphers              = "tls-ciphers"
	TLSCipherSuites         = "tls-ciphersuites"
	MaxClients              = "maxclients"
	Timeout                 = "timeout"
	ProtoMaxBulkLen         = "proto-max-bulk-len"
	QueryBufferLimit        = "client-query-buffer-limit"
	ClientOutputBufferLimit = "client-output-buffer-limit"
	EventLoops              = "event-loops"
	BusyPollUS              = "busy-poll-us"
	GCFloorMB               = "gc-floor-mb"
	LogLevel                = "loglevel"
	LogFormat               = "logformat"
	Databases               = "databases"
	ShutdownTimeout         = "shutdown-timeout"
	Dir                     = "dir"
	AppendOnly              = "appendonly"
	AppendFsync             = "appendfsync"
	AppendFilename          = "appendfilename"
	AOFChecksum             = "aof-checksum"
	Save                    = "save"
	NotifyKeyspaceEvents    = "notify-keyspace-events"

	SchedulerLanes        = "scheduler.lanes"
	SchedulerQueueTimeout = "scheduler.queue-timeout"
	SchedulerSpareThreads = "scheduler.spare-threads"
	SchedulerHandoffAfter = "scheduler.handoff-after"
	SchedulerTimeslice    = "scheduler.timeslice"

	PythonExecutionTimeout = "python.execution-timeout"
	PythonPoolSize         = "python.pool-size"
	PythonPoolIdleTimeout  = "python.pool-idle-timeout"
	PythonGIL              = "python.gil"
	PythonAttemptTraceback = "python.attempt-traceback"
	PythonSandbox          = "python.sandbox"
	PythonAllowSubprocess  = "python.allow-subprocess"
)

// GearsKey is the YAML key (and the --gears.<Key> prefix) of the free map of
// RedisGears configuration pairs; it is not a setting of the table.
const GearsKey = "gears"

// maxInt32 bounds integer settings as Redis bounds its own (so CONFIG SET
// gives the same range errors).
const maxInt32 = 1<<31 - 1

var table = []Setting{
	// >> Network and clients (Redis names and meanings)
	{Name: Bind, Type: String, Default: "127.0.0.1",
		Description: "address to listen on (one host name or IP address)", check: checkBind},
	{Name: Port, Type: Int, Default: "6379", Min: 0, Max: 65535,
		Description: "TCP port for plain connections (0: none, as Redis; tls-port must then be set)"},
	{Name: TLSPort, Type: Int, Default: "0", Min: 0, Max: 65535,
		Description: "TCP port for TLS connections, beside port or alone (0: no TLS)"},
	{Name: TLSCertFile, Type: String, Default: "",
		Description: "the server's certificate (PEM), with tls-port"},
	{Name: TLSKeyFile, Type: String, Default: "",
		Description: "the private key (PEM) of tls-cert-file"},
	{Name: TLSCACertFile, Type: String, Default: "",
		Description: "CA certificates (PEM) that client certificates must chain to"},
	{Name: TLSAuthClients, Type: Enum, Default: "yes", Values: []string{"yes", "no", "optional"},
		Description: "TLS clients must present a certificate signed by tls-ca-cert-file (yes), may (optional), or are not asked (no)"},
	{Name: TLSProtocols, Type: String, Default: "",
		Description: "TLS versions accepted, among TLSv1 TLSv1.1 TLSv1.2 TLSv1.3, a range (empty: TLSv1.2 TLSv1.3, as Redis)"},
	{Name: TLSCiphers, Type: String, Default: "",
		Description: "TLS 1.2 cipher suites, colon-separated, OpenSSL or IANA names (empty: Go's secure defaults)"},
	{Name: TLSCipherSuites, Type: String, Default: "",
		Description: "TLS 1.3 cipher suites; Go's crypto/tls always enables all of them, so the list must name them all or be empty"},
	{Name: RequirePass, Type: String, Default: "", Runtime: true,
		Description: "password clients must give with AUTH or HELLO AUTH; empty means none"},
	{Name: ACLFile, Type: String, Default: "",
		Description: "the ACL users file (Redis's format), loaded at start and by ACL LOAD, written by ACL SAVE; empty: users live in memory only"},
	{Name: ACLLogMaxLen, Type: Int, Default: "128", Runtime: true, Min: 0, Max: 1<<63 - 1,
		Description: "most entries ACL LOG keeps"},
	{Name: ProtectedMode, Type: Bool, Default: "yes", Runtime: true,
		Description: "with no requirepass, refuse clients that are not on the loopback interface with Redis's DENIED text, as redis-server does"},
	{Name: MaxClients, Type: Int, Default: "10000", Runtime: true, Min: 1, Max: 1<<32 - 1,
		Description: "most clients connected at once; more are refused"},
	{Name: EventLoops, Type: Int, Default: "1", Min: 0, Max: 64,
		Description: "threads serving connections from epoll (Linux), as Redis's event loop; a connection moves to its own goroutine for a command that waits (BLPOP, SUBSCRIBE, RG.*); 0 gives every connection its own goroutine"},
	{Name: BusyPollUS, Type: Int, Default: "20", Min: 0, Max: 1000,
		Description: "microseconds an event loop that has just served requests keeps polling for more before it sleeps: a client's next request then does not have to wake it (0 sleeps at once)"},
	{Name: Timeout, Type: Int, Default: "0", Runtime: true, Min: 0, Max: maxInt32,
		Description: "close a client idle for this many seconds (0 never); applies to new connections"},
	{Name: ProtoMaxBulkLen, Type: Memory, Default: "536870912", Runtime: true, Min: 1 << 20, Max: 1<<63 - 1,
		Description: "longest bulk string a client may send (512mb); a longer one is a protocol error and the client is closed"},
	{Name: QueryBufferLimit, Type: Memory, Default: "1073741824", Runtime: true, Min: 1 << 20, Max: 1<<63 - 1,
		Description: "most bytes of a client's input held before they form a command (1gb); a client past it is closed and logged"},
	{Name: ClientOutputBufferLimit, Type: String, Default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", Runtime: true,
		merge:       mergeOutputLimits,
		Description: "per class (normal, pubsub; replica is kept for Redis's syntax): hard limit, soft limit, soft seconds of a client's unsent replies; past hard, or over soft that long, the client is closed (0: no limit)"},
	{Name: LogLevel, Type: Enum, Default: "notice", Runtime: true,
		Values:      []string{"debug", "verbose", "notice", "warning"},
		Description: "least severe messages logged, in Redis's names (zerolog's trace, debug, info, warn)"},
	{Name: LogFormat, Type: Enum, Default: "auto", Values: []string{"auto", "console", "json"},
		Description: "log format; auto: console when stderr is a terminal, JSON otherwise"},
	{Name: Databases, Type: Int, Default: "1", Min: 1, Max: 1,
		Description: "number of databases; gearsd serves database 0 only"},
	{Name: ShutdownTimeout, Type: Int, Default: "10", Runtime: true, Min: 0, Max: maxInt32,
		Description: "seconds a shutdown waits for in-flight commands before closing their connections"},

	// >> Keyspace and persistence (declared now, used by the persistence issue)
	{Name: Dir, Type: String, Default: "./data",
		Description: "working directory of the keyspace's files"},
	{Name: AppendOnly, Type: Bool, Default: "no",
		Description: "log every write to the append-only file"},
	{Name: AppendFsync, Type: Enum, Default: "everysec", Values: []string{"everysec", "always", "no"},
		Description: "when the append-only file is synced to disk"},
	{Name: AppendFilename, Type: String, Default: "appendonly.aof",
		Description: "name of the append-only file inside dir"},
	{Name: AOFChecksum, Type: Bool, Default: "yes",
		Description: "follow every batch written to the append-only file with a checksum annotation (a '#' line, which Redis and redis-check-aof skip), checked at load: a file whose bytes changed is refused"},
	{Name: Save, Type: String, Default: "", Runtime: true, check: checkSave,
		Description: "RDB snapshot points; gearsd takes no snapshots (its persistence is the append-only file), so only \"\" is accepted, as redis-server --save \"\""},
	{Name: NotifyKeyspaceEvents, Type: String, Default: "", Runtime: true, check: checkNotifyFlags,
		Description: "keyspace event classes published, as Redis's flags (Ag$lshzxeKEtmdn); empty disables"},

	{Name: GCFloorMB, Type: Int, Default: "64", Min: 0, Max: 1 << 20,
		Description: "while the live Go heap is smaller, GOGC is raised so the collector runs about once per this many MB allocated (0: plain GOGC; ignored when GOGC is set)"},

	// >> Scheduler
	{Name: SchedulerLanes, Type: Int, Default: "0", Min: 0, Max: 1024,
		Description: "lanes: threads running Python at once under ordinary load (0 = one per CPU with a GIL per interpreter, else 1)"},
	{Name: SchedulerSpareThreads, Type: Int, Default: "16", Min: 0, Max: 4096,
		Description: "most threads beyond one per lane that take over a lane from Python that runs long or waits (time.sleep, a socket); with all of them taken, new work gets BUSY after queue-timeout"},
	{Name: SchedulerHandoffAfter, Type: Duration, Default: "2ms",
		Description: "how long a Python job may wait in C with its GIL released (time.sleep, a socket) while work waits behind it before its lane goes to a spare thread"},
	{Name: SchedulerTimeslice, Type: Duration, Default: "50ms",
		Description: "how long a Python job may compute while work waits behind it before its lane goes to a spare thread (a runaway then shares its cores or GIL, time-sliced)"},
	{Name: SchedulerQueueTimeout, Type: Duration, Default: "5s", Runtime: true,
		Description: "how long new Python work may wait for its lane and every spare thread before a BUSY error"},

	// >> Python
	{Name: PythonExecutionTimeout, Type: Duration, Default: "1m", Runtime: true,
		Description: "an execution running longer is interrupted (0 disables)"},
	{Name: PythonPoolSize, Type: Int, Default: "4", Min: 0, Max: 1024,
		Description: "interpreters created ahead of demand (0 disables the pool)"},
	{Name: PythonPoolIdleTimeout, Type: Duration, Default: "5m",
		Description: "a pooled interpreter unused this long is recycled (0 never)"},
	{Name: PythonGIL, Type: Enum, Default: "auto", Values: []string{"auto", "shared", "own"},
		Description: "a GIL per interpreter (own, CPython 3.12+) or one for all (shared); auto decides by version"},
	{Name: PythonSandbox, Type: Enum, Default: "strict", Values: []string{"strict", "trusted"},
		Description: "strict: sessions' Python cannot touch the server's process, descriptors, files or other sessions (docs/security.md); trusted: no guards (logged at start)"},
	{Name: PythonAllowSubprocess, Type: Bool, Default: "no",
		Description: "in strict mode, let sessions start processes (subprocess, os.system); exec and fork of the server itself stay refused"},
	{Name: PythonAttemptTraceback, Type: Bool, Default: "yes", Runtime: true,
		Description: "put Python tracebacks in error texts (RedisGears' PythonAttemptTraceback)"},
}
