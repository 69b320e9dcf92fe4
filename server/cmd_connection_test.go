package server

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestPingEchoWithGoRedis(t *testing.T) {
	ts := startServer(t, nil)
	ctx := context.Background()
	rdb := ts.client(t)
	if got, err := rdb.Ping(ctx).Result(); err != nil || got != "PONG" {
		t.Fatalf("PING = %q, %v", got, err)
	}
	if got, err := rdb.Echo(ctx, "héllo\r\nworld").Result(); err != nil || got != "héllo\r\nworld" {
		t.Errorf("ECHO = %q, %v", got, err)
	}
	if got, err := rdb.Do(ctx, "ping", "x").Text(); err != nil || got != "x" {
		t.Errorf("PING x = %q, %v", got, err)
	}
	// Data commands reach the store.
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := rdb.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Errorf("GET = %q, %v", got, err)
	}
	if _, err := rdb.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
		t.Errorf("GET missing: %v", err)
	}
}

func TestConnectionReplies(t *testing.T) {
	ts := startServer(t, nil)
	rc := dialRaw(t, ts.addr)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "PONG"},
		{[]string{"ping", "x"}, `"x"`},
		{[]string{"PING", "a", "b"}, "(error) ERR wrong number of arguments for 'ping' command"},
		{[]string{"ECHO"}, "(error) ERR wrong number of arguments for 'echo' command"},
		{[]string{"foo", "a", "b"}, "(error) ERR unknown command 'foo', with args beginning with: 'a' 'b' "},
		{[]string{"FOO"}, "(error) ERR unknown command 'FOO', with args beginning with: "},
		{[]string{"SELECT", "0"}, "OK"},
		{[]string{"SELECT", "1"}, "(error) ERR DB index is out of range"},
		{[]string{"SELECT", "x"}, "(error) ERR value is not an integer or out of range"},
		{[]string{"HELLO", "3"}, "(error) NOPROTO sorry, this protocol version is not supported"},
		{[]string{"HELLO", "4"}, "(error) NOPROTO unsupported protocol version"},
		{[]string{"HELLO", "x"}, "(error) ERR Protocol version is not an integer or out of range"},
		{[]string{"HELLO", "2", "AUTH", "default"}, "(error) ERR Syntax error in HELLO option 'AUTH'"},
		{[]string{"AUTH", "p"}, "(error) ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"},
		{[]string{"AUTH", "a", "b"}, "(error) WRONGPASS invalid username-password pair or user is disabled."},
		{[]string{"AUTH", "default", "anything"}, "OK"},
		{[]string{"AUTH", "a", "b", "c"}, "(error) ERR syntax error"},
		{[]string{"CLIENT"}, "(error) ERR wrong number of arguments for 'client' command"},
		{[]string{"CLIENT", "SETNAME"}, "(error) ERR wrong number of arguments for 'client|setname' command"},
		{[]string{"client", "foo"}, "(error) ERR unknown subcommand 'foo'. Try CLIENT HELP."},
		{[]string{"CLIENT", "GETNAME"}, "(nil)"},
		{[]string{"CLIENT", "SETNAME", "a b"}, "(error) ERR Client names cannot contain spaces, newlines or special characters."},
		{[]string{"CLIENT", "SETNAME", "conn1"}, "OK"},
		{[]string{"CLIENT", "GETNAME"}, `"conn1"`},
		{[]string{"CLIENT", "SETINFO", "LIB-NAME", "go-redis(,go1.26)"}, "OK"},
		{[]string{"CLIENT", "SETINFO", "lib-ver", "9.23.0"}, "OK"},
		{[]string{"CLIENT", "SETINFO", "lib-foo", "1"}, "(error) ERR Unrecognized option 'lib-foo'"},
		{[]string{"CLIENT", "NO-EVICT", "on"}, "OK"},
		{[]string{"CLIENT", "NO-EVICT", "x"}, "(error) ERR syntax error"},
		{[]string{"CLIENT", "NO-TOUCH", "off"}, "OK"},
		{[]string{"CLIENT", "LIST", "FOO"}, "(error) ERR syntax error"},
		{[]string{"CLIENT", "LIST", "ID", "x"}, "(error) ERR Invalid client ID"},
		{[]string{"CLIENT", "LIST", "TYPE", "pubsub"}, `""`},
		{[]string{"CLIENT", "KILL", "1.2.3.4:5"}, "(error) ERR No such client"},
		{[]string{"CLIENT", "KILL", "ID", "99999"}, "(integer) 0"},
		{[]string{"CLIENT", "KILL", "ID", "x"}, "(error) ERR client-id should be greater than 0"},
		{[]string{"CLIENT", "GETREDIR"}, "(integer) -1"},
	}
	for _, tc := range cases {
		expect(t, rc.do(tc.args...), tc.want)
	}

	id := rc.do("CLIENT", "ID")
	info := rc.do("CLIENT", "INFO").Str
	for _, want := range []string{"name=conn1 ", "lib-name=go-redis(,go1.26) ", "lib-ver=9.23.0", "cmd=client|info", "flags=e", "resp=2"} {
		if !strings.Contains(info, want) {
			t.Errorf("CLIENT INFO lacks %q: %s", want, info)
		}
	}
	if !strings.HasPrefix(info, "id="+id.String()[len("(integer) "):]+" ") {
		t.Errorf("CLIENT INFO id: %s vs %s", info, id)
	}
	expect(t, rc.do("RESET"), "RESET")
	expect(t, rc.do("CLIENT", "GETNAME"), "(nil)")
	expect(t, rc.do("QUIT"), "OK")
	if err := rc.readErr(); err == nil {
		t.Error("connection still open after QUIT")
	}
}

