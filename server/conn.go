package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/tidwall/redcon"

	"github.com/gearsd/gearsd/fdguard"
)

// conn is one client connection and its loop, in place of redcon's: read
// what the socket has, parse every complete command in it (multibulk or
// inline, with Redis 7's protocol errors), run them in order, and write all
// their replies with one write before reading again.
//
// It exists for the cost per command under pipelining: redcon copies each
// command and allocates its argument slice, grows its command list and
// parsing marks per read, and goes through a bufio.Reader. Here arguments
// are slices of the read buffer itself, and argument lists slices of a
// shared array, and neither is ever written again once handed out: input
// goes on after the end of the buffer, and a new buffer (or array) is taken
// when one is used up. So a handler may keep an argument (a queued MULTI
// command, a key handed to another goroutine), and a command costs no
// allocation of its own: one 16 KB buffer per 12 KB or more of input, one
// array per 256 arguments.
//
// conn implements redcon.Conn, so handlers keep writing through that
// interface and Detach works as redcon documents it.
type conn struct {
	s  *Server
	nc net.Conn
	// netFd is nc's descriptor, protected from Python (fdguard) until nc
	// is closed; -1 once released.
	netFd int
	addr  string
	ctx   any

	rbuf       []byte // read buffer; rbuf[start:end] is not parsed yet
	start, end int
	wbuf       []byte   // replies not written yet
	argSpace   [][]byte // argument lists are cut from its front

	// The batch being run: cmds[next:] are parsed and not yet run
	// (PeekPipeline), cmds is reused from one read to the next.
	cmds []redcon.Command
	next int

	// Parsing marks of the current read, reused: argument bounds, and
	// the argument count and end offset of each command.
	marks []int
	ends  []int
	argc  []int

	// perr is a protocol error met after cmds: answered once they have run.
	perr error
	// outSoftSince: when the replies not written yet last went over the
	// soft output limit (unix nanoseconds; 0: they are under it).
	outSoftSince int64
	// argsHeld: of the input not parsed yet, the bytes at its front that
	// are complete arguments of the incomplete command that follows. Redis
	// moves those out of its query buffer, so client-query-buffer-limit
	// counts only the rest.
	argsHeld int

	idleClose time.Duration
	closed    bool // Close was called: the loop ends after this command
	detached  bool
	err       error // the first write error

	// On an event loop (loop_linux.go) the loop owns the socket as the
	// descriptor fd and nc is nil; a connection that leaves the loop gets
	// nc and its own goroutine. ctl guards nc, loop and aborted against
	// abort from other goroutines (CLIENT KILL, Shutdown) during that move.
	ctl     sync.Mutex
	loop    *eventLoop
	fd      int
	aborted bool
	// wantWrite: on the loop, replies wait for the socket to take them;
	// no command runs meanwhile.
	wantWrite bool
	// replyPending: on the loop's list of replies to write this turn.
	replyPending bool
	// loopable counts, on the connection's own goroutine, the commands in
	// a row that the loop could have run (backToLoop).
	loopable int
}

const (
	readBufferSize = 16 * 1024 // as Redis's PROTO_IOBUF_LEN
	// firstBufferSize is a new connection's read buffer; the next one is
	// readBufferSize.
	firstBufferSize = 4 * 1024
	// minRead: a read buffer with less room than this is replaced before
	// reading, so reads stay large.
	minRead = 4 * 1024
	// argSpaceSize is the number of arguments an argument array holds.
	argSpaceSize = 256
	// maxKeptBuffer bounds the buffers a connection keeps between reads;
	// larger ones (a big argument or reply) are dropped once used.
	maxKeptBuffer = 64 * 1024
	// inlineMax is Redis's PROTO_INLINE_MAX_SIZE: the longest inline
	// command, and the longest count line of a multibulk one.
	inlineMax = 64 * 1024
	// upfrontBulk is the most room made at once for a bulk string announced
	// and not arrived yet, beyond twice what has arrived: a client that
	// announces 512 MB and sends little gets little (Redis's buffer grows
	// with the bytes too; its allocation is never touched ahead of them).
	upfrontBulk = 1024 * 1024
	// flushAt: replies are written before the batch ends once this much
	// is buffered, so a long pipeline does not hold all its replies.
	flushAt = 1024 * 1024
)

