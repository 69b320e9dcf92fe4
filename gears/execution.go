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
//
// Its first batch runs in the same lane job as the script that created it
// (runFirst), so a run-to-completion script costs one lane crossing; what is
// left runs on a goroutine of its own (runRest), one lane job per batch,
// then one to collect the results. Once started, none of those jobs can be
// refused for a busy lane (subinterp.Interp.Must).
type Execution struct {
	id     string
	engine *Engine
	interp *subinterp.Interp
	work   *subinterp.Work // the job running it now, for interrupts
	plan   *python.Object  // owned; released on the lane by collect

	reader    string
	pattern   string
	noScan    bool
	readValue bool
	steps     [][3]string

	dropWhenDone atomic.Bool
	abortReason  atomic.Pointer[string]
	timer        *time.Timer // python.execution-timeout, armed by begin

	// KeysReader: where the scan goes on after the first batch (0: done).
	cursor uint64

	mu       sync.Mutex
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

// newExecution wraps the plan a script's run() left; work is the script's,
// whose job goes on with the execution. It takes a reference on in and
// ownership of plan. PRECONDITION: on the interpreter's lane, attached, the
// caller holding a reference.
func newExecution(e *Engine, in *subinterp.Interp, work *subinterp.Work, plan *python.Object) (*Execution, error) {
	x := &Execution{engine: e, interp: in, work: work, plan: plan, status: statusCreated, done: make(chan struct{})}
	if err := x.describe(in.Data.(*interpRuntime).glue); err != nil {
		return nil, err
	}
	in.Retain()
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

// begin marks the execution running and arms its timeout.
func (x *Execution) begin() {
	x.mu.Lock()
	x.status = statusRunning
	x.started = time.Now()
	x.mu.Unlock()
	if d := x.engine.executionTimeout(); d > 0 {
		reason := fmt.Sprintf("Execution was aborted: it ran longer than python.execution-timeout (%s)", d)
		x.timer = time.AfterFunc(d, func() { x.requestAbort(reason) })
	}
}

var errAborted = errors.New("aborted")

func (x *Execution) aborting() bool { return x.abortReason.Load() != nil }

// runFirst runs the first batch where it is called, in the lane job of the
// script that created the execution, and collects the results if that was
// all. It reports whether the execution finished. PRECONDITION: attached.
func (x *Execution) runFirst() bool {
	var more bool
	var err error
	if x.reader == "KeysReader" {
		var buf []byte
		var next uint64
		buf, next, err = x.firstKeys()
		if err == nil {
			more, err = x.feed(buf)
		}
		x.cursor = next
		more = more && next != 0
	} else {
		more, err = x.pull()
	}
	if err != nil || !more || x.aborting() {
		if err == nil && x.aborting() {
			err = errAborted
		}
		x.collect(err)
		return true
	}
	return false
}

// runRest drives what runFirst left, or the whole execution for an
// UNBLOCKING run (first false), on its own goroutine: input is read here and
// handed to the lane one batch per job.
func (x *Execution) runRest(first bool) {
	var err error
	switch {
	case x.reader != "KeysReader":
		for err == nil {
			if x.aborting() {
				err = errAborted
				break
			}
			var more bool
			if err = x.interp.Must(x.work, func() error {
				var perr error
				more, perr = x.pull()
				return perr
			}); err == nil && !more {
				break
			}
		}
	default:
		from := x.cursor
		if first {
			from = 0
		}
		batches := make(chan []byte, 2) // read ahead while the lane works
		stop := make(chan struct{})
		go x.readKeys(from, first, batches, stop)
		for buf := range batches {
			if x.aborting() {
				err = errAborted
				break
			}
			var more bool
			if err = x.interp.Must(x.work, func() error {
				var ferr error
				more, ferr = x.feed(buf)
				return ferr
			}); err != nil || !more {
				break
			}
		}
		close(stop)
	}
	if err := x.interp.Must(x.work, func() error { x.collect(err); return nil }); err != nil {
		// The lanes are closed (shutdown): Python is going away with the
		// plan; the execution still ends and lets go of its interpreter.
		x.abandon(err)
	}
}

// pull runs one batch of a reader implemented in the runtime.
// PRECONDITION: attached.
func (x *Execution) pull() (more bool, err error) {
	r, err := x.plan.CallMethod("pull", batchSize)
	if err != nil {
		return false, err
	}
	defer r.DecRef()
	exhausted, err := r.Truthy()
	return !exhausted, err
}

// feed pushes one encoded batch of KeysReader records. PRECONDITION:
// attached.
func (x *Execution) feed(buf []byte) (more bool, err error) {
	records, err := python.FromEncoded(buf)
	if err != nil {
		return false, err
	}
	defer records.DecRef()
	r, err := x.plan.CallMethod("feed", records)
	if err != nil {
		return false, err
	}
	defer r.DecRef()
	return r.Truthy()
}

// collect finishes the plan, converts its results and errors to Go values,
// releases the plan and the interpreter reference, and marks the execution
// done or aborted. It runs once, on the lane. PRECONDITION: attached.
func (x *Execution) collect(runErr error) {
	aborted := errors.Is(runErr, errAborted) || python.ErrorType(runErr) == forceStopped
	var results []resp.Value
	var errs []string
	err := func() error {
		defer func() { x.plan.DecRef(); x.plan = nil }()
		if !aborted && runErr == nil {
			r, err := x.plan.CallMethod("finish")
			if err != nil {
				if python.ErrorType(err) != forceStopped {
					return err
				}
				aborted = true
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
	}()
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
	x.end(results, errs, aborted)
}

// abandon ends an execution whose results could not be collected because
// the lanes are gone.
func (x *Execution) abandon(err error) {
	x.end(nil, []string{errorText(err)}, true)
}

// end records the outcome, lets go of the interpreter and wakes waiters.
func (x *Execution) end(results []resp.Value, errs []string, aborted bool) {
	if aborted {
		reason := "Execution was aborted"
		if r := x.abortReason.Load(); r != nil {
			reason = *r
		}
		errs = append(errs, reason)
	}
	if x.timer != nil {
		x.timer.Stop()
	}
	x.mu.Lock()
	x.results, x.errs = results, errs
	x.duration = time.Since(x.started)
	if aborted {
		x.status = statusAborted
	} else {
		x.status = statusDone
	}
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

// abort requests the execution's end and waits until it has finished, or
// ctx ends.
func (x *Execution) abort(ctx context.Context, reason string) {
	x.requestAbort(reason)
	select {
	case <-x.done:
	case <-ctx.Done():
	}
}

// requestAbort asks the execution to stop (the first reason given is the
// one reported) and interrupts its job until it has finished, on a
// goroutine of its own: it never waits for a lane.
func (x *Execution) requestAbort(reason string) {
	if !x.abortReason.CompareAndSwap(nil, &reason) {
		return
	}
	go func() {
		for {
			// Raises only if this execution's job is running now; between
			// jobs the driver sees abortReason instead.
			x.interp.Interrupt(x.work, "redisgears", forceStopped)
			select {
			case <-x.done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
}
