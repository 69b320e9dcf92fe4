package server

import (
	"bytes"
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/gearsd/gearsd/acl"
	"github.com/gearsd/gearsd/resp"
	"github.com/gearsd/gearsd/store"
	"github.com/tidwall/redcon"
)

// handler runs one command of the server's own table. args[0] is the name
// as sent; for a subcommand args[1] is the subcommand. Errors are returned
// as resp error values carrying their code.
type handler func(s *Server, c *client, args [][]byte) resp.Value

// command is one entry of the table: the server's own commands (registered
// by the cmd_*.go files), the modules' commands, and the store's.
type command struct {
	name  string // full name in lower case: "get", "client|setname"
	arity int    // Redis convention, the name (and subcommand) included
	flags []string
	// Key positions for COMMAND INFO (0, 0, 0: no keys).
	firstKey, lastKey, step int
	// For COMMAND DOCS.
	group, summary, since string
	// denyInMulti is answered instead of running the command inside a
	// transaction (for the transactions issue; modules set it).
	denyInMulti string

	run    handler
	module func(ctx context.Context, args [][]byte) resp.Value // a module's handler
	store  bool                                                // served by store.Do
	// blocking: a store command that may wait (BLPOP...): served by
	// store.Block outside MULTI (cmd_blocking.go).
	blocking bool
	// waits: a store command that waits inside the store (XREAD and
	// XREADGROUP with BLOCK): served by store.DoBlocking outside MULTI.
	waits bool
	// offLoop: one of the server's own commands that waits or takes the
	// connection (SUBSCRIBE, SHUTDOWN, DEBUG SLEEP): never run on an event
	// loop (runsOnLoop).
	offLoop bool

	// acl is the command as the ACL rules see it (buildCatalog).
	acl *acl.Command

	// subs are the subcommands of a container command (CLIENT, CONFIG,
	// COMMAND): looked up by the second argument, each with its own arity.
	subs map[string]*command
}

// builtins holds the server's own commands, registered by the init
// functions of the cmd_*.go files, each beside its handlers.
var builtins = map[string]*command{}

// register adds commands to the server's own table. A container command
// lists its subcommands in subList; their names are given without the
// container's prefix.
func register(cmds ...*command) {
	for _, c := range cmds {
		if _, dup := builtins[c.name]; dup {
			panic("server: command registered twice: " + c.name)
		}
		builtins[c.name] = c
	}
}

// container builds a command whose subcommands are subs (named without the
// prefix); Redis declares containers with arity -2.
func container(name, group, summary string, subs ...*command) *command {
	c := &command{name: name, arity: -2, group: group, summary: summary, since: "2.0.0", subs: map[string]*command{}}
	for _, sub := range subs {
		key := sub.name
		sub.name = name + "|" + sub.name
		if sub.group == "" {
			sub.group = group
		}
		c.subs[key] = sub
	}
	return c
}

func (c *command) hasFlag(f string) bool { return slices.Contains(c.flags, f) }

// buildTable merges, in order of precedence, the server's own commands, the
// modules' and the store's into one map looked up by lower-case name.
func buildTable(st store.Store, modules []Module) map[string]*command {
	t := make(map[string]*command, len(builtins)+64)
	for name, c := range builtins {
		t[name] = c
	}
	for _, m := range modules {
		for _, mc := range m.Commands() {
			name := strings.ToLower(mc.Name)
			if _, dup := t[name]; dup {
				panic(fmt.Sprintf("server: module command %s is already defined", name))
			}
			if mc.Handler == nil {
				panic(fmt.Sprintf("server: module command %s has no handler", name))
			}
			group := mc.Group
			if group == "" {
				group = "module"
			}
			h := mc.Handler
			t[name] = &command{
				name: name, arity: mc.Arity, flags: slices.Clone(mc.Flags),
				group: group, summary: mc.Summary, since: "1.2.0",
				denyInMulti: mc.DenyInMulti,
				module:      h,
			}
		}
	}
	if st != nil {
		for _, sc := range st.Commands() {
			name := strings.ToLower(sc.Name)
			if _, taken := t[name]; taken {
				continue // the server's own or a module's wins
			}
			doc, ok := storeDocs[name]
			if !ok {
				doc.group = "generic"
			}
			t[name] = &command{
				name: name, arity: sc.Arity, flags: slices.Clone(sc.Flags),
				firstKey: sc.FirstKey, lastKey: sc.LastKey, step: sc.Step,
				group: doc.group, summary: doc.summary, since: "1.0.0", store: true,
				blocking: slices.Contains(sc.Flags, "blocking") && blockingList[name],
				waits:    slices.Contains(sc.Flags, "blocking") && !blockingList[name],
			}
		}
	}
	return t
}