// protoError is a protocol error: its text is replied ("ERR Protocol
// error: ...") and the connection is closed, as Redis does.
type protoError string

func (e protoError) Error() string { return "Protocol error: " + string(e) }

// closeConns closes every connection still open and stops the event loops,
// once no listener accepts any more.
func (s *Server) closeConns() {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.abort()
	}
	s.stopLoops()
}

// acceptConns accepts connections until the listener fails.
func (s *Server) acceptConns(ln net.Listener) error {
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			s.log.Warn().Err(err).Msg("accept failed")
			continue
		}
		c := &conn{s: s, nc: nc, addr: nc.RemoteAddr().String(), netFd: fdguard.ConnFD(nc)}
		fdguard.Protect(c.netFd)
		s.mu.Lock()
		c.idleClose = s.idleClose
		if s.conns == nil {
			s.conns = map[*conn]struct{}{}
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		if !s.accept(c) {
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
			continue
		}
		if s.adopt(c) {
			continue
		}
		go c.serve()
	}
}

// serve is the connection's goroutine: from its start, or from where the
// event loop left it.
func (c *conn) serve() {
	defer func() {
		// As on the event loop (turn): a bug on this connection's input
		// closes it, not the server.
		if r := recover(); r != nil {
			c.s.log.Error().Str("addr", c.addr).Interface("panic", r).Bytes("stack", debug.Stack()).
				Msg("panic serving a connection: closing it")
			c.finish(fmt.Errorf("panic: %v", r))
		}
	}()
	if err := c.run(); err != errBackOnLoop {
		c.finish(err)
	}
}

// finish closes the socket unless a subscriber took it, and forgets the
// connection.
func (c *conn) finish(err error) {
	if !c.detached {
		c.closeSocket()
	}
	s := c.s
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	if err == io.EOF || err == errDetached || err == errClosedByCommand {
		err = nil
	}
	s.closed(c, err)
}

var (
	errDetached        = errors.New("detached")
	errClosedByCommand = errors.New("closed by a command")
	// errOutputLimit: the replies not written yet passed
	// client-output-buffer-limit normal; the connection is closed.
	errOutputLimit = errors.New("output buffer limit reached")
	// errQueryBufLimit: the input not parsed yet passed
	// client-query-buffer-limit; the connection is closed.
	errQueryBufLimit = errors.New("query buffer limit reached")
	// errLeaveLoop: the next command may wait, so it runs on the
	// connection's own goroutine, not on the event loop.
	errLeaveLoop = errors.New("the command leaves the event loop")
	// errWouldBlock: the socket takes no more now (event loop only).
	errWouldBlock = errors.New("would block")
	// errBackOnLoop: the connection's goroutine ends, an event loop serves
	// it from now on.
	errBackOnLoop = errors.New("back on the event loop")
)

// backToLoopAfter is how many commands in a row that never wait a
// connection that left the event loop must send before it goes back. A
// client that waits now and then (a pooled connection that once ran
// RG.PYEXECUTE) returns to the cheaper loop; one that keeps waiting (a
// BLPOP worker, writes under appendfsync always) stays on its goroutine
// rather than move at every command.
const backToLoopAfter = 16

// run is the goroutine's loop: run what was received, write the replies,
// read more.
func (c *conn) run() error {
	for {
		if err := c.process(); err != nil {
			return err // errClosedByCommand included: finish tells it apart
		}
		if err := c.flush(); err != nil {
			return err
		}
		if c.backToLoop() {
			return errBackOnLoop
		}
		if err := c.read(); err != nil {
			return err
		}
	}
}

// backToLoop hands the connection back to an event loop, between two
// reads, once it has sent backToLoopAfter commands in a row that the loop
// could have run, its replies are written and no command is half read.
// Input sent meanwhile waits in the socket for the loop.
func (c *conn) backToLoop() bool {
	if c.loopable < backToLoopAfter || c.start != c.end {
		return false
	}
	if cl, ok := c.ctx.(*client); !ok || cl.closing.Load() {
		return false
	}
	c.loopable = 0
	return c.s.adopt(c)
}

