package store

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// How a write reaches the append-only file: Do takes the keyspace's lock
// itself and runs the handler on a view of the keyspace whose lock and
// unlock are no-ops (keyspace.go), so the change, the DELs of keys it found
// expired and its record all land in one lock section, in the order the
// changes were made. Writes from clients and from Python's execute() both
// come through Do.

// aofLogged reports whether the command named name, declared with flags,
// is recorded: every write that does not block (a blocking command cannot
// run inside Do's lock section: it logs what it does itself, with
// aofPropagate), and XGROUP, whose subcommands write without the flag.
func aofLogged(name, flags string) bool {
	f := strings.Fields(flags)
	if slices.Contains(f, "blocking") {
		return name == "xreadgroup" // see doLoggedBlocking
	}
	return slices.Contains(f, "write") || name == "xgroup"
}

// doLogged runs a logged write with the keyspace's lock held and appends
// what it changed to the file before unlocking; it waits for the disk as
// the fsync policy says once the lock is released.
func (ks *Keyspace) doLogged(c *command, argv [][]byte) resp.Value {
	a := ks.aof
	if err := a.lastWriteError(); err != nil {
		return resp.Err("MISCONF Errors writing to the AOF file: " + noNewlines(err.Error()))
	}
	if c.spec.Name == "xreadgroup" {
		return ks.doLoggedBlocking(c, argv)
	}
	v, end, err := ks.runLogged(c, argv, c.reads, nil)
	return ks.logged(v, end, err)
}

// logged is the reply of a logged write once its record is durable.
func (ks *Keyspace) logged(v resp.Value, end int64, err error) resp.Value {
	a := ks.aof
	if err != nil {
		return resp.Err(noNewlines(err.Error()))
	}
	if end > 0 {
		if werr := a.waitDurable(end); werr != nil {
			return resp.Err("MISCONF Errors writing to the AOF file: " + noNewlines(werr.Error()))
		}
	}
	return v
}

// viewTokens numbers the views runLogged makes, so a view kept past its
// call can never match heldToken again.
var viewTokens atomic.Uint64

// runLogged is doLogged's lock section: the handler runs on a view whose
// lock Do holds, then the change is recorded. reads makes its lookups
// count as keyspace hits and misses (stats.go). A panicking handler still
// releases the lock.
func (ks *Keyspace) runLogged(c *command, argv [][]byte, reads bool, then func(db *db, v resp.Value)) (v resp.Value, end int64, err error) {
	ks.mu.Lock()
	defer func() {
		ks.db.reading = false
		ks.heldToken.Store(0)
		ks.serveBlocked()
		ks.mu.Unlock()
	}()
	ks.db.nowSet = false
	if rw := ks.aof.rewriting(); rw != nil {
		rw.beforeWrite(&ks.db, c, argv)
	}
	token := viewTokens.Add(1)
	ks.heldToken.Store(token)
	ks.db.reading = reads
	v, err = c.run(&Keyspace{keyspaceState: ks.keyspaceState, held: token}, argv)
	ks.db.reading = false
	ks.heldToken.Store(0)
	if err == nil {
		end = ks.propagate(&ks.db, c, argv, v)
		if then != nil {
			then(&ks.db, v)
		}
	}
	return v, end, err
}