// lowerName lower-cases a command name into buf without allocating for the
// short names every client sends.
func lowerName(buf []byte, name []byte) []byte {
	buf = buf[:0]
	for _, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf = append(buf, ch)
	}
	return buf
}

// resolve finds the command args names, with Redis 7's errors: an unknown
// command, an unknown subcommand of a container, or a wrong arity.
func (s *Server) resolve(args [][]byte) (*command, resp.Value, bool) {
	cmd, errv, ok := s.find(args)
	if ok && !cmd.arityOK(len(args)) {
		return nil, resp.Err(fmt.Sprintf(msgWrongArity, cmd.name)), false
	}
	return cmd, errv, ok
}

// find looks args' command up, descending into a container's subcommands.
func (s *Server) find(args [][]byte) (*command, resp.Value, bool) {
	var buf [32]byte
	cmd := s.cmds[string(lowerName(buf[:], args[0]))]
	if cmd == nil {
		return nil, unknownCommand(args), false
	}
	if cmd.subs != nil && len(args) >= 2 {
		sub := cmd.subs[string(lowerName(buf[:], args[1]))]
		if sub == nil {
			return nil, resp.Err(fmt.Sprintf(msgUnknownSubcommand, truncate(args[1], 128), strings.ToUpper(string(args[0])))), false
		}
		cmd = sub
	}
	return cmd, resp.Value{}, true
}

// runsOnLoop reports whether args' command can run on an event loop: it
// never waits, for another client, a lane, a timer or the disk. The
// others move the connection to a goroutine of its own (loop_linux.go):
// modules' commands (RG.* wait for Python), blocking store commands, the
// server's offLoop commands, and with appendfsync always every write, which
// waits for its fsync (shared with other clients' writes on their
// goroutines, where the loop would take them one by one).
//
// Inside MULTI a command is only queued, which never waits; EXEC then runs
// on the loop only if everything it queued would have.
func (s *Server) runsOnLoop(c *client, args [][]byte) bool {
	cmd := c.lastCommand(args)
	if cmd == nil {
		var ok bool
		if cmd, _, ok = s.find(args); !ok {
			return true // answered with an error
		}
	}
	if c.tx != nil && !runsInMulti[cmd.name] {
		return true // queued: QUEUED never waits
	}
	return s.commandRunsOnLoop(c, cmd)
}

// commandRunsOnLoop is runsOnLoop's rule for a command that runs now.
func (s *Server) commandRunsOnLoop(c *client, cmd *command) bool {
	switch {
	case cmd.module != nil:
		return false
	case cmd.store:
		return !cmd.blocking && !cmd.waits && !(s.syncWrites && cmd.hasFlag("write"))
	case cmd.name == "exec":
		return !s.syncWrites && (c.tx == nil || !c.tx.offLoop)
	}
	return !cmd.offLoop
}

func (cmd *command) arityOK(n int) bool {
	return (cmd.arity <= 0 || n == cmd.arity) && n >= -cmd.arity
}

// unknownCommand quotes up to about 128 bytes of arguments, as Redis does.
func unknownCommand(args [][]byte) resp.Value {
	var quoted strings.Builder
	for _, a := range args[1:] {
		if quoted.Len() >= 128 {
			break
		}
		quoted.WriteByte('\'')
		quoted.WriteString(truncate(a, 128-quoted.Len()+1))
		quoted.WriteString("' ")
	}
	return resp.Err(fmt.Sprintf(msgUnknownCommand, truncate(args[0], 128), quoted.String()))
}

