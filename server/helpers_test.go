package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/resp"
	"github.com/gearsd/gearsd/store"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// testServer is a server on 127.0.0.1:0 over a real keyspace.
type testServer struct {
	*Server
	addr   string
	cfg    *config.Config
	served chan error
}

// startServer starts a server with the given settings (name, value pairs
// applied as at load) and modules; it is shut down when the test ends.
func startServer(t *testing.T, settings []string, modules ...Module) *testServer {
	t.Helper()
	args := []string{"--port", "0"}
	// GEARSD_EVENT_LOOPS runs the suite again with another number of event
	// loops (the Makefile: 0, a goroutine per connection).
	if n := os.Getenv("GEARSD_EVENT_LOOPS"); n != "" {
		args = append(args, "--"+config.EventLoops, n)
	}
	for i := 0; i+1 < len(settings); i += 2 {
		args = append(args, "--"+settings[i], settings[i+1])
	}
	cfg, err := config.Load(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	ks := store.NewKeyspace(store.Options{})
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	srv := New(cfg, ks, log, modules...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, addr: ln.Addr().String(), cfg: cfg, served: make(chan error, 1)}
	go func() { ts.served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-ts.served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		ks.Close()
	})
	return ts
}

// client returns a go-redis client of the server, closed with the test.
func (ts *testServer) client(t *testing.T, opts ...func(*redis.Options)) *redis.Client {
	t.Helper()
	o := &redis.Options{Addr: ts.addr, MaxRetries: -1, PoolSize: 4, ReadTimeout: 5 * time.Second}
	for _, f := range opts {
		f(o)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// rawConn speaks RESP2 by hand, so tests see the exact reply types.
type rawConn struct {
	t    *testing.T
	conn net.Conn
	rd   *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn, rd: bufio.NewReader(conn)}
}

func (rc *rawConn) send(args ...string) {
	rc.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(rc.conn, b.String()); err != nil {
		rc.t.Fatal(err)
	}
}

func (rc *rawConn) read() resp.Value {
	rc.t.Helper()
	_ = rc.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, err := resp.Read(rc.rd)
	if err != nil {
		rc.t.Fatalf("reading a reply: %v", err)
	}
	return v
}

// do sends one command and reads its reply.
func (rc *rawConn) do(args ...string) resp.Value {
	rc.t.Helper()
	rc.send(args...)
	return rc.read()
}

// readErr reads until the connection ends and returns why.
func (rc *rawConn) readErr() error {
	_ = rc.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := resp.Read(rc.rd)
	return err
}

// expect compares a reply with the form resp.Value.String gives.
func expect(t *testing.T, got resp.Value, want string) {
	t.Helper()
	if got.String() != want {
		t.Errorf("got %s, want %s", got.String(), want)
	}
}

// fakeModule is a Module for tests.
type fakeModule struct {
	cmds   []ModuleCommand
	fields []InfoField
}

func (m *fakeModule) Commands() []ModuleCommand { return m.cmds }
func (m *fakeModule) Info() (string, []InfoField) {
	return "gears", m.fields
}

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
