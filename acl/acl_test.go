package acl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testCatalog is a small command set: a read command, a write command, a
// container with two subcommands, and a pub/sub command.
func testCatalog() *Catalog {
	return NewCatalog([]*Command{
		{Name: "get", Categories: []string{"read", "string", "fast"}},
		{Name: "set", Categories: []string{"write", "string", "slow"}},
		{Name: "hget", Categories: []string{"read", "hash", "fast"}},
		{Name: "config", Categories: []string{"slow"}, Subs: []*Command{
			{Name: "config|get", Categories: []string{"admin", "slow", "dangerous"}},
			{Name: "config|set", Categories: []string{"admin", "slow", "dangerous"}},
		}},
		{Name: "publish", Categories: []string{"pubsub", "fast"}},
	})
}

func TestRulesAndDescribe(t *testing.T) {
	a := New(testCatalog())
	cases := []struct {
		rules []string
		want  string
	}{
		{nil, "user u off resetchannels -@all"},
		{[]string{"on", "nopass", "+get"}, "user u on nopass resetchannels -@all +get"},
		{[]string{"+@string"}, "user u off resetchannels -@all +@string"},
		{[]string{"+@all", "-get"}, "user u off resetchannels +@all -get"},
		{[]string{"+@all", "-set"}, "user u off resetchannels +@all -@write"}, // the category fits best
		{[]string{"+config", "-config|get"}, "user u off resetchannels -@all +config -config|get"},
		{[]string{"+config|get"}, "user u off resetchannels -@all +config|get"},
		{[]string{"~a", "~b", "&c"}, "user u off ~a ~b resetchannels &c -@all"},
		{[]string{"allkeys", "allchannels"}, "user u off ~* &* -@all"},
		{[]string{"reset"}, "user u off sanitize-payload resetchannels -@all"},
		{[]string{">x", "<x", ">y"}, "user u off #a1fce4363854ff888cff4b8e7875d600c2682390412a8cf79b37d0b11148b0fa resetchannels -@all"},
	}
	for _, tc := range cases {
		a.DelUser([]string{"u"})
		if err := a.SetUser("u", tc.rules); err != nil {
			t.Fatalf("%v: %v", tc.rules, err)
		}
		if got := a.Describe(a.User("u")); got != tc.want {
			t.Errorf("%v:\n  got  %q\n  want %q", tc.rules, got, tc.want)
		}
	}
	if got := a.Describe(a.Default()); got != "user default on nopass ~* &* +@all" {
		t.Errorf("default: %q", got)
	}
}

func TestRefusedRulesChangeNothing(t *testing.T) {
	a := New(testCatalog())
	must(a.SetUser("u", []string{"on", "+get"}))
	for rule, reason := range map[string]string{
		"foo": "Syntax error", "+nosuch": "Unknown command or category name in ACL",
		"<none": "does not exist", "#abc": "exactly 64 characters", "(~a)": "selectors",
		"%R~a": "%R~", "+get|x": "first-argument",
	} {
		err := a.SetUser("u", []string{"+set", rule})
		if err == nil || !strings.Contains(err.Error(), reason) || !strings.HasPrefix(err.Error(), "ERR Error in ACL SETUSER modifier '"+rule+"'") {
			t.Errorf("%s: %v", rule, err)
		}
	}
	if got := a.Describe(a.User("u")); got != "user u on resetchannels -@all +get" {
		t.Errorf("a refused SETUSER changed the user: %q", got)
	}
}

func TestCheck(t *testing.T) {
	a := New(testCatalog())
	must(a.SetUser("u", []string{"on", "nopass", "+get", "+publish", "+config|get", "~k*", "&news"}))
	p := a.User("u").Perms()
	cat := a.Catalog()
	ok := func(cmd string, keys, chans []string) *Denial { return a.Check(p, cat.Lookup(cmd), keys, chans) }
	if d := ok("get", []string{"k1"}, nil); d != nil {
		t.Errorf("get k1: %v", d)
	}
	if d := ok("get", []string{"x"}, nil); d == nil || d.Reason != "key" || d.Object != "x" {
		t.Errorf("get x: %v", d)
	}
	if d := ok("set", []string{"k1"}, nil); d == nil || d.Error() != "NOPERM this user has no permissions to run the 'set' command" {
		t.Errorf("set: %v", d)
	}
	if d := ok("config|set", nil, nil); d == nil || d.Object != "config|set" {
		t.Errorf("config|set: %v", d)
	}
	if d := ok("config|get", nil, nil); d != nil {
		t.Errorf("config|get: %v", d)
	}
	if d := ok("publish", nil, []string{"other"}); d == nil || d.Reason != "channel" {
		t.Errorf("publish other: %v", d)
	}
	if d := a.CheckPattern(p, "new*"); d == nil {
		t.Error("a pattern that is not literally the user's was allowed")
	}
	if !a.Default().Perms().Everything() {
		t.Error("the default user should skip checks")
	}
	// Rules changed under a logged-in user take effect at once.
	u := a.User("u")
	must(a.SetUser("u", []string{"+set"}))
	if d := a.Check(u.Perms(), cat.Lookup("set"), []string{"k"}, nil); d != nil {
		t.Errorf("after +set: %v", d)
	}
	if _, ok := a.Authenticate("u", "anything"); !ok {
		t.Error("nopass user refused")
	}
	must(a.SetUser("u", []string{"resetpass", ">pw"}))
	if _, ok := a.Authenticate("u", "anything"); ok {
		t.Error("wrong password accepted")
	}
	if _, ok := a.Authenticate("u", "pw"); !ok {
		t.Error("right password refused")
	}
	must(a.SetUser("u", []string{"off"}))
	if _, ok := a.Authenticate("u", "pw"); ok {
		t.Error("a user that is off logged in")
	}
}

func TestLogGroups(t *testing.T) {
	var l Log
	l.max = 2
	l.Add(LogEntry{Reason: "command", Object: "set", Username: "u", Context: "toplevel"})
	l.Add(LogEntry{Reason: "key", Object: "x", Username: "u", Context: "toplevel"})
	l.Add(LogEntry{Reason: "command", Object: "set", Username: "u", Context: "toplevel"})
	e := l.Entries(-1)
	if len(e) != 2 || e[0].Object != "set" || e[0].Count != 2 || e[1].Object != "x" {
		t.Errorf("entries: %+v", e)
	}
	l.Add(LogEntry{Reason: "auth", Object: "AUTH", Username: "v"})
	if e := l.Entries(-1); len(e) != 2 || e[0].Reason != "auth" {
		t.Errorf("bounded: %+v", e)
	}
}

func TestFileRoundTrip(t *testing.T) {
	a := New(testCatalog())
	must(a.SetUser("u", []string{"on", ">pw", "~k*", "+get"}))
	path := filepath.Join(t.TempDir(), "users.acl")
	if err := a.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	b := New(testCatalog())
	if err := b.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	if got, want := b.Describe(b.User("u")), a.Describe(a.User("u")); got != want {
		t.Errorf("loaded %q, saved %q", got, want)
	}
	os.WriteFile(path, []byte("user u on +nosuch\nuser u on\nnot a user line\n"), 0o600)
	err := b.LoadFile(path)
	for _, want := range []string{":1: Error in applying operation '+nosuch'", "Duplicate user 'u' found on line 2", ":3 should start with user keyword", "no change to the previously active ACL rules"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadFile error %v lacks %q", err, want)
		}
	}
	if b.User("u") == nil {
		t.Error("a failed load dropped a user")
	}
}