func truncate(b []byte, n int) string {
	if n < 0 {
		n = 0
	}
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// lastCommand is the command c last ran when args names it with the same
// bytes (call fills it), nil otherwise.
func (c *client) lastCommand(args [][]byte) *command {
	if c.lastFound != nil && bytes.Equal(args[0], c.lastName) {
		return c.lastFound
	}
	return nil
}

// call runs one command for c: the single place where existence, arity and
// authentication are checked (in Redis's order), and where the command goes
// to its handler, a module or the store.
func (s *Server) call(c *client, args [][]byte) (reply resp.Value) {
	// A client mostly sends the same few commands, in the same case: the
	// last one found is compared before the table is searched.
	cmd := c.lastCommand(args)
	if cmd == nil || !cmd.arityOK(len(args)) {
		var errv resp.Value
		var ok bool
		cmd, errv, ok = s.resolve(args)
		if !ok {
			c.flagTx() // inside MULTI, EXEC now aborts
			return errv
		}
		if cmd.subs == nil && !strings.Contains(cmd.name, "|") && len(args[0]) <= 32 {
			c.lastFound, c.lastName = cmd, append(c.lastName[:0], args[0]...)
		}
	}
	if !c.authenticated && !cmd.hasFlag("no_auth") {
		if !s.defaultUserNoPass() {
			c.flagTx()
			return resp.Err(msgNoAuth)
		}
		// requirepass was cleared at run time: every client is in.
		c.authenticated = true
	}
	if c.authenticated {
		if d := s.checkACL(c, cmd, args); d != nil {
			if d == deletedUser {
				c.conn.Close()
				return noReply
			}
			if cmd.name == "exec" {
				// As Redis: a refused EXEC discards the transaction, and
				// says so even outside one.
				s.resetTx(c)
				return resp.Err("EXECABORT Transaction discarded because of: " + d.Error())
			}
			c.flagTx()
			return denied(d)
		}
	}
	if c.lastCmd.Load() != &cmd.name {
		c.lastCmd.Store(&cmd.name)
	}
	if v, done := s.subscribedGate(c, cmd, args); done {
		return v
	}
	if v, done := s.queue(c, cmd, args); done {
		return v
	}

	defer func() {
		if r := recover(); r != nil {
			s.log.Error().Str("command", cmd.name).Interface("panic", r).Bytes("stack", debug.Stack()).
				Msg("command handler panicked")
			reply = resp.Err(fmt.Sprintf(msgInternal, cmd.name, r))
		}
	}()
	if cmd.store {
		if cmd.blocking {
			return s.block(c, args)
		}
		if cmd.waits {
			return s.store.DoBlocking(args) // XREAD/XREADGROUP ... BLOCK
		}
		return s.store.Do(args)
	}
	// The server's own commands may read the counters (INFO, CONFIG
	// RESETSTAT): this client's are brought up to date first.
	s.flushStats(c)
	switch {
	case cmd.module != nil:
		s.stats.blocked.Add(1)
		defer s.stats.blocked.Add(-1)
		// The module's own commands (execute() in a session) are checked
		// against this client's user.
		return cmd.module(acl.WithGuard(s.ctx, s.guard(c.user())), args)
	default:
		return cmd.run(s, c, args)
	}
}

// serveRESP runs one command of one connection and buffers its reply; the
// connection's loop writes the replies of a batch at once.
func (s *Server) serveRESP(conn *conn, c *client, rc redcon.Command) {
	if c == nil || len(rc.Args) == 0 {
		return
	}
	if !c.begin() {
		// Shutting down: run nothing more, drop the rest of the pipeline,
		// and close once the replies already buffered are written.
		conn.ReadPipeline()
		conn.Close()
		return
	}
	c.pendingCommands++
	c.pendingInput += int64(len(rc.Raw))

	v := s.call(c, rc.Args)
	if v.Kind == resp.KindError {
		s.stats.errors.Add(1)
	}
	switch c.reply {
	case replyOn:
		writeValue(conn, v)
	case replySkipNext: // CLIENT REPLY SKIP itself: silent, and so is the next
		c.reply = replySkip
	case replySkip:
		c.reply = replyOn
	}
	if c.end() || c.quit {
		conn.ReadPipeline()
		conn.Close() // flushes the replies, this one included
	}
}

// flushStats adds the commands this client ran since the last call to the
// server's counters: once per batch rather than twice per command on
// counters every connection shares.
func (s *Server) flushStats(c *client) {
	if c.pendingCommands == 0 {
		return
	}
	s.stats.commands.Add(c.pendingCommands)
	s.stats.netInput.Add(c.pendingInput)
	c.pendingCommands, c.pendingInput = 0, 0
}

// begin marks c inside a command, unless Shutdown has begun. With
// Shutdown's order (closing, then busy) one of the two always sees the
// other: a command either runs and is waited for, or does not run.
func (c *client) begin() bool {
	c.busy.Store(true)
	if c.closing.Load() {
		c.busy.Store(false)
		return false
	}
	return true
}

// end marks c out of its command and reports whether Shutdown asked it to
// close meanwhile.
func (c *client) end() (closing bool) {
	c.busy.Store(false)
	return c.closing.Load()
}

// sortedCommands returns the commands of a table ordered by name, for the
// replies that list them.
func sortedCommands(t map[string]*command) []*command {
	list := make([]*command, 0, len(t))
	for _, c := range t {
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b *command) int { return strings.Compare(a.name, b.name) })
	return list
}
