package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// rawExchange writes input to addr in chunks of chunk bytes (all at once
// for 0), then reads everything until the server closes or is quiet.
func rawExchange(t *testing.T, addr, input string, chunk int) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan []byte)
	go func() {
		var out bytes.Buffer
		buf := make([]byte, 64*1024)
		for {
			_ = c.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
			n, err := c.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				break
			}
		}
		done <- out.Bytes()
	}()
	in := []byte(input)
	for len(in) > 0 {
		n := len(in)
		if chunk > 0 && chunk < n {
			n = chunk
		}
		if _, err := c.Write(in[:n]); err != nil {
			break // the server closed after a protocol error
		}
		in = in[n:]
		if chunk > 0 {
			time.Sleep(time.Millisecond)
		}
	}
	return string(<-done)
}

// The connection loop parses what Redis parses and answers protocol errors
// as Redis does, whatever the input's cut into reads: compared byte for
// byte with a real redis-server.
func TestProtocolLikeRedis(t *testing.T) {
	redisAddr := startRedis(t)
	ts := startServer(t, nil)
	big := strings.Repeat("v", 100_000)
	inputs := []string{
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nabc\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
		"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n",
		"PING\r\nECHO hello\r\n\r\n   \r\nECHO \"a b\" 'c d'\nECHO \"\\x41\\n\\t\" '\\''\r\n",
		"ECHO \"unterminated\r\nPING\r\n",
		"ECHO \"a\"b\r\n",
		"*1\r\n$4\r\nPING\r\nPING\r\n*1\r\n$4\r\nPING\r\n",
		"*x\r\n",
		"*1\r\n+PING\r\n",
		"*1\r\n$-1\r\n",
		"*1\r\n$01\r\nx\r\n",
		"*1\r\n$999999999\r\n",
		"*1\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\n",
		"*2\r\n$4\r\nECHO\r\n$1\r\nab\r\n",
		"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$a\r\n",
		"*2\r\n$4\r\nECHO\r\n$100000\r\n" + big + "\r\n*1\r\n$4\r\nPING\r\n",
		"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$100000\r\n" + big + "\r\n*2\r\n$6\r\nSTRLEN\r\n$3\r\nbig\r\n",
		"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\nQUIT\r\nPING\r\n",
		// Found by FuzzParse: an empty line where a bulk count belongs
		// (it crashed the server).
		"*1\r0\r0", "*2\r\n$4\r\nECHO\r\n\r\n", "*1\r\n\n\n",
	}
	for i, in := range inputs {
		for _, chunk := range []int{0, 7} {
			if chunk > 0 && len(in) > 1000 {
				continue
			}
			want := rawExchange(t, redisAddr, in, chunk)
			got := rawExchange(t, ts.addr, in, chunk)
			if got != want {
				t.Errorf("input %d in chunks of %d:\n  gearsd: %.300q\n  redis:  %.300q", i, chunk, got, want)
			}
		}
	}
}

// A long pipeline's replies are all written, in order, however the input
// is cut.
func TestLongPipeline(t *testing.T) {
	ts := startServer(t, nil)
	var in, want strings.Builder
	for i := range 20000 {
		v := fmt.Sprint(i)
		fmt.Fprintf(&in, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", len(v), v, len(v), v, len(v), v)
		fmt.Fprintf(&want, "+OK\r\n$%d\r\n%s\r\n", len(v), v)
	}
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		data := []byte(in.String())
		for len(data) > 0 {
			n := min(len(data), 1000+len(data)%3333)
			c.Write(data[:n])
			data = data[n:]
		}
	}()
	got := make([]byte, want.Len())
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want.String() {
		t.Error("replies differ from the expected ones")
	}
}

