package server

import (
	"fmt"
	"runtime/debug"

	"github.com/gearsd/gearsd/resp"
)

// msgNotFromScript is Redis's refusal of a command a script may not run.
const msgNotFromScript = "ERR This Redis command is not allowed from script"

// scriptAllowed are commands Redis 7 flags noscript that gearsd's scripts
// may run all the same: CONFIG GET, which RedisGears scripts read settings
// with.
var scriptAllowed = map[string]bool{"config|get": true}

// ScriptCommand runs, for code a module runs (Python's execute()), a command
// of the server's own: PING, ECHO, TIME, INFO, CONFIG GET, COMMAND... It
// answers unknown commands and wrong arities with the same texts a client
// gets, and refuses, with Redis's text, what a script may not run (the
// connection's state, subscriptions, blocking or stopping the server, the
// modules' commands). A store command is not its to run: handled is false,
// and the caller sends it to the store, which Python reaches directly.
func (s *Server) ScriptCommand(argv [][]byte) (v resp.Value, handled bool) {
	if len(argv) == 0 {
		return resp.Value{}, false
	}
	cmd, errv, ok := s.resolve(argv)
	switch {
	case !ok:
		return errv, true
	case cmd.store:
		return resp.Value{}, false
	case cmd.module != nil, cmd.offLoop, cmd.subs != nil,
		redisNoScript[cmd.name] && !scriptAllowed[cmd.name],
		cmd.hasFlag("noscript"), cmd.hasFlag("no_auth"):
		return resp.Err(msgNotFromScript), true
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Error().Str("command", cmd.name).Interface("panic", r).Bytes("stack", debug.Stack()).
				Msg("command handler panicked (from a script)")
			v, handled = resp.Err(fmt.Sprintf(msgInternal, cmd.name, r)), true
		}
	}()
	return cmd.run(s, scriptClient(s), argv), true
}

// scriptClient is the client a script's command runs as: authenticated as
// the default user (the ACL check of execute() is the module's guard), with
// no connection. Each call has its own, so scripts on several lanes share
// nothing.
func scriptClient(s *Server) *client {
	c := &client{id: 0, addr: "script", authenticated: true}
	c.userRef.Store(s.acl.Default())
	return c
}
