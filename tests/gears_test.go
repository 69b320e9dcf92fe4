package tests

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const shardsID = "GB('ShardsIDReader').run()"

func TestPyExecuteRepliesAsRedisGears(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	MustDo(t, c, "SET", "k:1", "a")
	MustDo(t, c, "HSET", "k:2", "f", "v")
	cases := []struct {
		code string
		want string
	}{
		{shardsID, "[[1] []]"},
		{"x = 1", "OK"},
		{"GB().map(lambda r: r['key']).sort().run('k:*')", "[[k:1 k:2] []]"},
		{"GB().map(lambda r: r['value']['f']).run('k:2')", "[[v] []]"},
		{"GB('PythonReader').run(lambda: iter([1, 2, 3]))", "[[1 2 3] []]"},
		{"GB('PythonReader').map(lambda x: x * 2).run(lambda: iter([1, 2]), convertToStr=False)", "[[2 4] []]"},
		{"GB('KeysOnlyReader').sort().run('k:*')", "[[k:1 k:2] []]"},
		{"GB('PythonReader').count().run(lambda: iter(range(10000)))", "[[10000] []]"},
	}
	for _, tc := range cases {
		v, err := Do(c, "RG.PYEXECUTE", tc.code)
		if err != nil {
			t.Errorf("%q: %v", tc.code, err)
			continue
		}
		if got := fmt.Sprint(v); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.code, got, tc.want)
		}
	}
}

func TestPyExecuteOptionErrors(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	cases := [][]any{
		{"RG.PYEXECUTE", shardsID, "ID"},
		{"RG.PYEXECUTE", shardsID, "ID", "bad id!"},
		{"RG.PYEXECUTE", shardsID, "DESCRIPTION"},
		{"RG.PYEXECUTE", shardsID, "BOGUS"},
		{"RG.PYEXECUTE"},
	}
	want := []string{
		"ID is missing",
		"ID must be compose of: ['A'-'Z' | 'a'-'z' | '0' - '9' | '-' | '_']",
		"DESCRIPTION is missing",
		"Unknown arguments were given: BOGUS",
		"ERR wrong number of arguments for 'rg.pyexecute' command",
	}
	for i, args := range cases {
		_, err := Do(c, args...)
		if err == nil || err.Error() != want[i] {
			t.Errorf("%v: got %v, want %q", args, err, want[i])
		}
	}
	// With a valid id and description the script runs.
	if v := MustDo(t, c, "RG.PYEXECUTE", shardsID, "ID", "my_session-1", "DESCRIPTION", "d"); fmt.Sprint(v) != "[[1] []]" {
		t.Fatalf("got %v", v)
	}
}

func TestScriptFailuresLeaveServerServing(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	cases := []struct{ code, want string }{
		{"def f(:\n  pass", "SyntaxError"},
		{"raise ValueError('boom')", "boom"},
		{"import sys\nsys.exit(3)", "SystemExit"},
		{"import os\nos._exit(1)", "os._exit is not allowed"},
		{"import posix\nposix._exit(1)", "not allowed"},
		{"def f(n):\n    return f(n + 1) if n < 10000 else n\nf(0)", "RecursionError"},
		{"GB('PythonReader').run(1)", "pyreader argument must be a function"},
	}
	for _, tc := range cases {
		_, err := Do(c, "RG.PYEXECUTE", tc.code)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error containing %q", tc.code, err, tc.want)
		}
		if !s.Alive() {
			t.Fatalf("server died on %q\n%s", tc.code, s.log)
		}
		if v := MustDo(t, c, "PING"); v != "PONG" {
			t.Fatalf("PING after %q: %v", tc.code, v)
		}
	}
	if v := MustDo(t, c, "RG.PYEXECUTE", shardsID); fmt.Sprint(v) != "[[1] []]" {
		t.Fatalf("after failures: %v", v)
	}
	// A step that raises goes to the errors array, in the traceback form.
	v := MustDo(t, c, "RG.PYEXECUTE", "GB('PythonReader').map(lambda r: r if r else x).run(lambda: iter([1, 0]))")
	parts := v.([]any)
	errs := parts[1].([]any)
	if fmt.Sprint(parts[0]) != "[1]" || len(errs) != 1 || !strings.Contains(errs[0].(string), "NameError: name 'x' is not defined") ||
		!strings.HasPrefix(errs[0].(string), "['Traceback (most recent call last):\\n'") {
		t.Fatalf("step error: %#v", v)
	}
}

