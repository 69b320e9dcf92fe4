package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// Open returns a keyspace ready to serve. With opts.AOF.Enabled it first
// replays the append-only file (creating its directory and file when
// missing) and from then on logs every write to it; it returns an error
// when the file cannot be read or is corrupt before its last record.
func Open(opts Options) (*Keyspace, error) {
	ks := newKeyspace(opts)
	if opts.AOF.Enabled {
		if err := ks.attachAOF(opts.AOF); err != nil {
			return nil, err
		}
		// The replay's lookups and expiries are not the clients': INFO
		// stats starts from zero, as Redis's does after loading.
		ks.ResetStatsCounters()
	}
	ks.start(opts)
	return ks, nil
}

// attachAOF replays the file, then opens it for appending.
func (ks *Keyspace) attachAOF(o AOFOptions) error {
	if _, err := parseFsync(o.Fsync); err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return fmt.Errorf("store: creating the data directory: %w", err)
	}
	path := aofPath(o)
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	size, unsummed, err := ks.replay(path, logf)
	if err != nil {
		return err
	}
	a, err := openAOF(o, path, size)
	if err != nil {
		return fmt.Errorf("store: opening the append-only file: %w", err)
	}
	// The next checksum annotation covers the records loaded after the
	// file's last one, as the loader will count them.
	a.unsummed = unsummed
	a.ks = ks
	ks.aof = a
	ks.db.onExpire = ks.logExpired
	return nil
}

// replayOnTheClock are the commands replayed on the real clock: they keep
// the time as data (a pending entry's delivery time, a consumer's last
// sight), which the stopped clock would set to the epoch, and XCLAIM's
// TIME, which it would clamp there. A stream key with a TTL that passed
// may then expire during the replay of one of them.
var replayOnTheClock = map[string]bool{
	"xreadgroup": true, "xclaim": true, "xautoclaim": true, "xgroup": true,
}

// errTruncated: the file ends inside a record.
var errTruncated = errors.New("truncated record")

// errFormat: the bytes at the offset are not a RESP array of bulk strings.
var errFormat = errors.New("bad file format")

// replay runs every command of the file at path and returns the length of
// its whole records. A file ending inside its last record (a crash during
// a write) is cut back to the last whole record with a warning, as Redis
// does with aof-load-truncated; so is a tail of bytes in which no whole
// record can be found (a torn write the filesystem filled with garbage or
// zeros). A bad record followed by good ones is an error naming its offset.
//
// Nothing expires while the file is replayed (the clock is stopped at
// the epoch, as Redis's keyIsExpired answers no while loading): the file
// says when keys were deleted, with the DEL logged when they expired. The
// stream commands of replayOnTheClock are the exception.
func (ks *Keyspace) replay(path string, logf func(string, ...any)) (int64, checksummer, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, checksummer{}, nil
	}
	if err != nil {
		return 0, checksummer{}, fmt.Errorf("store: opening the append-only file: %w", err)
	}
	defer f.Close()

	clock := ks.db.clock
	stopped := func() time.Time { return time.UnixMilli(0) }
	defer func() { ks.db.clock = clock }()
	run := func(argv [][]byte) {
		ks.db.clock = stopped
		if c := lookupCommand(argv[0]); c != nil && replayOnTheClock[c.spec.Name] {
			ks.db.clock = clock
		}
		ks.Do(argv)
	}

	r := &recordReader{r: bufio.NewReaderSize(f, 1<<20)}
	commands := 0
	// A transaction is logged between MULTI and EXEC (multi_exec.go): its
	// commands run once EXEC is read, and a file that ends before EXEC is
	// cut back to before MULTI, as Redis reverts an incomplete one.
	var queued [][][]byte
	multiAt := int64(-1)
	var multiSum checksummer // the checksum state at multiAt
	cut := func(off int64, sum checksummer) (int64, checksummer, error) {
		n, err := cutTail(path, off, commands, logf)
		return n, sum, err
	}
	for {
		start, startSum := r.off, r.sum
		if found, err := r.annotation(); found {
			switch {
			case err == errTruncated:
				if multiAt >= 0 {
					return cut(multiAt, multiSum)
				}
				return cut(start, startSum)
			case err != nil:
				return 0, checksummer{}, fmt.Errorf("store: the append only file %s is corrupt: %v (restore it from a backup; redis-check-aof cannot tell, since the records still parse)", path, err)
			}
			continue
		}
		argv, err := r.next()
		if err == io.EOF {
			if multiAt >= 0 {
				logf("Revert incomplete MULTI/EXEC transaction in AOF file %s", path)
				return cut(multiAt, multiSum)
			}
			return r.off, r.sum, nil
		}
		if err != nil {
			if err := checkBadTail(path, f, start, err); err != nil {
				return 0, checksummer{}, err
			}
			if multiAt >= 0 {
				logf("Revert incomplete MULTI/EXEC transaction in AOF file %s", path)
				return cut(multiAt, multiSum)
			}
			return cut(start, startSum)
		}
		if len(argv) == 0 {
			return 0, checksummer{}, fmt.Errorf("store: bad file format reading the append only file %s at offset %d: empty command", path, start)
		}
		switch {
		case len(argv) == 1 && isOpt(argv[0], "multi"):
			queued, multiAt, multiSum = nil, start, startSum
			continue
		case len(argv) == 1 && isOpt(argv[0], "exec") && multiAt >= 0:
			for _, q := range queued {
				run(q)
				commands++
			}
			queued, multiAt = nil, -1
			continue
		case lookupCommand(argv[0]) == nil:
			return 0, checksummer{}, fmt.Errorf("store: unknown command '%s' reading the append only file %s at offset %d", cString(argv[0]), path, start)
		case multiAt >= 0:
			queued = append(queued, argv)
			continue
		}
		// Replies are not checked: an error was an error when the command
		// first ran too, and changed nothing then either.
		run(argv)
		commands++
	}
}

