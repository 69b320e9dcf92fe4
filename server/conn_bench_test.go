package server

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/store"
	"github.com/rs/zerolog"
)

// feedConn is a net.Conn that reads the same pipeline n times, then EOF,
// and discards what is written.
type feedConn struct {
	batch []byte
	n     int
}

func (f *feedConn) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, io.EOF
	}
	f.n--
	return copy(p, f.batch), nil
}
func (f *feedConn) Write(p []byte) (int, error)      { return len(p), nil }
func (f *feedConn) Close() error                     { return nil }
func (f *feedConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (f *feedConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (f *feedConn) SetDeadline(time.Time) error      { return nil }
func (f *feedConn) SetReadDeadline(time.Time) error  { return nil }
func (f *feedConn) SetWriteDeadline(time.Time) error { return nil }

// benchPipeline runs the connection loop over b.N commands sent 16 at a
// time, as redis-benchmark -P 16 sends them: the server's cost per command
// without the network's.
func benchPipeline(b *testing.B, cmd ...string) {
	cfg, err := config.Load([]string{"--port", "0"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ks := store.NewKeyspace(store.Options{})
	defer ks.Close()
	s := New(cfg, ks, zerolog.Nop())
	var one strings.Builder
	fmt.Fprintf(&one, "*%d\r\n", len(cmd))
	for _, a := range cmd {
		fmt.Fprintf(&one, "$%d\r\n%s\r\n", len(a), a)
	}
	batch := []byte(strings.Repeat(one.String(), 16))
	fc := &feedConn{batch: batch, n: b.N / 16}
	c := &conn{s: s, nc: fc, addr: "bench"}
	if !s.accept(c) {
		b.Fatal("not accepted")
	}
	b.ReportAllocs()
	b.ResetTimer()
	c.serve()
}

func BenchmarkPipelineSet(b *testing.B) { benchPipeline(b, "SET", "key:__rand_int__", "xxx") }
func BenchmarkPipelineGet(b *testing.B) { benchPipeline(b, "GET", "key:__rand_int__") }
