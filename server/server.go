// Package server is gearsd's RESP front end: a redcon listener, one table of
// commands (the server's own in cmd_*.go, the modules', the store's), the
// per-connection state, and graceful shutdown. It builds without cgo: the
// gears engine plugs in through the Module interface.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gearsd/gearsd/acl"
	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/fdguard"
	"github.com/gearsd/gearsd/store"
	"github.com/rs/zerolog"
	"github.com/tidwall/redcon"
)

// Version is gearsd's version, reported by INFO and --version. Release
// builds set it with -ldflags "-X github.com/gearsd/gearsd/server.Version=...".
var Version = "0.1.0-dev"

// redisVersion is the Redis release whose replies and error texts gearsd
// follows. HELLO and INFO report it as the version, so client libraries that
// gate features on the server's version treat gearsd as that Redis.
const redisVersion = "7.0.15"

// Server serves the RESP protocol over one listener.
type Server struct {
	cfg     *config.Config
	store   store.Store
	log     zerolog.Logger
	modules []Module
	cmds    map[string]*command
	started time.Time
	runID   string
	// conns are the open connections, idleClose the timeout setting
	// given to each as it is accepted; both under mu.
	conns     map[*conn]struct{}
	idleClose time.Duration
	// protoMaxBulkLen and queryBufLimit are the settings of the same
	// names, read by every connection as it parses.
	protoMaxBulkLen atomic.Int64
	queryBufLimit   atomic.Int64
	// acl holds the users; catalog-built from cmds in New.
	acl *acl.ACL
	// outputLimits is client-output-buffer-limit: connections read its
	// normal class after each command, subscribers its pubsub class.
	outputLimits atomic.Pointer[config.OutputLimits]

	// loops are the event loops connections are served on (loop_linux.go);
	// syncWrites: writes wait for appendfsync always, so they leave them.
	loops      []*eventLoop
	syncWrites bool

	// ctx is given to module handlers; cancelled when shutdown begins.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	lns      []*listener
	clients  map[int64]*client
	shutting bool
	served   chan struct{} // closed when Serve returns
	allGone  chan struct{} // closed once shutting and no client is left
	drained  chan struct{} // closed to let the accept loop end
	goneOnce sync.Once
	drainOne sync.Once

	nextID atomic.Int64
	pubsub pubsub // channels and patterns subscribed to (pubsub.go)
	// eventsMu serializes changes of the keyspace notifications'
	// subscription (notify.go); it is taken before the store's lock.
	eventsMu   sync.Mutex
	eventFlags atomic.Uint32 // notify-keyspace-events, as store.EventClass
	stats      stats
}

// stats are the counters of INFO stats and clients; CONFIG RESETSTAT zeroes
// the cumulative ones.
type stats struct {
	connections atomic.Int64 // total_connections_received
	rejected    atomic.Int64 // rejected_connections
	commands    atomic.Int64 // total_commands_processed
	errors      atomic.Int64 // total_error_replies
	netInput    atomic.Int64 // total_net_input_bytes
	blocked     atomic.Int64 // clients inside a module command now
}

// New returns a server for the configuration, serving data commands from st
// and the commands of each module. It panics if two modules, or a module
// and the server, define the same command: a wiring error of main.
func New(cfg *config.Config, st store.Store, log zerolog.Logger, modules ...Module) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:     cfg,
		store:   st,
		log:     log,
		modules: modules,
		cmds:    buildTable(st, modules),
		started: time.Now(),
		runID:   newRunID(),
		ctx:     ctx,
		cancel:  cancel,
		clients: map[int64]*client{},
		allGone: make(chan struct{}),
		drained: make(chan struct{}),
	}
	s.acl = acl.New(buildCatalog(s.cmds))
	s.acl.SetDefaultPassword(cfg.String(config.RequirePass))
	s.acl.Log().SetMax(cfg.Int(config.ACLLogMaxLen))
	cfg.OnChange(config.RequirePass, func(v string) { s.acl.SetDefaultPassword(v) })
	cfg.OnChange(config.ACLLogMaxLen, func(string) { s.acl.Log().SetMax(cfg.Int(config.ACLLogMaxLen)) })
	s.idleClose = time.Duration(cfg.Int(config.Timeout)) * time.Second
	s.protoMaxBulkLen.Store(cfg.Bytes(config.ProtoMaxBulkLen))
	s.queryBufLimit.Store(cfg.Bytes(config.QueryBufferLimit))
	cfg.OnChange(config.ProtoMaxBulkLen, func(string) { s.protoMaxBulkLen.Store(cfg.Bytes(config.ProtoMaxBulkLen)) })
	cfg.OnChange(config.QueryBufferLimit, func(string) { s.queryBufLimit.Store(cfg.Bytes(config.QueryBufferLimit)) })
	s.storeOutputLimits()
	cfg.OnChange(config.ClientOutputBufferLimit, func(string) { s.storeOutputLimits() })
	s.syncWrites = cfg.Bool(config.AppendOnly) && cfg.String(config.AppendFsync) == "always"
	cfg.OnChange(config.Timeout, func(string) {
		// A connection reads the idle limit when it is accepted.
		s.mu.Lock()
		s.idleClose = time.Duration(cfg.Int(config.Timeout)) * time.Second
		s.mu.Unlock()
	})
	s.publishKeyspaceEvents()
	return s
}

