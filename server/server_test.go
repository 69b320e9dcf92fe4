package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/resp"
	"github.com/rs/zerolog"
)

func TestEncoderWritesEveryKind(t *testing.T) {
	reply := resp.Array(
		resp.Null, resp.NullArray, resp.Simple("OK"), resp.Bulk("a\r\nb"), resp.Int(-7),
		resp.Array(resp.Array(resp.Bulk("deep")), resp.Array()),
	)
	mod := &fakeModule{cmds: []ModuleCommand{
		{Name: "t.all", Arity: 1, Handler: func(ctx context.Context, args [][]byte) resp.Value { return reply }},
		{Name: "T.ERR", Arity: -2, Handler: func(ctx context.Context, args [][]byte) resp.Value {
			return resp.Err(string(args[1]))
		}},
	}}
	ts := startServer(t, nil, mod)
	rc := dialRaw(t, ts.addr)
	rc.send("t.all")
	_ = rc.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	want := "*6\r\n$-1\r\n*-1\r\n+OK\r\n$4\r\na\r\nb\r\n:-7\r\n*2\r\n*1\r\n$4\r\ndeep\r\n*0\r\n"
	buf := make([]byte, len(want))
	if _, err := ioReadFull(rc, buf); err != nil || string(buf) != want {
		t.Fatalf("wire bytes %q, %v; want %q", buf, err, want)
	}
	// Errors go out as given: RedisGears' texts have no code and gain none;
	// CR/LF become spaces so the reply stays one line.
	expect(t, rc.do("t.err", "execution plan does not exist"), "(error) execution plan does not exist")
	expect(t, rc.do("t.err", "Traceback:\r\n  line 1\nNameError"), "(error) Traceback:    line 1 NameError")
	expect(t, rc.do("t.err", "WRONGTYPE x"), "(error) WRONGTYPE x")
	expect(t, rc.do("T.ERR"), "(error) ERR wrong number of arguments for 't.err' command")
}

func ioReadFull(rc *rawConn, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := rc.rd.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func TestModuleCommands(t *testing.T) {
	started := make(chan struct{})
	cancelled := make(chan error, 1)
	mod := &fakeModule{cmds: []ModuleCommand{
		{Name: "RG.WAIT", Arity: 1, Flags: []string{"noscript"}, Summary: "waits for shutdown",
			DenyInMulti: "Can not run gears inside a multi exec, lua, or when blocking is not allowed",
			Handler: func(ctx context.Context, args [][]byte) resp.Value {
				close(started)
				<-ctx.Done()
				cancelled <- ctx.Err()
				return resp.Err("aborted: server shutting down")
			}},
		{Name: "rg.panic", Arity: 1, Handler: func(ctx context.Context, args [][]byte) resp.Value {
			panic("boom")
		}},
		{Name: "rg.args", Arity: -1, Handler: func(ctx context.Context, args [][]byte) resp.Value {
			out := make([]string, len(args))
			for i, a := range args {
				out[i] = string(a)
			}
			return resp.BulkArray(out)
		}},
	}}
	cfg := config.Default()
	_ = cfg.Set("timeout", "0")
	srv := New(cfg, nil, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel+1), mod)
	if got := srv.cmds["rg.wait"]; got == nil || got.denyInMulti == "" || got.group != "module" {
		t.Fatalf("module command not in the table: %+v", got)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	rc := dialRaw(t, ln.Addr().String())
	expect(t, rc.do("RG.ARGS", "a", "b"), `["RG.ARGS", "a", "b"]`)
	expect(t, rc.do("rg.panic"), "(error) ERR internal error while running 'rg.panic': boom")
	expect(t, rc.do("PING"), "PONG") // the connection survived
	expect(t, rc.do("COMMAND", "INFO", "rg.wait"),
		`[["rg.wait", (integer) 1, [noscript], (integer) 0, (integer) 0, (integer) 0, [@slow, @scripting, @gears], [], [], []]]`)
	expect(t, rc.do("INFO", "clients"), `"# Clients\r\nconnected_clients:1\r\nmaxclients:10000\r\nblocked_clients:0\r\n"`)

	waiter := dialRaw(t, ln.Addr().String())
	waiter.send("RG.WAIT")
	<-started
	expect(t, rc.do("INFO", "clients"), `"# Clients\r\nconnected_clients:2\r\nmaxclients:10000\r\nblocked_clients:1\r\n"`)

	// Shutdown cancels the handler's context; its answer still reaches the
	// client before the connection closes.
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- srv.Shutdown(ctx)
	}()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("handler context: %v", err)
	}
	expect(t, waiter.read(), "(error) aborted: server shutting down")
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestModuleCommandClashPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "ping") {
			t.Errorf("recover() = %v", r)
		}
	}()
	New(config.Default(), nil, zerolog.Nop(), &fakeModule{cmds: []ModuleCommand{
		{Name: "PING", Arity: 1, Handler: func(context.Context, [][]byte) resp.Value { return resp.OK }},
	}})
}

