package gears

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gearsd/gearsd/acl"
	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/resp"
	"github.com/gearsd/gearsd/subinterp"
)

func (e *Engine) executeCommands() []Command {
	return []Command{
		{Name: "rg.pyexecute", Arity: -2, Flags: []string{"readonly"}, DenyInMulti: errNotInMulti,
			Summary: "Run a Python script in a new session", Handler: e.cmdPyExecute},
	}
}

// executeArgs are RG.PYEXECUTE's options (commands.md §2.1.1).
type executeArgs struct {
	code        string
	unblocking  bool
	upgrade     bool
	id          string
	description string
	replaceWith string
}

// parseExecuteArgs reads the options after the script, left to right, any
// order, last one wins.
func parseExecuteArgs(args [][]byte) (executeArgs, resp.Value, bool) {
	a := executeArgs{code: string(args[1])}
	for i := 2; i < len(args); i++ {
		switch opt := strings.ToUpper(string(args[i])); opt {
		case "UNBLOCKING":
			a.unblocking = true
		case "UPGRADE":
			a.upgrade = true
		case "FORCE_REINSTALL_REQUIREMENTS":
		case "REPLACE_WITH", "ID", "DESCRIPTION":
			if i+1 >= len(args) {
				return a, resp.Err(opt + " is missing"), false
			}
			i++
			v := string(args[i])
			switch opt {
			case "REPLACE_WITH":
				a.replaceWith = v
			case "ID":
				if !validSessionID(v) {
					return a, resp.Err(errBadID), false
				}
				a.id = v
			case "DESCRIPTION":
				a.description = v
			}
		case "REQUIREMENTS":
			if i+1 < len(args) {
				return a, resp.Err(errRequirements), false
			}
		default:
			return a, resp.Err("Unknown arguments were given: " + string(args[i])), false
		}
	}
	if a.replaceWith != "" {
		// Only linked sessions count, and a session is linked only by the
		// registrations it makes, which gearsd does not run yet.
		return a, resp.Err("Can not replace with " + a.replaceWith + ", session does not exists."), false
	}
	if a.id == "" {
		a.id = randomSessionID()
	}
	return a, resp.Value{}, true
}

func validSessionID(id string) bool {
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func randomSessionID() string {
	b := make([]byte, 20)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// cmdPyExecute runs a script in a new session (commands.md §2.1).
// RG.PYEXECUTE <script> [UNBLOCKING] [ID id] [DESCRIPTION d] [UPGRADE] [REPLACE_WITH id] [REQUIREMENTS ...]
func (e *Engine) cmdPyExecute(ctx context.Context, args [][]byte) resp.Value {
	// >> Args
	a, errReply, ok := parseExecuteArgs(args)
	if !ok {
		return errReply
	}
	e.scriptsTotal.Add(1)

	// >> Operation: the session's interpreter, owned by this call until it
	// returns; an execution the script starts takes its own reference.
	in, err := e.interps.Acquire(ctx)
	if err != nil {
		return resp.Err(errorText(err))
	}
	defer in.Release()
	in.Data.(*interpRuntime).host.setGuard(acl.GuardFrom(ctx))

	// One lane job runs the script and, for a blocking run, the execution's
	// first batch, and collects its results if that was all: a
	// run-to-completion script crosses onto the lane once.
	work := &subinterp.Work{}
	var scriptErr string
	var x *Execution
	var finished bool
	runErr := e.runScript(ctx, in, work, func(scriptOver func()) error {
		rt := in.Data.(*interpRuntime)
		r, err := rt.glue.CallMethod("run_script", a.code)
		if err != nil {
			return err
		}
		defer r.DecRef()
		if !r.IsNone() {
			v, err := r.Go()
			if err != nil {
				return err
			}
			scriptErr, _ = v.(string)
			return nil
		}
		plan, err := rt.glue.CallMethod("take_run")
		if err != nil {
			return err
		}
		if plan.IsNone() {
			plan.DecRef()
			return nil
		}
		if x, err = newExecution(e, in, work, plan); err != nil {
			plan.DecRef()
			return err
		}
		scriptOver()
		e.listExecution(x)
		x.begin()
		if !a.unblocking {
			finished = x.runFirst()
		}
		return nil
	})

	// >> Response
	switch {
	case runErr != nil:
		return resp.Err(runErr.Error())
	case scriptErr != "":
		e.log.Debug().Str("session", a.id).Str("error", scriptErr).Msg("script failed")
		return resp.Err(scriptErr)
	case x == nil:
		return resp.OK
	}
	if !finished {
		go x.runRest(a.unblocking)
	}
	if a.unblocking {
		return resp.Bulk(x.id)
	}
	select {
	case <-x.done:
	case <-ctx.Done():
		x.abort(context.Background(), "Execution was aborted: server shutting down")
	}
	e.dropExecution(x)
	_, results, errs := x.snapshot()
	return resultsReply(results, errs)
}

// runScript runs fn, a script body and what follows it in the same job, on
// the session's lane as new work (BUSY when every lane and spare is taken),
// interrupting the script when it outlives the execution timeout. fn calls
// scriptOver once the script body has returned: from then on the timeout is
// the execution's own.
func (e *Engine) runScript(ctx context.Context, in *subinterp.Interp, work *subinterp.Work, fn func(scriptOver func()) error) error {
	var mu sync.Mutex
	over, timedOut := false, false
	scriptOver := func() { mu.Lock(); over = true; mu.Unlock() }
	finished := make(chan struct{})
	timeout := e.executionTimeout()
	if timeout > 0 {
		timer := time.AfterFunc(timeout, func() {
			for {
				mu.Lock()
				if over {
					mu.Unlock()
					return
				}
				timedOut = true
				mu.Unlock()
				// Interrupt holds its own reference on the interpreter.
				in.Interrupt(work, "redisgears", forceStopped)
				select {
				case <-finished:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		})
		defer timer.Stop()
	}
	err := in.Run(ctx, work, func() error { return fn(scriptOver) })
	close(finished)
	if python.ErrorType(err) == forceStopped {
		mu.Lock()
		defer mu.Unlock()
		if timedOut && !over {
			return fmt.Errorf("Execution was aborted: the script ran longer than python.execution-timeout (%s)", timeout)
		}
	}
	return err
}
