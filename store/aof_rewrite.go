package store

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gearsd/gearsd/resp"

	"github.com/gearsd/gearsd/fdguard"
)

// The background rewrite (BGREWRITEAOF), after Redis's rewriteAppendOnly-
// FileBackground and tile38's aofshrink.go, without a fork: the new file is
// a snapshot of the keyspace as it was when the rewrite started (T0),
// followed by every record logged since T0.
//
// The snapshot is taken a few hundred keys per lock section, in the order
// of the key table's SCAN cursor, so clients keep running in between. To
// keep it a snapshot of T0, it is copy-on-write per key: before a write
// (or an expiry) changes a key the scan has not reached yet, the key's T0
// value is written into the snapshot and the key is marked, so the scan
// skips it (rewrite.beforeWrite, beforeChange). Records logged since T0 are
// buffered (rewrite.tail) and written after the snapshot; the new file
// replaces the old one by rename, in one short lock section at the end.

func init() {
	register(cmd{"bgrewriteaof", 1, "admin noscript", 0, 0, 0, cmdBgrewriteaof})
}

// BGREWRITEAOF
func cmdBgrewriteaof(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	if ks.aof == nil {
		return resp.Value{}, Error("ERR Background append only file rewriting needs appendonly yes")
	}
	if err := ks.startRewrite(); err != nil {
		return resp.Value{}, err
	}
	return resp.Simple("Background append only file rewriting started"), nil
}

// ErrRewriteInProgress is BGREWRITEAOF's reply while one runs.
const ErrRewriteInProgress Error = "ERR Background append only file rewriting already in progress"

// aofItemsPerCommand is how many elements one command of the snapshot
// carries (Redis's AOF_REWRITE_ITEMS_PER_CMD).
const aofItemsPerCommand = 64

// rewriteBatchKeys is how many keys the snapshot takes per lock section.
const rewriteBatchKeys = 256

// aofDumpers write the commands that rebuild a value of each type but
// string, in chunks of aofItemsPerCommand elements. A type without one
// makes a rewrite fail (the old file stays), so a new type registers its
// function here.
var aofDumpers = map[string]func(key []byte, obj object, emit func(args ...[]byte)){
	"hash": dumpHash,
	"list": dumpList,
	"set":  dumpSet,
	"zset": dumpZset,
}

// rewrite is the state of a rewrite in progress. Its fields are read and
// written under Keyspace.mu, except tail, which aof.feed appends to under
// aof.mu too.
type rewrite struct {
	// cursor is the SCAN cursor of the snapshot; every key whose hash,
	// bit-reversed, is below bits.Reverse64(cursor) has been visited.
	cursor uint64
	done   bool // the snapshot is complete
	// copied are the keys the scan must not visit: their T0 value went
	// into the snapshot before a change, or they did not exist at T0.
	copied map[string]struct{}
	snap   []byte // snapshot commands not yet written to the file
	tail   []byte // records logged since T0, not yet written
	err    error  // a key the snapshot could not write
}

// rewriteStats are INFO persistence's figures of rewrites.
type rewriteStats struct {
	started    time.Time
	lastTime   time.Duration
	lastStatus string // "ok" or "err"
	count      int
	cancel     bool
	wg         sync.WaitGroup
}

// rewriting returns the rewrite in progress; its caller holds
// Keyspace.mu, which every change of aof.rw holds too.
func (a *aof) rewriting() *rewrite {
	if a == nil {
		return nil
	}
	return a.rw
}

// visited reports whether the snapshot already holds key's T0 value, or
// must not hold any.
func (rw *rewrite) visited(db *db, key string) bool {
	if rw.done {
		return true
	}
	if _, ok := rw.copied[key]; ok {
		return true
	}
	return bits.Reverse64(db.dict.hash(key)) < bits.Reverse64(rw.cursor)
}

// beforeChange copies key's value into the snapshot (n is its node, nil
// when it does not exist) unless the snapshot has it already.
func (rw *rewrite) beforeChange(db *db, key string, n *node) {
	if rw.visited(db, key) {
		return
	}
	if n != nil {
		rw.dump(db, n)
	}
	rw.copied[key] = struct{}{}
}

