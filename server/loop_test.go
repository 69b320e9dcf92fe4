//go:build linux

package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/resp"
)

// onLoop reports whether the client named name is served by an event loop.
func (ts *testServer) onLoop(t *testing.T, name string) bool {
	t.Helper()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for c := range ts.conns {
		if cl, ok := c.ctx.(*client); ok && cl.getName() == name {
			c.ctl.Lock()
			defer c.ctl.Unlock()
			return c.loop != nil
		}
	}
	t.Fatalf("no client named %s", name)
	return false
}

func loopServer(t *testing.T, loops int, settings []string, modules ...Module) *testServer {
	return startServer(t, append([]string{config.EventLoops, strconv.Itoa(loops)}, settings...), modules...)
}

// A pipeline that holds a command that may wait leaves the loop at that
// command: every reply comes, in order, and the connection goes on serving
// from its own goroutine.
func TestLoopPipelineLeavesAtWaitingCommand(t *testing.T) {
	slow := &fakeModule{cmds: []ModuleCommand{{
		Name: "T.SLOW", Arity: 1,
		Handler: func(ctx context.Context, args [][]byte) resp.Value {
			time.Sleep(50 * time.Millisecond)
			return resp.Simple("SLOW")
		},
	}}}
	ts := loopServer(t, 1, nil, slow)
	rc := dialRaw(t, ts.addr)
	expect(t, rc.do("CLIENT", "SETNAME", "a"), "OK")
	if !ts.onLoop(t, "a") {
		t.Fatal("a new connection is not on the event loop")
	}
	var b strings.Builder
	for _, cmd := range [][]string{
		{"SET", "k", "1"}, {"INCR", "k"}, {"BLPOP", "nolist", "0.05"}, {"INCR", "k"}, {"T.SLOW"}, {"GET", "k"}, {"PING"},
	} {
		fmt.Fprintf(&b, "*%d\r\n", len(cmd))
		for _, a := range cmd {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
	}
	if _, err := rc.conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"OK", "(integer) 2", "(nil)", "(integer) 3", "SLOW", `"3"`, "PONG"} {
		expect(t, rc.read(), want)
	}
	if ts.onLoop(t, "a") {
		t.Error("the connection is still on the loop after BLPOP")
	}
	expect(t, rc.do("GET", "k"), `"3"`)
}

// A client that sends but does not read its replies is no longer read
// from once the socket is full; the loop goes on serving others, and the
// client gets every reply once it reads.
func TestLoopSlowReaderHoldsUpNobody(t *testing.T) {
	ts := loopServer(t, 1, nil)
	setup := dialRaw(t, ts.addr)
	big := strings.Repeat("x", 64*1024)
	expect(t, setup.do("SET", "big", big), "OK")

	slow := dialRaw(t, ts.addr)
	const n = 400 // 400 x 64 KB: far more than the socket buffers hold
	var b strings.Builder
	for range n {
		b.WriteString("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n")
	}
	done := make(chan error, 1)
	go func() {
		_, err := slow.conn.Write([]byte(b.String()))
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)

	other := dialRaw(t, ts.addr)
	for i := range 100 {
		expect(t, other.do("INCR", "n"), "(integer) "+strconv.Itoa(i+1))
	}
	for i := range n {
		v := slow.read()
		if v.Kind != resp.KindBulk || v.Str != big {
			t.Fatalf("reply %d: %.40s", i, v.String())
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	expect(t, slow.do("PING"), "PONG")
}

// CLIENT KILL, QUIT and the timeout setting end connections on the loop.
func TestLoopConnectionsEnd(t *testing.T) {
	ts := loopServer(t, 1, nil)
	victim := dialRaw(t, ts.addr)
	expect(t, victim.do("CLIENT", "SETNAME", "victim"), "OK")
	id := victim.do("CLIENT", "ID")
	admin := dialRaw(t, ts.addr)
	expect(t, admin.do("CLIENT", "KILL", "ID", strconv.FormatInt(id.Int, 10)), "(integer) 1")
	if err := victim.readErr(); err == nil {
		t.Error("the killed connection is still open")
	}

	quitter := dialRaw(t, ts.addr)
	expect(t, quitter.do("QUIT"), "OK")
	if err := quitter.readErr(); err == nil {
		t.Error("the connection is open after QUIT")
	}

	expect(t, admin.do("CONFIG", "SET", "timeout", "1"), "OK")
	idle := dialRaw(t, ts.addr)
	expect(t, idle.do("PING"), "PONG")
	start := time.Now()
	_ = idle.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := idle.rd.ReadByte(); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Fatalf("the idle connection was not closed by the server: %v", err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("closed after %v, before the timeout of 1s", d)
	}
	waitFor(t, func() bool { return len(ts.clientList()) == 1 })
}

// Clients spread over several loops see one keyspace.
func TestLoopsShareTheKeyspace(t *testing.T) {
	ts := loopServer(t, 3, nil)
	const clients, each = 12, 200
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := dialRaw(t, ts.addr)
			for range each {
				rc.send("INCR", "counter")
			}
			for range each {
				if v := rc.read(); v.Kind != resp.KindInt {
					t.Errorf("INCR: %s", v.String())
					return
				}
			}
		}()
	}
	wg.Wait()
	rc := dialRaw(t, ts.addr)
	expect(t, rc.do("GET", "counter"), strconv.Quote(strconv.Itoa(clients*each)))
	used := map[*eventLoop]bool{}
	ts.mu.Lock()
	for c := range ts.conns {
		c.ctl.Lock()
		if c.loop != nil {
			used[c.loop] = true
		}
		c.ctl.Unlock()
	}
	ts.mu.Unlock()
	if len(ts.loops) != 3 || len(used) != 3 {
		// 13 connections open, each given to the least loaded loop.
		t.Errorf("%d loops, %d in use by %d connections", len(ts.loops), len(used), clients+1)
	}
}

