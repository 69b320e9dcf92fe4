package tests

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// aclStep is one command of an ACL script, sent on the script's connection
// named by conn (each connection authenticates on its own).
type aclStep struct {
	conn string
	args []string
}

func step(conn string, args ...string) aclStep { return aclStep{conn, args} }

// ACL as Redis 7's: users and rules made and shown (SETUSER, GETUSER,
// LIST, USERS, CAT, WHOAMI, DRYRUN, DELUSER), their errors, and what a
// logged-in user may run: commands and categories, key patterns, channel
// patterns, NOPERM texts, MULTI. The same script goes to a real
// redis-server and to gearsd, and the raw replies are compared.
func TestACLLikeRedis(t *testing.T) {
	redisAddr := startRedis(t)
	s := startServer(t)
	script := []aclStep{
		step("admin", "ACL", "LIST"), step("admin", "ACL", "WHOAMI"), step("admin", "ACL", "USERS"),
		step("admin", "ACL", "SETUSER", "alice", "on", ">pw1", "~cache:*", "&news", "+get", "+@hash", "-hdel"),
		step("admin", "ACL", "GETUSER", "alice"),
		step("admin", "ACL", "SETUSER", "bob"),
		step("admin", "ACL", "SETUSER", "carol", "on", "nopass", "allkeys", "allchannels", "allcommands", "-@dangerous", "+config|get"),
		step("admin", "ACL", "SETUSER", "dave", "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4", "resetkeys", "~a", "~b", "reset"),
		step("admin", "ACL", "SETUSER", "erin", "on", "nopass", "skip-sanitize-payload", "+@hash", "-@hash", "+hget"),
		step("admin", "ACL", "SETUSER", "frank", "+config", "-config|get"),
		step("admin", "ACL", "SETUSER", "gina", "+@all", "-get"),
		step("admin", "ACL", "SETUSER", "hank", "+get", "+@string"),
		step("admin", "ACL", "SETUSER", "ivan", "on", "~a", "~b", "&x", "&y", "nopass"),
		step("admin", "ACL", "SETUSER", "ivan", "~*"),
		step("admin", "ACL", "SETUSER", "judy", ">q", ">q", "#8e35c2cd3bf6641bdb0e2050b76932cbb2e6034a0ddacc1d9bea82a6ba57f7cf", "nopass", ">r"),
		step("admin", "ACL", "LIST"), step("admin", "ACL", "USERS"),
		step("admin", "ACL", "GETUSER", "carol"), step("admin", "ACL", "GETUSER", "ivan"), step("admin", "ACL", "GETUSER", "judy"),
		step("admin", "ACL", "GETUSER", "nosuch"),
		// Refused modifiers.
		step("admin", "ACL", "SETUSER", "x", "foo"), step("admin", "ACL", "SETUSER", "x", "+nosuch"),
		step("admin", "ACL", "SETUSER", "x", "+@nosuch"), step("admin", "ACL", "SETUSER", "x", "<nopw"),
		step("admin", "ACL", "SETUSER", "x", "#abc"), step("admin", "ACL", "SETUSER", "x", "!abc"),
		step("admin", "ACL", "SETUSER", "x", "+config|nosuch"),
		step("admin", "ACL", "SETUSER", "y", "allkeys", "~a"), step("admin", "ACL", "SETUSER", "z", "allchannels", "&a"),
		step("admin", "ACL", "SETUSER", "a b"), step("admin", "ACL", "USERS"),
		step("admin", "ACL", "DELUSER", "default"), step("admin", "ACL", "DELUSER", "bob", "nosuch"),
		step("admin", "ACL", "CAT", "nosuch"), step("admin", "ACL", "CAT", "a", "b"),
		step("admin", "ACL", "DRYRUN", "alice", "get", "cache:1"), step("admin", "ACL", "DRYRUN", "alice", "set", "cache:1", "v"),
		step("admin", "ACL", "DRYRUN", "alice", "get", "other"), step("admin", "ACL", "DRYRUN", "nosuch", "get", "k"),
		// A user at work.
		step("admin", "SET", "cache:1", "v"), step("admin", "HSET", "cache:h", "f", "1"),
		step("lim", "AUTH", "alice", "wrong"), step("lim", "AUTH", "alice", "pw1"), step("lim", "ACL", "WHOAMI"),
		step("lim", "GET", "cache:1"), step("lim", "GET", "other"), step("lim", "SET", "cache:1", "w"),
		step("lim", "HGET", "cache:h", "f"), step("lim", "HDEL", "cache:h", "f"), step("lim", "HGETALL", "other"),
		step("lim", "MGET", "cache:1", "cache:2"), step("lim", "CONFIG", "GET", "port"),
		step("lim", "PUBLISH", "news", "m"),
		step("lim", "MULTI"), step("lim", "GET", "cache:1"), step("lim", "SET", "cache:1", "x"), step("lim", "EXEC"),
		step("lim", "AUTH", "default", "x"), step("lim", "ACL", "WHOAMI"),
		step("pub", "AUTH", "ivan", "x"), step("pub", "PUBLISH", "x", "m"), step("pub", "PUBLISH", "z", "m"),
		step("pub", "GET", "a"),
		step("off", "AUTH", "bob", "x"), step("off", "AUTH", "nosuch", "x"),
		// The rules change under a logged-in client.
		step("admin", "ACL", "SETUSER", "alice", "+set"), step("lim2", "AUTH", "alice", "pw1"),
		step("lim2", "SET", "cache:1", "y"), step("admin", "ACL", "SETUSER", "alice", "resetkeys"),
		step("lim2", "GET", "cache:1"),
		step("admin", "ACL", "LOG", "RESET"), step("admin", "ACL", "LOG"),
	}
	conns := map[string][2]*rawConn{}
	for _, st := range script {
		pair, ok := conns[st.conn]
		if !ok {
			pair = [2]*rawConn{dialRaw(t, redisAddr), dialRaw(t, s.Addr)}
			conns[st.conn] = pair
		}
		want, got := pair[0].do(t, st.args...), pair[1].do(t, st.args...)
		if len(st.args) >= 2 && (strings.EqualFold(st.args[1], "LIST") || strings.EqualFold(st.args[1], "GETUSER")) {
			want, got = sortRuleTail(want), sortRuleTail(got)
		}
		if want != got {
			t.Errorf("%s: %q:\n  redis-server: %q\n  gearsd:       %q", st.conn, st.args, want, got)
		}
	}
}