// Arguments are never overwritten by later input: a handler may keep them.
func TestArgumentsStayValid(t *testing.T) {
	ts := startServer(t, nil)
	client, server := net.Pipe()
	defer client.Close()
	c := &conn{s: ts.Server, nc: server}
	go func() {
		for i := range 3000 {
			v := fmt.Sprintf("%06d", i)
			fmt.Fprintf(client, "*2\r\n$4\r\nECHO\r\n$6\r\n%s\r\n", v)
		}
		client.Close()
	}()
	var kept [][]byte
	for c.read() == nil {
		for {
			before := c.start
			if err := c.parse(); err != nil {
				t.Fatal(err)
			}
			for _, cmd := range c.cmds {
				kept = append(kept, cmd.Args[1])
			}
			if c.start == before {
				break
			}
		}
	}
	if len(kept) != 3000 {
		t.Fatalf("%d commands parsed, want 3000", len(kept))
	}
	for i, k := range kept {
		if want := fmt.Sprintf("%06d", i); string(k) != want {
			t.Fatalf("kept argument %d is %q, want %q", i, k, want)
		}
	}
}

// proto-max-bulk-len and client-query-buffer-limit act as Redis's: a bulk
// announced longer than the first is a protocol error; input past the second
// closes the client without a reply. Compared byte for byte with a real
// redis-server, each limit lowered on both with CONFIG SET.
func TestBulkLimitsLikeRedis(t *testing.T) {
	redisAddr := startRedis(t)
	ts := startServer(t, nil)
	set := func(addr, name, value string) {
		got := rawExchange(t, addr, fmt.Sprintf("*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n",
			len(name), name, len(value), value), 0)
		if got != "+OK\r\n" {
			t.Fatalf("%s: CONFIG SET %s %s: %q", addr, name, value, got)
		}
	}
	for _, addr := range []string{redisAddr, ts.addr} {
		set(addr, "proto-max-bulk-len", "4mb")
		set(addr, "client-query-buffer-limit", "2mb")
	}
	oneMB := strings.Repeat("x", 1<<20)
	inputs := []string{
		// Under both limits: served.
		"*2\r\n$4\r\nECHO\r\n$1048576\r\n" + oneMB + "\r\n*1\r\n$4\r\nPING\r\n",
		// One byte over the bulk limit: refused before any of it arrives.
		"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$4194305\r\n",
		// A bulk under the bulk limit whose bytes pass the query buffer
		// limit before it is complete: closed without a reply.
		"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$4000000\r\n" + strings.Repeat(oneMB, 3),
		// Under the bulk limit, but three of them in one command pass
		// the query buffer limit while the command is still incomplete.
		"*1\r\n$4\r\nPING\r\n*7\r\n$4\r\nMSET\r\n$1\r\na\r\n$1000000\r\n" + oneMB[:1000000] + "\r\n$1\r\nb\r\n$1000000\r\n" + oneMB[:1000000] + "\r\n$1\r\nc\r\n$1000000\r\n" + oneMB[:1000000],
	}
	for i, in := range inputs {
		want, wantClosed := exchangeUntilClosed(t, redisAddr, in)
		got, gotClosed := exchangeUntilClosed(t, ts.addr, in)
		t.Logf("input %d: redis replied %.60q (%d bytes), closed %v", i, want, len(want), wantClosed)
		if got != want || gotClosed != wantClosed {
			t.Errorf("input %d:\n  gearsd: %.200q (%d bytes), closed %v\n  redis:  %.200q (%d bytes), closed %v",
				i, got, len(got), gotClosed, want, len(want), wantClosed)
		}
	}
}

// exchangeUntilClosed writes input to addr and reads the replies until the
// server closes the connection (closed) or has sent nothing for a second.
func exchangeUntilClosed(t *testing.T, addr, input string) (reply string, closed bool) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go c.Write([]byte(input)) // may fail once the server closes
	var out bytes.Buffer
	buf := make([]byte, 64*1024)
	for {
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			var ne net.Error
			return out.String(), !(errors.As(err, &ne) && ne.Timeout())
		}
	}
}