func TestHello(t *testing.T) {
	ts := startServer(t, nil)
	rc := dialRaw(t, ts.addr)
	v := rc.do("HELLO", "2", "SETNAME", "me")
	id := rc.do("CLIENT", "ID")
	want := `["server", "redis", "version", "7.0.15", "proto", (integer) 2, "id", ` + id.String() +
		`, "mode", "standalone", "role", "master", "modules", []]`
	expect(t, v, want)
	expect(t, rc.do("CLIENT", "GETNAME"), `"me"`)
	expect(t, rc.do("HELLO"), want)
}

func TestAuth(t *testing.T) {
	ts := startServer(t, []string{"requirepass", "secret"})
	rc := dialRaw(t, ts.addr)
	for _, tc := range []struct {
		args []string
		want string
	}{
		// Existence and arity come before authentication, as in Redis.
		{[]string{"foo"}, "(error) ERR unknown command 'foo', with args beginning with: "},
		{[]string{"GET"}, "(error) ERR wrong number of arguments for 'get' command"},
		{[]string{"PING"}, "(error) NOAUTH Authentication required."},
		{[]string{"GET", "k"}, "(error) NOAUTH Authentication required."},
		{[]string{"CLIENT", "ID"}, "(error) NOAUTH Authentication required."},
		{[]string{"HELLO", "2"}, "(error) " + msgHelloNoAuth},
		{[]string{"HELLO", "2", "AUTH", "default", "wrong"}, "(error) WRONGPASS invalid username-password pair or user is disabled."},
		{[]string{"AUTH", "wrong"}, "(error) WRONGPASS invalid username-password pair or user is disabled."},
		{[]string{"AUTH", "other", "secret"}, "(error) WRONGPASS invalid username-password pair or user is disabled."},
		{[]string{"AUTH", "secret"}, "OK"},
		{[]string{"PING"}, "PONG"},
		{[]string{"RESET"}, "RESET"}, // logs out
		{[]string{"PING"}, "(error) NOAUTH Authentication required."},
		{[]string{"AUTH", "default", "secret"}, "OK"},
		{[]string{"PING"}, "PONG"},
	} {
		expect(t, rc.do(tc.args...), tc.want)
	}

	// go-redis: HELLO 3 is refused, it falls back to RESP2 and AUTH.
	ctx := context.Background()
	if err := ts.client(t).Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Errorf("go-redis without password: %v", err)
	}
	rdb := ts.client(t, func(o *redis.Options) { o.Password = "secret"; o.ClientName = "named" })
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("go-redis with password: %v", err)
	}
	if name, _ := rdb.ClientGetName(ctx).Result(); name != "named" {
		t.Errorf("client name %q", name)
	}
	// HELLO 2 AUTH logs in, as go-redis would with protocol 2.
	rdb2 := ts.client(t, func(o *redis.Options) { o.Password = "secret"; o.Protocol = 2 })
	if err := rdb2.Ping(ctx).Err(); err != nil {
		t.Errorf("go-redis protocol 2: %v", err)
	}

	// Clearing requirepass at run time lets everyone in; setting it keeps
	// the clients already in, as Redis does.
	rc2 := dialRaw(t, ts.addr)
	expect(t, rc.do("CONFIG", "SET", "requirepass", ""), "OK")
	expect(t, rc2.do("PING"), "PONG")
	expect(t, rc.do("CONFIG", "SET", "requirepass", "new"), "OK")
	expect(t, rc2.do("PING"), "PONG")
	expect(t, dialRaw(t, ts.addr).do("PING"), "(error) NOAUTH Authentication required.")
}

func TestClientListAndKill(t *testing.T) {
	ts := startServer(t, nil)
	a, b := dialRaw(t, ts.addr), dialRaw(t, ts.addr)
	expect(t, a.do("CLIENT", "SETNAME", "a"), "OK")
	expect(t, b.do("CLIENT", "SETNAME", "b"), "OK")
	list := a.do("CLIENT", "LIST").Str
	if lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n"); len(lines) != 2 ||
		!strings.Contains(lines[0], "name=a ") || !strings.Contains(lines[1], "name=b ") {
		t.Fatalf("CLIENT LIST:\n%s", list)
	}
	bID := b.do("CLIENT", "ID").Int
	only := a.do("CLIENT", "LIST", "ID", "99999", strconvI(bID)).Str
	if strings.Count(only, "\n") != 1 || !strings.Contains(only, "name=b ") {
		t.Errorf("CLIENT LIST ID: %s", only)
	}
	expect(t, a.do("CLIENT", "KILL", "ID", strconvI(bID)), "(integer) 1")
	if err := b.readErr(); err == nil {
		t.Error("killed client still connected")
	}
	// SKIPME yes by default; with no, the caller gets its reply, then closes.
	expect(t, a.do("CLIENT", "KILL", "TYPE", "normal"), "(integer) 0")
	expect(t, a.do("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"), "(integer) 1")
	if err := a.readErr(); err == nil {
		t.Error("self-killed client still connected")
	}
}

func TestClientReply(t *testing.T) {
	ts := startServer(t, nil)
	rc := dialRaw(t, ts.addr)
	rc.send("CLIENT", "REPLY", "OFF")
	rc.send("PING", "lost")
	rc.send("CLIENT", "REPLY", "ON")
	expect(t, rc.read(), "OK")
	rc.send("CLIENT", "REPLY", "SKIP")
	rc.send("PING", "skipped")
	rc.send("PING", "seen")
	expect(t, rc.read(), `"seen"`)
}

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }
