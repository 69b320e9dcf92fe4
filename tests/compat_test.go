package tests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawConn speaks RESP2 over a plain socket, so replies are compared byte
// for byte, as the wire carries them.
type rawConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{c: c, r: bufio.NewReader(c)}
}

// send writes one command without reading its reply.
func (rc *rawConn) send(t *testing.T, args ...string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	rc.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
}

// read reads the next reply (or pushed message) as raw RESP.
func (rc *rawConn) read(t *testing.T) string {
	t.Helper()
	rc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var out strings.Builder
	if err := readReply(rc.r, &out); err != nil {
		t.Fatalf("reading a reply: %v", err)
	}
	return out.String()
}

// do sends one command and returns its whole reply as raw RESP.
func (rc *rawConn) do(t *testing.T, args ...string) string {
	t.Helper()
	rc.send(t, args...)
	return rc.read(t)
}

// readReply copies one whole reply, as the bytes the server sent, into out.
func readReply(r *bufio.Reader, out *strings.Builder) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		out.Write(buf)
	case '*':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		for i := 0; i < n; i++ {
			if err := readReply(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// startRedis starts Debian's redis-server on a free port (installed by
// `make deps-test`), with extra settings after the test's own. It returns
// the loopback address.
func startRedis(t *testing.T, extra ...string) string {
	t.Helper()
	return startRedisIn(t, t.TempDir(), extra...)
}

// startRedisIn is startRedis on dir (its files, such as an AOF to load).
func startRedisIn(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not found: run `make deps-test` (apt-get install redis-server)")
	}
	port := freePort(t)
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir}, extra...)
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 500; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("redis-server did not start")
	return ""
}

// TestRepliesMatchRedis sends the same commands, on one connection each, to
// redis-server and to gearsd and compares the raw replies. It covers the
// connection basics and the keyspace commands of the core issue, valid and
// invalid; the store's own differential test (store/diff_test.go) covers
// the data types in depth.
func TestRepliesMatchRedis(t *testing.T) {
	redisAddr := startRedis(t)
	s := startServer(t)
	r := dialRaw(t, redisAddr)
	g := dialRaw(t, s.Addr)
	script := [][]string{
		{"PING"}, {"PING", "hello"}, {"ECHO", "x y"}, {"ECHO"},
		{"NOSUCHCOMMAND", "a", "b"}, {"GET"}, {"SELECT", "0"}, {"SELECT", "x"}, // gearsd has database 0 only

		{"CLIENT", "SETNAME", "probe"}, {"CLIENT", "GETNAME"}, {"CLIENT", "SETNAME", "has space"},
		{"AUTH", "nopass"},
		{"SET", "s", "v"}, {"GET", "s"}, {"SET", "s", "w", "NX"}, {"SET", "s", "w", "XX", "GET"},
		{"SET", "s", "v", "EX", "0"}, {"SET", "s", "v", "EX", "abc"}, {"SET", "s", "v", "PX", "100000"},
		{"SET", "s", "v", "BOGUS"}, {"EXISTS", "s", "s", "nope"},
		{"INCR", "n"}, {"INCRBY", "n", "41"}, {"INCR", "s"}, {"INCRBY", "n", "x"},
		{"MSET", "a", "1", "b", "2"}, {"MGET", "a", "b", "nope"}, {"MSET", "a"},
		{"HSET", "h", "f", "1", "g", "2"}, {"HGET", "h", "f"}, {"HGET", "s", "f"}, {"HDEL", "h", "f", "zz"},
		{"HSET", "h", "odd"}, {"GET", "h"},
		{"TYPE", "h"}, {"TYPE", "s"}, {"TYPE", "nope"},
		{"EXPIRE", "a", "100"}, {"TTL", "a"}, {"TTL", "b"}, {"TTL", "nope"}, {"PERSIST", "a"}, {"TTL", "a"},
		{"EXPIRE", "a", "x"}, {"DEL", "a", "b", "nope"}, {"DBSIZE"},
		{"FLUSHDB"}, {"DBSIZE"}, {"FLUSHALL"}, {"KEYS", "*"},
		// redis-benchmark and other tools read these two; both servers run
		// without snapshots.
		{"CONFIG", "GET", "save"}, {"CONFIG", "SET", "save", ""}, {"CONFIG", "GET", "appendonly"},
		// The two input limits, in Redis's memory units.
		{"CONFIG", "GET", "proto-max-bulk-len"}, {"CONFIG", "GET", "client-query-buffer-limit"},
		{"CONFIG", "SET", "proto-max-bulk-len", "1kb"}, {"CONFIG", "SET", "proto-max-bulk-len", "abc"},
		{"CONFIG", "SET", "proto-max-bulk-len", "1.5mb"}, {"CONFIG", "SET", "proto-max-bulk-len", "1G"},
		{"CONFIG", "GET", "proto-max-bulk-len"}, {"CONFIG", "SET", "client-query-buffer-limit", "64MB"},
		{"CONFIG", "GET", "client-query-buffer-limit"},
		{"CONFIG", "GET", "client-output-buffer-limit"},
		{"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 512kb 10"},
		{"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb"},
		{"CONFIG", "SET", "client-output-buffer-limit", "foo 1 1 1"},
		{"CONFIG", "SET", "client-output-buffer-limit", "normal x 1 1"},
		{"CONFIG", "SET", "client-output-buffer-limit", "normal 1 1 -1"},
		{"CONFIG", "SET", "client-output-buffer-limit", "REPLICA 1 1 1"},
		{"CONFIG", "SET", "client-output-buffer-limit", ""},
		{"CONFIG", "GET", "client-output-buffer-limit"},
		{"CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0 slave 256mb 64mb 60"},
		{"CONFIG", "GET", "client-output-buffer-limit"},
	}
	for _, cmd := range script {
		want, got := r.do(t, cmd...), g.do(t, cmd...)
		if want != got {
			t.Errorf("%q:\n  redis-server: %q\n  gearsd:       %q", cmd, want, got)
		}
	}
}

