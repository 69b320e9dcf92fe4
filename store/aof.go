package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gearsd/gearsd/fdguard"
)

// The append-only file, after Redis's aof.c and tile38's aof.go: every
// command that changed data is appended to one file as the RESP array a
// client would send, and replaying the file rebuilds the keyspace.
//
// Records are appended to an in-memory buffer inside the lock section of
// the command that made them (so the file's order is the order of the
// changes); the buffer reaches the file outside the keyspace's lock:
//
//   - appendfsync always: Do returns only once its record is written and
//     fsynced. Concurrent writers share one write and one fsync: the first
//     to wait becomes the leader, the others wait for its fsync to cover
//     their records (group commit).
//   - everysec: a background goroutine writes the buffer as soon as
//     records arrive and fsyncs once a second; Do does not wait (a killed
//     process loses the records of the last moment, a crashed machine
//     about a second).
//   - no: the same goroutine writes, the OS decides when it is on disk.
//
// Lock order: Keyspace.mu, then aof.mu. Nothing holding aof.mu takes
// Keyspace.mu, and no disk I/O happens with Keyspace.mu held except the
// last step of a rewrite (aof_rewrite.go).

// AOFOptions configures the append-only file.
type AOFOptions struct {
	// Enabled turns the append-only file on (appendonly yes).
	Enabled bool
	// Dir is the directory of the file (dir); created if missing.
	Dir string
	// Filename is the file's name inside Dir (appendfilename).
	Filename string
	// Fsync is the appendfsync policy: "always", "everysec" (the default)
	// or "no".
	Fsync string
	// AutoRewritePercentage starts a rewrite when the file has grown by
	// this percentage since the last one (auto-aof-rewrite-percentage,
	// default 100); negative disables it.
	AutoRewritePercentage int
	// AutoRewriteMinSize is the size below which no automatic rewrite
	// starts (auto-aof-rewrite-min-size, default 64 MiB).
	AutoRewriteMinSize int64
	// Checksum follows every batch of records with a checksum annotation
	// (aof_checksum.go), checked at load (aof-checksum).
	Checksum bool
	// Logf receives the warnings of loading (a truncated tail) and of the
	// background work; nil discards them.
	Logf func(format string, args ...any)
}

// fsyncPolicy is appendfsync.
type fsyncPolicy uint8

const (
	fsyncEverysec fsyncPolicy = iota
	fsyncAlways
	fsyncNo
)

func parseFsync(s string) (fsyncPolicy, error) {
	switch s {
	case "", "everysec":
		return fsyncEverysec, nil
	case "always":
		return fsyncAlways, nil
	case "no":
		return fsyncNo, nil
	}
	return 0, fmt.Errorf("store: appendfsync must be always, everysec or no, not %q", s)
}

func (p fsyncPolicy) String() string {
	return [...]string{"everysec", "always", "no"}[p]
}

// maxPendingBytes bounds the records not yet written under everysec and
// no: past it, a writer waits for the disk instead of memory growing
// without end.
const maxPendingBytes = 64 << 20

// aof is the open append-only file and its buffer.
type aof struct {
	ks     *Keyspace // for automatic rewrites
	path   string
	policy fsyncPolicy
	logf   func(format string, args ...any)
	opts   AOFOptions

	mu   sync.Mutex
	cond *sync.Cond // broadcast when written or synced moves, or on close
	// buf holds the records fed but not yet written; spare is the buffer
	// the last flush wrote, reused for the next records.
	buf, spare []byte
	// fed, written and synced count bytes in one logical stream that
	// survives rewrites: fed bytes were appended to buf, written reached
	// the file, synced were fsynced.
	fed, written, synced int64
	flushing             bool // a goroutine is writing buf out
	file                 *os.File
	size                 int64 // the file's size
	baseSize             int64 // its size after loading or the last rewrite
	writeErr             error // the last write or fsync error, nil when the last one worked
	syncs                int64 // fsyncs done for always, to show they are shared
	closed               bool

	// unsummed: the bytes written since the last checksum annotation.
	unsummed checksummer

	// rw is the rewrite in progress, nil when none (aof_rewrite.go).
	rw      *rewrite
	rwStats rewriteStats

	kick chan struct{} // wakes the background writer
	stop chan struct{}
	done chan struct{}
}