// ACL LOG records denials as Redis does (reason, context, object,
// username; repeats counted into one entry), and ACL SAVE / ACL LOAD keep
// users in aclfile, which is loaded at start.
func TestACLLogAndFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "users.acl")
	if err := os.WriteFile(file, []byte("user default on nopass ~* &* +@all\nuser reader on >secret ~r:* resetchannels -@all +get\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "--aclfile", file)
	admin := dialRaw(t, s.Addr)
	reader := dialRaw(t, s.Addr)
	if got := reader.do(t, "AUTH", "reader", "secret"); got != "+OK\r\n" {
		t.Fatalf("AUTH from the file: %q", got)
	}
	reader.do(t, "SET", "r:1", "v")
	reader.do(t, "SET", "r:1", "v")
	reader.do(t, "GET", "x")
	reader.do(t, "AUTH", "reader", "nope")
	log := admin.do(t, "ACL", "LOG")
	for _, want := range []string{"$6\r\nreason\r\n$4\r\nauth\r\n", "$6\r\nobject\r\n$4\r\nAUTH\r\n",
		"$6\r\nreason\r\n$3\r\nkey\r\n", "$6\r\nobject\r\n$1\r\nx\r\n",
		"$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$7\r\ncommand\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$3\r\nset\r\n$8\r\nusername\r\n$6\r\nreader\r\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("ACL LOG lacks %q:\n%s", want, log)
		}
	}
	if !strings.HasPrefix(log, "*3\r\n") {
		t.Errorf("ACL LOG: want 3 entries:\n%s", log)
	}
	// SAVE writes what LIST shows; LOAD reads a changed file, all or none.
	admin.do(t, "ACL", "SETUSER", "writer", "on", ">w", "~w:*", "+set")
	if got := admin.do(t, "ACL", "SAVE"); got != "+OK\r\n" {
		t.Fatalf("ACL SAVE: %q", got)
	}
	saved, _ := os.ReadFile(file)
	list := admin.do(t, "ACL", "LIST")
	for _, line := range strings.Split(strings.TrimSpace(string(saved)), "\n") {
		if !strings.Contains(list, line) {
			t.Errorf("saved line %q not in ACL LIST:\n%s", line, list)
		}
	}
	os.WriteFile(file, []byte("user default on nopass ~* &* +@all\nuser reader on >secret2 ~r:* -@all +get +set\nuser bad +nosuch\n"), 0o600)
	if got := admin.do(t, "ACL", "LOAD"); !strings.Contains(got, "Error in applying operation '+nosuch'") || !strings.Contains(got, "no change to the previously active ACL rules was performed") {
		t.Errorf("ACL LOAD of a bad file: %q", got)
	}
	if got := reader.do(t, "ACL", "WHOAMI"); !strings.Contains(got, "NOPERM") {
		t.Errorf("after a failed LOAD the old rules hold: %q", got)
	}
	os.WriteFile(file, []byte("user default on nopass ~* &* +@all\nuser reader on >secret2 ~r:* -@all +get +set\n"), 0o600)
	if got := admin.do(t, "ACL", "LOAD"); got != "+OK\r\n" {
		t.Fatalf("ACL LOAD: %q", got)
	}
	// reader keeps its connection and gets the new rules; writer is gone.
	if got := reader.do(t, "SET", "r:2", "v"); got != "+OK\r\n" {
		t.Errorf("SET after LOAD: %q", got)
	}
	if got := admin.do(t, "ACL", "USERS"); got != "*2\r\n$7\r\ndefault\r\n$6\r\nreader\r\n" {
		t.Errorf("ACL USERS after LOAD: %q", got)
	}
	// A deleted user's connections are closed.
	admin.do(t, "ACL", "DELUSER", "reader")
	reader.send(t, "PING")
	reader.c.SetReadDeadline(timeNowPlus(5))
	if n, err := reader.r.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("a deleted user's client was not disconnected: %d bytes, %v", n, err)
	}
}