func TestConnectionCommandsBlackBox(t *testing.T) {
	s := startServer(t, "--requirepass", "sekret")
	g := dialRaw(t, s.Addr)
	if got := g.do(t, "GET", "k"); got != "-NOAUTH Authentication required.\r\n" {
		t.Fatalf("before AUTH: %q", got)
	}
	if got := g.do(t, "AUTH", "wrong"); !strings.HasPrefix(got, "-WRONGPASS") {
		t.Fatalf("AUTH wrong: %q", got)
	}
	if got := g.do(t, "AUTH", "sekret"); got != "+OK\r\n" {
		t.Fatalf("AUTH: %q", got)
	}
	if got := g.do(t, "HELLO", "3"); !strings.HasPrefix(got, "-NOPROTO") {
		t.Fatalf("HELLO 3: %q", got)
	}
	if got := g.do(t, "HELLO", "2"); !strings.Contains(got, "proto") {
		t.Fatalf("HELLO 2: %q", got)
	}
	if got := g.do(t, "CLIENT", "ID"); got[0] != ':' {
		t.Fatalf("CLIENT ID: %q", got)
	}
	for _, sub := range [][]string{{"CLIENT", "INFO"}, {"CLIENT", "LIST"}, {"COMMAND", "DOCS", "get"}, {"COMMAND", "INFO", "rg.pyexecute"}} {
		if got := g.do(t, sub...); got[0] == '-' {
			t.Fatalf("%q: %q", sub, got)
		}
	}
	if got := g.do(t, "COMMAND", "COUNT"); got[0] != ':' {
		t.Fatalf("COMMAND COUNT: %q", got)
	}
	info := g.do(t, "INFO")
	for _, section := range []string{"# Server", "# Clients", "# Memory", "# Stats", "# Keyspace", "# Gears"} {
		if !strings.Contains(info, section) {
			t.Errorf("INFO lacks %s", section)
		}
	}
	if got := g.do(t, "CONFIG", "GET", "python.pool-size"); !strings.Contains(got, "python.pool-size") {
		t.Fatalf("CONFIG GET: %q", got)
	}
	if got := g.do(t, "CONFIG", "SET", "python.execution-timeout", "30s"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", got)
	}
	if got := g.do(t, "CONFIG", "SET", "port", "1"); got[0] != '-' {
		t.Fatalf("CONFIG SET of a start-up setting: %q", got)
	}
	// redis-cli, as a user would run it.
	out := redisCLI(t, s, "-a", "sekret", "--no-auth-warning", "PING")
	if strings.TrimSpace(out) != "PONG" {
		t.Fatalf("redis-cli PING: %q", out)
	}
	if got := g.do(t, "QUIT"); got != "+OK\r\n" {
		t.Fatalf("QUIT: %q", got)
	}
}
