// Package gears is gearsd's RedisGears engine: RG.* commands, sessions and
// executions. A session is one RG.PYEXECUTE with its own sub-interpreter
// (package subinterp); its Python work runs on that interpreter's lane
// (package scheduler), while reading keys, waiting and replying happen on
// goroutines. Data is reached only through store.Store.
package gears

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/gearsd/gearsd/resp"
	"github.com/gearsd/gearsd/store"
	"github.com/gearsd/gearsd/subinterp"
)

// shardID is the id of a server outside any cluster (commands.md §0.3).
const shardID = "0000000000000000000000000000000000000000"

// Options configure the engine.
type Options struct {
	Store store.Store
	// Interpreters configures lanes, GIL mode, pool and queue timeout; the
	// engine supplies Setup and Teardown.
	Interpreters subinterp.Options
	// ExecutionTimeout interrupts a script body or an execution running
	// longer (0: never).
	ExecutionTimeout time.Duration
	// GearsConfig are RedisGears config pairs applied at start, as
	// RG.CONFIGSET would (config.md §1).
	GearsConfig [][2]string
	// Sandbox is the strict sandbox (runtime/sandbox.py) in every
	// interpreter, nil for trusted mode (python.sandbox).
	Sandbox *SandboxOptions
	Log     zerolog.Logger
}

// SandboxOptions configure strict mode.
type SandboxOptions struct {
	// ServerPaths are the server's files and directories, which open()
	// refuses (dir, the config file, aclfile, the TLS key).
	ServerPaths []string
	// AllowSubprocess lets code start processes (python.allow-subprocess).
	AllowSubprocess bool
}

// Engine runs RedisGears sessions and executions.
type Engine struct {
	store   store.Store
	interps *subinterp.Manager
	timeout atomic.Int64 // python.execution-timeout in nanoseconds; 0 = none
	config  *rgConfig
	log     zerolog.Logger

	mu         sync.Mutex
	executions map[string]*Execution
	order      []*Execution // creation order, for MaxExecutions eviction
	lastExecID uint64

	gearsbuilder *moduleCode // the RedisGears API, run in every interpreter
	glue         *moduleCode // the engine's entry points, likewise
	sandbox      *moduleCode // strict mode's guards, before any user code; nil when trusted
	sandboxOpts  SandboxOptions
	// serverCommand runs execute()'s commands that are the server's, not
	// the store's (SetServerCommands); nil until the server exists.
	serverCommand atomic.Pointer[func(argv [][]byte) (resp.Value, bool)]

	executionsTotal atomic.Uint64
	scriptsTotal    atomic.Uint64
}

// SetServerCommands gives execute() the server's own commands (PING, TIME,
// INFO, CONFIG GET...): fn answers a command the server runs for scripts,
// with handled false for one the store serves. main sets it once the
// server exists.
func (e *Engine) SetServerCommands(fn func(argv [][]byte) (resp.Value, bool)) {
	e.serverCommand.Store(&fn)
}

// New starts CPython, the lanes and the interpreter pool.
func New(opts Options) (*Engine, error) {
	e := &Engine{
		store:        opts.Store,
		config:       newRGConfig(),
		log:          opts.Log,
		executions:   map[string]*Execution{},
		gearsbuilder: &moduleCode{source: gearsbuilderSource, filename: "gearsbuilder.py"},
		glue:         &moduleCode{source: glueSource, filename: "gearsd"},
	}
	if opts.Sandbox != nil {
		e.sandbox = &moduleCode{source: sandboxSource, filename: "sandbox.py"}
		e.sandboxOpts = *opts.Sandbox
	}
	e.timeout.Store(int64(opts.ExecutionTimeout))
	var pairs []string
	for _, kv := range opts.GearsConfig {
		pairs = append(pairs, kv[0], kv[1])
	}
	for i, r := range e.config.set(pairs, true) {
		if r.IsError() {
			return nil, fmt.Errorf("gears config %s: %s", opts.GearsConfig[i][0], r.Str)
		}
	}
	io := opts.Interpreters
	io.Setup = e.setupInterpreter
	io.Teardown = teardownInterpreter
	io.Log = opts.Log
	m, err := subinterp.Start(io)
	if err != nil {
		return nil, err
	}
	e.interps = m
	return e, nil
}

// SetExecutionTimeout changes python.execution-timeout for work that
// starts from now on.
func (e *Engine) SetExecutionTimeout(d time.Duration) { e.timeout.Store(int64(d)) }

func (e *Engine) executionTimeout() time.Duration { return time.Duration(e.timeout.Load()) }

// SetQueueTimeout changes scheduler.queue-timeout.
func (e *Engine) SetQueueTimeout(d time.Duration) { e.interps.SetQueueTimeout(d) }

// SetGearsConfig applies RedisGears config pairs as RG.CONFIGSET would.
func (e *Engine) SetGearsConfig(key, value string) { e.config.set([]string{key, value}, true) }

