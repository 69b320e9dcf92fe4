package store

import "github.com/gearsd/gearsd/resp"

var (
	cmdMULTI = []byte("MULTI")
	cmdEXEC  = []byte("EXEC")
)

// doMulti is DoMulti's lock section. Handlers run on a view whose lock this
// call holds (the mechanism Do uses for logged writes, aof_dispatch.go); the
// writes are recorded in the append-only file between MULTI and EXEC, as
// Redis propagates a transaction, so a replay applies all or none of them.
func (ks *Keyspace) doMulti(cmds [][][]byte, w *Watch) (replies []resp.Value, ok bool) {
	var end int64
	func() {
		ks.mu.Lock()
		defer func() {
			ks.heldToken.Store(0)
			ks.serveBlocked() // after EXEC, as Redis serves them
			ks.mu.Unlock()
		}()
		db := &ks.db
		db.nowSet = false
		if w != nil {
			ok := db.watchOK(w)
			db.unwatch(w)
			if !ok {
				return
			}
		}
		ok = true
		token := viewTokens.Add(1)
		ks.heldToken.Store(token)
		view := &Keyspace{keyspaceState: ks.keyspaceState, held: token}
		replies = make([]resp.Value, len(cmds))
		logging := false
		for i, argv := range cmds {
			db.nowSet = false // each command reads the clock afresh, as in Redis 7.0
			c := lookupCommand(argv[0])
			if c == nil {
				replies[i] = resp.Err(unknownCommand(argv))
				continue
			}
			if n := len(argv); (c.spec.Arity > 0 && n != c.spec.Arity) || n < -c.spec.Arity {
				replies[i] = resp.Err(string(c.arityErr))
				continue
			}
			logged := c.logged && ks.aof != nil
			if logged {
				if rw := ks.aof.rewriting(); rw != nil {
					rw.beforeWrite(db, c, argv)
				}
			}
			db.reading = c.reads // hits and misses: stats.go
			v, err := c.run(view, argv)
			db.reading = false
			if err != nil {
				replies[i] = resp.Err(noNewlines(err.Error()))
				continue
			}
			replies[i] = v
			if logged {
				if !logging {
					ks.aof.feed(appendCommand(nil, cmdMULTI))
					logging = true
				}
				if e := ks.propagate(db, c, argv, v); e > 0 {
					end = e
				}
			}
		}
		if logging {
			end = ks.aof.feed(appendCommand(nil, cmdEXEC))
		}
	}()
	if end > 0 {
		// As for a single write: EXEC answers once the fsync policy is met.
		// An error here cannot undo the transaction; the next write reports it.
		_ = ks.aof.waitDurable(end)
	}
	return replies, ok
}
