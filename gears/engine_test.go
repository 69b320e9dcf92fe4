package gears

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/gearsd/gearsd/resp"
	"github.com/gearsd/gearsd/store"
	"github.com/gearsd/gearsd/subinterp"
)

// One CPython runtime per process: the tests share one engine.
var (
	testEngine *Engine
	testStore  *store.Keyspace
	engineErr  error
	engineOnce sync.Once
)

func engine(t *testing.T) *Engine {
	t.Helper()
	engineOnce.Do(func() {
		testStore = store.NewKeyspace(store.Options{})
		testEngine, engineErr = New(Options{
			Store:            testStore,
			Interpreters:     subinterp.Options{Lanes: 2, PoolSize: 2, QueueTimeout: 5 * time.Second},
			ExecutionTimeout: 3 * time.Second,
			Log:              zerolog.New(os.Stderr).Level(zerolog.WarnLevel),
		})
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return testEngine
}

func (e *Engine) do(t *testing.T, args ...string) resp.Value {
	t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	for _, c := range e.Commands() {
		if strings.EqualFold(c.Name, args[0]) {
			return c.Handler(context.Background(), argv)
		}
	}
	return testStore.Do(argv)
}

func TestPyExecuteShardsIDReader(t *testing.T) {
	e := engine(t)
	got := e.do(t, "RG.PYEXECUTE", "GB('ShardsIDReader').run()")
	if got.String() != `[["1"], []]` {
		t.Fatalf("got %s", got)
	}
}

func TestPyExecuteKeysReader(t *testing.T) {
	e := engine(t)
	e.do(t, "SET", "kr:a", "1")
	e.do(t, "SET", "kr:b", "2")
	got := e.do(t, "RG.PYEXECUTE", "GB().map(lambda r: r['key'] + '=' + r['value']).sort().run('kr:*')")
	if got.String() != `[["kr:a=1", "kr:b=2"], []]` {
		t.Fatalf("got %s", got)
	}
	got = e.do(t, "RG.PYEXECUTE", "GB().run('kr:a')")
	if got.String() != `[["{'event': None, 'key': 'kr:a', 'type': 'string', 'value': '1'}"], []]` {
		t.Fatalf("got %s", got)
	}
}

func TestPyExecuteErrorsAndNothing(t *testing.T) {
	e := engine(t)
	if got := e.do(t, "RG.PYEXECUTE", "x = 1"); got.String() != "OK" {
		t.Fatalf("no run: %s", got)
	}
	if got := e.do(t, "RG.PYEXECUTE", "def f(:"); !got.IsError() || !strings.Contains(got.Str, "SyntaxError") {
		t.Fatalf("syntax error: %s", got)
	}
	for _, code := range []string{"import sys\nsys.exit(3)", "import os\nos._exit(1)", "def f(n): return f(n+1)\nf(0)", "raise ValueError('boom')"} {
		if got := e.do(t, "RG.PYEXECUTE", code); !got.IsError() {
			t.Fatalf("%q: want an error, got %s", code, got)
		}
	}
	if got := e.do(t, "RG.PYEXECUTE", "GB('ShardsIDReader').run()"); got.String() != `[["1"], []]` {
		t.Fatalf("engine broken after errors: %s", got)
	}
}

func TestUnblockingAbortAndTimeout(t *testing.T) {
	e := engine(t)
	id := e.do(t, "RG.PYEXECUTE", "def spin(r):\n    while True:\n        pass\nGB('ShardsIDReader').map(spin).run()", "UNBLOCKING")
	if id.Kind != resp.KindBulk {
		t.Fatalf("want an id, got %s", id)
	}
	if got := e.do(t, "RG.GETRESULTS", id.Str); got.Str != errStillRunning {
		t.Fatalf("getresults while running: %s", got)
	}
	if got := e.do(t, "RG.ABORTEXECUTION", id.Str); got.String() != "OK" {
		t.Fatalf("abort: %s", got)
	}
	got := e.do(t, "RG.GETRESULTS", id.Str)
	if !strings.Contains(got.String(), "aborted") {
		t.Fatalf("results after abort: %s", got)
	}
	if got := e.do(t, "RG.DROPEXECUTION", id.Str); got.String() != "OK" {
		t.Fatalf("drop: %s", got)
	}
	start := time.Now()
	got = e.do(t, "RG.PYEXECUTE", "while True:\n    pass\n")
	if !got.IsError() || !strings.Contains(got.Str, "execution-timeout") || time.Since(start) > 20*time.Second {
		t.Fatalf("timeout: %s after %s", got, time.Since(start))
	}
}

// A KeysReader whose first batch is not all: the first batch is read with
// the script, the rest from the cursor it left, every key once; and the same
// for an UNBLOCKING run, read whole off the lane.
func TestKeysReaderBeyondTheFirstBatch(t *testing.T) {
	e := engine(t)
	const n = 2500
	for i := 0; i < n; i++ {
		e.do(t, "SET", "many:"+strconv.Itoa(i), strconv.Itoa(i))
	}
	want := `[["` + strconv.Itoa(n) + `"], []]`
	code := "GB().map(lambda r: int(r['value'])).distinct().count().run('many:*')"
	if got := e.do(t, "RG.PYEXECUTE", code); got.String() != want {
		t.Fatalf("blocking: got %s, want %s", got, want)
	}
	id := e.do(t, "RG.PYEXECUTE", code, "UNBLOCKING")
	if got := e.do(t, "RG.GETRESULTSBLOCKING", id.Str); got.String() != want {
		t.Fatalf("unblocking: got %s, want %s", got, want)
	}
	// A PythonReader past one batch likewise.
	if got := e.do(t, "RG.PYEXECUTE", "GB('PythonReader').count().run(lambda: iter(range(2500)))"); got.String() != want {
		t.Fatalf("PythonReader: got %s", got)
	}
}