// Close aborts running executions, then ends every interpreter and CPython.
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	var running []*Execution
	for _, x := range e.executions {
		running = append(running, x)
	}
	e.mu.Unlock()
	for _, x := range running {
		x.abort(ctx, "Execution was aborted: server shutting down")
	}
	return e.interps.Close(ctx)
}

// Purge gives back the memory kept for the next interpreters.
func (e *Engine) Purge() { e.interps.Purge() }

// Info is the INFO gears section.
func (e *Engine) Info() (string, [][2]string) {
	st := e.interps.Stats()
	e.mu.Lock()
	listed := len(e.executions)
	running := 0
	for _, x := range e.executions {
		if !x.finished() {
			running++
		}
	}
	e.mu.Unlock()
	gil := "shared"
	if st.OwnGIL {
		gil = "own"
	}
	fields := [][2]string{
		{"python_version", st.PythonVersion},
		{"gil", gil},
		{"lanes", strconv.Itoa(st.Lanes)},
		{"live_interpreters", strconv.FormatInt(st.Live, 10)},
		{"pool_size", strconv.Itoa(st.PoolSize)},
		{"pool_ready", strconv.Itoa(st.PoolReady)},
		{"interpreters_created", strconv.FormatUint(st.Created, 10)},
		{"interpreters_ended", strconv.FormatUint(st.Ended, 10)},
		{"interpreters_lingering", strconv.FormatInt(st.Lingering, 10)},
		{"interpreter_build_avg_us", strconv.FormatInt(st.BuildAvg.Microseconds(), 10)},
		{"interpreter_builders", strconv.Itoa(st.Builders)},
		{"interpreter_build_retries", strconv.FormatUint(st.BuildRetries, 10)},
		{"script_threads", strconv.FormatInt(st.ScriptThreads, 10)},
		{"python_threads", strconv.Itoa(st.Workers)},
		{"python_threads_max", strconv.Itoa(st.MaxWorkers)},
		{"python_threads_spare", strconv.Itoa(st.SpareIdle)},
		{"python_threads_started", strconv.FormatUint(st.WorkersStarted, 10)},
		{"lane_handoffs", strconv.FormatUint(st.Handoffs, 10)},
		{"reclaimed_arenas", strconv.FormatInt(st.Reclaimed.Arenas, 10)},
		{"reclaimed_strings", strconv.FormatInt(st.Reclaimed.Strings, 10)},
		{"reclaim_skipped", strconv.FormatInt(st.Reclaimed.Skipped, 10)},
		{"scripts_total", strconv.FormatUint(e.scriptsTotal.Load(), 10)},
		{"executions", strconv.Itoa(listed)},
		{"executions_running", strconv.Itoa(running)},
		{"executions_total", strconv.FormatUint(e.executionsTotal.Load(), 10)},
	}
	for i, jobs := range st.LaneJobs {
		fields = append(fields, [2]string{fmt.Sprintf("lane%d", i),
			fmt.Sprintf("jobs=%d,interpreters=%d", jobs, st.LaneBound[i])})
	}
	return "gears", fields
}

// newExecutionID takes the next execution id (commands.md §0.3).
// Caller holds e.mu.
func (e *Engine) newExecutionID() string {
	e.lastExecID++
	return shardID + "-" + strconv.FormatUint(e.lastExecID, 10)
}

// listExecution adds x to the execution list, evicting the oldest when the
// list is full (commands.md §0.5).
func (e *Engine) listExecution(x *Execution) {
	max := e.config.int("MaxExecutions")
	e.mu.Lock()
	defer e.mu.Unlock()
	x.id = e.newExecutionID()
	for max > 0 && int64(len(e.order)) >= max {
		oldest := e.order[0]
		e.order = e.order[1:]
		if oldest.finished() {
			delete(e.executions, oldest.id)
		} else {
			oldest.dropWhenDone.Store(true)
		}
	}
	e.executions[x.id] = x
	e.order = append(e.order, x)
	e.executionsTotal.Add(1)
}

// dropExecution removes x from the list.
func (e *Engine) dropExecution(x *Execution) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.executions[x.id] != x {
		return
	}
	delete(e.executions, x.id)
	for i, o := range e.order {
		if o == x {
			e.order = append(e.order[:i], e.order[i+1:]...)
			break
		}
	}
}

// findExecution looks an id up leniently, as the reference does: at least
// 42 characters with '-' at offset 40, the suffix read as a leading decimal
// number (commands.md §0.3).
func (e *Engine) findExecution(id string) *Execution {
	if len(id) < 42 || id[40] != '-' {
		return nil
	}
	digits := id[41:]
	n := 0
	for n < len(digits) && digits[n] >= '0' && digits[n] <= '9' {
		n++
	}
	num, err := strconv.ParseUint(digits[:n], 10, 64)
	if err != nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.executions[id[:40]+"-"+strconv.FormatUint(num, 10)]
}