func newRunID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ListenAndServe listens on the configured bind address, on port for plain
// connections and on tls-port for TLS ones (either may be 0, not both), then
// serves until Shutdown or Close.
func (s *Server) ListenAndServe() error {
	host := s.cfg.String(config.Bind)
	port, tlsPort := s.cfg.Int(config.Port), s.cfg.Int(config.TLSPort)
	if port == 0 && tlsPort == 0 {
		return errors.New("port and tls-port are both 0: no port to listen on")
	}
	var tc *tls.Config
	if tlsPort != 0 {
		var err error
		if tc, err = tlsConfig(s.cfg); err != nil {
			return err
		}
	}
	var lns []net.Listener
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
	}
	if port != 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return err
		}
		lns = append(lns, ln)
	}
	if tlsPort != 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(tlsPort)))
		if err != nil {
			closeAll()
			return err
		}
		lns = append(lns, tlsListener{tls.NewListener(ln, tc)})
	}
	return s.Serve(lns...)
}

// Serve accepts connections on every listener until Shutdown or Close, and
// then returns nil once every connection is closed. A listener's error ends
// it too, after closing the others.
func (s *Server) Serve(lns ...net.Listener) error {
	s.mu.Lock()
	if s.lns != nil {
		s.mu.Unlock()
		return errors.New("server: Serve called twice")
	}
	for _, ln := range lns {
		s.lns = append(s.lns, &listener{Listener: ln, s: s})
		fdguard.Protect(fdguard.FD(ln))
	}
	s.served = make(chan struct{})
	shutting := s.shutting
	s.mu.Unlock()
	defer close(s.served)
	if shutting {
		for _, ln := range lns {
			ln.Close()
		}
		return nil
	}
	s.startLoops()
	// What is open now is the server's (listeners, loops, the data files,
	// the Go runtime's poller, the standard streams): Python's sandbox
	// leaves it alone. Descriptors opened later register themselves.
	fdguard.ProtectAllOpen()
	s.sampleHeapPeak() // INFO's used_memory_peak: heap_peak.go
	for _, ln := range lns {
		_, isTLS := ln.(tlsListener)
		s.log.Info().Str("addr", ln.Addr().String()).Bool("tls", isTLS).Str("version", Version).Int("event_loops", len(s.loops)).
			Msg("ready to accept connections")
	}
	errs := make(chan error, len(s.lns))
	for _, ln := range s.lns {
		go func() { errs <- s.acceptConns(ln) }()
	}
	var first error
	for range s.lns {
		if err := <-errs; err != nil && first == nil {
			first = err
			for _, ln := range s.lns {
				ln.Listener.Close()
			}
		}
	}
	s.closeConns()
	return first
}

// Addr returns the address of the first listener (port's, when it is set),
// or nil before Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lns) == 0 {
		return nil
	}
	return s.lns[0].Addr()
}

