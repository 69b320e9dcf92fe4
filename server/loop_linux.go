package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/fdguard"
)

// eventLoop serves connections as Redis does: one thread waits in
// epoll_wait for the sockets that have input, reads each once, runs its
// complete commands and writes their replies, then waits again. Against a
// goroutine per connection this saves, per request, the parking and waking
// of a goroutine, the futex calls behind it and the read that finds
// nothing: the difference between 0.7x and 1x of Redis's throughput on two
// cores (docs/benchmarks.md).
//
// The loop runs only commands that never wait (runsOnLoop). Before one
// that may (BLPOP, XREAD BLOCK, SUBSCRIBE, RG.*, a write that waits for
// appendfsync always, DEBUG SLEEP, SHUTDOWN), the connection leaves the
// loop for good: its socket becomes a net.Conn and its goroutine goes on
// from that command, with the input not yet run, exactly as if it had
// always had one. So the loop never waits for a lane, a lock a lane holds
// for long, or another client.
//
// Everything in the loop struct outside mu belongs to the loop's
// goroutine; other goroutines hand it connections and close requests
// through mu and wake it through an eventfd.
type eventLoop struct {
	s    *Server
	epfd int
	// busyPoll is how long the loop polls for more input after a turn
	// that served some before it sleeps (busy-poll-us; see wait).
	busyPoll time.Duration
	wakeFd   int
	conns    []*conn // indexed by socket descriptor; nil where none
	now      int64   // unix nanoseconds when the last epoll_wait returned
	events   []unix.EpollEvent
	buf      [8]byte
	done     chan struct{} // closed when run has returned
	count    atomic.Int32  // connections served, for adopt's choice
	// replying are the connections served this turn, their replies to
	// write (writeReplies).
	replying []*conn

	mu       sync.Mutex
	adopted  []*conn
	toClose  []*conn
	stopping bool
}

// loopCron is the longest the loop waits without looking at idle clients.
const loopCron = time.Second

func newEventLoop(s *Server) (*eventLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wakeFd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakeFd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakeFd)}); err != nil {
		unix.Close(epfd)
		unix.Close(wakeFd)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	fdguard.Protect(epfd)
	fdguard.Protect(wakeFd)
	return &eventLoop{
		s: s, epfd: epfd, wakeFd: wakeFd,
		busyPoll: time.Duration(s.cfg.Int(config.BusyPollUS)) * time.Microsecond,
		events:   make([]unix.EpollEvent, 128),
		done:     make(chan struct{}),
	}, nil
}

// startLoops starts the event-loops setting's loops; on failure the
// server falls back to a goroutine per connection.
func (s *Server) startLoops() {
	n := s.cfg.Int(config.EventLoops)
	for range n {
		l, err := newEventLoop(s)
		if err != nil {
			s.log.Warn().Err(err).Msg("no event loop: every connection gets its own goroutine")
			return
		}
		s.loops = append(s.loops, l)
		go l.run()
	}
}

// stopLoops ends the loops, closing the connections they still hold, and
// waits for them.
func (s *Server) stopLoops() {
	for _, l := range s.loops {
		l.mu.Lock()
		l.stopping = true
		l.mu.Unlock()
		l.wake()
	}
	for _, l := range s.loops {
		<-l.done
	}
}

// adopt gives a connection to the least loaded loop: one just accepted, or
// one coming back from its own goroutine (backToLoop). It reports false
// when the connection stays with its net.Conn (no loop, the socket could
// not be taken, or it is being closed), to be served by its own goroutine.
func (s *Server) adopt(c *conn) bool {
	if len(s.loops) == 0 {
		return false
	}
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	// The loop owns a duplicate; closing the net.Conn takes the socket out
	// of Go's poller, which would otherwise be woken by every packet too.
	fd := -1
	if cerr := rc.Control(func(sfd uintptr) {
		fd, err = unix.FcntlInt(sfd, unix.F_DUPFD_CLOEXEC, 0)
	}); cerr != nil || err != nil {
		return false
	}
	fdguard.Protect(fd)
	l := s.loops[0]
	for _, o := range s.loops[1:] {
		if o.count.Load() < l.count.Load() {
			l = o
		}
	}
	c.ctl.Lock()
	if c.aborted {
		// CLIENT KILL or Shutdown closed nc meanwhile: its goroutine's
		// next read fails and ends it.
		c.ctl.Unlock()
		closeFD(fd)
		return false
	}
	nc, netFd := c.nc, c.netFd
	c.nc, c.netFd, c.loop, c.fd = nil, -1, l, fd
	c.ctl.Unlock()
	nc.Close()
	fdguard.Release(netFd)
	l.count.Add(1)
	l.mu.Lock()
	l.adopted = append(l.adopted, c)
	l.mu.Unlock()
	l.wake()
	return true
}

// closeFD closes one of the loop's descriptors and stops protecting it
// from Python (fdguard).
func closeFD(fd int) {
	unix.Close(fd)
	fdguard.Release(fd)
}