func TestSessionsShareNothing(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	// Session A stays alive (its UNBLOCKING execution polls a key, handing
	// the lane back after each batch of records) while session B looks for
	// A's global, class and module attribute.
	id := MustDo(t, c, "RG.PYEXECUTE", `
import json
json.marker = 1
secret = 42
class Mine:
    pass
def wait():
    while execute('GET', 'release') is None:
        yield None
    yield str([json.marker, secret, Mine.__name__])
GB('PythonReader').filter(lambda r: r is not None).run(wait)
`, "UNBLOCKING").(string)
	v := MustDo(t, c, "RG.PYEXECUTE", `
import json, sys
GB('ShardsIDReader').map(lambda r: str([hasattr(json, 'marker'), 'secret' in globals(), 'Mine' in globals(), 'wait' in globals()])).run()
`)
	if fmt.Sprint(v) != "[[[False, False, False, False]] []]" {
		t.Fatalf("session B sees session A: %v", v)
	}
	MustDo(t, c, "SET", "release", "1")
	res := MustDo(t, c, "RG.GETRESULTSBLOCKING", id)
	if fmt.Sprint(res) != "[[[1, 42, 'Mine']] []]" {
		t.Fatalf("session A lost its state: %v", res)
	}
}

func TestUnblockingExecutionOwnsItsInterpreter(t *testing.T) {
	s := startServer(t, "--python.pool-size", "0")
	c := s.Client(t)
	base := GearsInt(t, c, "live_interpreters")
	id := MustDo(t, c, "RG.PYEXECUTE", `
def wait():
    import time
    while execute('GET', 'go') is None:
        time.sleep(0.01)
    yield 'ran'
GB('PythonReader').run(wait)
`, "UNBLOCKING").(string)
	if !strings.HasPrefix(id, "0000000000000000000000000000000000000000-") {
		t.Fatalf("execution id %q", id)
	}
	// The call has returned; the execution still holds the interpreter.
	if got := GearsInt(t, c, "live_interpreters"); got != base+1 {
		t.Fatalf("live interpreters = %d while the execution runs, want %d", got, base+1)
	}
	if _, err := Do(c, "RG.GETRESULTS", id); err == nil || err.Error() != "execution is still running" {
		t.Fatalf("GETRESULTS while running: %v", err)
	}
	if _, err := Do(c, "RG.DROPEXECUTION", id); err == nil || err.Error() != "can not drop a not yet finished execution, abort it first." {
		t.Fatalf("DROPEXECUTION while running: %v", err)
	}
	MustDo(t, c, "SET", "go", "1")
	if res := MustDo(t, c, "RG.GETRESULTSBLOCKING", id); fmt.Sprint(res) != "[[ran] []]" {
		t.Fatalf("results: %v", res)
	}
	// Its last owner gone, the interpreter ends.
	Eventually(t, 10*time.Second, "the interpreter to end", func() bool { return GearsInt(t, c, "live_interpreters") == base })
	dump := fmt.Sprint(MustDo(t, c, "RG.DUMPEXECUTIONS"))
	if !strings.Contains(dump, id) || !strings.Contains(dump, "done") {
		t.Fatalf("DUMPEXECUTIONS: %s", dump)
	}
	plan := fmt.Sprint(MustDo(t, c, "RG.GETEXECUTION", id))
	if !strings.Contains(plan, "status done") || !strings.Contains(plan, "results 1") {
		t.Fatalf("GETEXECUTION: %s", plan)
	}
	MustDo(t, c, "RG.DROPEXECUTION", id)
	for _, cmd := range []string{"RG.GETRESULTS", "RG.GETEXECUTION", "RG.DROPEXECUTION"} {
		if _, err := Do(c, cmd, id); err == nil || err.Error() != "execution plan does not exist" {
			t.Errorf("%s after drop: %v", cmd, err)
		}
	}
	if _, err := Do(c, "RG.ABORTEXECUTION", id); err == nil || err.Error() != "execution does not exist" {
		t.Errorf("ABORTEXECUTION after drop: %v", err)
	}
}

