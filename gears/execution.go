package gears

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/resp"
	"github.com/gearsd/gearsd/subinterp"
)

// Execution statuses on one server (commands.md §0.4).
const (
	statusCreated = "created"
	statusRunning = "running"
	statusDone    = "done"
	statusAborted = "aborted"
)

// batchSize is how many records cross to the lane in one job.
const batchSize = 1000

// forceStopped is the exception the engine raises into aborted work.
const forceStopped = "GearsForceStopped"

// Execution is one run() of a session. While unfinished it holds a
// reference on its session's interpreter and the plan object (the Python
// _Execution); both are released when it finishes, so a finished execution
// costs its results, not an interpreter.
type Execution struct {
	id     string
	engine *Engine
	interp *subinterp.Interp
	plan   *python.Object // owned; released on the lane when finished

	reader    string
	pattern   string
	noScan    bool
	readValue bool
	steps     [][3]string

	dropWhenDone atomic.Bool
	abortReason  atomic.Pointer[string]

	mu       sync.Mutex
	released bool // the interpreter reference is gone
	status   string
	results  []resp.Value
	errs     []string
	started  time.Time
	duration time.Duration
	readTime time.Duration
	done     chan struct{}
}

func (x *Execution) finished() bool {
	select {
	case <-x.done:
		return true
	default:
		return false
	}
}

func (x *Execution) snapshot() (status string, results []resp.Value, errs []string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status, x.results, x.errs
}

// newExecution wraps the plan a script's run() left. PRECONDITION: on the
// interpreter's lane, attached; takes ownership of plan.
func newExecution(e *Engine, in *subinterp.Interp, plan *python.Object) (*Execution, error) {
	x := &Execution{engine: e, interp: in, plan: plan, status: statusCreated, done: make(chan struct{})}
	if err := x.describe(in.Data.(*interpRuntime).glue); err != nil {
		return nil, err
	}
	return x, nil
}

// describe reads what the engine needs from the plan, in one call: the
// reader, KeysReader's pattern and options, and the steps for
// RG.GETEXECUTION. PRECONDITION: attached.
func (x *Execution) describe(glue *python.Object) error {
	r, err := glue.CallMethod("describe", x.plan)
	if err != nil {
		return err
	}
	defer r.DecRef()
	v, err := r.Go()
	if err != nil {
		return err
	}
	d, ok := v.([]any)
	if !ok || len(d) != 5 {
		return fmt.Errorf("gears: unexpected plan description %v", v)
	}
	x.reader, _ = d[0].(string)
	x.pattern, _ = d[1].(string)
	x.noScan, _ = d[2].(bool)
	x.readValue, _ = d[3].(bool)
	steps, _ := d[4].([]any)
	for _, row := range steps {
		if r, ok := row.([]any); ok && len(r) == 3 {
			t, _ := r[0].(string)
			n, _ := r[1].(string)
			a, _ := r[2].(string)
			x.steps = append(x.steps, [3]string{t, n, a})
		}
	}
	return nil
}

// start runs the execution on its own goroutine.
func (x *Execution) start() {
	x.mu.Lock()
	x.status = statusRunning
	x.started = time.Now()
	x.mu.Unlock()
	if x.engine.executionTimeout() > 0 {
		timer := time.AfterFunc(x.engine.executionTimeout(), func() {
			x.abort(context.Background(), fmt.Sprintf("Execution was aborted: it ran longer than python.execution-timeout (%s)", x.engine.executionTimeout()))
		})
		go func() { <-x.done; timer.Stop() }()
	}
	go x.run()
}

// run drives the plan: it reads input on this goroutine and hands it to
// the lane in batches, then collects the results.
func (x *Execution) run() {
	var err error
	switch x.reader {
	case "KeysReader":
		err = x.runKeysReader()
	default:
		err = x.runPythonReader()
	}
	x.finish(err)
}

// job runs fn on the lane as part of this execution; an abort requested
// before it starts skips it.
func (x *Execution) job(fn func() error) error {
	if r := x.abortReason.Load(); r != nil {
		return errAborted
	}
	return x.interp.Run(context.Background(), fn)
}