// conn returns the connection of socket fd, nil if none.
func (l *eventLoop) conn(fd int) *conn {
	if fd < len(l.conns) {
		return l.conns[fd]
	}
	return nil
}

func (l *eventLoop) put(fd int, c *conn) {
	if fd >= len(l.conns) {
		l.conns = append(l.conns, make([]*conn, fd+1-len(l.conns)+64)...)
	}
	l.conns[fd] = c
}

// requestClose asks the loop to close c between two turns (any goroutine;
// the caller holds c.ctl).
func (l *eventLoop) requestClose(c *conn) {
	l.mu.Lock()
	l.toClose = append(l.toClose, c)
	l.mu.Unlock()
	l.wake()
}

func (l *eventLoop) wake() {
	one := [8]byte{1}
	_, _ = unix.Write(l.wakeFd, one[:])
}

func (l *eventLoop) run() {
	defer close(l.done)
	defer closeFD(l.epfd)
	defer closeFD(l.wakeFd)
	lastCron := time.Now().UnixNano()
	served := false
	for {
		n, err := l.wait(served)
		served = n > 0
		l.now = time.Now().UnixNano()
		if err != nil && err != unix.EINTR {
			l.s.log.Error().Err(err).Msg("epoll_wait failed: the event loop's clients are closed")
			l.closeAll()
			return
		}
		for i := range n {
			ev := &l.events[i]
			fd := int(ev.Fd)
			if fd == l.wakeFd {
				_, _ = unix.Read(l.wakeFd, l.buf[:])
				continue
			}
			if c := l.conn(fd); c != nil {
				l.turn(c)
			}
		}
		l.writeReplies()
		if l.inbox() {
			l.closeAll()
			return
		}
		if l.now-lastCron >= int64(loopCron) {
			lastCron = l.now
			l.closeIdle()
		}
	}
}

// wait returns the number of ready events in l.events, sleeping in
// epoll_wait for at most loopCron. After a turn that served requests it
// first polls without sleeping, for up to busyPoll: under load the next
// request comes within microseconds, and one that finds the loop awake
// costs its client's write no wake-up of a sleeping thread, nor this
// thread the sleep and the Go scheduler's hand-off of its P around a
// blocking call. On two cores that is about 10% more requests per second
// for redis-benchmark -c 50 (docs/benchmarks.md). Idle, the loop sleeps after
// at most busyPoll of polling.
func (l *eventLoop) wait(spin bool) (int, error) {
	if spin && l.busyPoll > 0 {
		deadline := time.Now().Add(l.busyPoll)
		for {
			n, err := pollEvents(l.epfd, l.events)
			if n != 0 || err != nil || time.Now().After(deadline) {
				return n, err
			}
		}
	}
	return unix.EpollWait(l.epfd, l.events, int(loopCron/time.Millisecond))
}

// inbox registers the adopted connections and closes those asked to close.
// It reports whether the loop is to stop.
func (l *eventLoop) inbox() (stop bool) {
	l.mu.Lock()
	adopted, toClose, stop := l.adopted, l.toClose, l.stopping
	l.adopted, l.toClose = nil, nil
	l.mu.Unlock()
	for _, c := range adopted {
		if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, c.fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(c.fd)}); err != nil {
			closeFD(c.fd)
			l.count.Add(-1)
			c.finish(os.NewSyscallError("epoll_ctl", err))
			continue
		}
		l.put(c.fd, c)
	}
	for _, c := range toClose {
		if l.conn(c.fd) == c {
			l.drop(c, net.ErrClosed)
		}
	}
	return stop
}

// turn serves one ready connection: writes what it still owes, or reads
// once and runs what came.
func (l *eventLoop) turn(c *conn) {
	defer func() {
		// A bug met on one connection's input (the command handlers
		// recover their own) closes that connection, not the server.
		if r := recover(); r != nil {
			l.s.log.Error().Str("addr", c.addr).Interface("panic", r).Bytes("stack", debug.Stack()).
				Msg("panic serving a connection: closing it")
			l.drop(c, fmt.Errorf("panic: %v", r))
		}
	}()
	if c.wantWrite {
		switch err := c.flush(); err {
		case errWouldBlock:
			return
		case nil:
		default:
			l.drop(c, err)
			return
		}
		c.wantWrite = false
		if c.closed {
			l.drop(c, nil)
			return
		}
		l.watch(c, unix.EPOLLIN)
		l.serve(c)
		return
	}
	switch err := c.readLoop(l.now); err {
	case errWouldBlock:
	case nil:
		l.serve(c)
	default:
		l.drop(c, err)
	}
}