// checkBadTail decides what a record that does not parse at off means: a
// torn last record (nil: it is cut off), or corruption (the error).
func checkBadTail(path string, f *os.File, off int64, cause error) error {
	if cause != errTruncated && cause != errFormat {
		return fmt.Errorf("store: reading the append only file %s at offset %d: %w", path, off, cause)
	}
	if cause == errFormat && wholeRecordAfter(f, off) {
		return fmt.Errorf("store: bad file format reading the append only file %s at offset %d (a whole record follows, so this is not a torn last write; fix or truncate the file by hand)", path, off)
	}
	return nil
}

// cutTail truncates the file at off with Redis's warnings and returns off.
func cutTail(path string, off int64, commands int, logf func(string, ...any)) (int64, error) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	logf("!!! Warning: short read while loading the AOF file %s at offset %d (%d bytes of %d cut off after %d commands) !!!",
		path, off, info.Size()-off, info.Size(), commands)
	if err := os.Truncate(path, off); err != nil {
		return 0, fmt.Errorf("store: truncating the append only file %s to %d: %w", path, off, err)
	}
	logf("AOF loaded anyway because aof-load-truncated is enabled")
	return off, nil
}

// tailScanLimit bounds how much of a bad tail wholeRecordAfter reads; a
// longer tail is taken to hold records.
const tailScanLimit = 64 << 20

// wholeRecordAfter reports whether a whole record starts somewhere after
// off: then the bad bytes at off are corruption, not a torn last write.
func wholeRecordAfter(f *os.File, off int64) bool {
	info, err := f.Stat()
	if err != nil {
		return true
	}
	rest := info.Size() - off
	if rest > tailScanLimit {
		return true
	}
	tail := make([]byte, rest)
	if _, err := f.ReadAt(tail, off); err != nil {
		return true
	}
	for i := 1; i < len(tail); i++ {
		if tail[i] != '*' {
			continue
		}
		r := &recordReader{r: bufio.NewReader(bytes.NewReader(tail[i:]))}
		if argv, err := r.next(); err == nil && len(argv) > 0 {
			return true
		}
	}
	return false
}

// maxBulkLen is Redis's proto-max-bulk-len: a longer length is corruption.
const maxBulkLen = 512 << 20

// recordReader reads the file's records, counting the bytes it consumed.
type recordReader struct {
	r   *bufio.Reader
	off int64
	// sum covers the whole records read since the last checksum
	// annotation (aof_checksum.go).
	sum checksummer
}

// next reads one record: io.EOF at a clean end, errTruncated when the file
// ends inside it, errFormat when it is not RESP. off moves past whole
// records only.
func (rr *recordReader) next() ([][]byte, error) {
	n := int64(0)
	sum := rr.sum // committed once the record is whole
	count, err := rr.header('*', &n, &sum)
	if err != nil {
		if err == errTruncated && n == 0 {
			return nil, io.EOF
		}
		return nil, err
	}
	argv := make([][]byte, count)
	for i := range argv {
		size, err := rr.header('$', &n, &sum)
		if err != nil {
			return nil, err
		}
		if size > maxBulkLen {
			return nil, errFormat
		}
		arg := make([]byte, size+2)
		m, err := io.ReadFull(rr.r, arg)
		n += int64(m)
		if err != nil {
			return nil, errTruncated
		}
		sum.add(arg)
		if arg[size] != '\r' || arg[size+1] != '\n' {
			return nil, errFormat
		}
		argv[i] = arg[:size:size]
	}
	rr.off += n
	rr.sum = sum
	return argv, nil
}

// annotation reads a line that begins with '#' (Redis's annotations) if
// one is next. A checksum annotation is checked against the records read
// since the previous one; any other is skipped, as Redis skips them.
func (rr *recordReader) annotation() (found bool, err error) {
	b, err := rr.r.Peek(1)
	if err != nil || b[0] != '#' {
		return false, nil
	}
	line, err := rr.r.ReadSlice('\n')
	if err != nil {
		return true, errTruncated
	}
	at := rr.off
	rr.off += int64(len(line))
	if sum, n, ok := parseChecksumRecord(line); ok {
		if sum != rr.sum.sum || n != rr.sum.n {
			return true, fmt.Errorf("%w: the %d bytes before offset %d have checksum %08x, the record there says %d bytes with %08x", errChecksum, rr.sum.n, at, rr.sum.sum, n, sum)
		}
		rr.sum.reset()
	}
	return true, nil
}

// errChecksum: bytes of the file differ from what was written.
var errChecksum = errors.New("checksum mismatch")

// header reads "<prefix><number>\r\n" and adds the bytes read to n.
func (rr *recordReader) header(prefix byte, n *int64, sum *checksummer) (int, error) {
	line, err := rr.r.ReadSlice('\n')
	*n += int64(len(line))
	sum.add(line)
	if err == bufio.ErrBufferFull || (err == nil && len(line) > 32) {
		return 0, errFormat
	}
	if err != nil {
		if len(line) > 0 && line[0] != prefix {
			return 0, errFormat
		}
		return 0, errTruncated
	}
	if len(line) < 4 || line[0] != prefix || line[len(line)-2] != '\r' {
		return 0, errFormat
	}
	v, perr := strconv.Atoi(string(line[1 : len(line)-2]))
	if perr != nil || v < 0 {
		return 0, errFormat
	}
	return v, nil
}
