package gears

import (
	"context"
	"strings"

	"github.com/gearsd/gearsd/resp"
)

func (e *Engine) miscCommands() []Command {
	fixed := func(v resp.Value) func(context.Context, [][]byte) resp.Value {
		return func(context.Context, [][]byte) resp.Value { return v }
	}
	return []Command{
		{Name: "rg.configget", Arity: -1, Flags: []string{"readonly"}, Summary: "Read RedisGears configuration", Handler: e.cmdConfigGet},
		{Name: "rg.configset", Arity: -1, Flags: []string{"readonly"}, Summary: "Change RedisGears configuration", Handler: e.cmdConfigSet},
		{Name: "rg.pydumpsessions", Arity: -1, Flags: []string{"readonly"}, Summary: "List linked sessions", Handler: e.cmdPyDumpSessions},
		{Name: "rg.dumpregistrations", Arity: -1, Flags: []string{"readonly"}, Summary: "List registrations", Handler: fixed(resp.Array())},
		{Name: "rg.infocluster", Arity: -1, Flags: []string{"readonly"}, Summary: "Cluster topology", Handler: fixed(resp.Bulk("no cluster mode"))},
		{Name: "rg.refreshcluster", Arity: -1, Flags: []string{"readonly"}, Summary: "Re-read the cluster topology", Handler: fixed(resp.OK)},
		{Name: "rg.dumpplugins", Arity: -1, Flags: []string{"readonly"}, Summary: "Loaded plugins",
			Handler: fixed(resp.Array(resp.Array(resp.Bulk("GearsPythonPlugin"), resp.Int(10000))))},
		{Name: "rg.networktest", Arity: -1, Flags: []string{"readonly"}, Handler: fixed(resp.OK)},
		{Name: "rg.pyexecuteremote", Arity: -1, Flags: []string{"readonly"}, Handler: fixed(resp.Bulk("Execute remote is not longer supported"))},
		{Name: "rg.pyfreeinterpreter", Arity: -1, Flags: []string{"readonly"}, Handler: fixed(resp.Bulk("Free interpreter is not longer supported"))},
	}
}

// cmdConfigGet: RG.CONFIGGET <key> ... (config.md §3): one element per key.
func (e *Engine) cmdConfigGet(_ context.Context, args [][]byte) resp.Value {
	out := make([]resp.Value, 0, len(args)-1)
	for _, k := range args[1:] {
		out = append(out, e.config.get(string(k)))
	}
	return resp.Array(out...)
}

// cmdConfigSet: RG.CONFIGSET <key> <value> ... (config.md §4).
func (e *Engine) cmdConfigSet(_ context.Context, args [][]byte) resp.Value {
	pairs := make([]string, len(args)-1)
	for i, a := range args[1:] {
		pairs[i] = string(a)
	}
	return resp.Array(e.config.set(pairs, false)...)
}

// cmdPyDumpSessions: RG.PYDUMPSESSIONS [VERBOSE] [DEAD] [SESSIONS s ...]
// (commands.md §2.15). Sessions are linked only by registrations, which
// gearsd does not run yet, so no session is ever listed.
func (e *Engine) cmdPyDumpSessions(_ context.Context, args [][]byte) resp.Value {
	i := 1
	for ; i < len(args); i++ {
		opt := strings.ToUpper(string(args[i]))
		if opt != "VERBOSE" && opt != "DEAD" {
			break
		}
	}
	if i == len(args) {
		return resp.Array()
	}
	if !strings.EqualFold(string(args[i]), "SESSIONS") {
		return resp.Err("Unknown option " + string(args[i]))
	}
	out := []resp.Value{}
	for _, name := range args[i+1:] {
		out = append(out, resp.Bulk("Session "+string(name)+" does not exists"))
	}
	return resp.Array(out...)
}