// beforeWrite runs before a logged write changes anything: the keys it
// may change are copied into the snapshot first.
func (rw *rewrite) beforeWrite(db *db, c *command, argv [][]byte) {
	if rw.done {
		return
	}
	s := c.spec
	switch {
	case s.Name == "flushall" || s.Name == "flushdb":
		// Every key not yet in the snapshot is deleted by a record that
		// follows it: the snapshot need not hold it.
		rw.done = true
		return
	case s.Name == "xgroup":
		if len(argv) > 2 {
			rw.beforeKey(db, argv[2])
		}
		return
	case s.FirstKey <= 0:
		// Keys this write may change are not declared: take the rest of
		// the snapshot now.
		for !rw.done {
			rw.scan(db, rewriteBatchKeys)
		}
		return
	}
	last := s.LastKey
	if last < 0 {
		last += len(argv)
	}
	step := max(s.Step, 1)
	for i := s.FirstKey; i <= last && i < len(argv); i += step {
		rw.beforeKey(db, argv[i])
	}
}

func (rw *rewrite) beforeKey(db *db, key []byte) {
	k := bstr(key)
	if rw.visited(db, k) {
		return
	}
	n := db.dict.find(k)
	if n != nil {
		rw.dump(db, n)
	}
	rw.copied[string(key)] = struct{}{}
}

// scan visits up to about max keys from the cursor on, adding those not
// copied yet to the snapshot. A key is visited when its bit-reversed hash
// falls between the cursor before and after a step, so that a table that
// shrank between two steps, which makes SCAN return some keys twice,
// still yields each key once.
func (rw *rewrite) scan(db *db, max int) {
	var nodes []*node
	for len(nodes) < max && !rw.done {
		from := bits.Reverse64(rw.cursor)
		start := len(nodes)
		next := db.dict.scan(rw.cursor, func(n *node) { nodes = append(nodes, n) })
		to := bits.Reverse64(next)
		kept := nodes[:start]
		for _, n := range nodes[start:] {
			h := bits.Reverse64(db.dict.hash(n.key()))
			if h >= from && (next == 0 || h < to) {
				kept = append(kept, n)
			}
		}
		nodes = kept
		rw.cursor = next
		if next == 0 {
			rw.done = true
		}
	}
	for _, n := range nodes {
		if _, ok := rw.copied[n.key()]; !ok {
			rw.dump(db, n)
		}
	}
}

// dump appends the commands that rebuild n to the snapshot.
func (rw *rewrite) dump(db *db, n *node) {
	key := []byte(n.key())
	emit := func(args ...[]byte) { rw.snap = appendCommand(rw.snap, args...) }
	if n.isString() {
		emit(cmdSET, key, []byte(n.str()))
	} else {
		d := aofDumpers[n.obj.typeName()]
		if d == nil {
			if rw.err == nil {
				rw.err = fmt.Errorf("no rewrite for keys of type %s (key %q)", n.obj.typeName(), n.key())
			}
			return
		}
		d(key, n.obj, emit)
	}
	if n.ttl {
		emit(cmdPEXPIREAT, key, []byte(fmt.Sprint(db.deadline(n))))
	}
}

// startRewrite starts a rewrite in the background.
func (ks *Keyspace) startRewrite() error {
	a := ks.aof
	tmp, err := os.OpenFile(filepath.Join(filepath.Dir(a.path), fmt.Sprintf("temp-rewriteaof-bg-%d.aof", os.Getpid())),
		os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("ERR can't open the rewrite file: %w", err)
	}
	fdguard.Protect(int(tmp.Fd()))
	ks.mu.Lock()
	a.mu.Lock()
	if a.rw != nil || a.closed {
		a.mu.Unlock()
		ks.mu.Unlock()
		closeFile(tmp)
		return ErrRewriteInProgress
	}
	rw := &rewrite{copied: map[string]struct{}{}}
	a.rw = rw
	a.rwStats.started = time.Now()
	a.rwStats.wg.Add(1)
	a.mu.Unlock()
	ks.mu.Unlock()
	go func() {
		defer a.rwStats.wg.Done()
		err := ks.runRewrite(rw, tmp)
		a.mu.Lock()
		a.rwStats.lastTime = time.Since(a.rwStats.started)
		a.rwStats.count++
		a.rwStats.lastStatus = "ok"
		a.mu.Unlock()
		if err != nil {
			a.mu.Lock()
			a.rwStats.lastStatus = "err"
			a.mu.Unlock()
			a.logf("background append only file rewriting failed: %v", err)
			ks.mu.Lock()
			a.mu.Lock()
			if a.rw == rw {
				a.rw = nil
			}
			a.mu.Unlock()
			ks.mu.Unlock()
			closeFile(tmp)
			os.Remove(tmp.Name())
			return
		}
		a.logf("background AOF rewrite finished successfully")
	}()
	return nil
}

