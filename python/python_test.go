package python

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// thread runs functions on one locked OS thread, as gearsd's lanes do.
type thread struct{ work chan func() }

func newThread() *thread {
	t := &thread{work: make(chan func())}
	go func() {
		runtime.LockOSThread()
		for f := range t.work {
			f()
		}
	}()
	return t
}

func (t *thread) do(f func()) {
	done := make(chan struct{})
	t.work <- func() { f(); close(done) }
	<-done
}

var (
	mainThread = newThread()
	rt         *Runtime
)

func runtimeForTest(t *testing.T) *Runtime {
	t.Helper()
	var err error
	mainThread.do(func() { rt, err = Initialize() })
	if err != nil {
		t.Fatalf("Initialize: %v", err)
	}
	return rt
}

type testHost struct {
	mu   sync.Mutex
	logs []string
}

func (h *testHost) Execute(argv [][]byte) (any, string, bool) {
	switch strings.ToUpper(string(argv[0])) {
	case "PANIC":
		panic("boom")
	case "ECHO":
		return string(argv[1]), "", false
	case "LIST":
		return []any{int64(1), "two", nil, []any{"x"}}, "", false
	}
	return nil, "ERR unknown command", true
}
func (h *testHost) Log(level, msg string) {
	h.mu.Lock()
	h.logs = append(h.logs, level+":"+msg)
	h.mu.Unlock()
}
func (h *testHost) ConfigGet(key string) (string, bool) { return "v-" + key, key != "missing" }
func (h *testHost) FDProtected(fd int) bool             { return fd == 0 }
func (h *testHost) ThreadStarted() bool                 { return true }
func (h *testHost) ThreadRunning(uintptr)               {}
func (h *testHost) ThreadEnded(uintptr)                 {}
func (h *testHost) Recovered(where string, v any, stack []byte) {
	h.mu.Lock()
	h.logs = append(h.logs, fmt.Sprintf("panic in %s: %v", where, v))
	h.mu.Unlock()
}

func gilModes() []bool {
	if SupportsOwnGIL() {
		return []bool{false, true}
	}
	return []bool{false}
}

// laneMains are the test threads' main-interpreter thread states.
var laneMains sync.Map // *thread -> *ThreadState

func laneMainOf(l *thread) *ThreadState {
	v, _ := laneMains.Load(l)
	return v.(*ThreadState)
}

// evalOn adopts in on lane, runs src in a fresh module and returns the value
// of the module's "result".
func evalOn(t *testing.T, lane *thread, ts *ThreadState, src string) (any, error) {
	t.Helper()
	var v any
	var err error
	lane.do(func() {
		ts.Attach()
		defer DetachTo(laneMainOf(lane))
		var m *Object
		m, err = NewModule("t")
		if err != nil {
			return
		}
		defer m.DecRef()
		if err = ExecInModule(m, src, "<test>"); err != nil {
			return
		}
		var r *Object
		if r, err = m.Attr("result"); err != nil {
			return
		}
		defer r.DecRef()
		v, err = r.Go()
	})
	return v, err
}