// process runs the commands received and not run yet: first those already
// parsed (left by a command that moved the connection off the event loop,
// or by replies the socket did not take), then every complete command in
// the input. It returns nil when the input holds no complete command.
func (c *conn) process() error {
	client, _ := c.ctx.(*client)
	for {
		for c.next < len(c.cmds) {
			cmd := c.cmds[c.next]
			if c.loop != nil {
				if !c.s.runsOnLoop(client, cmd.Args) {
					return errLeaveLoop
				}
			} else if len(c.s.loops) > 0 {
				if c.s.runsOnLoop(client, cmd.Args) {
					c.loopable++
				} else {
					c.loopable = 0
				}
			}
			c.next++
			c.s.serveRESP(c, client, cmd)
			if c.detached {
				return errDetached
			}
			if c.closed {
				return errClosedByCommand
			}
			if c.overOutputLimit() {
				c.s.log.Warn().Str("addr", c.addr).Int("omem", len(c.wbuf)).
					Msg("Client scheduled to be closed ASAP for overcoming of output buffer limits.")
				c.wbuf = nil // as Redis: nothing more is written to it
				return errOutputLimit
			}
			if len(c.wbuf) >= flushAt {
				if err := c.flush(); err != nil {
					return err
				}
			}
		}
		if client != nil {
			c.s.flushStats(client)
		}
		if perr := c.perr; perr != nil {
			var pe protoError
			if errors.As(perr, &pe) {
				c.wbuf = redcon.AppendError(c.wbuf, "ERR "+pe.Error())
				c.s.log.Debug().Str("addr", c.addr).Err(perr).Msg("protocol error: closing the client")
			}
			c.flush()
			return perr
		}
		if c.start == c.end {
			return nil
		}
		if pending := c.end - c.start - c.argsHeld; int64(pending) > c.s.queryBufLimit.Load() {
			// As Redis: the client is closed without a reply, and logged.
			c.s.log.Warn().Str("addr", c.addr).Int("qbuf", pending).
				Msg("Closing client that reached max query buffer length")
			return errQueryBufLimit
		}
		// parse takes the multibulk commands in a row, or one inline
		// command: what follows is parsed on the next pass.
		before := c.start
		c.perr = c.parse()
		if c.start == before && c.perr == nil {
			return nil // the rest is not complete yet
		}
	}
}