func TestThousandSessionsReturnToBaseline(t *testing.T) {
	s := startServer(t, "--python.pool-size", "0")
	c := s.Client(t)
	base := GearsInt(t, c, "live_interpreters")
	var wg sync.WaitGroup
	var failed atomic.Int32
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				v, err := Do(c, "RG.PYEXECUTE", fmt.Sprintf("GB('ShardsIDReader').map(lambda r: '%d').run()", i))
				if err != nil || fmt.Sprint(v) != fmt.Sprintf("[[%d] []]", i) {
					failed.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d of 1000 sessions failed", failed.Load())
	}
	Eventually(t, 30*time.Second, "live interpreters back at baseline", func() bool { return GearsInt(t, c, "live_interpreters") == base })
	if created := GearsInt(t, c, "interpreters_created"); created < 1000 {
		t.Fatalf("interpreters_created = %d, want each session in its own", created)
	}
}

// runawayScript never ends on its own.
const runawayScript = "def spin(r):\n    while True:\n        pass\nGB('ShardsIDReader').map(spin).run()"

// keepsServing checks that another client's data commands are answered
// while a runaway script occupies a lane, and that another session's Python
// runs too: on another lane, or on a spare thread of the same lane sharing
// its GIL, time-sliced.
func keepsServing(t *testing.T, s *Server, running func() bool) {
	t.Helper()
	other := s.Client(t)
	MustDo(t, other, "SET", "probe", "v")
	for i := 0; i < 50; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		v, err := other.Get(ctx, "probe").Result()
		cancel()
		if err != nil || v != "v" {
			t.Fatalf("GET during a runaway script: %v %v", v, err)
		}
	}
	if !running() {
		t.Fatal("the runaway script stopped before the GETs were checked")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	v, err := other.Do(ctx, "RG.PYEXECUTE", shardsID).Result()
	if err != nil || fmt.Sprint(v) != "[[1] []]" {
		t.Fatalf("PYEXECUTE during a runaway script: %v %v", v, err)
	}
	if !running() {
		t.Fatal("the runaway script stopped before another session was checked")
	}
}

func TestRunawayAbortedByAbortExecution(t *testing.T) {
	s := startServer(t, "--python.execution-timeout", "0")
	c := s.Client(t)
	id := MustDo(t, c, "RG.PYEXECUTE", runawayScript, "UNBLOCKING").(string)
	status := func() string {
		for _, e := range MustDo(t, c, "RG.DUMPEXECUTIONS").([]any) {
			f := e.([]any)
			if f[1] == id {
				return f[3].(string)
			}
		}
		return ""
	}
	Eventually(t, 10*time.Second, "the execution to run", func() bool { return status() == "running" })
	keepsServing(t, s, func() bool { return status() == "running" })
	if v := MustDo(t, c, "RG.ABORTEXECUTION", id); v != "OK" {
		t.Fatalf("abort: %v", v)
	}
	if st := status(); st != "aborted" {
		t.Fatalf("status after abort = %q", st)
	}
	res := fmt.Sprint(MustDo(t, c, "RG.GETRESULTS", id))
	if !strings.Contains(res, "Execution was aborted") {
		t.Fatalf("results after abort: %s", res)
	}
	if v := MustDo(t, c, "RG.PYEXECUTE", shardsID); fmt.Sprint(v) != "[[1] []]" {
		t.Fatalf("after abort: %v", v)
	}
}