func TestInterpreterLifecycleAcrossThreads(t *testing.T) {
	rt := runtimeForTest(t)
	for _, own := range gilModes() {
		host := &testHost{}
		var in *Interpreter
		var builderTS *ThreadState
		var err error
		mainThread.do(func() {
			rt.MainThreadState().Attach()
			in, builderTS, err = rt.NewInterpreter(rt.MainThreadState(), own, func(in *Interpreter) error {
				m, err := in.InstallNative(host)
				m.DecRef()
				return err
			})
		})
		if err != nil {
			t.Fatalf("own=%v NewInterpreter: %v", own, err)
		}
		// Another thread runs it with a thread state of its own.
		lane := newThread()
		var ts, laneMain *ThreadState
		lane.do(func() { laneMain = rt.NewMainThreadState(); ts = in.NewThreadState() })
		laneMains.Store(lane, laneMain)

		v, err := evalOn(t, lane, ts, `
import redisgears
redisgears.log("notice", "hi")
result = [redisgears.executeCommand("ECHO", b"x\xff"), redisgears.executeCommand("LIST"), redisgears.config_get("k"), redisgears.config_get("missing"), 2.5, (1,), True]
`)
		if err != nil {
			t.Fatalf("own=%v eval: %v", own, err)
		}
		got := v.([]any)
		// ECHO's reply is bytes that are not UTF-8: Python sees a bytearray.
		if _, ok := got[0].(ByteArray); !ok {
			t.Errorf("own=%v: invalid UTF-8 reply should be a bytearray, got %#v", own, got[0])
		}
		if l := got[1].([]any); l[0] != int64(1) || l[1] != "two" || l[2] != nil || l[3].([]any)[0] != "x" {
			t.Errorf("own=%v: list reply %#v", own, l)
		}
		if got[2] != "v-k" || got[3] != nil || got[4] != 2.5 || got[5] != (Opaque{}) || got[6] != true {
			t.Errorf("own=%v: values %#v", own, got)
		}
		if len(host.logs) != 1 || host.logs[0] != "notice:hi" {
			t.Errorf("own=%v: logs %v", own, host.logs)
		}

		_, err = evalOn(t, lane, ts, "import redisgears\nclass GearsError(Exception): pass\nredisgears.GearsError = GearsError\nresult = redisgears.executeCommand('NOPE')")
		if err == nil || !strings.Contains(err.Error(), "GearsError: ERR unknown command") {
			t.Errorf("own=%v: error reply should raise GearsError, got %v", own, err)
		}
		if pe := err.(*Error); !strings.Contains(pe.Traceback, "Traceback") {
			t.Errorf("own=%v: traceback missing: %q", own, pe.Traceback)
		}

		// The native compile is builtins.compile without its ast classes:
		// the same code, the same SyntaxError text.
		v, err = evalOn(t, lane, ts, `
import redisgears
def errtext(f):
    try:
        f()
    except SyntaxError as e:
        return str(e)
ns = {}
exec(redisgears.compile_code("x = 6 * 7", "<string>"), ns)
result = [ns["x"], errtext(lambda: redisgears.compile_code("def f(:\n  pass", "<string>")) == errtext(lambda: compile("def f(:\n  pass", "<string>", "exec"))]
`)
		if err != nil || fmt.Sprint(v) != "[42 true]" {
			t.Errorf("own=%v: compile_code: %v %v", own, v, err)
		}

		// A Go panic below execute() is a Python exception, not a crash.
		_, err = evalOn(t, lane, ts, "import redisgears\nresult = redisgears.executeCommand('PANIC')")
		if err == nil || !strings.Contains(err.Error(), "gearsd internal error in execute(): boom") {
			t.Errorf("own=%v: a panic in the host should raise, got %v", own, err)
		}
		if last := host.logs[len(host.logs)-1]; last != "panic in execute(): boom" {
			t.Errorf("own=%v: the host was not told of the panic: %v", own, host.logs)
		}

		// The lane ends it after deleting the builder's thread state.
		lane.do(func() {
			ts.Attach()
			if n := in.OtherThreads([]*ThreadState{ts}); n != 1 {
				t.Errorf("own=%v: %d other thread states, want the builder's", own, n)
			}
			builderTS.DeleteOther()
			if n := in.OtherThreads([]*ThreadState{ts}); n != 0 {
				t.Errorf("own=%v: %d other thread states after DeleteOther", own, n)
			}
			ts.EndInterpreter(laneMain, nil)
		})
		// The lane must be able to go on with another interpreter.
		var in2 *Interpreter
		var b2 *ThreadState
		mainThread.do(func() {
			rt.MainThreadState().Attach()
			in2, b2, err = rt.NewInterpreter(rt.MainThreadState(), own, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		var ts2 *ThreadState
		lane.do(func() { ts2 = in2.NewThreadState() })
		if v, err := evalOn(t, lane, ts2, "result = 6*7"); err != nil || v != int64(42) {
			t.Fatalf("own=%v second interpreter: %v %v", own, v, err)
		}
		lane.do(func() { ts2.Attach(); b2.DeleteOther(); ts2.EndInterpreter(laneMain, nil) })
	}
}

func TestInterruptRunawayLoop(t *testing.T) {
	rt := runtimeForTest(t)
	for _, own := range gilModes() {
		var in *Interpreter
		var builderTS *ThreadState
		var err error
		mainThread.do(func() {
			rt.MainThreadState().Attach()
			in, builderTS, err = rt.NewInterpreter(rt.MainThreadState(), own, func(in *Interpreter) error {
				m, err := NewModule("stopper")
				if err != nil {
					return err
				}
				defer m.DecRef()
				return ExecInModule(m, "class Stop(BaseException): pass", "<stopper>")
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		lane := newThread()
		var ts, laneMain *ThreadState
		lane.do(func() { laneMain = rt.NewMainThreadState(); ts = in.NewThreadState() })
		laneMains.Store(lane, laneMain)
		done := make(chan error, 1)
		go func() {
			lane.do(func() { ts.Attach(); ts.SetRunning(true); DetachTo(laneMain) })
			_, err := evalOn(t, lane, ts, "while True:\n    pass\n")
			done <- err
		}()
		interrupter := newThread()
		deadline := time.After(20 * time.Second)
	loop:
		for {
			select {
			case err := <-done:
				if ErrorType(err) != "Stop" {
					t.Fatalf("own=%v: want Stop, got %v", own, err)
				}
				break loop
			case <-deadline:
				t.Fatalf("own=%v: loop was not interrupted", own)
			case <-time.After(20 * time.Millisecond):
				interrupter.do(func() { ts.Interrupt("stopper", "Stop") })
			}
		}
		lane.do(func() { ts.Attach(); builderTS.DeleteOther(); ts.EndInterpreter(laneMain, nil) })
	}
}