// doLoggedBlocking runs XREADGROUP ... BLOCK, which waits outside the lock
// where a logged write cannot: it runs without BLOCK in Do's lock section
// and, while that finds nothing, waits for the keys as xreadGeneric does
// (registered in the section that found nothing) and tries again. Each try
// is logged: one that found nothing may still have created the consumer.
func (ks *Keyspace) doLoggedBlocking(c *command, argv [][]byte) resp.Value {
	r, err := parseXread(argv, true)
	if err != nil || !r.block || !ks.mayBlock {
		return ks.logged(ks.runLogged(c, argv, c.reads, nil))
	}
	var deadline time.Time
	if r.timeout > 0 {
		deadline = time.Now().Add(time.Duration(min(r.timeout, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond)
	}
	keys := make([]string, len(r.keys))
	for i, k := range r.keys {
		keys[i] = string(k)
	}
	try := withoutBlock(argv)
	// Only the first try counts its lookups: Redis serves a client that
	// waited with lookups it does not count (stats.go).
	reads := c.reads
	for {
		var w *streamWaiter
		v, end, err := ks.runLogged(c, try, reads, func(db *db, v resp.Value) {
			if v.Kind == resp.KindNullArray && (deadline.IsZero() || time.Now().Before(deadline)) {
				w = addStreamWaiter(db, keys)
			}
		})
		if w == nil {
			return ks.logged(v, end, err)
		}
		if end > 0 {
			if werr := ks.aof.waitDurable(end); werr != nil {
				return resp.Err("MISCONF Errors writing to the AOF file: " + noNewlines(werr.Error()))
			}
		}
		waitFor(w, deadline)
		reads = false
		db := ks.lock()
		removeStreamWaiter(db, w, keys)
		ks.unlock()
		if r.count == 0 {
			// As xreadGeneric serves a client that waited.
			r.count = xreadDefaultBlockedCount
			try = slices.Insert(slices.Clone(try), 1, []byte("COUNT"), []byte(strconv.Itoa(xreadDefaultBlockedCount)))
		}
	}
}

// withoutBlock returns XREADGROUP's argv without its BLOCK option.
func withoutBlock(argv [][]byte) [][]byte {
	for i := 1; i+1 < len(argv); i++ {
		switch {
		case isOpt(argv[i], "streams"):
			return argv
		case isOpt(argv[i], "group"):
			i += 2
		case isOpt(argv[i], "count"):
			i++
		case isOpt(argv[i], "block"):
			return slices.Concat(argv[:i:i], argv[i+2:])
		}
	}
	return argv
}

// propagate appends the record(s) of a write that succeeded and returns
// the end of the last one in the file's stream, 0 when nothing changed.
func (ks *Keyspace) propagate(db *db, c *command, argv [][]byte, reply resp.Value) int64 {
	rewrite := aofRewrites[c.spec.Name]
	if rewrite == nil {
		return ks.aof.feed(appendCommand(nil, argv...))
	}
	var rec []byte
	rewrite(db, argv, reply, func(args ...[]byte) { rec = appendCommand(rec, args...) })
	if rec == nil {
		return 0
	}
	return ks.aof.feed(rec)
}

// aofPropagate records a change a handler made outside Do's logged path
// (a blocked client served later). It must be called inside the lock
// section that made the change, and while a rewrite runs, every key it
// changes must have gone through ks.aof.rewriting().beforeChange before
// the change (as blocking.go's popFor does). It does not wait for the
// disk.
func (ks *Keyspace) aofPropagate(args ...[]byte) {
	if ks.aof != nil {
		ks.aof.feed(appendCommand(nil, args...))
	}
}

// logExpired is db.onExpire while the file is on: a key removed because it
// expired is logged as DEL, as Redis propagates expirations, so a replay
// that does not expire anything (see load) ends in the same state.
func (ks *Keyspace) logExpired(n *node) {
	if rw := ks.aof.rewriting(); rw != nil {
		rw.beforeChange(&ks.db, n.key(), n)
	}
	ks.aof.feed(appendCommand(nil, []byte("DEL"), []byte(n.key())))
}

// aofRewrites turn a write whose effect depends on when or by chance how
// it ran into commands that have the same effect whenever they are
// replayed (Redis's rewriteClientCommandVector calls). emit is called per
// command; a rewrite that emits nothing logs nothing. A write without an
// entry is logged as it came.
var aofRewrites = map[string]func(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)){
	"expire":    logExpireResult,
	"pexpire":   logExpireResult,
	"expireat":  logExpireResult,
	"pexpireat": logExpireResult,
	"set":       logSet,
	"setex":     logStringState,
	"psetex":    logStringState,
	"getex":     logGetex,
	// INCRBYFLOAT's result is logged, not the increment, as Redis does,
	// so a replay never depends on float formatting.
	"incrbyfloat": logStringStateKeepTTL,
	"spop":        logSpop,
	"xadd":        logXadd,
}

var (
	cmdDEL       = []byte("DEL")
	cmdSET       = []byte("SET")
	cmdPEXPIREAT = []byte("PEXPIREAT")
	cmdPERSIST   = []byte("PERSIST")
	cmdSREM      = []byte("SREM")
	optPXAT      = []byte("PXAT")
	optKEEPTTL   = []byte("KEEPTTL")
)

// keyState emits what key holds now, TTL included: SET key value [PXAT
// ms] for a string, DEL key when it is gone.
func keyState(db *db, key []byte, keepTTL bool, emit func(args ...[]byte)) {
	n := db.dict.find(bstr(key))
	switch {
	case n == nil:
		emit(cmdDEL, key)
	case !n.isString():
		// Nothing a string command could have done to it.
	case keepTTL:
		emit(cmdSET, key, []byte(n.str()), optKEEPTTL)
	case n.ttl:
		emit(cmdSET, key, []byte(n.str()), optPXAT, strconv.AppendInt(nil, db.deadline(n), 10))
	default:
		emit(cmdSET, key, []byte(n.str()))
	}
}

// EXPIRE and friends that answered 1: the absolute deadline the key got,
// or DEL when a deadline in the past deleted it.
func logExpireResult(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	if reply.Kind != resp.KindInt || reply.Int != 1 {
		return
	}
	key := argv[1]
	n := db.dict.find(bstr(key))
	if n == nil || !n.ttl {
		emit(cmdDEL, key)
		return
	}
	emit(cmdPEXPIREAT, key, strconv.AppendInt(nil, db.deadline(n), 10))
}

// SET with a relative or absolute expiry is logged as the state it left
// (SET key value PXAT ms); other SETs as they came.
func logSet(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	for _, opt := range argv[3:] {
		if isOpt(opt, "ex") || isOpt(opt, "px") || isOpt(opt, "exat") || isOpt(opt, "pxat") {
			keyState(db, argv[1], false, emit)
			return
		}
	}
	emit(argv...)
}

// SETEX, PSETEX: the key's state with its absolute deadline.
func logStringState(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	keyState(db, argv[1], false, emit)
}

func logStringStateKeepTTL(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	keyState(db, argv[1], true, emit)
}

// GETEX with an option: the TTL the key was left with.
func logGetex(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	if len(argv) == 2 || reply.Kind == resp.KindNull {
		return
	}
	key := argv[1]
	n := db.dict.find(bstr(key))
	switch {
	case n == nil:
		emit(cmdDEL, key)
	case n.ttl:
		emit(cmdPEXPIREAT, key, strconv.AppendInt(nil, db.deadline(n), 10))
	default:
		emit(cmdPERSIST, key)
	}
}

// SPOP removes members picked at random: the members it popped are logged
// as SREM.
func logSpop(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	args := [][]byte{cmdSREM, argv[1]}
	switch reply.Kind {
	case resp.KindBulk:
		args = append(args, []byte(reply.Str))
	case resp.KindArray:
		for _, m := range reply.Array {
			args = append(args, []byte(m.Str))
		}
	}
	if len(args) > 2 {
		emit(args...)
	}
}

// XADD with an id made by the server (*, or ms-*) is logged with the id it
// made, which the reply is.
func logXadd(db *db, argv [][]byte, reply resp.Value, emit func(args ...[]byte)) {
	if reply.Kind != resp.KindBulk {
		return // NOMKSTREAM on a missing key
	}
	args := slices.Clone(argv)
	for i := 2; i < len(args); i++ {
		a := args[i]
		switch {
		case isOpt(a, "nomkstream"):
		case isOpt(a, "maxlen") || isOpt(a, "minid"):
			i++
			if i < len(args) && (string(args[i]) == "=" || string(args[i]) == "~") {
				i++
			}
		case isOpt(a, "limit"):
			i++
		default:
			// The id.
			args[i] = []byte(reply.Str)
			emit(args...)
			return
		}
	}
	emit(args...)
}

// appendCommand appends args as a RESP array of bulk strings.
func appendCommand(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}
