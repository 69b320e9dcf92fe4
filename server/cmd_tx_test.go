package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

func TestMultiModuleCommands(t *testing.T) {
	calls := 0
	mod := &fakeModule{cmds: []ModuleCommand{
		{Name: "T.DENIED", Arity: 1, DenyInMulti: "Can not run this inside a multi exec",
			Handler: func(context.Context, [][]byte) resp.Value { return resp.OK }},
		{Name: "T.COUNT", Arity: 1,
			Handler: func(context.Context, [][]byte) resp.Value { calls++; return resp.Int(int64(calls)) }},
	}}
	ts := startServer(t, nil, mod)
	c := dialRaw(t, ts.addr)

	// A module's refusal is answered at queue time and aborts EXEC.
	expect(t, c.do("MULTI"), "OK")
	expect(t, c.do("T.DENIED"), "(error) Can not run this inside a multi exec")
	expect(t, c.do("EXEC"), "(error) EXECABORT Transaction discarded because of previous errors.")

	// Other module and server commands are queued and run after the data
	// commands, each reply in its place.
	expect(t, c.do("MULTI"), "OK")
	expect(t, c.do("SET", "k", "v"), "QUEUED")
	expect(t, c.do("T.COUNT"), "QUEUED")
	expect(t, c.do("CLIENT", "SETNAME", "tx"), "QUEUED")
	expect(t, c.do("GET", "k"), "QUEUED")
	expect(t, c.do("EXEC"), `[OK, (integer) 1, OK, "v"]`)
	expect(t, c.do("CLIENT", "GETNAME"), `"tx"`)

	// A subscription cannot start inside EXEC.
	expect(t, c.do("MULTI"), "OK")
	expect(t, c.do("SUBSCRIBE", "ch"), "QUEUED")
	expect(t, c.do("EXEC"), "[(error) ERR subscribe is not allowed inside a transaction]")
}

func TestMultiClientListAndReset(t *testing.T) {
	ts := startServer(t, nil)
	c := dialRaw(t, ts.addr)
	expect(t, c.do("MULTI"), "OK")
	expect(t, c.do("PING"), "QUEUED")
	expect(t, c.do("PING"), "QUEUED")
	other := dialRaw(t, ts.addr)
	list := other.do("CLIENT", "LIST").Str
	if !strings.Contains(list, "multi=2") {
		t.Errorf("CLIENT LIST does not show the queue: %s", list)
	}
	// RESET leaves MULTI and forgets WATCHed keys.
	expect(t, c.do("RESET"), "RESET")
	expect(t, c.do("EXEC"), "(error) ERR EXEC without MULTI")
	expect(t, c.do("WATCH", "w"), "OK")
	expect(t, c.do("RESET"), "RESET")
	expect(t, other.do("SET", "w", "1"), "OK")
	expect(t, c.do("MULTI"), "OK")
	expect(t, c.do("GET", "w"), "QUEUED")
	expect(t, c.do("EXEC"), `["1"]`)
}

// A client that disconnects releases its watched keys.
func TestWatchReleasedOnClose(t *testing.T) {
	ts := startServer(t, nil)
	for range 20 {
		c := dialRaw(t, ts.addr)
		expect(t, c.do("WATCH", "a", "b"), "OK")
		c.conn.Close()
	}
	c := dialRaw(t, ts.addr)
	expect(t, c.do("WATCH", "a"), "OK")
	expect(t, c.do("MULTI"), "OK")
	expect(t, c.do("EXEC"), "[]")
	// The store keeps no entry for clients gone: a new WATCH/EXEC works
	// and a later change still fails one.
	expect(t, c.do("WATCH", "a"), "OK")
	expect(t, dialRaw(t, ts.addr).do("SET", "a", "1"), "OK")
	expect(t, c.do("MULTI"), "OK")
	expect(t, c.do("EXEC"), "(nil)")
	time.Sleep(10 * time.Millisecond)
}
