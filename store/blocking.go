package store

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// Blocking list commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH.
//
// Do runs them without blocking, as Redis does inside MULTI or a script:
// they pop if they can and otherwise answer the timeout's null array. A
// client that may wait calls Block instead: when nothing can be popped it
// gets a Waiter, queued on each of its keys in arrival order, and waits on
// its own goroutine, outside every lock.
//
// A push onto a key with waiters (db.notify, on a list's push events)
// marks the key ready; the end of that lock section (Keyspace.unlock,
// runLogged, DoMulti: serveBlocked) hands the elements to the waiters of
// each ready key, first come first served, as Redis's
// handleClientsBlockedOnKeys does after the command (after EXEC for a
// transaction), so no other command runs in between. The serving pops are
// logged to the append-only file as the non-blocking command they amount
// to (LPOP, RPOP, LMOVE), as Redis propagates them.
func init() {
	register(
		cmd{"blpop", -3, "write blocking", 1, -2, 1, cmdBlpop},
		cmd{"brpop", -3, "write blocking", 1, -2, 1, cmdBrpop},
		cmd{"blmove", 6, "write denyoom blocking", 1, 2, 1, cmdBlmove},
		cmd{"brpoplpush", 4, "write denyoom blocking", 1, 2, 1, cmdBrpoplpush},
	)
}

// ErrTimeoutNotFloat is a blocking list command's unreadable timeout
// (Redis 7.0's getTimeoutFromObjectOrReply); ErrTimeoutNegative, shared
// with XREAD's BLOCK, is in stream_errors.go.
const ErrTimeoutNotFloat Error = "ERR timeout is not a float or out of range"

// blockOp is what a blocked client does once a key has elements.
type blockOp struct {
	name     string   // "blpop", "brpop", "blmove", "brpoplpush"
	keys     []string // the keys it waits on, in the order given
	fromLeft bool
	// For BLMOVE and BRPOPLPUSH: where the element goes.
	dst    string
	toLeft bool
	move   bool
	// timeout in milliseconds, 0 for ever.
	timeout int64
}

// parseBlockOp reads a blocking command's arguments.
func parseBlockOp(argv [][]byte) (blockOp, error) {
	op := blockOp{name: string(lowerASCII(argv[0]))}
	var tm []byte
	switch op.name {
	case "blpop", "brpop":
		op.fromLeft = op.name == "blpop"
		for _, k := range argv[1 : len(argv)-1] {
			op.keys = append(op.keys, string(k))
		}
		tm = argv[len(argv)-1]
	case "blmove":
		var err error
		if op.fromLeft, err = argSide(argv[3]); err != nil {
			return op, err
		}
		if op.toLeft, err = argSide(argv[4]); err != nil {
			return op, err
		}
		op.keys, op.dst, op.move = []string{string(argv[1])}, string(argv[2]), true
		tm = argv[5]
	case "brpoplpush":
		op.keys, op.dst, op.move, op.toLeft = []string{string(argv[1])}, string(argv[2]), true, true
		tm = argv[3]
	}
	ms, err := parseTimeout(tm)
	op.timeout = ms
	return op, err
}

// parseTimeout reads a timeout in seconds, a float, as Redis 7.0 does: a
// value whose milliseconds do not fit (infinity included) comes out
// negative there, so it is refused as negative here too.
func parseTimeout(b []byte) (int64, error) {
	s := string(b)
	if s == "" || s[0] == ' ' || s[0] == '\t' {
		return 0, ErrTimeoutNotFloat
	}
	f, err := strconv.ParseFloat(s, 64)
	if (err != nil && !math.IsInf(f, 0)) || math.IsNaN(f) {
		return 0, ErrTimeoutNotFloat
	}
	if err != nil && math.IsInf(f, 0) && !isInfText(s) {
		return 0, ErrTimeoutNotFloat // out of a long double's range
	}
	ms := math.Ceil(f * 1000)
	if ms < 0 || ms >= math.MaxInt64 || math.IsInf(ms, 0) {
		return 0, ErrTimeoutNegative
	}
	return int64(ms), nil
}