// A command in flight when Shutdown starts finishes and its reply is
// written; pipelined commands behind it are dropped; idle clients are closed
// at once; new connections are refused.
func TestGracefulShutdown(t *testing.T) {
	ts := startServer(t, nil)
	idle := dialRaw(t, ts.addr)
	expect(t, idle.do("PING"), "PONG")
	busy := dialRaw(t, ts.addr)
	busy.send("DEBUG", "SLEEP", "0.3")
	busy.send("PING", "never")
	time.Sleep(50 * time.Millisecond) // let the sleep start

	done := make(chan error, 1)
	start := time.Now()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- ts.Shutdown(ctx)
	}()
	if err := idle.readErr(); err == nil {
		t.Error("idle client still open")
	}
	if time.Since(start) > 250*time.Millisecond {
		t.Error("the idle client waited for the busy one")
	}
	// The listener is closed: a new client is refused, or at least not served.
	if late, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		late.SetDeadline(time.Now().Add(time.Second))
		late.Write([]byte("PING\r\n"))
		if n, _ := late.Read(make([]byte, 16)); n > 0 {
			t.Error("a new connection was served during shutdown")
		}
		late.Close()
	}
	expect(t, busy.read(), "OK")
	if err := busy.readErr(); err == nil {
		t.Error("the pipelined PING ran, or the connection stayed open")
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Error("Shutdown did not wait for the command in flight")
	}
}

// When the context ends first, Shutdown closes what remains and says so.
func TestShutdownDeadline(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	mod := &fakeModule{cmds: []ModuleCommand{{Name: "stuck", Arity: 1,
		Handler: func(ctx context.Context, args [][]byte) resp.Value {
			close(started)
			<-release // ignores ctx, as a badly behaved module might
			return resp.OK
		}}}}
	ts := startServer(t, nil, mod)
	defer close(release)
	rc := dialRaw(t, ts.addr)
	rc.send("stuck")
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := ts.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v", err)
	}
	if err := rc.readErr(); err == nil {
		t.Error("connection left open")
	}
}

func TestPipelineKeepsOrder(t *testing.T) {
	ts := startServer(t, nil)
	rc := dialRaw(t, ts.addr)
	var b strings.Builder
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&b, "*2\r\n$4\r\nECHO\r\n$%d\r\n%d\r\n", len(fmt.Sprint(i)), i)
	}
	if _, err := rc.conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		expect(t, rc.read(), fmt.Sprintf("%q", fmt.Sprint(i)))
	}
	// Inline commands (telnet style) work too.
	if _, err := rc.conn.Write([]byte("PING inline\r\n")); err != nil {
		t.Fatal(err)
	}
	expect(t, rc.read(), `"inline"`)
}

func TestManyClients(t *testing.T) {
	ts := startServer(t, nil)
	rdb := ts.client(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if err := rdb.Incr(ctx, "counter").Err(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n, _ := rdb.Get(ctx, "counter").Int(); n != 1600 {
		t.Errorf("counter = %d", n)
	}
}

func TestMaxClients(t *testing.T) {
	ts := startServer(t, []string{"maxclients", "2"})
	a, b := dialRaw(t, ts.addr), dialRaw(t, ts.addr)
	expect(t, a.do("PING"), "PONG")
	expect(t, b.do("PING"), "PONG")
	c := dialRaw(t, ts.addr)
	expect(t, c.read(), "(error) ERR max number of clients reached")
	if err := c.readErr(); err == nil {
		t.Error("refused client left open")
	}
	expect(t, a.do("CONFIG", "SET", "maxclients", "3"), "OK")
	expect(t, dialRaw(t, ts.addr).do("PING"), "PONG")
	if !strings.Contains(a.do("INFO", "stats").Str, "rejected_connections:1\r\n") {
		t.Error("rejected_connections not counted")
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, []string{"timeout", "1"})
	rc := dialRaw(t, ts.addr)
	expect(t, rc.do("PING"), "PONG")
	start := time.Now()
	if err := rc.readErr(); err == nil || time.Since(start) < 800*time.Millisecond {
		t.Errorf("idle client: %v after %v", err, time.Since(start))
	}
	// Changed at run time, for new connections.
	a := dialRaw(t, ts.addr)
	expect(t, a.do("CONFIG", "SET", "timeout", "0"), "OK")
	b := dialRaw(t, ts.addr)
	expect(t, b.do("PING"), "PONG")
	time.Sleep(1200 * time.Millisecond)
	expect(t, b.do("PING"), "PONG")
}

func TestServeTwiceAndAddr(t *testing.T) {
	srv := New(config.Default(), nil, zerolog.Nop())
	if srv.Addr() != nil {
		t.Error("Addr before Serve")
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	deadline := time.Now().Add(time.Second)
	for srv.Addr() == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if srv.Addr() == nil || srv.Addr().String() != ln.Addr().String() {
		t.Errorf("Addr = %v", srv.Addr())
	}
	ln2, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln2.Close()
	if err := srv.Serve(ln2); err == nil {
		t.Error("second Serve accepted")
	}
	if err := srv.Close(); err != nil {
		t.Error(err)
	}
	if err := <-served; err != nil {
		t.Error(err)
	}
	if err := srv.Close(); err != nil { // idempotent
		t.Error(err)
	}
}

func TestListenAndServe(t *testing.T) {
	cfg, err := config.Load([]string{"--port", strconv.Itoa(freePort(t)), "--bind", "127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(cfg, nil, zerolog.Nop())
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	deadline := time.Now().Add(2 * time.Second)
	for srv.Addr() == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if srv.Addr() == nil {
		t.Fatal("not listening")
	}
	expect(t, dialRaw(t, srv.Addr().String()).do("PING"), "PONG")
	if err := srv.Close(); err != nil {
		t.Error(err)
	}
	if err := <-served; err != nil {
		t.Error(err)
	}
}