// With appendfsync always a write waits for its fsync, so it leaves the
// loop; reads stay.
func TestLoopSyncWritesLeave(t *testing.T) {
	ts := loopServer(t, 1, []string{config.AppendOnly, "yes", config.AppendFsync, "always", config.Dir, t.TempDir()})
	rc := dialRaw(t, ts.addr)
	expect(t, rc.do("CLIENT", "SETNAME", "w"), "OK")
	expect(t, rc.do("GET", "k"), "(nil)")
	if !ts.onLoop(t, "w") {
		t.Fatal("not on the loop after a read")
	}
	expect(t, rc.do("SET", "k", "v"), "OK")
	if ts.onLoop(t, "w") {
		t.Error("a write with appendfsync always ran on the loop")
	}
	expect(t, rc.do("GET", "k"), `"v"`)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// After a turn the loop polls for busy-poll-us before it sleeps, and then
// sleeps: an idle server burns no CPU, whatever the setting.
func TestLoopBusyPollStops(t *testing.T) {
	ts := loopServer(t, 1, []string{config.BusyPollUS, "1000"})
	c := dialRaw(t, ts.addr)
	for i := 0; i < 100; i++ {
		expect(t, c.do("PING"), "PONG")
	}
	sys0, user0, ok := cpuTimes()
	if !ok {
		t.Fatal("getrusage failed")
	}
	const idle = 500 * time.Millisecond
	time.Sleep(idle)
	sys1, user1, _ := cpuTimes()
	// A loop still polling would have used a whole core for the period.
	if used := sys1 - sys0 + user1 - user0; used > idle/4 {
		t.Errorf("an idle server used %v of CPU in %v", used, idle)
	}
	// And it wakes for the next request.
	expect(t, c.do("PING"), "PONG")
}

// A connection that left the loop goes back once it has sent
// backToLoopAfter commands in a row that never wait, and leaves again at
// the next one that may; a client that keeps waiting stays where it is.
func TestLoopConnectionComesBack(t *testing.T) {
	ts := loopServer(t, 1, nil)
	rc := dialRaw(t, ts.addr)
	expect(t, rc.do("CLIENT", "SETNAME", "b"), "OK")
	expect(t, rc.do("BLPOP", "nolist", "0.01"), "(nil)")
	if ts.onLoop(t, "b") {
		t.Fatal("still on the loop after BLPOP")
	}
	for i := 1; i < backToLoopAfter; i++ {
		expect(t, rc.do("INCR", "n"), fmt.Sprintf("(integer) %d", i))
	}
	if ts.onLoop(t, "b") {
		t.Fatalf("back on the loop after %d commands", backToLoopAfter-1)
	}
	expect(t, rc.do("INCR", "n"), fmt.Sprintf("(integer) %d", backToLoopAfter))
	waitFor(t, func() bool { return ts.onLoop(t, "b") })

	// Leaving again, mid-pipeline, keeps the replies in order.
	var b strings.Builder
	for _, cmd := range [][]string{{"RPUSH", "l", "x"}, {"BLPOP", "l", "0"}, {"GET", "n"}} {
		fmt.Fprintf(&b, "*%d\r\n", len(cmd))
		for _, a := range cmd {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
	}
	if _, err := rc.conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(integer) 1", `["l", "x"]`, fmt.Sprintf(`"%d"`, backToLoopAfter)} {
		expect(t, rc.read(), want)
	}

	// A worker alternating a write and BLPOP never goes back.
	worker := dialRaw(t, ts.addr)
	expect(t, worker.do("CLIENT", "SETNAME", "w"), "OK")
	for range 3 * backToLoopAfter {
		expect(t, worker.do("RPUSH", "q", "job"), "(integer) 1")
		expect(t, worker.do("BLPOP", "q", "0"), `["q", "job"]`)
	}
	if ts.onLoop(t, "w") {
		t.Error("a BLPOP worker moved back to the loop")
	}

	// Back on the loop, CLIENT KILL still ends the connection.
	for range backToLoopAfter {
		expect(t, rc.do("PING"), "PONG")
	}
	waitFor(t, func() bool { return ts.onLoop(t, "b") })
	admin := dialRaw(t, ts.addr)
	expect(t, admin.do("CLIENT", "KILL", "SKIPME", "yes", "ID", strconv.FormatInt(rc.do("CLIENT", "ID").Int, 10)), "(integer) 1")
	if err := rc.readErr(); err == nil {
		t.Error("the killed connection is still open")
	}
}