func isInfText(s string) bool {
	switch string(lowerASCII([]byte(s))) {
	case "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity":
		return true
	}
	return false
}

func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// Waiter is a client blocked on keys. Its reply arrives on Done; Cancel
// ends the wait (timeout, disconnection, shutdown).
type Waiter struct {
	ks     *Keyspace
	op     blockOp
	result chan resp.Value
	served bool // guarded by the keyspace's lock
}

// Timeout is how long the client may wait; 0 means for ever.
func (w *Waiter) Timeout() time.Duration { return time.Duration(w.op.timeout) * time.Millisecond }

// Done delivers the reply once a push served the client.
func (w *Waiter) Done() <-chan resp.Value { return w.result }

// Cancel stops waiting and returns the reply: the timeout's null array, or
// the element if a push served the client meanwhile.
func (w *Waiter) Cancel() resp.Value {
	db := w.ks.lock()
	served := w.served
	if !served {
		db.removeWaiter(w)
	}
	w.ks.unlock()
	if served {
		return <-w.result
	}
	return resp.NullArray
}

// blockedClient is one waiter queued on one key.
type blockedClient = Waiter

func cmdBlpop(ks *Keyspace, argv [][]byte) (resp.Value, error)      { return blockNow(ks, argv) }
func cmdBrpop(ks *Keyspace, argv [][]byte) (resp.Value, error)      { return blockNow(ks, argv) }
func cmdBlmove(ks *Keyspace, argv [][]byte) (resp.Value, error)     { return blockNow(ks, argv) }
func cmdBrpoplpush(ks *Keyspace, argv [][]byte) (resp.Value, error) { return blockNow(ks, argv) }

// blockNow is the commands' non-blocking form, for Do.
func blockNow(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	op, err := parseBlockOp(argv)
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	v, ok, err := ks.tryServe(db, &op)
	if err != nil || ok {
		return v, err
	}
	return resp.NullArray, nil
}

// Block runs a blocking command: its reply when it can answer now (an
// element, or an error), else a Waiter for the caller to wait on.
func (ks *Keyspace) Block(argv [][]byte) (resp.Value, *Waiter) {
	c := lookupCommand(argv[0])
	if c == nil || !slices.Contains(c.spec.Flags, "blocking") {
		return ks.Do(argv), nil
	}
	if n := len(argv); (c.spec.Arity > 0 && n != c.spec.Arity) || n < -c.spec.Arity {
		return resp.Err(string(c.arityErr)), nil
	}
	op, err := parseBlockOp(argv)
	if err != nil {
		return resp.Err(err.Error()), nil
	}
	db := ks.lock()
	defer ks.unlock()
	v, ok, err := ks.tryServe(db, &op)
	if err != nil {
		return resp.Err(noNewlines(err.Error())), nil
	}
	if ok {
		return v, nil
	}
	w := &Waiter{ks: &Keyspace{keyspaceState: ks.keyspaceState}, op: op, result: make(chan resp.Value, 1)}
	if db.ev.blocked == nil {
		db.ev.blocked = map[string][]*blockedClient{}
	}
	for _, k := range dedupe(op.keys) {
		db.ev.blocked[k] = append(db.ev.blocked[k], w)
	}
	db.ev.blockedN++
	return resp.Value{}, w
}