func TestRunawayStoppedByTimeout(t *testing.T) {
	s := startServer(t, "--python.execution-timeout", "5s")
	c := s.Client(t)
	done := make(chan error, 1)
	var reply any
	go func() {
		var err error
		reply, err = Do(c, "RG.PYEXECUTE", runawayScript)
		done <- err
	}()
	Eventually(t, 10*time.Second, "the runaway to start", func() bool { return GearsInt(t, s.Client(t), "executions_running") == 1 })
	keepsServing(t, s, func() bool {
		select {
		case err := <-done:
			done <- err
			return false
		default:
			return true
		}
	})
	select {
	case err := <-done:
		if err != nil || !strings.Contains(fmt.Sprint(reply), "python.execution-timeout") {
			t.Fatalf("timed-out execution: %v %v", reply, err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the runaway execution was not stopped by the timeout")
	}
	// A runaway script body (no execution) is stopped the same way.
	_, err := Do(c, "RG.PYEXECUTE", "while True:\n    pass")
	if err == nil || !strings.Contains(err.Error(), "python.execution-timeout") {
		t.Fatalf("runaway script body: %v", err)
	}
}

// BUSY is for a server that is truly saturated: with one lane and one
// spare thread, two runaways take both, and only then is new work refused.
// (No pool: its refills would take the spare for a while too.)
func TestBusyOnlyWhenEverySpareIsTaken(t *testing.T) {
	s := startServer(t, "--scheduler.lanes", "1", "--scheduler.spare-threads", "1", "--scheduler.queue-timeout", "2s",
		"--python.execution-timeout", "0", "--python.pool-size", "0")
	c := s.Client(t)
	var ids []string
	for i := 0; i < 2; i++ {
		ids = append(ids, MustDo(t, c, "RG.PYEXECUTE", runawayScript, "UNBLOCKING").(string))
		Eventually(t, 20*time.Second, "the runaway to start", func() bool { return GearsInt(t, c, "executions_running") == i+1 })
	}
	Eventually(t, 20*time.Second, "both threads taken", func() bool { return GearsInt(t, c, "python_threads") == 2 })
	_, err := Do(c, "RG.PYEXECUTE", shardsID)
	if err == nil || !strings.HasPrefix(err.Error(), "BUSY") {
		t.Fatalf("work behind two runaways with no spare left: %v", err)
	}
	for _, id := range ids {
		MustDo(t, c, "RG.ABORTEXECUTION", id)
	}
	if v := MustDo(t, c, "RG.PYEXECUTE", shardsID); fmt.Sprint(v) != "[[1] []]" {
		t.Fatalf("after the runaways were aborted: %v", v)
	}
}

func TestGearsConfig(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	got := c.Do(context.Background(), "RG.CONFIGSET", "MaxExecutions", "10", "foo", "bar", "ExecutionThreads", "5")
	vals, _ := got.Slice()
	if len(vals) != 3 || vals[0] != "OK" || vals[1] != "OK - value was saved in extra config dictionary" {
		t.Fatalf("CONFIGSET: %#v %v", vals, got.Err())
	}
	got = c.Do(context.Background(), "RG.CONFIGGET", "foo", "MaxExecutions", "nope")
	vals, _ = got.Slice()
	if len(vals) != 3 || vals[0] != "bar" || vals[1] != int64(10) {
		t.Fatalf("CONFIGGET: %#v", vals)
	}
	if e, ok := vals[2].(error); !ok || e.Error() != "(error) Unsupported config parameter: nope" {
		t.Fatalf("CONFIGGET unknown: %#v", vals[2])
	}
	v := MustDo(t, c, "RG.PYEXECUTE", "GB('ShardsIDReader').map(lambda r: configGet('foo')).run()")
	if fmt.Sprint(v) != "[[bar] []]" {
		t.Fatalf("configGet from Python: %v", v)
	}
}

func TestExecuteRunsThroughStore(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	v := MustDo(t, c, "RG.PYEXECUTE", `
execute('SET', 'from:py', 'v1')
GB('ShardsIDReader').map(lambda r: str([execute('GET', 'from:py'), execute('INCR', 'ctr'), execute('HSET', 'h', 'a', 1), execute('HGETALL', 'h'), execute('GET', 'nokey')])).run()
`)
	if fmt.Sprint(v) != "[[['v1', 1, 1, ['a', '1'], None]] []]" {
		t.Fatalf("execute: %v", v)
	}
	if got, _ := c.Get(context.Background(), "from:py").Result(); got != "v1" {
		t.Fatalf("a write from execute() is not visible to clients: %q", got)
	}
	// Blocking commands never block a lane: they answer at once, as in a
	// Redis script.
	v = MustDo(t, c, "RG.PYEXECUTE", `
GB('ShardsIDReader').map(lambda r: str([execute('BLPOP', 'nolist', '0'), execute('XREAD', 'BLOCK', '0', 'STREAMS', 'nostream', '$')])).run()
`)
	if fmt.Sprint(v) != "[[[None, None]] []]" {
		t.Fatalf("blocking commands from execute(): %v", v)
	}
	_, err := Do(c, "RG.PYEXECUTE", "execute('INCR', 'from:py')")
	if err == nil || !strings.Contains(err.Error(), "value is not an integer or out of range") {
		t.Fatalf("error reply from execute(): %v", err)
	}
}

func TestRedisCLIAndRedisPy(t *testing.T) {
	s := startServer(t)
	out := redisCLI(t, s, "--no-raw", "RG.PYEXECUTE", shardsID)
	if out != "1) 1) \"1\"\n2) (empty array)\n" {
		t.Fatalf("redis-cli: %q", out)
	}
	script := fmt.Sprintf(`
import redis
r = redis.Redis(host='127.0.0.1', port=%d, decode_responses=True)
r.set('py:k', 'hello')
print(r.execute_command('RG.PYEXECUTE', "GB().map(lambda r: r['value']).run('py:*')"))
`, s.Port)
	py, err := runPython(script)
	if err != nil {
		t.Fatalf("redis-py: %v\n%s", err, py)
	}
	if strings.TrimSpace(py) != "[['hello'], []]" {
		t.Fatalf("redis-py: %q", py)
	}
}

func TestPipelinedExecutionsKeepOrder(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	pipe := c.Pipeline()
	var cmds []*redis.Cmd
	for i := 0; i < 20; i++ {
		cmds = append(cmds, pipe.Do(context.Background(), "RG.PYEXECUTE", "GB('ShardsIDReader').map(lambda r: '"+strconv.Itoa(i)+"').run()"))
	}
	if _, err := pipe.Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, cmd := range cmds {
		if fmt.Sprint(cmd.Val()) != fmt.Sprintf("[[%d] []]", i) {
			t.Fatalf("reply %d: %v", i, cmd.Val())
		}
	}
}

// execute() reaches the server's own commands as a Redis script does
// (PING, ECHO, TIME, INFO, CONFIG GET, COMMAND COUNT), refuses what a
// script may not run with Redis's text, and answers an unknown command
// with the very text a client gets, NUL byte included.
func TestExecuteReachesServerCommands(t *testing.T) {
	s := startServer(t)
	c := dialRaw(t, s.Addr)
	script := "assert execute('PING') == 'PONG'\n" +
		"assert execute('ECHO', 'x y') == 'x y'\n" +
		"t = execute('TIME'); assert len(t) == 2 and int(t[0]) > 0, t\n" +
		"assert 'redis_version' in execute('INFO', 'server')\n" +
		"assert execute('CONFIG', 'GET', 'maxclients') == ['maxclients', '10000']\n" +
		"assert execute('COMMAND', 'COUNT') > 100\n" +
		"assert isinstance(execute('DBSIZE'), int)\n"
	if got := c.do(t, "RG.PYEXECUTE", script); got != "+OK\r\n" {
		t.Fatalf("server commands from execute(): %q", got)
	}
	for _, cmd := range []string{"SUBSCRIBE', 'ch", "MULTI", "AUTH', 'x", "CLIENT', 'LIST", "SHUTDOWN", "DEBUG', 'SLEEP', '1"} {
		got := c.do(t, "RG.PYEXECUTE", "execute('"+cmd+"')")
		if !strings.Contains(got, "This Redis command is not allowed from script") {
			t.Errorf("execute(%s): %q", cmd, got)
		}
	}
	want := strings.TrimSuffix(strings.TrimPrefix(c.do(t, "NO\x00SUCH", "a"), "-"), "\r\n")
	got := c.do(t, "RG.PYEXECUTE", "try:\n    execute('NO\\x00SUCH', 'a')\nexcept Exception as e:\n    msg = str(e)\nGB('ShardsIDReader').map(lambda r: msg).run()")
	if !strings.Contains(got, want) {
		t.Errorf("unknown command from execute(): %q, want the client's text %q", got, want)
	}
}
