package acl

import (
	"strings"
	"testing"
)

// Any list of modifiers either is refused, changing nothing, or makes a
// user whose description (ACL LIST, the ACL file) makes the same user
// again: what ACL SAVE writes, ACL LOAD reads back unchanged.
func FuzzRules(f *testing.F) {
	for _, seed := range []string{
		"on >pw ~cache:* &news +get +@hash -hdel", "reset", "+@all -@dangerous +config|get",
		"+config -config|get", "allkeys ~a", "nopass resetpass #abc", "~a ~b &x allchannels +@string -set",
		"skip-sanitize-payload +publish off on", "<x", "(~a +get)", "%R~a",
	} {
		f.Add(seed)
	}
	cat := testCatalog()
	f.Fuzz(func(t *testing.T, text string) {
		a := New(cat)
		rules := strings.Fields(text)
		before := ""
		if err := a.SetUser("u", []string{"on", "+get"}); err != nil {
			t.Fatal(err)
		}
		before = a.Describe(a.User("u"))
		if err := a.SetUser("u", rules); err != nil {
			if got := a.Describe(a.User("u")); got != before {
				t.Fatalf("refused %q changed the user: %q -> %q", text, before, got)
			}
			return
		}
		desc := a.Describe(a.User("u"))
		b := New(cat)
		f := strings.Fields(desc)
		if err := b.SetUser("u", f[2:]); err != nil {
			t.Fatalf("the description %q of %q is refused: %v", desc, text, err)
		}
		again := b.Describe(b.User("u"))
		if again != desc {
			t.Fatalf("%q: described %q, which describes as %q", text, desc, again)
		}
		p, q := a.User("u").Perms(), b.User("u").Perms()
		for i := range p.allowed {
			if p.allowed[i] != q.allowed[i] {
				t.Fatalf("%q: %s allowed %v, after the round trip %v", text, cat.all[i].Name, p.allowed[i], q.allowed[i])
			}
		}
	})
}