// Shutdown stops the server gracefully: it stops accepting connections,
// cancels the context of module handlers, lets every command already running
// finish and write its reply (pipelined commands not yet started are
// dropped), closes each connection after its reply or at once if it is idle,
// and returns when all are closed and Serve has returned. When ctx ends
// first, the remaining connections are closed at once and ctx's error is
// returned. The caller then closes the modules and the store.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	first := !s.shutting
	s.shutting = true
	lns := s.lns
	clients := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		clients = append(clients, c)
	}
	if len(s.clients) == 0 {
		s.goneOnce.Do(func() { close(s.allGone) })
	}
	s.mu.Unlock()

	if first {
		s.log.Info().Int("clients", len(clients)).Msg("shutting down")
		s.cancel()
		for _, ln := range lns {
			ln.Listener.Close() // no new connections; Accept waits for drained
		}
	}
	for _, c := range clients {
		c.closing.Store(true)
	}

	var err error
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		// An idle client is blocked reading: a read deadline in the past
		// ends it without touching a reply being flushed. Repeated, because
		// redcon sets its own idle deadline before each read.
		for _, c := range clients {
			idle := !c.busy.Load()
			if idle && c.ctl != nil {
				c.ctl.endIfIdle()
			}
		}
		select {
		case <-s.allGone:
			break wait
		case <-tick.C:
		case <-ctx.Done():
			err = ctx.Err()
			for _, c := range clients {
				if c.ctl != nil {
					c.ctl.abort()
				}
			}
			s.log.Warn().Err(err).Msg("shutdown deadline reached: closed the remaining connections")
			break wait
		}
	}
	s.drainOne.Do(func() { close(s.drained) })
	if lns != nil {
		<-s.served
	}
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// accept is redcon's accept callback, run on the accept loop.
func (s *Server) accept(conn redcon.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutting {
		return false
	}
	if len(s.clients) >= s.cfg.Int(config.MaxClients) {
		s.stats.rejected.Add(1)
		conn.WriteError(msgMaxClients) // redcon flushes it when it closes the connection
		s.log.Warn().Str("addr", conn.RemoteAddr()).Msg("refused a client: maxclients reached")
		return false
	}
	if s.cfg.Bool(config.ProtectedMode) && s.defaultUserNoPass() && !isLoopback(conn.RemoteAddr()) {
		// Redis's protected mode: with no password, only local clients
		// may talk to the server, and the others are told how to open it.
		s.stats.rejected.Add(1)
		conn.WriteError(msgProtectedMode)
		s.log.Warn().Str("addr", conn.RemoteAddr()).Msg("refused a client: protected mode, and no password is set")
		return false
	}
	c := newClient(s.nextID.Add(1), conn, s.acl.Default(), s.defaultUserNoPass())
	conn.SetContext(c)
	s.clients[c.id] = c
	s.stats.connections.Add(1)
	s.log.Debug().Int64("id", c.id).Str("addr", c.addr).Msg("client connected")
	return true
}

func (s *Server) storeOutputLimits() {
	l := s.cfg.OutputLimits()
	s.outputLimits.Store(&l)
}

// defaultUserNoPass: a new client is logged in as the default user without
// AUTH (the default user is on, with nopass), as Redis's.
func (s *Server) defaultUserNoPass() bool {
	p := s.acl.Default().Perms()
	return p.NoPass && p.Enabled
}

// LoadACLFile loads aclfile, when it is set: at start, before the first
// client, as Redis does.
func (s *Server) LoadACLFile() error {
	path := s.cfg.String(config.ACLFile)
	if path == "" {
		return nil
	}
	if s.cfg.String(config.RequirePass) != "" {
		return errors.New("requirepass and aclfile are both set: give the default user's password in the ACL file")
	}
	return s.acl.LoadFile(path)
}

// isLoopback reports whether a client's address ("host:port") is on the
// loopback interface, as Redis's connIsLocal: 127.0.0.0/8 or ::1.
func isLoopback(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// closed is redcon's callback once a connection has ended.
func (s *Server) closed(conn redcon.Conn, err error) {
	c, _ := conn.Context().(*client)
	if c == nil {
		return
	}
	s.resetTx(c)
	s.resetPubsub(c)
	s.mu.Lock()
	delete(s.clients, c.id)
	gone := s.shutting && len(s.clients) == 0
	s.mu.Unlock()
	if gone {
		s.goneOnce.Do(func() { close(s.allGone) })
	}
	ev := s.log.Debug().Int64("id", c.id).Str("addr", c.addr)
	if err != nil && !isClosedErr(err) {
		ev = ev.Err(err)
	}
	ev.Msg("client closed")
}

func isClosedErr(err error) bool {
	var ne net.Error
	return errors.Is(err, net.ErrClosed) || (errors.As(err, &ne) && ne.Timeout())
}

// clientList returns the connected clients, ordered by id.
func (s *Server) clientList() []*client {
	s.mu.Lock()
	list := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		list = append(list, c)
	}
	s.mu.Unlock()
	list = slices.DeleteFunc(list, func(c *client) bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.killed
	})
	sortClients(list)
	return list
}

// listener holds back the end of the accept loop during a shutdown: when
// that loop returns, it closes every connection at once, which
// would cut the replies of commands still running.
type listener struct {
	net.Listener
	s       *Server
	backoff time.Duration
}

func (l *listener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err == nil {
		l.backoff = 0
		return conn, nil
	}
	l.s.mu.Lock()
	shutting := l.s.shutting
	l.s.mu.Unlock()
	if shutting {
		<-l.s.drained
		return nil, net.ErrClosed
	}
	if errors.Is(err, net.ErrClosed) {
		return nil, err
	}
	// acceptConns retries at once on any other error (EMFILE...): back off as
	// net/http does so a persistent failure does not spin a core.
	if l.backoff == 0 {
		l.backoff = 5 * time.Millisecond
	} else if l.backoff *= 2; l.backoff > time.Second {
		l.backoff = time.Second
	}
	time.Sleep(l.backoff)
	return nil, err
}