// read waits for more input, keeping the part not parsed yet. Bytes
// before c.start may be held by handlers: input only ever goes after
// c.end, and a full buffer is replaced, never compacted.
func (c *conn) read() error {
	c.prepareRead()
	if c.idleClose > 0 {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.idleClose))
	}
	n, err := c.nc.Read(c.rbuf[c.end:])
	if n > 0 {
		c.end += n
		if cl, ok := c.ctx.(*client); ok {
			cl.lastActive.Store(time.Now().UnixNano())
		}
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// prepareRead makes room for a read of a useful size.
func (c *conn) prepareRead() {
	switch {
	case c.rbuf == nil:
		// A connection starts small: most send little.
		c.rbuf = make([]byte, firstBufferSize)
	case len(c.rbuf)-c.end < min(minRead, len(c.rbuf)/4) || (c.start == c.end && len(c.rbuf) > maxKeptBuffer):
		c.replaceBuffer(0)
	}
}

// parse makes c.cmds the complete commands at the front of the unparsed
// input: the multibulk ones in a row, or one inline command. It returns the
// protocol error met after them, if any.
func (c *conn) parse() error {
	c.cmds = c.cmds[:0]
	c.next = 0
	c.argsHeld = 0
	b := c.rbuf[c.start:c.end]
	if len(b) == 0 {
		return nil
	}
	if b[0] != '*' {
		return c.parseInline(b)
	}
	marks, ends, argc := c.marks[:0], c.ends[:0], c.argc[:0]
	var perr error
	pos := 0
	for pos < len(b) && b[pos] == '*' {
		n, next, err := c.scanMultibulk(b, pos, &marks)
		if err != nil {
			perr = err
			break
		}
		if next < 0 {
			break // incomplete
		}
		pos = next
		if n > 0 {
			argc = append(argc, n)
			ends = append(ends, pos)
		}
	}
	c.marks, c.ends, c.argc = marks, ends, argc
	if pos == 0 {
		return perr
	}
	c.start += pos
	begin, m := 0, 0
	for i, n := range argc {
		if len(c.argSpace) < n {
			c.argSpace = make([][]byte, max(argSpaceSize, n))
		}
		args := c.argSpace[:n:n]
		c.argSpace = c.argSpace[n:]
		for k := range args {
			from, to := marks[m], marks[m+1]
			args[k] = b[from:to:to]
			m += 2
		}
		// begin is the start of this command's raw text: the end of the
		// previous one (empty commands in between count as its text).
		c.cmds = append(c.cmds, redcon.Command{
			Raw:  b[begin:ends[i]:ends[i]],
			Args: args,
		})
		begin = ends[i]
	}
	return perr
}

// scanMultibulk reads the multibulk command at b[pos:], appending its
// arguments' bounds to marks. It returns the argument count and the
// position after the command, next < 0 if the command is not complete yet,
// or a protocol error. A count of zero or less is an empty command that
// Redis skips.
func (c *conn) scanMultibulk(b []byte, pos int, marks *[]int) (n, next int, err error) {
	begin := pos
	count, after, ok := fastNum(b, pos)
	if !ok {
		line, a, ok := crline(b, pos)
		if !ok {
			if len(b)-pos > inlineMax {
				return 0, 0, protoError("too big mbulk count string")
			}
			return 0, -1, nil
		}
		count, ok = parseLL(line[1:])
		if !ok || count > 1<<31-1 {
			return 0, 0, protoError("invalid multibulk length")
		}
		after = a
	}
	if count > 10 && c.authRequired() {
		return 0, 0, protoError("unauthenticated multibulk length")
	}
	if count <= 0 {
		return 0, after, nil
	}
	m := *marks // appended to; kept only for a complete command
	pos = after
	for range count {
		size, after, ok := int64(0), 0, false
		if pos < len(b) && b[pos] == '$' {
			size, after, ok = fastNum(b, pos)
		}
		if !ok {
			line, a, ok := crline(b, pos)
			if !ok {
				if len(b)-pos > inlineMax {
					return 0, 0, protoError("too big bulk count string")
				}
				c.argsHeld = pos - begin
				return 0, -1, nil
			}
			if len(line) == 0 || line[0] != '$' {
				// The byte found, as Redis quotes it: its error texts
				// turn CR and LF into spaces ("*1\r0\r0" has an empty
				// line where the '$' should be).
				got := b[pos]
				if got == '\r' || got == '\n' {
					got = ' '
				}
				return 0, 0, protoError("expected '$', got '" + string(got) + "'")
			}
			size, ok = parseLL(line[1:])
			if !ok || size < 0 {
				return 0, 0, protoError("invalid bulk length")
			}
			after = a
		}
		if size > c.s.protoMaxBulkLen.Load() {
			return 0, 0, protoError("invalid bulk length")
		}
		if size > 16384 && c.authRequired() {
			return 0, 0, protoError("unauthenticated bulk length")
		}
		if int64(len(b)-after) < size+2 {
			if need := int64(after) + size + 2; need > int64(len(c.rbuf)-c.start) {
				// Make room for the command, or for twice what has
				// arrived (at least upfrontBulk): the buffer doubles as
				// the bytes come, so it never holds much more than they.
				pending := int64(c.end - c.start)
				c.replaceBuffer(int(min(need, max(2*pending, upfrontBulk)) - pending))
			}
			c.argsHeld = pos - begin
			return 0, -1, nil
		}
		m = append(m, after, after+int(size))
		pos = after + int(size) + 2
	}
	*marks = m
	return int(count), pos, nil
}

// overOutputLimit applies client-output-buffer-limit normal to the replies
// not written yet, after each command, as Redis checks after each reply:
// over the hard limit, or over the soft one for its seconds.
func (c *conn) overOutputLimit() bool {
	l := &c.s.outputLimits.Load().Normal
	n := int64(len(c.wbuf))
	if l.Hard > 0 && n > l.Hard {
		return true
	}
	if l.Soft == 0 || n <= l.Soft {
		c.outSoftSince = 0
		return false
	}
	now := time.Now().UnixNano()
	if c.outSoftSince == 0 {
		c.outSoftSince = now
		return false
	}
	return time.Duration(now-c.outSoftSince) > time.Duration(l.SoftSeconds)*time.Second
}

// fastNum reads the common count line at b[pos:]: one type byte, then 1 to
// 9 digits without a leading zero, then "\r" and one more byte. Anything
// else, or a line not complete yet, is left to crline and parseLL.
func fastNum(b []byte, pos int) (v int64, after int, ok bool) {
	i := pos + 1
	if i >= len(b) || b[i] < '1' || b[i] > '9' {
		return 0, 0, false
	}
	for end := min(len(b), pos+11); i < end; i++ {
		ch := b[i]
		if '0' <= ch && ch <= '9' {
			v = v*10 + int64(ch-'0')
			continue
		}
		if ch == '\r' && i+1 < len(b) {
			return v, i + 2, true
		}
		return 0, 0, false
	}
	return 0, 0, false
}

// replaceBuffer moves the input not parsed yet to a new read buffer with
// room for at least n more bytes; a buffer twice the pending input if that
// is larger, so a command larger than the buffer is read in a few reads.
func (c *conn) replaceBuffer(n int) {
	pending := c.end - c.start
	size := max(readBufferSize, pending+n, 2*pending)
	buf := make([]byte, size)
	copy(buf, c.rbuf[c.start:c.end])
	c.rbuf, c.start, c.end = buf, 0, pending
}

// crline finds the line at b[pos:], ended by "\r" and one more byte, as
// Redis does: it returns the line without its ending and the position after
// it, or false if the line is not complete yet.
func crline(b []byte, pos int) (line []byte, after int, ok bool) {
	i := bytes.IndexByte(b[pos:], '\r')
	if i < 0 || pos+i+2 > len(b) {
		return nil, 0, false
	}
	return b[pos : pos+i], pos + i + 2, true
}

// parseLL is Redis's string2ll: an optional minus sign and digits, no
// leading zero, no sign on zero, within int64.
func parseLL(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
		if len(s) == 0 {
			return 0, false
		}
	}
	if s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// parseInline reads one inline command (a line of words, as typed in
// telnet), as Redis's processInlineBuffer with sdssplitargs does. An empty
// line is skipped.
func (c *conn) parseInline(b []byte) error {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		if len(b) > inlineMax {
			return protoError("too big inline request")
		}
		return nil
	}
	line := b[:nl]
	if nl > 0 && b[nl-1] == '\r' {
		line = b[:nl-1]
	}
	args, ok := splitArgs(line)
	if !ok {
		return protoError("unbalanced quotes in request")
	}
	raw := b[: nl+1 : nl+1]
	c.start += nl + 1
	if len(args) > 0 {
		c.cmds = append(c.cmds, redcon.Command{Raw: raw, Args: args})
	}
	return nil
}