var errAborted = errors.New("aborted")

func (x *Execution) runPythonReader() error {
	for {
		var exhausted bool
		err := x.job(func() error {
			r, err := x.plan.CallMethod("pull", batchSize)
			if err != nil {
				return err
			}
			defer r.DecRef()
			exhausted, err = r.Truthy()
			return err
		})
		if err != nil || exhausted {
			return err
		}
	}
}

func (x *Execution) runKeysReader() error {
	batches := make(chan []byte, 2) // read ahead while the lane works
	stop := make(chan struct{})
	defer close(stop)
	go x.readKeys(batches, stop)
	for batch := range batches {
		var more bool
		err := x.job(func() error {
			records, err := python.FromEncoded(batch)
			if err != nil {
				return err
			}
			defer records.DecRef()
			r, err := x.plan.CallMethod("feed", records)
			if err != nil {
				return err
			}
			defer r.DecRef()
			more, err = r.Truthy()
			return err
		})
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// finish collects results and errors on the lane, releases the plan and
// the interpreter reference, and marks the execution done or aborted.
func (x *Execution) finish(runErr error) {
	aborted := errors.Is(runErr, errAborted) || python.ErrorType(runErr) == forceStopped
	var results []resp.Value
	var errs []string
	collect := func() error {
		if !aborted && runErr == nil {
			r, err := x.plan.CallMethod("finish")
			if err != nil {
				if python.ErrorType(err) == forceStopped {
					aborted = true
				} else {
					return err
				}
			} else {
				r.DecRef()
			}
		}
		for _, name := range []string{"results", "errors"} {
			r, err := x.plan.CallMethod(name)
			if err != nil {
				return err
			}
			v, err := r.Go()
			r.DecRef()
			if err != nil {
				return err
			}
			for _, rec := range v.([]any) {
				if name == "results" {
					results = append(results, recordToReply(rec))
				} else {
					s, _ := rec.(string)
					errs = append(errs, s)
				}
			}
		}
		return nil
	}
	// The collecting job must run even after an abort, to release the plan
	// in its interpreter; it is not subject to the abort check.
	err := x.interp.Run(context.Background(), func() error {
		defer func() { x.plan.DecRef(); x.plan = nil }()
		return collect()
	})
	if err != nil {
		if python.ErrorType(err) == forceStopped {
			aborted = true
		} else {
			errs = append(errs, errorText(err))
		}
	}
	if runErr != nil && !aborted {
		errs = append(errs, errorText(runErr))
	}
	if aborted {
		reason := "Execution was aborted"
		if r := x.abortReason.Load(); r != nil {
			reason = *r
		}
		errs = append(errs, reason)
	}
	x.mu.Lock()
	x.results, x.errs = results, errs
	x.duration = time.Since(x.started)
	if aborted {
		x.status = statusAborted
	} else {
		x.status = statusDone
	}
	x.released = true
	x.mu.Unlock()
	x.interp.Release()
	close(x.done)
	if x.dropWhenDone.Load() {
		x.engine.dropExecution(x)
	}
}

// errorText is the error text of a failure that did not come from a step:
// a Python error with its message, BUSY, shutdown.
func errorText(err error) string {
	var pe *python.Error
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return err.Error()
}

// abort interrupts the execution and waits until it has finished, or ctx
// ends. The first reason given is the one reported.
func (x *Execution) abort(ctx context.Context, reason string) {
	x.abortReason.CompareAndSwap(nil, &reason)
	for {
		x.mu.Lock()
		if x.status == statusCreated || x.released {
			x.mu.Unlock()
			return
		}
		in := x.interp
		in.Retain() // Interrupt needs the interpreter alive
		x.mu.Unlock()
		// Raises only if this session's work is running on its lane now;
		// between jobs the driver sees abortReason instead.
		in.Interrupt("redisgears", forceStopped)
		in.Release()
		select {
		case <-x.done:
			return
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}