// serve runs c's complete commands. Their replies are written after every
// ready connection has had its turn (writeReplies), as Redis writes them
// before it waits again: the reads of a turn are not interleaved with
// writes that wake the clients.
func (l *eventLoop) serve(c *conn) {
	switch err := c.process(); err {
	case nil, errClosedByCommand:
		if !c.replyPending {
			c.replyPending = true
			l.replying = append(l.replying, c)
		}
	case errWouldBlock:
		l.awaitWritable(c)
	case errLeaveLoop:
		l.release(c)
	default:
		l.drop(c, err)
	}
}

// writeReplies writes the replies of the turns just taken, as far as each
// socket takes them.
func (l *eventLoop) writeReplies() {
	for i, c := range l.replying {
		l.replying[i] = nil
		c.replyPending = false
		if l.conn(c.fd) != c {
			continue // dropped or released since
		}
		switch err := c.flush(); {
		case err == errWouldBlock:
			l.awaitWritable(c)
		case err != nil:
			l.drop(c, err)
		case c.closed:
			l.drop(c, nil)
		}
	}
	l.replying = l.replying[:0]
}

// awaitWritable stops reading c until the socket has taken its replies:
// a client that does not read its replies stops being served, and its
// replies stop growing.
func (l *eventLoop) awaitWritable(c *conn) {
	c.wantWrite = true
	l.watch(c, unix.EPOLLOUT)
}

// watch sets the events the loop waits for on c.
func (l *eventLoop) watch(c *conn, events uint32) {
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, c.fd, &unix.EpollEvent{Events: events, Fd: int32(c.fd)}); err != nil {
		l.drop(c, os.NewSyscallError("epoll_ctl", err))
	}
}

// drop closes c's socket and forgets it.
func (l *eventLoop) drop(c *conn, err error) {
	if l.conn(c.fd) != c {
		return
	}
	l.put(c.fd, nil)
	l.count.Add(-1)
	closeFD(c.fd)
	c.ctl.Lock()
	c.loop = nil
	c.ctl.Unlock()
	c.finish(err)
}

// release moves c off the loop to a goroutine of its own, which goes on
// with the command that may wait.
func (l *eventLoop) release(c *conn) {
	l.put(c.fd, nil)
	l.count.Add(-1)
	_ = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	f := os.NewFile(uintptr(c.fd), "")
	nc, err := net.FileConn(f) // a duplicate, in Go's poller
	netFd := -1
	if err == nil {
		netFd = fdguard.ConnFD(nc)
		fdguard.Protect(netFd)
	}
	f.Close()
	fdguard.Release(c.fd)
	c.ctl.Lock()
	c.loop, c.nc, c.netFd = nil, nc, netFd
	aborted := c.aborted
	c.ctl.Unlock()
	if err != nil {
		c.finish(err)
		return
	}
	if aborted {
		c.closeSocket()
	}
	go c.serve()
}

// closeIdle closes the connections idle for longer than the timeout
// setting, as Redis's clientsCron does.
func (l *eventLoop) closeIdle() {
	for _, c := range l.conns {
		if c == nil {
			continue
		}
		cl, ok := c.ctx.(*client)
		if c.idleClose <= 0 || !ok || c.wantWrite {
			continue
		}
		if time.Duration(l.now-cl.lastActive.Load()) > c.idleClose {
			l.drop(c, errIdle)
		}
	}
}

var errIdle = errors.New("idle timeout")

// closeAll closes every connection the loop holds (the server stops).
func (l *eventLoop) closeAll() {
	for _, c := range l.conns {
		if c != nil {
			l.drop(c, net.ErrClosed)
		}
	}
}

// readLoop reads what the socket has, once: level-triggered epoll reports
// the socket again if more is left. now is the loop's clock, read once per
// wait as Redis caches its own.
func (c *conn) readLoop(now int64) error {
	c.prepareRead()
	for {
		n, err := rawRead(c.fd, c.rbuf[c.end:])
		switch {
		case n > 0:
			c.end += n
			if cl, ok := c.ctx.(*client); ok {
				cl.lastActive.Store(now)
			}
			return nil
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return errWouldBlock
		case err != nil:
			return os.NewSyscallError("read", err)
		default:
			return io.EOF
		}
	}
}

// loopWrite writes the buffered replies without waiting: errWouldBlock
// when the socket took only part of them, the rest kept for later.
func (c *conn) loopWrite() error {
	for len(c.wbuf) > 0 {
		n, err := rawWrite(c.fd, c.wbuf)
		switch {
		case n > 0:
			c.wbuf = c.wbuf[n:]
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			return errWouldBlock
		default:
			if err == nil {
				err = unix.EIO
			}
			c.err = os.NewSyscallError("write", err)
			return c.err
		}
	}
	c.resetWriteBuffer()
	return nil
}

// The loop's sockets are non-blocking, so their reads and writes return at
// once: made as raw system calls they skip the scheduler's bookkeeping for
// calls that may block (entersyscall, exitsyscall, and sysmon watching the
// thread).

// pollEvents is epoll_wait with a zero timeout, which never sleeps.
func pollEvents(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd),
		uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