// splitArgs is Redis's sdssplitargs: words separated by spaces, "double
// quoted" with C escapes (\n \r \t \b \a \xHH), 'single quoted' with \'
// only; a closing quote must be followed by a space or the end. The line
// ends at its first NUL byte, as the C string it is in Redis.
func splitArgs(line []byte) ([][]byte, bool) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	at := func(i int) byte {
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	isSpace := func(ch byte) bool {
		return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r'
	}
	var args [][]byte
	p := 0
	for {
		for p < len(line) && isSpace(line[p]) {
			p++
		}
		if p >= len(line) {
			return args, true
		}
		inq, insq, done := false, false, false
		cur := []byte{}
		for !done {
			ch := at(p)
			switch {
			case inq:
				switch {
				case ch == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					cur = append(cur, unhex(at(p+2))<<4|unhex(at(p+3)))
					p += 3
				case ch == '\\' && at(p+1) != 0:
					p++
					e := at(p)
					switch e {
					case 'n':
						e = '\n'
					case 'r':
						e = '\r'
					case 't':
						e = '\t'
					case 'b':
						e = '\b'
					case 'a':
						e = '\a'
					}
					cur = append(cur, e)
				case ch == '"':
					if n := at(p + 1); n != 0 && !isSpace(n) {
						return nil, false
					}
					done = true
				case ch == 0:
					return nil, false
				default:
					cur = append(cur, ch)
				}
			case insq:
				switch {
				case ch == '\\' && at(p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case ch == '\'':
					if n := at(p + 1); n != 0 && !isSpace(n) {
						return nil, false
					}
					done = true
				case ch == 0:
					return nil, false
				default:
					cur = append(cur, ch)
				}
			default:
				switch ch {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, ch)
				}
			}
			if p < len(line) {
				p++
			}
		}
		args = append(args, cur)
	}
}

