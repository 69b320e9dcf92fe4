package server

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestCommandIntrospection(t *testing.T) {
	ts := startServer(t, nil)
	rc := dialRaw(t, ts.addr)
	count := rc.do("COMMAND", "COUNT")
	if count.Int != int64(len(ts.cmds)) || count.Int < 30 {
		t.Errorf("COMMAND COUNT = %s (table has %d)", count, len(ts.cmds))
	}
	expect(t, rc.do("COMMAND", "INFO", "get", "nope"),
		`[["get", (integer) 2, [readonly, fast], (integer) 1, (integer) 1, (integer) 1, [@read, @string, @fast], [], [], []], (nil)]`)
	expect(t, rc.do("COMMAND", "INFO", "config|get"),
		`[["config|get", (integer) -3, [admin], (integer) 0, (integer) 0, (integer) 0, [@admin, @slow, @dangerous], [], [], []]]`)
	all := rc.do("COMMAND")
	if int64(len(all.Array)) != count.Int {
		t.Errorf("COMMAND lists %d of %d", len(all.Array), count.Int)
	}
	expect(t, rc.do("COMMAND", "DOCS", "ping"),
		`["ping", ["summary", "Returns the server's liveliness response.", "since", "1.0.0", "group", "connection"]]`)
	docs := rc.do("COMMAND", "DOCS", "config").String()
	if !strings.Contains(docs, `"subcommands", ["config|get", ["summary"`) {
		t.Errorf("COMMAND DOCS config: %s", docs)
	}
	expect(t, rc.do("COMMAND", "LIST", "FILTERBY", "PATTERN", "config*"),
		`["config", "config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"]`)
	expect(t, rc.do("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"), `["a", "b"]`)
	expect(t, rc.do("COMMAND", "GETKEYS", "PING", "x"), "(error) ERR The command has no key arguments")
	expect(t, rc.do("COMMAND", "GETKEYS", "GET", "a", "b"), "(error) ERR Invalid number of arguments specified for command")
	expect(t, rc.do("COMMAND", "GETKEYS", "NOPE", "x"), "(error) ERR Invalid command specified")
	help := rc.do("CONFIG", "HELP")
	if len(help.Array) < 3 || !strings.HasPrefix(help.Array[0].Str, "CONFIG <subcommand>") {
		t.Errorf("CONFIG HELP: %s", help)
	}

	// go-redis reads the Redis 7 shape.
	info, err := ts.client(t).Command(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	if info["get"] == nil || info["get"].Arity != 2 || !info["get"].ReadOnly {
		t.Errorf("go-redis COMMAND INFO get: %+v", info["get"])
	}
}

func TestConfigCommands(t *testing.T) {
	ts := startServer(t, nil)
	rc := dialRaw(t, ts.addr)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"CONFIG", "GET", "maxclients"}, `["maxclients", "10000"]`},
		{[]string{"CONFIG", "GET", "Timeout"}, `["Timeout", "0"]`},
		{[]string{"CONFIG", "GET", "scheduler.*", "python.gil", "scheduler.lanes"},
			`["scheduler.lanes", "0", "scheduler.spare-threads", "16", "scheduler.handoff-after", "2ms", "scheduler.timeslice", "50ms", "scheduler.queue-timeout", "5s", "python.gil", "auto"]`},
		{[]string{"CONFIG", "GET", "nope"}, `[]`},
		{[]string{"CONFIG", "SET", "timeout", "5", "python.execution-timeout", "90"}, "OK"},
		{[]string{"CONFIG", "GET", "timeout", "python.execution-timeout"}, `["timeout", "5", "python.execution-timeout", "90s"]`},
		{[]string{"CONFIG", "SET", "port", "1"}, "(error) ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config"},
		{[]string{"CONFIG", "SET", "foo", "1"}, "(error) ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"CONFIG", "SET", "maxclients", "x"}, "(error) ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"},
		{[]string{"CONFIG", "SET", "timeout", "1", "port"}, "(error) ERR syntax error"},
		{[]string{"CONFIG", "SET", "port"}, "(error) ERR wrong number of arguments for 'config|set' command"},
		{[]string{"CONFIG", "REWRITE"}, "(error) ERR The server is running without a config file"},
		{[]string{"CONFIG", "RESETSTAT"}, "OK"},
	} {
		expect(t, rc.do(tc.args...), tc.want)
	}
	if ts.cfg.Int("timeout") != 5 {
		t.Error("CONFIG SET did not reach the Config")
	}
}

