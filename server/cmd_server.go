package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/resp"
)

// Server commands: introspection (COMMAND), configuration (CONFIG), TIME,
// SHUTDOWN and DEBUG. INFO is in cmd_info.go.
func init() {
	cmd := container("command", "server", "Returns detailed information about all commands.",
		&command{name: "count", arity: 2, summary: "Returns a count of commands.", run: cmdCommandCount},
		&command{name: "info", arity: -2, summary: "Returns information about one, multiple or all commands.", run: cmdCommandInfo},
		&command{name: "docs", arity: -2, summary: "Returns documentary information about one, multiple or all commands.", run: cmdCommandDocs},
		&command{name: "list", arity: -2, summary: "Returns a list of command names.", run: cmdCommandList},
		&command{name: "getkeys", arity: -4, summary: "Extracts the key names from an arbitrary command.", run: cmdCommandGetkeys},
		&command{name: "help", arity: 2, summary: "Returns helpful text about the different subcommands.", run: cmdHelp},
	)
	cmd.arity, cmd.run = -1, cmdCommandInfo // COMMAND alone lists them all
	register(cmd,
		container("config", "server", "A container for server configuration commands.",
			&command{name: "get", arity: -3, flags: []string{"admin"}, summary: "Returns the effective values of configuration parameters.", run: cmdConfigGet},
			&command{name: "set", arity: -4, flags: []string{"admin"}, summary: "Sets configuration parameters in-flight.", run: cmdConfigSet},
			&command{name: "resetstat", arity: 2, flags: []string{"admin"}, summary: "Resets the server's statistics.", run: cmdConfigResetstat},
			&command{name: "rewrite", arity: 2, flags: []string{"admin"}, summary: "Persists the effective configuration to file (not supported).", run: cmdConfigRewrite},
			&command{name: "help", arity: 2, summary: "Returns helpful text about the different subcommands.", run: cmdHelp},
		),
		&command{name: "time", arity: 1, flags: []string{"fast"}, group: "server", since: "2.6.0",
			summary: "Returns the server time.", run: cmdTime},
		&command{name: "shutdown", offLoop: true, arity: -1, flags: []string{"admin"}, group: "server", since: "1.0.0",
			summary: "Stops the server gracefully.", run: cmdShutdown},
		&command{name: "debug", offLoop: true, arity: -2, flags: []string{"admin"}, group: "server", since: "1.0.0",
			summary: "A container for debugging commands (SLEEP).", run: cmdDebug},
	)
}

// >> COMMAND

func cmdCommandCount(s *Server, c *client, args [][]byte) resp.Value {
	return resp.Int(int64(len(s.cmds)))
}

// COMMAND and COMMAND INFO [name ...]: Redis 7's ten-element entries.
func cmdCommandInfo(s *Server, c *client, args [][]byte) resp.Value {
	if len(args) <= 2 {
		all := sortedCommands(s.cmds)
		out := make([]resp.Value, len(all))
		for i, cmd := range all {
			out[i] = cmd.infoEntry()
		}
		return resp.Array(out...)
	}
	out := make([]resp.Value, 0, len(args)-2)
	for _, name := range args[2:] {
		if cmd := s.lookupFullName(string(name)); cmd != nil {
			out = append(out, cmd.infoEntry())
		} else {
			out = append(out, resp.Null)
		}
	}
	return resp.Array(out...)
}

// lookupFullName finds "get" or "config|get", any case.
func (s *Server) lookupFullName(name string) *command {
	base, sub, isSub := strings.Cut(strings.ToLower(name), "|")
	cmd := s.cmds[base]
	if cmd == nil || !isSub {
		return cmd
	}
	return cmd.subs[sub]
}

func (cmd *command) infoEntry() resp.Value {
	flags := make([]resp.Value, len(cmd.flags))
	for i, f := range cmd.flags {
		flags[i] = resp.Simple(f)
	}
	subs := []resp.Value{}
	for _, sub := range sortedCommands(cmd.subs) {
		subs = append(subs, sub.infoEntry())
	}
	return resp.Array(
		resp.Bulk(cmd.name),
		resp.Int(int64(cmd.arity)),
		resp.Array(flags...),
		resp.Int(int64(cmd.firstKey)), resp.Int(int64(cmd.lastKey)), resp.Int(int64(cmd.step)),
		resp.Array(cmd.aclCategories()...),
		resp.Array(), // tips
		resp.Array(), // key specs
		resp.Array(subs...),
	)
}

