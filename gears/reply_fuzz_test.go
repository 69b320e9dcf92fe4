package gears

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/resp"
	"github.com/tidwall/redcon"
)

// encodeReply writes v as the server's connection does (redcon's
// appenders, server/reply.go).
func encodeReply(b []byte, v resp.Value) []byte {
	switch v.Kind {
	case resp.KindNull:
		return redcon.AppendNull(b)
	case resp.KindSimple:
		return redcon.AppendString(b, v.Str)
	case resp.KindBulk:
		return redcon.AppendBulkString(b, v.Str)
	case resp.KindInt:
		return redcon.AppendInt(b, v.Int)
	case resp.KindError:
		return redcon.AppendError(b, v.Str)
	case resp.KindArray:
		b = redcon.AppendArray(b, len(v.Array))
		for _, e := range v.Array {
			b = encodeReply(b, e)
		}
		return b
	}
	panic("unknown kind")
}

// A record in any shape Python can hand over (the encoded buffer the C
// side writes) becomes a reply that is well-formed RESP: one value, read
// back whole, with every string's bytes (a record's "+" or "-" string
// becomes a status or an error, whose CR and LF are spaces on the wire).
func FuzzRecordReply(f *testing.F) {
	for _, v := range []any{nil, true, int64(7), 1.5, "+OK", "-ERR bad\r\nline", "plain",
		[]any{"a", []any{int64(1), "+x"}, []byte("\r\n")}} {
		buf, _ := python.Encode(nil, v)
		f.Add(buf)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, _, err := python.Decode(data)
		if err != nil {
			return
		}
		reply := resultsReply([]resp.Value{recordToReply(v)}, []string{"an error\r\nwith a newline"})
		wire := encodeReply(nil, reply)
		r := bufio.NewReader(bytes.NewReader(wire))
		back, err := resp.Read(r)
		if err != nil {
			t.Fatalf("%#v: the reply %q does not parse: %v", v, wire, err)
		}
		if r.Buffered() != 0 {
			t.Fatalf("%#v: %d bytes after the reply %q", v, r.Buffered(), wire)
		}
		if got := back.Array[1].Array[0].Str; got != "an error\r\nwith a newline" {
			t.Fatalf("an error string came back as %q", got)
		}
	})
}

// RG.PYEXECUTE's options parse to a session or to one of RedisGears' texts,
// never a panic, and a session ID given is the one kept.
func FuzzExecuteArgs(f *testing.F) {
	f.Add("code UNBLOCKING ID abc DESCRIPTION d")
	f.Add("code ID")
	f.Add("code REQUIREMENTS x")
	f.Add("code REPLACE_WITH s UPGRADE")
	f.Add("code id bad!id")
	f.Fuzz(func(t *testing.T, text string) {
		fields := strings.Fields(text)
		if len(fields) == 0 {
			return
		}
		args := [][]byte{[]byte("RG.PYEXECUTE")}
		for _, f := range fields {
			args = append(args, []byte(f))
		}
		a, errv, ok := parseExecuteArgs(args)
		if !ok {
			if errv.Kind != resp.KindError || errv.Str == "" {
				t.Fatalf("%q: refused without an error: %#v", text, errv)
			}
			return
		}
		if a.id == "" || !validSessionID(a.id) {
			t.Fatalf("%q: session ID %q", text, a.id)
		}
	})
}