func TestInfo(t *testing.T) {
	ts := startServer(t, nil, &fakeModule{fields: []InfoField{{"lanes", "2"}, {"live_interpreters", "0"}}})
	rc := dialRaw(t, ts.addr)
	expect(t, rc.do("SET", "a", "1"), "OK")
	info := rc.do("INFO").Str
	for _, want := range []string{
		"# Server\r\nredis_version:7.0.15\r\n", "gearsd_version:", "tcp_port:" + ts.addr[strings.LastIndex(ts.addr, ":")+1:] + "\r\n",
		"\r\n\r\n# Clients\r\nconnected_clients:1\r\n", "# Memory\r\nused_memory:", "# Stats\r\n",
		"total_commands_processed:", "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n",
		"# Gears\r\nlanes:2\r\nlive_interpreters:0\r\n",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO lacks %q:\n%s", want, info)
		}
	}
	if !strings.HasSuffix(info, "\r\n") || strings.HasSuffix(info, "\r\n\r\n") {
		t.Errorf("INFO ends badly: %q", info[len(info)-10:])
	}
	only := rc.do("INFO", "gears", "CLIENTS").Str
	if !strings.HasPrefix(only, "# Clients\r\n") || !strings.Contains(only, "# Gears") || strings.Contains(only, "# Server") {
		t.Errorf("INFO gears clients:\n%s", only)
	}
	expect(t, rc.do("INFO", "nope"), `""`)
	if all := rc.do("INFO", "everything").Str; !strings.Contains(all, "# Gears") {
		t.Error("INFO everything lacks the module")
	}
}

func TestTimeAndDebug(t *testing.T) {
	ts := startServer(t, nil)
	rc := dialRaw(t, ts.addr)
	v := rc.do("TIME")
	if len(v.Array) != 2 || v.Array[0].Str == "" {
		t.Fatalf("TIME = %s", v)
	}
	start := time.Now()
	expect(t, rc.do("DEBUG", "SLEEP", "0.05"), "OK")
	if time.Since(start) < 50*time.Millisecond {
		t.Error("DEBUG SLEEP did not sleep")
	}
	expect(t, rc.do("DEBUG", "SLEEP", "x"), "(error) ERR value is not a valid float")
	expect(t, rc.do("DEBUG", "NOPE"), "(error) ERR Syntax error, try DEBUG HELP")
	expect(t, rc.do("SHUTDOWN", "FOO"), "(error) ERR syntax error")
	expect(t, rc.do("SHUTDOWN", "SAVE", "NOSAVE"), "(error) ERR syntax error")
	expect(t, rc.do("SHUTDOWN", "ABORT"), "(error) ERR No shutdown in progress.")
}

func TestShutdownCommand(t *testing.T) {
	ts := startServer(t, nil)
	other := dialRaw(t, ts.addr)
	expect(t, other.do("PING"), "PONG")
	rc := dialRaw(t, ts.addr)
	rc.send("SHUTDOWN", "NOSAVE")
	if err := rc.readErr(); err == nil {
		t.Error("SHUTDOWN answered instead of closing")
	}
	select {
	case err := <-ts.served:
		ts.served <- err // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after SHUTDOWN")
	}
	if err := other.readErr(); err == nil {
		t.Error("idle client not closed by SHUTDOWN")
	}
}
