package gears

import (
	_ "embed"
	"fmt"

	"github.com/gearsd/gearsd/python"
)

// gearsbuilderSource is the RedisGears Python API (GearsBuilder, readers'
// Python halves, runtime functions), executed once in every interpreter.
//
//go:embed runtime/gearsbuilder.py
var gearsbuilderSource string

// glueSource is the engine's own entry point into an interpreter: it runs a
// script body and keeps what the engine needs from it. SystemExit is caught
// like any exception, so sys.exit() in a script only fails that script.
const glueSource = `
import __gears__

last_run = None

def run_script(code):
    global last_run
    last_run = None
    namespace = __gears__._new_namespace()
    error = None
    try:
        exec(compile(code, '<string>', 'exec'), namespace)
    except __gears__.GearsForceStopped:
        __gears__._take_pending_run()
        raise
    except BaseException as e:
        error = __gears__._format_error(e)
    run = __gears__._take_pending_run()
    if error is None:
        last_run = run
    return error

def take_run():
    global last_run
    run, last_run = last_run, None
    return run

def describe(plan):
    options = plan.options or {}
    return [plan.reader,
            plan.arg if isinstance(plan.arg, str) else '',
            bool(options.get('noScan', False)),
            bool(options.get('readValue', True)),
            [[str(t), str(n), str(a)] for t, n, a in plan.steps()]]
`

// interpRuntime is what Setup leaves in each interpreter: the references
// the engine calls through, owned by the interpreter's Interp.Data and
// released on its lane before the interpreter ends.
type interpRuntime struct {
	host   *sessionHost
	native *python.Object // the redisgears module
	gears  *python.Object // the __gears__ module
	glue   *python.Object // the __gearsd__ module
}

// setupInterpreter prepares a new interpreter on the builder thread.
// PRECONDITION: attached to py.
func (e *Engine) setupInterpreter(py *python.Interpreter) (any, error) {
	rt := &interpRuntime{host: &sessionHost{engine: e}}
	var err error
	if rt.native, err = py.InstallNative(rt.host); err != nil {
		return nil, fmt.Errorf("installing redisgears: %w", err)
	}
	if rt.gears, err = python.NewModule("__gears__"); err != nil {
		rt.release()
		return nil, err
	}
	if err = e.loadRuntime(rt.gears); err != nil {
		rt.release()
		return nil, fmt.Errorf("loading the GearsBuilder runtime: %w", err)
	}
	if rt.glue, err = python.NewModule("__gearsd__"); err != nil {
		rt.release()
		return nil, err
	}
	if err = python.ExecInModule(rt.glue, glueSource, "gearsd"); err != nil {
		rt.release()
		return nil, fmt.Errorf("loading the engine glue: %w", err)
	}
	return rt, nil
}

// loadRuntime runs gearsbuilder.py in module. Compiling its source costs
// about 8 ms, more than creating the interpreter; so the first interpreter
// compiles it and keeps the code marshalled, and the others only unmarshal
// it (0.3 ms). The marshal format belongs to the linked CPython, which is
// the same for every interpreter of the process.
// PRECONDITION: attached.
func (e *Engine) loadRuntime(module *python.Object) error {
	e.runtimeMu.Lock()
	defer e.runtimeMu.Unlock()
	marshal, err := python.Import("marshal")
	if err != nil {
		return err
	}
	defer marshal.DecRef()
	builtins, err := python.Import("builtins")
	if err != nil {
		return err
	}
	defer builtins.DecRef()
	var code *python.Object
	if e.runtimeCode == nil {
		if code, err = builtins.CallMethod("compile", gearsbuilderSource, "gearsbuilder.py", "exec"); err != nil {
			return err
		}
		dumped, err := marshal.CallMethod("dumps", code)
		if err != nil {
			code.DecRef()
			return err
		}
		v, err := dumped.Go()
		dumped.DecRef()
		if err != nil {
			code.DecRef()
			return err
		}
		e.runtimeCode, _ = v.([]byte)
	} else if code, err = marshal.CallMethod("loads", e.runtimeCode); err != nil {
		return err
	}
	defer code.DecRef()
	ns, err := module.Attr("__dict__")
	if err != nil {
		return err
	}
	defer ns.DecRef()
	r, err := builtins.CallMethod("exec", code, ns)
	if err != nil {
		return err
	}
	r.DecRef()
	return nil
}

// release drops the runtime's references. PRECONDITION: attached.
func (rt *interpRuntime) release() {
	rt.glue.DecRef()
	rt.gears.DecRef()
	rt.native.DecRef()
}

func teardownInterpreter(data any) { data.(*interpRuntime).release() }
