package store

import (
	"strings"
	"testing"

	"github.com/gearsd/gearsd/resp"
)

func TestDispatch(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	long := strings.Repeat("x", 200)
	run(t, ks, []step{
		{line("GeT", "k"), resp.Null},
		{line("get"), resp.Err("ERR wrong number of arguments for 'get' command")},
		{line("GET", "a", "b"), resp.Err("ERR wrong number of arguments for 'get' command")},
		{line("SeT", "k"), resp.Err("ERR wrong number of arguments for 'set' command")},
		{line("foo", "a", "b"), resp.Err("ERR unknown command 'foo', with args beginning with: 'a' 'b' ")},
		{line("foo"), resp.Err("ERR unknown command 'foo', with args beginning with: ")},
		{line("foo", "a\r\nb"), resp.Err("ERR unknown command 'foo', with args beginning with: 'a  b' ")},
		{line("foo", "a\x00b", "c"), resp.Err("ERR unknown command 'foo', with args beginning with: 'a' 'c' ")},
		// Arguments stop once 128 bytes are written, the last one cut to fit.
		{line("foo", long, "b"), resp.Err("ERR unknown command 'foo', with args beginning with: '" + long[:128] + "' ")},
		{line("foo", "abc", long), resp.Err("ERR unknown command 'foo', with args beginning with: 'abc' '" + long[:122] + "' ")},
		{line(long + "y"), resp.Err("ERR unknown command '" + long[:128] + "', with args beginning with: ")},
	})
}

func TestLookupAndCommands(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	spec, ok := ks.Lookup("MSet")
	if !ok {
		t.Fatal("Lookup(MSet) not found")
	}
	want := CommandSpec{Name: "mset", Arity: -3, Flags: []string{"write", "denyoom"}, FirstKey: 1, LastKey: -1, Step: 2}
	if spec.Name != want.Name || spec.Arity != want.Arity || strings.Join(spec.Flags, " ") != "write denyoom" ||
		spec.FirstKey != want.FirstKey || spec.LastKey != want.LastKey || spec.Step != want.Step {
		t.Errorf("Lookup(MSet) = %+v, want %+v", spec, want)
	}
	if _, ok := ks.Lookup("nosuch"); ok {
		t.Error("Lookup(nosuch) found")
	}
	cmds := ks.Commands()
	if len(cmds) != len(commandList) {
		t.Fatalf("Commands() has %d, want %d", len(cmds), len(commandList))
	}
	for i := 1; i < len(cmds); i++ {
		if cmds[i-1].Name >= cmds[i].Name {
			t.Errorf("Commands() not sorted at %q, %q", cmds[i-1].Name, cmds[i].Name)
		}
	}
}

// TestGetAllocations guards the hot path: a GET of an existing key and a
// SET over an existing key allocate at most the new value.
func TestHotPathAllocations(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	get := [][]byte{[]byte("GET"), []byte("key:000001")}
	set := [][]byte{[]byte("SET"), []byte("key:000001"), []byte("xyz")}
	ks.Do(set)
	if n := testing.AllocsPerRun(100, func() { ks.Do(get) }); n != 0 {
		t.Errorf("GET allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { ks.Do(set) }); n > 1 {
		t.Errorf("SET allocates %v times, want at most 1", n)
	}
}
