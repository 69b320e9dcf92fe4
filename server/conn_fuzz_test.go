package server

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// parseStream feeds input to a connection's parser as reads of at most
// chunk bytes (0: all at once), the way read and process do, and returns
// the commands parsed and the protocol error that ended the input, if any.
func parseStream(s *Server, input []byte, chunk int) ([][]string, error) {
	c := &conn{s: s}
	var cmds [][]string
	for len(input) > 0 {
		c.prepareRead()
		room := len(c.rbuf) - c.end
		n := len(input)
		if chunk > 0 && n > chunk {
			n = chunk
		}
		n = min(n, room)
		copy(c.rbuf[c.end:], input[:n])
		c.end += n
		input = input[n:]
		for {
			if c.start == c.end {
				break
			}
			before := c.start
			err := c.parse()
			for _, cmd := range c.cmds {
				args := make([]string, len(cmd.Args))
				for i, a := range cmd.Args {
					args[i] = string(a)
				}
				cmds = append(cmds, args)
			}
			if err != nil {
				return cmds, err
			}
			if c.start == before {
				break // incomplete: read more
			}
		}
	}
	return cmds, nil
}

// The parser never panics, and however the input is cut into reads it
// finds the same commands and the same error: what a client sends does not
// depend on how the network delivers it.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nabc\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
		"PING\r\nECHO hello\r\n\r\n   \r\nECHO \"a b\" 'c d'\nECHO \"\\x41\\n\\t\" '\\''\r\n",
		"ECHO \"unterminated\r\nPING\r\n", "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", "*x\r\n",
		"*1\r\n$-1\r\n", "*1\r\n$01\r\nx\r\n", "*1\r\n$999999999\r\n", "*2\r\n$4\r\nECHO\r\n$1\r\nab\r\n",
		"*1\r\n+PING\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\nxx",
	} {
		f.Add([]byte(seed), uint8(7))
	}
	s := &Server{}
	s.protoMaxBulkLen.Store(1 << 20)
	s.queryBufLimit.Store(1 << 30)
	f.Fuzz(func(t *testing.T, input []byte, cut uint8) {
		whole, werr := parseStream(s, input, 0)
		split, serr := parseStream(s, input, int(cut)+1)
		if fmt.Sprint(whole) != fmt.Sprint(split) || fmt.Sprint(werr) != fmt.Sprint(serr) {
			t.Fatalf("input %q:\n  at once:        %q %v\n  in reads of %d: %q %v", input, whole, werr, int(cut)+1, split, serr)
		}
		// Every argument is bytes the client sent.
		for _, cmd := range whole {
			for _, a := range cmd {
				if !bytes.Contains(input, []byte(a)) && !bytes.ContainsAny(input, "\"'\\") {
					t.Fatalf("argument %q not in the input %q", a, input)
				}
			}
		}
	})
}

// quoteArg writes a as an inline argument in double quotes, with the
// escapes Redis's sdssplitargs reads.
func quoteArg(a string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(a); i++ {
		switch ch := a[i]; {
		case ch == '"' || ch == '\\':
			b.WriteByte('\\')
			b.WriteByte(ch)
		case ch >= 0x20 && ch < 0x7f:
			b.WriteByte(ch)
		default:
			fmt.Fprintf(&b, "\\x%02x", ch)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// An inline command's arguments, quoted again and sent as a new inline
// command, parse to the same arguments: the inline splitter reads quotes
// and escapes consistently.
func FuzzInline(f *testing.F) {
	for _, seed := range []string{"ECHO hello", "ECHO \"a b\" 'c d'", "ECHO \"\\x41\\n\\t\" '\\''", "SET k \"\"", "  PING  "} {
		f.Add(seed)
	}
	s := &Server{}
	s.protoMaxBulkLen.Store(1 << 20)
	s.queryBufLimit.Store(1 << 30)
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\r\n") || strings.HasPrefix(line, "*") {
			return
		}
		first, err := parseStream(s, []byte(line+"\r\n"), 0)
		if err != nil || len(first) != 1 {
			return
		}
		quoted := make([]string, len(first[0]))
		for i, a := range first[0] {
			quoted[i] = quoteArg(a)
		}
		again, err := parseStream(s, []byte(strings.Join(quoted, " ")+"\r\n"), 0)
		if err != nil || len(again) != 1 || fmt.Sprint(again[0]) != fmt.Sprint(first[0]) {
			t.Fatalf("%q parsed to %q; quoted again %q, it parses to %q (%v)", line, first[0], quoted, again, err)
		}
	})
}
