package server

import (
	"fmt"
	"strings"

	"github.com/gearsd/gearsd/resp"
)

// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH, with Redis 7.0's
// semantics (multi.c). Between MULTI and EXEC every command but these and
// QUIT and RESET is checked (existence, arity, authentication) and queued;
// a command that fails those checks makes EXEC answer EXECABORT. EXEC runs
// the queued data commands in one atomic section of the store
// (Store.DoMulti), which also checks the WATCHed keys.
func init() {
	register(
		&command{name: "multi", arity: 1, flags: []string{"noscript", "loading", "stale", "fast", "allow_busy"},
			group: "transactions", since: "1.2.0", summary: "Starts a transaction.", run: cmdMulti},
		&command{name: "exec", arity: 1, flags: []string{"noscript", "loading", "stale", "skip_slowlog"},
			group: "transactions", since: "1.2.0", summary: "Executes all commands in a transaction.", run: cmdExec},
		&command{name: "discard", arity: 1, flags: []string{"noscript", "loading", "stale", "fast", "allow_busy"},
			group: "transactions", since: "2.0.0", summary: "Discards a transaction.", run: cmdDiscard},
		&command{name: "watch", arity: -2, flags: []string{"noscript", "loading", "stale", "fast", "allow_busy"},
			firstKey: 1, lastKey: -1, step: 1,
			group: "transactions", since: "2.2.0", summary: "Monitors changes to keys to determine the execution of a transaction.", run: cmdWatch},
		&command{name: "unwatch", arity: 1, flags: []string{"noscript", "loading", "stale", "fast", "allow_busy"},
			group: "transactions", since: "2.2.0", summary: "Forgets about watched keys of a transaction.", run: cmdUnwatch},
	)
}

// Error texts of transactions (Redis 7.0.15).
const (
	msgMultiNested    = "ERR MULTI calls can not be nested"
	msgExecNoMulti    = "ERR EXEC without MULTI"
	msgDiscardNoMulti = "ERR DISCARD without MULTI"
	msgWatchInMulti   = "ERR WATCH inside MULTI is not allowed"
	msgExecAbort      = "EXECABORT Transaction discarded because of previous errors."

	// gearsd's own: a subscription inside EXEC would take the connection
	// over in the middle of a reply.
	msgSubscribeInExec = "ERR %s is not allowed inside a transaction"
)

var replyQueued = resp.Simple("QUEUED")

// runsInMulti lists the commands that run at once inside MULTI instead of
// being queued (Redis's processCommand).
var runsInMulti = map[string]bool{
	"exec": true, "discard": true, "multi": true, "watch": true, "quit": true, "reset": true,
}

// queue is call's step for a client inside MULTI: it queues args and
// answers QUEUED, or answers a module's refusal (DenyInMulti), which like
// every error at queue time makes EXEC abort. done is false for the
// commands that run at once.
func (s *Server) queue(c *client, cmd *command, args [][]byte) (v resp.Value, done bool) {
	if c.tx == nil || runsInMulti[cmd.name] {
		return resp.Value{}, false
	}
	if cmd.denyInMulti != "" {
		c.flagTx()
		return resp.Err(cmd.denyInMulti), true
	}
	// The connection may reuse its read buffer for the next command.
	cp := make([][]byte, len(args))
	for i, a := range args {
		cp[i] = append([]byte(nil), a...)
	}
	c.mu.Lock()
	c.tx.queued = append(c.tx.queued, cp)
	if !s.commandRunsOnLoop(c, cmd) {
		// EXEC will wait for it (DEBUG SLEEP, a write under appendfsync
		// always...): EXEC leaves the event loop (runsOnLoop).
		c.tx.offLoop = true
	}
	c.mu.Unlock()
	return replyQueued, true
}

// flagTx marks c's transaction, if any, to abort: a command failed to queue.
func (c *client) flagTx() {
	c.mu.Lock()
	if c.tx != nil {
		c.tx.dirty = true
	}
	c.mu.Unlock()
}

func (c *client) setTx(tx *transaction) {
	c.mu.Lock()
	c.tx = tx
	c.mu.Unlock()
}

// MULTI
func cmdMulti(s *Server, c *client, args [][]byte) resp.Value {
	if c.tx != nil {
		return resp.Err(msgMultiNested)
	}
	c.setTx(&transaction{})
	return resp.OK
}

// DISCARD
func cmdDiscard(s *Server, c *client, args [][]byte) resp.Value {
	if c.tx == nil {
		return resp.Err(msgDiscardNoMulti)
	}
	c.setTx(nil)
	s.unwatch(c)
	return resp.OK
}

// WATCH key [key ...]
func cmdWatch(s *Server, c *client, args [][]byte) resp.Value {
	if c.tx != nil {
		return resp.Err(msgWatchInMulti)
	}
	c.watch = s.store.Watch(c.watch, args[1:])
	return resp.OK
}

// UNWATCH
func cmdUnwatch(s *Server, c *client, args [][]byte) resp.Value {
	s.unwatch(c)
	return resp.OK
}

func (s *Server) unwatch(c *client) {
	if c.watch != nil {
		s.store.Unwatch(c.watch)
		c.watch = nil
	}
}

// EXEC: the data commands run in one atomic section of the store, in
// order; the server's own and the modules' queued commands (PING, CONFIG,
// PUBLISH, ...) run after it, each reply in its place. A watched key
// changed since WATCH makes EXEC answer a null array and run nothing.
func cmdExec(s *Server, c *client, args [][]byte) resp.Value {
	tx := c.tx
	if tx == nil {
		return resp.Err(msgExecNoMulti)
	}
	c.setTx(nil)
	w := c.watch
	c.watch = nil
	if tx.dirty {
		s.store.Unwatch(w)
		return resp.Err(msgExecAbort)
	}

	// >> Split: data commands for the store, the others after.
	var data [][][]byte
	var dataAt, otherAt []int
	cmds := make([]*command, len(tx.queued))
	for i, q := range tx.queued {
		cmd, _, _ := s.resolve(q) // checked when queued
		cmds[i] = cmd
		if cmd != nil && cmd.store {
			data = append(data, q)
			dataAt = append(dataAt, i)
		} else {
			otherAt = append(otherAt, i)
		}
	}

	// >> Operation
	replies, ok := s.store.DoMulti(data, w)
	if !ok {
		return resp.NullArray
	}
	out := make([]resp.Value, len(tx.queued))
	for j, i := range dataAt {
		out[i] = replies[j]
	}
	for _, i := range otherAt {
		if name := cmds[i].name; cmds[i].hasFlag("pubsub") && name != "publish" && !strings.HasPrefix(name, "pubsub") {
			out[i] = resp.Err(fmt.Sprintf(msgSubscribeInExec, name))
			continue
		}
		out[i] = s.call(c, tx.queued[i])
	}
	return resp.Array(out...)
}

// resetTx is RESET's and a closed connection's part: no transaction, no
// watched keys.
func (s *Server) resetTx(c *client) {
	c.setTx(nil)
	s.unwatch(c)
}
