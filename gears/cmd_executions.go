package gears

import (
	"context"
	"strings"

	"github.com/gearsd/gearsd/resp"
)

func (e *Engine) executionCommands() []Command {
	return []Command{
		{Name: "rg.getresults", Arity: -2, Flags: []string{"readonly"}, Summary: "Results and errors of a finished execution", Handler: e.cmdGetResults},
		{Name: "rg.getresultsblocking", Arity: 2, Flags: []string{"readonly"}, Summary: "Wait for an execution, then its results", Handler: e.cmdGetResultsBlocking},
		{Name: "rg.dumpexecutions", Arity: -1, Flags: []string{"readonly"}, Summary: "List executions", Handler: e.cmdDumpExecutions},
		{Name: "rg.getexecution", Arity: -2, Flags: []string{"readonly"}, Summary: "The plan and state of an execution", Handler: e.cmdGetExecution},
		{Name: "rg.dropexecution", Arity: 2, Flags: []string{"readonly"}, Summary: "Remove a finished execution", Handler: e.cmdDropExecution},
		{Name: "rg.abortexecution", Arity: 2, Flags: []string{"readonly"}, Summary: "Abort an execution", Handler: e.cmdAbortExecution},
	}
}

// cmdGetResults: RG.GETRESULTS <id> (commands.md §2.4).
func (e *Engine) cmdGetResults(_ context.Context, args [][]byte) resp.Value {
	x := e.findExecution(string(args[1]))
	if x == nil {
		return resp.Err(errNoSuchExecution)
	}
	if !x.finished() {
		return resp.Err(errStillRunning)
	}
	_, results, errs := x.snapshot()
	return resultsReply(results, errs)
}

// cmdGetResultsBlocking: RG.GETRESULTSBLOCKING <id> (commands.md §2.5).
func (e *Engine) cmdGetResultsBlocking(ctx context.Context, args [][]byte) resp.Value {
	x := e.findExecution(string(args[1]))
	if x == nil {
		return resp.Err(errNoSuchExecution)
	}
	select {
	case <-x.done:
	case <-ctx.Done():
		return resp.Errf("server is shutting down")
	}
	_, results, errs := x.snapshot()
	return resultsReply(results, errs)
}

// cmdDumpExecutions: RG.DUMPEXECUTIONS (commands.md §2.7), in creation order.
func (e *Engine) cmdDumpExecutions(_ context.Context, _ [][]byte) resp.Value {
	e.mu.Lock()
	list := append([]*Execution(nil), e.order...)
	e.mu.Unlock()
	out := make([]resp.Value, 0, len(list))
	for _, x := range list {
		status, _, _ := x.snapshot()
		out = append(out, resp.Array(resp.Bulk("executionId"), resp.Bulk(x.id),
			resp.Bulk("status"), resp.Bulk(status), resp.Bulk("registered"), resp.Int(0)))
	}
	return resp.Array(out...)
}

// cmdGetExecution: RG.GETEXECUTION <id> [SHARD|CLUSTER] (commands.md §2.6).
func (e *Engine) cmdGetExecution(_ context.Context, args [][]byte) resp.Value {
	if len(args) > 3 {
		return resp.Errf("wrong number of arguments for 'rg.getexecution' command")
	}
	x := e.findExecution(string(args[1]))
	if x == nil {
		return resp.Err(errNoSuchExecution)
	}
	if len(args) == 3 {
		switch strings.ToUpper(string(args[2])) {
		case "SHARD":
		case "CLUSTER":
			return resp.Err(errClusterGet)
		default:
			return resp.Err(errUnknownSubcommand)
		}
	}
	x.mu.Lock()
	status, nres, errs := x.status, int64(len(x.results)), x.errs
	total, read := x.duration.Milliseconds(), x.readTime.Milliseconds()
	x.mu.Unlock()
	if status != statusDone && status != statusAborted {
		nres, errs = -1, nil
	}
	steps := make([]resp.Value, len(x.steps))
	for i, s := range x.steps {
		steps[i] = resp.Array(resp.Bulk("type"), resp.Bulk(s[0]), resp.Bulk("duration"), resp.Int(0),
			resp.Bulk("name"), resp.Bulk(s[1]), resp.Bulk("arg"), resp.Bulk(s[2]))
	}
	plan := resp.Array(
		resp.Bulk("status"), resp.Bulk(status),
		resp.Bulk("shards_received"), resp.Int(0),
		resp.Bulk("shards_completed"), resp.Int(0),
		resp.Bulk("results"), resp.Int(nres),
		resp.Bulk("errors"), resp.BulkArray(errs),
		resp.Bulk("total_duration"), resp.Int(total),
		resp.Bulk("read_duration"), resp.Int(read),
		resp.Bulk("steps"), resp.Array(steps...),
	)
	return resp.Array(resp.Array(resp.Bulk("shard_id"), resp.Bulk(shardID), resp.Bulk("execution_plan"), plan))
}

// cmdDropExecution: RG.DROPEXECUTION <id> (commands.md §2.3).
func (e *Engine) cmdDropExecution(_ context.Context, args [][]byte) resp.Value {
	x := e.findExecution(string(args[1]))
	if x == nil {
		return resp.Err(errNoSuchExecution)
	}
	if !x.finished() {
		return resp.Err(errDropRunning)
	}
	e.dropExecution(x)
	return resp.OK
}

// cmdAbortExecution: RG.ABORTEXECUTION <id> (commands.md §2.2). It waits
// until the execution has stopped; a finished one answers OK.
func (e *Engine) cmdAbortExecution(ctx context.Context, args [][]byte) resp.Value {
	x := e.findExecution(string(args[1]))
	if x == nil {
		return resp.Err(errAbortNotFound)
	}
	x.abort(ctx, "Execution was aborted")
	return resp.OK
}
