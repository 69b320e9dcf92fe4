package gears

import (
	"testing"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/resp"
)

// The record conversion rules of python-api.md §8.2.
func TestRecordToReply(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{"abc", `"abc"`},
		{"+OK", "OK"},
		{"-1", "(error) 1"},
		{"-", `"-"`},
		{"+", `"+"`},
		{int64(7), "(integer) 7"},
		{true, "(integer) 1"},
		{false, "(integer) 0"},
		{2.5, `"2.500000"`},
		{[]byte("raw"), `"raw"`},
		{nil, `"PY RECORD"`},
		{python.Opaque{}, `"PY RECORD"`},
		{python.ByteArray("x"), `"PY RECORD"`},
		{[]any{"a", int64(1), []any{"b"}}, `["a", (integer) 1, ["b"]]`},
	}
	for _, c := range cases {
		if got := recordToReply(c.in).String(); got != c.want {
			t.Errorf("%#v: got %s, want %s", c.in, got, c.want)
		}
	}
}

// The reply conversion rules of python-api.md §8.3.
func TestReplyToPython(t *testing.T) {
	v := replyToPython(resp.Array(resp.Int(3), resp.Bulk("x"), resp.Simple("OK"), resp.Null, resp.Err("ERR nested"), resp.Array()))
	list, ok := v.([]any)
	if !ok || len(list) != 6 || list[0] != int64(3) || list[1] != "x" || list[2] != "OK" || list[3] != nil || list[4] != "ERR nested" {
		t.Fatalf("got %#v", v)
	}
	if inner, ok := list[5].([]any); !ok || len(inner) != 0 {
		t.Fatalf("empty array: %#v", list[5])
	}
}

func TestFindExecutionIsLenient(t *testing.T) {
	e := &Engine{executions: map[string]*Execution{}}
	x := &Execution{id: shardID + "-7"}
	e.executions[x.id] = x
	for _, id := range []string{shardID + "-7", shardID + "-07", shardID + "-7x"} {
		if e.findExecution(id) != x {
			t.Errorf("%q not found", id)
		}
	}
	for _, id := range []string{"7", shardID + "7", shardID + "-8", shardID[:39] + "-7"} {
		if e.findExecution(id) != nil {
			t.Errorf("%q found", id)
		}
	}
}