func dedupe(keys []string) []string {
	out := keys[:0:0]
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// tryServe pops for op from the first of its keys that has elements. A
// key of another type is WRONGTYPE, in key order, as in Redis.
func (ks *Keyspace) tryServe(db *db, op *blockOp) (resp.Value, bool, error) {
	for _, key := range op.keys {
		l, n, err := db.lookupList(key)
		if err != nil {
			return resp.Value{}, false, err
		}
		if l == nil || l.len() == 0 {
			continue
		}
		if op.move {
			if _, _, err := db.lookupList(op.dst); err != nil {
				return resp.Value{}, false, err
			}
		}
		return ks.popFor(db, op, key, l, n), true, nil
	}
	return resp.Value{}, false, nil
}

// popFor pops one element of the list l at key for op, moves it for
// BLMOVE, emits the events and logs the change; it returns op's reply.
func (ks *Keyspace) popFor(db *db, op *blockOp, key string, l *listValue, n *node) resp.Value {
	var rw *rewrite
	if ks.aof != nil {
		rw = ks.aof.rewriting()
	}
	if rw != nil {
		rw.beforeChange(db, key, n)
	}
	v := l.pop(op.fromLeft)
	if !op.move {
		db.notify(ClassList, popEvent(op.fromLeft), key)
		db.removeIfEmpty(n)
		ks.aofPropagate([]byte(popCommand(op.fromLeft)), []byte(key))
		return resp.Array(resp.Bulk(key), resp.Bulk(v))
	}
	dl, dn, _ := db.lookupList(op.dst)
	if rw != nil && op.dst != key {
		rw.beforeChange(db, op.dst, dn)
	}
	if dl == nil {
		dl, _, _ = db.listForWrite(op.dst)
	}
	dl.push(v, op.toLeft)
	db.notify(ClassList, pushEvent(op.toLeft), op.dst)
	db.notify(ClassList, popEvent(op.fromLeft), key)
	db.removeIfEmpty(n)
	ks.aofPropagate([]byte("LMOVE"), []byte(key), []byte(op.dst), []byte(sideName(op.fromLeft)), []byte(sideName(op.toLeft)))
	return resp.Bulk(v)
}

func popCommand(left bool) string {
	if left {
		return "LPOP"
	}
	return "RPOP"
}

func sideName(left bool) string {
	if left {
		return "LEFT"
	}
	return "RIGHT"
}

// signalListReady notes, from db.notify, that key may have got elements
// while clients wait on it.
func (db *db) signalListReady(key string) {
	if len(db.ev.blocked[key]) == 0 || slices.Contains(db.ev.ready, key) {
		return
	}
	db.ev.ready = append(db.ev.ready, strings.Clone(key))
}

// serveBlocked ends every lock section that may have changed keys: when a
// key blocked clients wait on got elements, they are served now.
func (ks *Keyspace) serveBlocked() {
	if len(ks.db.ev.ready) != 0 {
		ks.serveReady(&ks.db)
	}
}

// serveReady is a serving pass, under the lock: the waiters of each ready
// key get its elements in the order they blocked, until it is empty or
// gone. A BLMOVE that pushes onto a key others wait on makes it ready in
// turn, within the same pass.
func (ks *Keyspace) serveReady(db *db) {
	for len(db.ev.ready) > 0 {
		key := db.ev.ready[0]
		db.ev.ready = db.ev.ready[1:]
		for len(db.ev.blocked[key]) > 0 {
			l, n, err := db.lookupList(key)
			if err != nil || l == nil || l.len() == 0 {
				break
			}
			w := db.ev.blocked[key][0]
			var v resp.Value
			if w.op.move {
				if _, _, err := db.lookupList(w.op.dst); err != nil {
					v = resp.Err(string(ErrWrongType))
				}
			}
			if v.Kind != resp.KindError {
				v = ks.popFor(db, &w.op, key, l, n)
			}
			w.served = true
			db.removeWaiter(w)
			w.result <- v
		}
	}
	db.ev.ready = nil
}

// removeWaiter takes w off every key it waits on.
func (db *db) removeWaiter(w *Waiter) {
	for _, k := range dedupe(w.op.keys) {
		list := db.ev.blocked[k]
		if i := slices.Index(list, w); i >= 0 {
			list = append(list[:i:i], list[i+1:]...)
		}
		if len(list) == 0 {
			delete(db.ev.blocked, k)
		} else {
			db.ev.blocked[k] = list
		}
	}
	db.ev.blockedN--
}