// tailHandoff is the size under which the records logged since T0 are
// written in the final lock section rather than before it.
const tailHandoff = 1 << 20

var errRewriteCancelled = errors.New("cancelled by shutdown")

// runRewrite writes the snapshot, then the records since T0, then swaps
// the files.
func (ks *Keyspace) runRewrite(rw *rewrite, tmp *os.File) error {
	a := ks.aof
	cancelled := func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.rwStats.cancel
	}
	// sum checks the new file as it is written (aof_checksum.go).
	var sum checksummer
	// >> The snapshot, a batch per lock section.
	for {
		if cancelled() {
			return errRewriteCancelled
		}
		ks.mu.Lock()
		ks.db.nowSet = false
		rw.scan(&ks.db, rewriteBatchKeys)
		chunk, done, err := rw.snap, rw.done, rw.err
		rw.snap = nil
		ks.mu.Unlock()
		if err != nil {
			return err
		}
		if _, err := tmp.Write(chunk); err != nil {
			return err
		}
		sum.add(chunk)
		if done {
			break
		}
	}
	// >> The records since T0, while clients keep writing.
	for {
		if cancelled() {
			return errRewriteCancelled
		}
		ks.mu.Lock()
		a.mu.Lock()
		chunk := rw.tail
		rw.tail = nil
		a.mu.Unlock()
		ks.mu.Unlock()
		if _, err := tmp.Write(chunk); err != nil {
			return err
		}
		sum.add(chunk)
		if len(chunk) < tailHandoff {
			break
		}
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	// >> The last records and the swap, with writers held off.
	ks.mu.Lock()
	defer ks.mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.rwStats.cancel {
		return errRewriteCancelled
	}
	if rw.err != nil {
		return rw.err
	}
	if _, err := tmp.Write(rw.tail); err != nil {
		return err
	}
	sum.add(rw.tail)
	if a.opts.Checksum && sum.n > 0 {
		// One annotation for the whole new file.
		if _, err := tmp.Write(checksumRecord(sum.sum, sum.n)); err != nil {
			return err
		}
	}
	rw.tail = nil
	if err := tmp.Sync(); err != nil {
		return err
	}
	for a.flushing {
		a.cond.Wait()
	}
	info, err := tmp.Stat()
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), a.path); err != nil {
		return err
	}
	syncDir(filepath.Dir(a.path))
	old := a.file
	a.file = tmp
	a.size, a.baseSize = info.Size(), info.Size()
	a.unsummed.reset()
	// What was buffered for the old file is in the new one already.
	a.buf = a.buf[:0]
	a.written, a.synced = a.fed, a.fed
	a.writeErr = nil
	a.rw = nil
	a.cond.Broadcast()
	closeFile(old)
	return nil
}

// abandonRewrite stops a rewrite in progress and waits for it to end.
func (a *aof) abandonRewrite() {
	a.mu.Lock()
	a.rwStats.cancel = true
	a.mu.Unlock()
	a.rwStats.wg.Wait()
}

// maybeAutoRewrite starts a rewrite once the file has grown by
// AutoRewritePercentage since the last one (auto-aof-rewrite-percentage).
func (a *aof) maybeAutoRewrite() {
	pct, minSize := a.opts.AutoRewritePercentage, a.opts.AutoRewriteMinSize
	if pct == 0 {
		pct = 100
	}
	if minSize == 0 {
		minSize = 64 << 20
	}
	a.mu.Lock()
	grow := pct > 0 && a.rw == nil && !a.rwStats.cancel && a.size >= minSize &&
		a.size-a.baseSize >= a.baseSize*int64(pct)/100
	a.mu.Unlock()
	if grow {
		a.logf("starting automatic rewriting of the append only file (%d%% growth)", pct)
		if err := a.ks.startRewrite(); err != nil && !errors.Is(err, ErrRewriteInProgress) {
			a.logf("automatic rewrite: %v", err)
		}
	}
}

// syncDir fsyncs a directory, so a rename in it survives a crash.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