func isHex(ch byte) bool {
	return ('0' <= ch && ch <= '9') || ('a' <= ch && ch <= 'f') || ('A' <= ch && ch <= 'F')
}

func unhex(ch byte) byte {
	switch {
	case ch <= '9':
		return ch - '0'
	case ch <= 'F':
		return ch - 'A' + 10
	}
	return ch - 'a' + 10
}

// authRequired reports whether the client must still authenticate, for the
// limits Redis puts on unauthenticated clients' commands.
func (c *conn) authRequired() bool {
	cl, ok := c.ctx.(*client)
	return ok && !cl.authenticated && !c.s.defaultUserNoPass()
}

// flush writes the buffered replies.
func (c *conn) flush() error {
	if c.err != nil {
		return c.err
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	if c.loop != nil {
		return c.loopWrite()
	}
	_, c.err = c.nc.Write(c.wbuf)
	c.resetWriteBuffer()
	return c.err
}

// resetWriteBuffer empties the written replies' buffer, dropping a large
// one.
func (c *conn) resetWriteBuffer() {
	if cap(c.wbuf) > maxKeptBuffer {
		c.wbuf = nil
	} else {
		c.wbuf = c.wbuf[:0]
	}
}

// redcon.Conn

var _ redcon.Conn = (*conn)(nil)

func (c *conn) RemoteAddr() string { return c.addr }

// Close flushes the replies and closes the connection; the loop ends after
// the current command.
func (c *conn) Close() error {
	c.flush()
	c.closed = true
	if c.loop != nil {
		return nil // the loop closes it once the replies are written
	}
	c.closeSocket()
	return nil
}

// closeSocket closes nc, if the connection has one (the event loop closes
// its own descriptors). The connection's own goroutine (or loop) only.
func (c *conn) closeSocket() {
	c.ctl.Lock()
	defer c.ctl.Unlock()
	if c.nc != nil {
		c.closeNC()
	}
}

// closeNC closes nc and, the first time, stops protecting its descriptor
// from Python (fdguard). The caller holds c.ctl.
func (c *conn) closeNC() {
	c.nc.Close()
	if c.netFd >= 0 {
		fdguard.Release(c.netFd)
		c.netFd = -1
	}
}

// abort closes the connection from another goroutine (CLIENT KILL, the
// subscriber's output limit, Shutdown's deadline): at once on its own
// goroutine, whose read or write then fails; on the event loop, between
// two connections' turns.
func (c *conn) abort() {
	c.ctl.Lock()
	defer c.ctl.Unlock()
	c.aborted = true
	if c.nc != nil {
		c.closeNC()
	} else if c.loop != nil {
		c.loop.requestClose(c)
	}
}

// endIfIdle is Shutdown's request: a connection waiting for input is
// closed, one running a command writes its reply first (client.closing then
// stops it). On the loop nothing runs between turns, so it is closed.
func (c *conn) endIfIdle() {
	c.ctl.Lock()
	defer c.ctl.Unlock()
	if c.nc != nil {
		// A read deadline in the past ends a read without touching a
		// reply being written.
		_ = c.nc.SetReadDeadline(time.Unix(1, 0))
	} else if c.loop != nil {
		c.loop.requestClose(c)
	}
}

// peerGone reports whether the client has closed its side, for a blocked
// command (on the connection's own goroutine, never on the loop).
func (c *conn) peerGone() bool {
	c.ctl.Lock()
	nc := c.nc
	c.ctl.Unlock()
	return nc != nil && peerClosed(nc)
}

func (c *conn) WriteError(msg string)       { c.wbuf = redcon.AppendError(c.wbuf, msg) }
func (c *conn) WriteString(str string)      { c.wbuf = redcon.AppendString(c.wbuf, str) }
func (c *conn) WriteBulk(bulk []byte)       { c.wbuf = redcon.AppendBulk(c.wbuf, bulk) }
func (c *conn) WriteBulkString(bulk string) { c.wbuf = redcon.AppendBulkString(c.wbuf, bulk) }
func (c *conn) WriteInt(num int)            { c.wbuf = redcon.AppendInt(c.wbuf, int64(num)) }
func (c *conn) WriteInt64(num int64)        { c.wbuf = redcon.AppendInt(c.wbuf, num) }
func (c *conn) WriteUint64(num uint64)      { c.wbuf = redcon.AppendUint(c.wbuf, num) }
func (c *conn) WriteArray(count int)        { c.wbuf = redcon.AppendArray(c.wbuf, count) }
func (c *conn) WriteNull()                  { c.wbuf = redcon.AppendNull(c.wbuf) }
func (c *conn) WriteRaw(data []byte)        { c.wbuf = append(c.wbuf, data...) }
func (c *conn) WriteAny(any any)            { c.wbuf = redcon.AppendAny(c.wbuf, any) }

func (c *conn) WriteBulkFrom(n int64, rb io.Reader) {
	c.wbuf = append(c.wbuf, '$')
	c.wbuf = strconv.AppendInt(c.wbuf, n, 10)
	c.wbuf = append(c.wbuf, '\r', '\n')
	var buf bytes.Buffer
	_, _ = io.CopyN(&buf, rb, n)
	c.wbuf = append(c.wbuf, buf.Bytes()...)
	c.wbuf = append(c.wbuf, '\r', '\n')
}

func (c *conn) Context() any        { return c.ctx }
func (c *conn) SetContext(v any)    { c.ctx = v }
func (c *conn) SetReadBuffer(n int) {}
func (c *conn) NetConn() net.Conn   { return c.nc }

// SetIdleClose changes the idle limit of this connection; 0 exempts it
// (subscribers, as Redis exempts them from timeout) and lifts the deadline
// of the read before. Connection goroutine only.
func (c *conn) SetIdleClose(d time.Duration) {
	c.idleClose = d
	if d == 0 && c.nc != nil {
		_ = c.nc.SetReadDeadline(time.Time{})
	}
}

// ReadPipeline returns the commands of the batch not run yet and drops
// them, with any input not parsed yet.
func (c *conn) ReadPipeline() []redcon.Command {
	rest := c.cmds[c.next:]
	c.cmds, c.next = nil, 0 // the caller owns rest
	c.start = c.end
	return rest
}

// PeekPipeline returns the commands of the batch not run yet.
func (c *conn) PeekPipeline() []redcon.Command { return c.cmds[c.next:] }

// Detach takes the connection out of the loop, as redcon's Detach: the
// caller reads its commands and flushes its writes, and closes it.
func (c *conn) Detach() redcon.DetachedConn {
	c.detached = true
	return &detachedConn{conn: c}
}

type detachedConn struct{ *conn }

func (dc *detachedConn) Flush() error { return dc.flush() }

// ReadCommand returns the next command: the rest of the batch first.
func (dc *detachedConn) ReadCommand() (redcon.Command, error) {
	c := dc.conn
	for {
		if c.next < len(c.cmds) {
			cmd := c.cmds[c.next]
			c.next++
			return cmd, nil
		}
		if err := c.parse(); err != nil && len(c.cmds) == 0 {
			// Unlike the loop, no error reply: the caller may be
			// writing from another goroutine.
			return redcon.Command{}, err
		}
		if len(c.cmds) > 0 {
			continue
		}
		if err := c.read(); err != nil {
			return redcon.Command{}, err
		}
	}
}