func timeNowPlus(seconds int) time.Time { return time.Now().Add(time.Duration(seconds) * time.Second) }

// sortRuleTail sorts, in each line of an ACL LIST or GETUSER reply, the
// single commands at the end of its command rules: Redis lists them in its
// hash table's order, gearsd by name (acl.CommandRules).
func sortRuleTail(reply string) string {
	lines := strings.Split(reply, "\r\n")
	for i, line := range lines {
		if !strings.Contains(line, "@all") {
			continue
		}
		f := strings.Split(line, " ")
		j := len(f)
		for j > 0 && (f[j-1][0] == '+' || f[j-1][0] == '-') && !strings.Contains(f[j-1], "@") {
			j--
		}
		slices.Sort(f[j:])
		lines[i] = strings.Join(f, " ")
	}
	return strings.Join(lines, "\r\n")
}

// execute() in a session runs with the permissions of the user whose
// RG.PYEXECUTE made it; a user without @gears cannot run Python at all.
func TestACLAppliesToPython(t *testing.T) {
	s := startServer(t)
	admin := dialRaw(t, s.Addr)
	admin.do(t, "SET", "secret", "s")
	admin.do(t, "SET", "pub:1", "p")
	admin.do(t, "ACL", "SETUSER", "py", "on", ">pw", "~pub:*", "+@read", "+@gears", "+@scripting")
	admin.do(t, "ACL", "SETUSER", "data", "on", ">pw", "allkeys", "+@all", "-@gears")
	py := dialRaw(t, s.Addr)
	py.do(t, "AUTH", "py", "pw")
	if got := py.do(t, "RG.PYEXECUTE", "r = execute('GET', 'pub:1')\nassert r == 'p', r"); got != "+OK\r\n" {
		t.Errorf("an allowed read from Python: %q", got)
	}
	got := py.do(t, "RG.PYEXECUTE", "execute('GET', 'secret')")
	if !strings.Contains(got, "NOPERM this user has no permissions to access one of the keys used as arguments") {
		t.Errorf("a read outside the user's keys from Python: %q", got)
	}
	got = py.do(t, "RG.PYEXECUTE", "execute('SET', 'pub:2', 'x')")
	if !strings.Contains(got, "NOPERM this user has no permissions to run the 'set' command") {
		t.Errorf("a write the user may not make, from Python: %q", got)
	}
	if v := admin.do(t, "EXISTS", "pub:2"); v != ":0\r\n" {
		t.Errorf("the refused write happened: %q", v)
	}
	data := dialRaw(t, s.Addr)
	data.do(t, "AUTH", "data", "pw")
	if got := data.do(t, "RG.PYEXECUTE", "execute('SET', 'k', 'v')"); got != "-NOPERM this user has no permissions to run the 'rg.pyexecute' command\r\n" {
		t.Errorf("RG.PYEXECUTE without @gears: %q", got)
	}
	if got := data.do(t, "SET", "k", "v"); got != "+OK\r\n" {
		t.Errorf("data commands for a user without @gears: %q", got)
	}
}
