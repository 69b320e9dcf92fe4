package gears

import (
	"context"

	"github.com/gearsd/gearsd/resp"
)

// Command is one RG.* command, in the shape the server's Module interface
// takes (main adapts it; server cannot import this cgo package).
type Command struct {
	Name        string
	Arity       int
	Flags       []string
	DenyInMulti string
	Summary     string
	Handler     func(ctx context.Context, args [][]byte) resp.Value
}

// Error texts of RedisGears 1.2, verbatim (commands.md; no "ERR " prefix
// unless the reference has one).
const (
	errNotInMulti        = "Can not run gears inside a multi exec, lua, or when blocking is not allowed"
	errNoSuchExecution   = "execution plan does not exist"
	errAbortNotFound     = "execution does not exist"
	errStillRunning      = "execution is still running"
	errDropRunning       = "can not drop a not yet finished execution, abort it first."
	errClusterGet        = "no cluster detected - use `RG.GETEXECUTION <id> [SHARD]` instead"
	errUnknownSubcommand = "unknown subcommand"
	errBadID             = "ID must be compose of: ['A'-'Z' | 'a'-'z' | '0' - '9' | '-' | '_']"
	errRequirements      = "REQUIREMENTS are not supported yet by gearsd"
)

// Commands lists the engine's commands, a family per file.
func (e *Engine) Commands() []Command {
	var cmds []Command
	cmds = append(cmds, e.executeCommands()...)
	cmds = append(cmds, e.executionCommands()...)
	cmds = append(cmds, e.miscCommands()...)
	return cmds
}