// openAOF opens (creating it if needed) the file to append to. size is its
// length after loading.
func openAOF(opts AOFOptions, path string, size int64) (*aof, error) {
	policy, err := parseFsync(opts.Fsync)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fdguard.Protect(int(f.Fd()))
	a := &aof{
		path:     path,
		policy:   policy,
		logf:     opts.Logf,
		opts:     opts,
		file:     f,
		size:     size,
		baseSize: size,
		kick:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if a.logf == nil {
		a.logf = func(string, ...any) {}
	}
	a.cond = sync.NewCond(&a.mu)
	go a.background()
	return a, nil
}

// aofPath is where the file of opts lives.
func aofPath(opts AOFOptions) string {
	name := opts.Filename
	if name == "" {
		name = "appendonly.aof"
	}
	return filepath.Join(opts.Dir, name)
}

// feed appends one record. It runs inside the lock section of the change
// it records and returns the record's end in the logical stream, for
// waitDurable.
func (a *aof) feed(record []byte) int64 {
	a.mu.Lock()
	a.buf = append(a.buf, record...)
	a.fed += int64(len(record))
	if a.rw != nil {
		a.rw.tail = append(a.rw.tail, record...)
	}
	end := a.fed
	a.mu.Unlock()
	return end
}

// waitDurable returns once the record ending at end is as safe as the
// policy promises. For always: written and fsynced, concurrent writers
// sharing the work (the first to wait writes and fsyncs everything
// buffered, the others wait for it to cover their records: group
// commit); it returns the error that prevented it. For everysec and no:
// handed to the background writer, which writes at once (so a killed
// process loses at most the records of the last moment; a pipelined
// client does not wait for a write per command).
func (a *aof) waitDurable(end int64) error {
	if a.policy != fsyncAlways {
		// The background writer writes it out at once; the writer waits
		// only when the disk falls far behind.
		select {
		case a.kick <- struct{}{}:
		default:
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		for end-a.written > maxPendingBytes && !a.closed && a.writeErr == nil {
			a.cond.Wait()
		}
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.synced < end {
		if a.closed {
			return errors.New("the append-only file is closed")
		}
		if !a.flushing {
			a.flushLocked(true)
			if a.writeErr != nil {
				return a.writeErr
			}
			continue
		}
		a.cond.Wait()
	}
	return nil
}

// flushLocked writes the buffer out (and fsyncs when sync is set) with
// a.mu released during the I/O; a.mu is held on entry and on return.
// Records fed meanwhile wait for the next flush.
func (a *aof) flushLocked(sync bool) {
	a.flushing = true
	data, target := a.buf, a.fed
	a.buf = a.spare[:0]
	f := a.file
	a.mu.Unlock()

	var err error
	n, annotated := 0, 0
	if len(data) > 0 {
		n, err = f.Write(data)
		// Only the flush in progress writes the file (and a rewrite's swap
		// waits for it), so unsummed is this flush's to change.
		if err == nil && a.opts.Checksum {
			a.unsummed.add(data)
			annotated, err = a.writeChecksum(f)
		}
	}
	if err == nil && sync {
		err = f.Sync()
	}

	a.mu.Lock()
	a.flushing = false
	if f != a.file {
		// A rewrite swapped the file while this flush was waiting to be
		// recorded: the new file holds these records already.
		a.cond.Broadcast()
		return
	}
	a.size += int64(n + annotated)
	if err != nil {
		// Keep what was not written for the next flush; a torn record
		// is cut off so the file stays a sequence of whole records.
		if n > 0 && n < len(data) {
			if terr := f.Truncate(a.size - int64(n)); terr == nil {
				a.size -= int64(n)
				n = 0
			}
			if a.opts.Checksum {
				a.unsummed.add(data[:n]) // what stays in the file
			}
		}
		a.buf = append(data[n:len(data):len(data)], a.buf...)
		a.written = target - int64(len(data)-n)
		if a.writeErr == nil {
			a.logf("error writing the append-only file %s: %v", a.path, err)
		}
		a.writeErr = err
	} else {
		a.spare = data[:0]
		a.written = target
		if sync {
			a.synced = target
			a.syncs++
		}
		a.writeErr = nil
	}
	a.cond.Broadcast()
}

// writeChecksum writes the annotation for the bytes written since the last
// one. A torn annotation is cut off (the next batch's covers these bytes
// too); it returns the bytes it added to the file.
func (a *aof) writeChecksum(f *os.File) (int, error) {
	rec := checksumRecord(a.unsummed.sum, a.unsummed.n)
	m, err := f.Write(rec)
	if err == nil {
		a.unsummed.reset()
		return m, nil
	}
	if m > 0 {
		if info, serr := f.Stat(); serr == nil && f.Truncate(info.Size()-int64(m)) == nil {
			m = 0
		}
	}
	return m, err
}

// closeFile closes one of the append-only files and stops protecting its
// descriptor from Python (fdguard: the sandbox refuses to let scripts
// write to, close or duplicate over the server's files).
func closeFile(f *os.File) error {
	fd := int(f.Fd())
	err := f.Close()
	fdguard.Release(fd)
	return err
}

// background writes the buffer out when kicked (everysec, no), fsyncs
// once a second for everysec, retries a write that failed, and starts
// automatic rewrites.
func (a *aof) background() {
	defer close(a.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-a.kick:
			a.writeOut()
		case <-tick.C:
			a.retryFailedWrite()
			if a.policy == fsyncEverysec {
				a.fsync()
			}
			a.maybeAutoRewrite()
		}
	}
}

// writeOut writes the buffer out, after the flush in progress if any.
func (a *aof) writeOut() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.flushing {
		a.cond.Wait()
	}
	if len(a.buf) > 0 && a.writeErr == nil {
		a.flushLocked(false)
	}
}

// retryFailedWrite writes out what a failed write left in the buffer.
func (a *aof) retryFailedWrite() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.writeErr != nil && !a.flushing {
		a.flushLocked(false)
	}
}

// fsync syncs what has been written, without holding writers off: they
// keep appending to the file while the disk catches up.
func (a *aof) fsync() {
	a.mu.Lock()
	f, target, synced := a.file, a.written, a.synced
	a.mu.Unlock()
	if target == synced {
		return
	}
	err := f.Sync()
	a.mu.Lock()
	defer a.mu.Unlock()
	if f != a.file {
		return // a rewrite swapped the file, synced as a whole
	}
	if err != nil {
		a.logf("error fsyncing the append-only file %s: %v", a.path, err)
		a.writeErr = err
		return
	}
	a.synced = max(a.synced, target)
}

// close writes and fsyncs what is buffered and closes the file. A rewrite
// in progress is abandoned.
func (a *aof) close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.mu.Unlock()
	close(a.stop)
	<-a.done
	a.abandonRewrite()
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.flushing {
		a.cond.Wait()
	}
	a.flushLocked(true)
	err := a.writeErr
	a.closed = true
	a.cond.Broadcast()
	if cerr := closeFile(a.file); err == nil {
		err = cerr
	}
	return err
}

// lastWriteError is the error of the last write or fsync, nil when it
// worked: writes are refused while it is set, as Redis refuses them with
// MISCONF.
func (a *aof) lastWriteError() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.writeErr
}