// aclCategories are the command's ACL categories, as "@name".
func (cmd *command) aclCategories() []resp.Value {
	cats := categoriesOf(cmd)
	out := make([]resp.Value, len(cats))
	for i, cat := range cats {
		out[i] = resp.Simple("@" + cat)
	}
	return out
}

// COMMAND DOCS [name ...]: a map per command with summary, since and group
// (the keys redis-cli 7 requires; it asserts their types), and subcommands.
func cmdCommandDocs(s *Server, c *client, args [][]byte) resp.Value {
	var cmds []*command
	if len(args) == 2 {
		cmds = sortedCommands(s.cmds)
	} else {
		for _, name := range args[2:] {
			if cmd := s.lookupFullName(string(name)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	out := make([]resp.Value, 0, 2*len(cmds))
	for _, cmd := range cmds {
		out = append(out, resp.Bulk(cmd.name), cmd.docs())
	}
	return resp.Array(out...)
}

func (cmd *command) docs() resp.Value {
	doc := []resp.Value{
		resp.Bulk("summary"), resp.Bulk(cmd.summary),
		resp.Bulk("since"), resp.Bulk(cmd.since),
		resp.Bulk("group"), resp.Bulk(cmd.group),
	}
	if len(cmd.subs) > 0 {
		var subs []resp.Value
		for _, sub := range sortedCommands(cmd.subs) {
			subs = append(subs, resp.Bulk(sub.name), sub.docs())
		}
		doc = append(doc, resp.Bulk("subcommands"), resp.Array(subs...))
	}
	return resp.Array(doc...)
}

// COMMAND LIST [FILTERBY PATTERN pattern]: names, subcommands included.
func cmdCommandList(s *Server, c *client, args [][]byte) resp.Value {
	pattern := ""
	switch {
	case len(args) == 2:
	case len(args) == 5 && strings.EqualFold(string(args[2]), "filterby") && strings.EqualFold(string(args[3]), "pattern"):
		pattern = string(args[4])
	default:
		return resp.Err(msgSyntax)
	}
	var names []string
	for _, cmd := range sortedCommands(s.cmds) {
		names = append(names, cmd.name)
		for _, sub := range sortedCommands(cmd.subs) {
			names = append(names, sub.name)
		}
	}
	if pattern != "" {
		kept := names[:0]
		for _, n := range names {
			if config.GlobMatch(pattern, n, true) {
				kept = append(kept, n)
			}
		}
		names = kept
	}
	return resp.BulkArray(names)
}

// COMMAND GETKEYS command [arg ...]: the keys by first/last/step.
func cmdCommandGetkeys(s *Server, c *client, args [][]byte) resp.Value {
	sub := args[2:]
	target, _, ok := s.find(sub)
	switch {
	case !ok:
		return resp.Err("ERR Invalid command specified")
	case target.firstKey <= 0:
		return resp.Err("ERR The command has no key arguments")
	case !target.arityOK(len(sub)):
		return resp.Err("ERR Invalid number of arguments specified for command")
	}
	var keys []resp.Value
	for _, i := range positionalKeys(target, sub) {
		keys = append(keys, resp.BulkBytes(sub[i]))
	}
	return resp.Array(keys...)
}

// >> CONFIG

// CONFIG GET pattern [pattern ...]: name/value pairs, each name once.
func cmdConfigGet(s *Server, c *client, args [][]byte) resp.Value {
	seen := map[string]bool{}
	var out []resp.Value
	for _, p := range args[2:] {
		for _, kv := range s.cfg.Get(string(p)) {
			if key := strings.ToLower(kv[0]); !seen[key] {
				seen[key] = true
				out = append(out, resp.Bulk(kv[0]), resp.Bulk(kv[1]))
			}
		}
	}
	return resp.Array(out...)
}

// CONFIG SET name value [name value ...]: all or nothing, Redis's errors.
func cmdConfigSet(s *Server, c *client, args [][]byte) resp.Value {
	if len(args)%2 != 0 {
		return resp.Err(msgSyntax)
	}
	pairs := make([][2]string, 0, (len(args)-2)/2)
	for i := 2; i < len(args); i += 2 {
		pairs = append(pairs, [2]string{string(args[i]), string(args[i+1])})
	}
	err := s.cfg.SetMany(pairs)
	var se *config.SetError
	switch {
	case err == nil:
		s.log.Info().Interface("settings", pairs).Msg("configuration changed")
		return resp.OK
	case errors.As(err, &se) && errors.Is(err, config.ErrUnknown):
		return resp.Err(fmt.Sprintf(msgConfigUnknown, se.Name))
	case errors.As(err, &se):
		return resp.Err(fmt.Sprintf(msgConfigSetFailed, se.Name, se.Reason))
	}
	return resp.Err("ERR " + err.Error())
}

func cmdConfigResetstat(s *Server, c *client, args [][]byte) resp.Value {
	s.stats.connections.Store(0)
	s.stats.rejected.Store(0)
	s.stats.commands.Store(0)
	s.stats.errors.Store(0)
	s.stats.netInput.Store(0)
	if sc, ok := s.store.(StatsCounter); ok {
		sc.ResetStatsCounters()
	}
	return resp.OK
}

func cmdConfigRewrite(s *Server, c *client, args [][]byte) resp.Value {
	if f := s.cfg.File(); f != "" {
		return resp.Err(fmt.Sprintf(msgConfigRewrite, f))
	}
	return resp.Err(msgConfigNoFile)
}

// >> TIME, SHUTDOWN, DEBUG

func cmdTime(s *Server, c *client, args [][]byte) resp.Value {
	now := time.Now()
	return resp.Array(
		resp.Bulk(strconv.FormatInt(now.Unix(), 10)),
		resp.Bulk(strconv.FormatInt(int64(now.Nanosecond()/1000), 10)),
	)
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: starts the graceful
// shutdown; the client gets no reply, only its connection closed, as with
// Redis. Serve returns once it is done, and main closes modules and store.
// SAVE is accepted: the store flushes what it must when it is closed.
func cmdShutdown(s *Server, c *client, args [][]byte) resp.Value {
	// >> Args
	save, nosave, abort, other := false, false, false, false
	for _, a := range args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave":
			nosave = true
		case "save":
			save = true
		case "now", "force":
			other = true
		case "abort":
			abort = true
		default:
			return resp.Err(msgSyntax)
		}
	}
	if (abort && (save || nosave || other)) || (save && nosave) {
		return resp.Err(msgSyntax)
	}
	if abort {
		return resp.Err(msgNoShutdown) // gearsd's shutdown cannot be called back
	}
	// >> Operation
	s.log.Info().Int64("client", c.id).Str("addr", c.addr).Msg("SHUTDOWN requested")
	grace := time.Duration(s.cfg.Int(config.ShutdownTimeout)) * time.Second
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		_ = s.Shutdown(ctx)
	}()
	// >> Response: none; the connection closes.
	c.reply, c.quit = replyOff, true
	return resp.OK
}

// DEBUG SLEEP seconds | DEBUG HELP. SLEEP blocks this connection only (in
// Redis, the whole server): tests use it to hold a command in flight.
func cmdDebug(s *Server, c *client, args [][]byte) resp.Value {
	switch strings.ToLower(string(args[1])) {
	case "sleep":
		if len(args) != 3 {
			return resp.Err(fmt.Sprintf(msgWrongArity, "debug"))
		}
		secs, err := strconv.ParseFloat(string(args[2]), 64)
		if err != nil {
			return resp.Err(msgNotFloat)
		}
		time.Sleep(time.Duration(secs * float64(time.Second)))
		return resp.OK
	case "help":
		return resp.Array(
			resp.Simple("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"),
			resp.Simple("SLEEP <seconds>"),
			resp.Simple("    Stop the server for <seconds>. Decimals allowed."),
			resp.Simple("HELP"),
			resp.Simple("    Print this help."),
		)
	}
	return resp.Err(msgDebugSyntax)
}
