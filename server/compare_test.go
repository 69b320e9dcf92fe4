package server

import (
	"bufio"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// startRedis runs a real redis-server on a free loopback port for the
// comparison tests, or skips when there is none.
func startRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH (apt-get install -y redis-server): skipping the comparison with Redis")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", t.TempDir(), "--loglevel", "warning", "--daemonize", "no",
		"--databases", "1") // gearsd serves database 0 only
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The deterministic connection and server commands get the same replies,
// reply types included, from gearsd and from Redis 7.0.
func TestCompareWithRedis(t *testing.T) {
	redisAddr := startRedis(t)
	ts := startServer(t, nil)

	same := func(rg, rd *rawConn, args ...string) {
		t.Helper()
		got, want := rg.do(args...), rd.do(args...)
		if got.String() != want.String() {
			t.Errorf("%q:\n  gearsd: %s\n  redis:  %s", args, got, want)
		}
	}
	long := strings.Repeat("x", 100)
	rg, rd := dialRaw(t, ts.addr), dialRaw(t, redisAddr)
	for _, args := range [][]string{
		{"PING"}, {"PING", "x"}, {"ping", "a", "b"},
		{"ECHO", "hi"}, {"ECHO"}, {"ECHO", "a", "b"},
		{"foo", "a", "b"}, {"FOO"}, {"foo", long, long, long},
		{"GET"}, {"SET", "k"},
		{"SELECT", "0"}, {"SELECT", "1"}, {"SELECT", "x"}, {"SELECT", "-1"},
		{"HELLO", "4"}, {"HELLO", "x"}, {"HELLO", "2", "FOO"}, {"HELLO", "2", "AUTH", "default"},
		{"HELLO", "2", "SETNAME", "a b"}, {"HELLO", "2", "SETNAME"}, {"HELLO", "2", "AUTH", "nobody", "pw"},
		{"AUTH", "p"}, {"AUTH", "a", "b"}, {"AUTH"}, {"AUTH", "a", "b", "c"}, {"AUTH", "default", "any"},
		{"CLIENT"}, {"CLIENT", "FOO"}, {"CLIENT", "SETNAME"}, {"CLIENT", "SETNAME", "a b"},
		{"CLIENT", "GETNAME"}, {"CLIENT", "SETNAME", "ab"}, {"CLIENT", "GETNAME"}, {"CLIENT", "GETNAME", "x"},
		{"CLIENT", "SETNAME", ""}, {"CLIENT", "GETNAME"},
		{"CLIENT", "NO-EVICT", "x"}, {"CLIENT", "NO-EVICT", "on"}, {"CLIENT", "NO-EVICT"},
		{"CLIENT", "REPLY", "x"}, {"CLIENT", "REPLY", "ON"},
		{"CLIENT", "LIST", "FOO"}, {"CLIENT", "LIST", "ID"}, {"CLIENT", "LIST", "ID", "x"},
		{"CLIENT", "LIST", "TYPE", "bogus"}, {"CLIENT", "GETREDIR"},
		{"CLIENT", "KILL", "1.2.3.4:5"}, {"CLIENT", "KILL", "ID", "x"}, {"CLIENT", "KILL", "x", "y"},
		{"CLIENT", "KILL", "ID", "99999"},
		{"COMMAND", "FOO"}, {"COMMAND", "COUNT", "x"}, {"COMMAND", "INFO", "nope"},
		{"COMMAND", "GETKEYS", "ping"}, {"COMMAND", "GETKEYS", "ping", "x"}, {"COMMAND", "GETKEYS", "ping", "x", "y"}, {"COMMAND", "GETKEYS", "nope", "a"},
		{"COMMAND", "GETKEYS", "get", "k"}, {"COMMAND", "GETKEYS", "get", "a", "b"},
		{"CONFIG"}, {"CONFIG", "FOO"}, {"CONFIG", "GET"}, {"CONFIG", "GET", "maxclients"},
		{"CONFIG", "GET", "Timeout"}, {"CONFIG", "GET", "nope"}, {"CONFIG", "GET", "maxclient?"},
		{"CONFIG", "SET", "port"}, {"CONFIG", "SET", "foo", "1"}, {"CONFIG", "SET", "maxclients", "x"},
		{"CONFIG", "SET", "maxclients", "0"}, {"CONFIG", "SET", "timeout", "-1"},
		{"CONFIG", "SET", "loglevel", "x"},
		{"CONFIG", "SET", "databases", "3"}, {"CONFIG", "SET", "timeout", "1", "timeout", "2"},
		{"CONFIG", "SET", "timeout", "1", "port"}, {"CONFIG", "SET", "maxclients", "0", "foo", "1"},
		{"CONFIG", "SET", "notify-keyspace-events", "Q"},
		{"CONFIG", "SET", "notify-keyspace-events", "KEA"}, {"CONFIG", "GET", "notify-keyspace-events"},
		{"CONFIG", "SET", "notify-keyspace-events", "Elshzxetmd$g"}, {"CONFIG", "GET", "notify-keyspace-events"},
		{"CONFIG", "SET", "notify-keyspace-events", ""},
		{"CONFIG", "SET", "timeout", "7", "maxclients", "500"}, {"CONFIG", "GET", "timeout"},
		{"CONFIG", "SET", "timeout", "0", "maxclients", "10000"},
		{"CONFIG", "SET", "loglevel", "WARNING"}, {"CONFIG", "GET", "loglevel"}, {"CONFIG", "SET", "loglevel", "notice"},
		{"CONFIG", "REWRITE"}, {"CONFIG", "RESETSTAT"},
		{"INFO", "nope"}, {"INFO", "a", "b"},
		{"TIME", "x"},
		{"SHUTDOWN", "FOO"}, {"SHUTDOWN", "SAVE", "NOSAVE"}, {"SHUTDOWN", "ABORT"}, {"SHUTDOWN", "ABORT", "NOW"},
		{"RESET"}, {"CLIENT", "GETNAME"},
	} {
		same(rg, rd, args...)
	}

	// COMMAND COUNT: the numbers differ (Redis has 240 commands), the type not.
	if g, r := rg.do("COMMAND", "COUNT"), rd.do("COMMAND", "COUNT"); g.Kind != resp.KindInt || r.Kind != resp.KindInt {
		t.Errorf("COMMAND COUNT: gearsd %s, redis %s", g, r)
	}
	// HELLO 2: the same map but for the connection id.
	hello := func(rc *rawConn) string {
		v := rc.do("HELLO", "2")
		if len(v.Array) == 14 {
			v.Array[7] = resp.Int(0)
		}
		return v.String()
	}
	if g, r := hello(rg), hello(rd); g != r {
		t.Errorf("HELLO 2:\n  gearsd: %s\n  redis:  %s", g, r)
	}
	// HELLO 3: a known difference. Redis 7 switches to RESP3; gearsd speaks
	// RESP2 only and refuses with NOPROTO, which clients such as go-redis
	// take as the cue to stay on RESP2.
	expect(t, rg.do("HELLO", "3"), "(error) NOPROTO sorry, this protocol version is not supported")
	rd3 := dialRaw(t, redisAddr)
	rd3.send("HELLO", "3")
	if line, _ := bufio.NewReader(rd3.conn).ReadString('\n'); !strings.HasPrefix(line, "%") {
		t.Errorf("redis HELLO 3 answered %q; expected a RESP3 map", line)
	}

	// Authentication, with requirepass set on both.
	same(rg, rd, "CONFIG", "SET", "requirepass", "secret")
	rg2, rd2 := dialRaw(t, ts.addr), dialRaw(t, redisAddr)
	for _, args := range [][]string{
		{"PING"}, {"foo"}, {"GET"}, {"GET", "k"}, {"CLIENT", "ID"}, {"HELLO"}, {"HELLO", "2"},
		{"HELLO", "2", "AUTH", "default", "wrong"}, {"AUTH", "wrong"}, {"AUTH", "nobody", "secret"},
		{"AUTH", "secret"}, {"PING"}, {"RESET"}, {"PING"}, {"AUTH", "default", "secret"},
		{"CONFIG", "SET", "requirepass", ""}, {"PING"},
	} {
		same(rg2, rd2, args...)
	}

	// QUIT answers OK, then the connection ends.
	same(rg, rd, "QUIT", "x")
	if rg.readErr() == nil || rd.readErr() == nil {
		t.Error("connection open after QUIT")
	}
}
