package gears

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/subinterp"
)

// gearsbuilderSource is the RedisGears Python API (GearsBuilder, readers'
// Python halves, runtime functions), executed once in every interpreter.
//
//go:embed runtime/gearsbuilder.py
var gearsbuilderSource string

// glueSource is the engine's own entry point into an interpreter (running
// scripts, describing plans, counting the session's threads), executed after
// gearsbuilder.py as module __gearsd__.
//
//go:embed runtime/sandbox.py
var sandboxSource string

//go:embed runtime/engine_glue.py
var glueSource string

// interpRuntime is what Setup leaves in each interpreter: the references
// the engine calls through, owned by the interpreter's Interp.Data and
// released on its lane before the interpreter ends.
type interpRuntime struct {
	host   *sessionHost
	native *python.Object // the redisgears module
	gears  *python.Object // the __gears__ module
	glue   *python.Object // the __gearsd__ module
}

// setupInterpreter prepares a new interpreter on the thread that builds it.
// PRECONDITION: attached to in.
func (e *Engine) setupInterpreter(in *subinterp.Interp) (any, error) {
	rt := &interpRuntime{host: &sessionHost{engine: e, interp: in}}
	var err error
	if rt.native, err = in.Python().InstallNative(rt.host); err != nil {
		return nil, fmt.Errorf("installing redisgears: %w", err)
	}
	if rt.gears, err = python.NewModule("__gears__"); err != nil {
		rt.release()
		return nil, err
	}
	if err = e.gearsbuilder.exec(rt.gears); err != nil {
		rt.release()
		return nil, fmt.Errorf("loading the GearsBuilder runtime: %w", err)
	}
	if rt.glue, err = python.NewModule("__gearsd__"); err != nil {
		rt.release()
		return nil, err
	}
	if err = e.glue.exec(rt.glue); err != nil {
		rt.release()
		return nil, fmt.Errorf("loading the engine glue: %w", err)
	}
	if e.sandbox != nil {
		if err = e.installSandbox(); err != nil {
			rt.release()
			return nil, fmt.Errorf("installing the sandbox (python.sandbox strict): %w", err)
		}
	}
	return rt, nil
}

// installSandbox runs strict mode's guards in the interpreter being built,
// after the runtime and before any user code. PRECONDITION: attached.
func (e *Engine) installSandbox() error {
	m, err := python.NewModule("__gearsd_sandbox__")
	if err != nil {
		return err
	}
	defer m.DecRef()
	if err := e.sandbox.exec(m); err != nil {
		return err
	}
	r, err := m.CallMethod("install", e.sandboxOpts.ServerPaths, e.sandboxOpts.AllowSubprocess)
	if err != nil {
		return err
	}
	r.DecRef()
	return nil
}

// moduleCode is a module body compiled once per process and kept
// marshalled: every interpreter runs it, and unmarshalling costs a fraction
// of compiling (gearsbuilder.py: about 8 ms to compile, 0.3 ms to
// unmarshal). The marshal format belongs to the linked CPython, the same for
// every interpreter of the process.
type moduleCode struct {
	source, filename string

	mu         sync.Mutex // guards marshalled only: never held while calling Python
	marshalled []byte
}

// exec runs the code in module's namespace, compiling it first if no
// interpreter has yet. Builders compiling at once each keep a copy; one
// wins. PRECONDITION: attached.
func (c *moduleCode) exec(module *python.Object) error {
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
	c.mu.Lock()
	data := c.marshalled
	c.mu.Unlock()
	var code *python.Object
	if data != nil {
		if code, err = marshal.CallMethod("loads", data); err != nil {
			return err
		}
	} else {
		if code, err = builtins.CallMethod("compile", c.source, c.filename, "exec"); err != nil {
			return err
		}
		if err = c.keep(marshal, code); err != nil {
			code.DecRef()
			return err
		}
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

// keep marshals code for the next interpreters. PRECONDITION: attached.
func (c *moduleCode) keep(marshal, code *python.Object) error {
	dumped, err := marshal.CallMethod("dumps", code)
	if err != nil {
		return err
	}
	v, err := dumped.Go()
	dumped.DecRef()
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.marshalled, _ = v.([]byte)
	c.mu.Unlock()
	return nil
}

// release drops the runtime's references. PRECONDITION: attached.
func (rt *interpRuntime) release() {
	rt.glue.DecRef()
	rt.gears.DecRef()
	rt.native.DecRef()
}

func teardownInterpreter(data any) { data.(*interpRuntime).release() }
