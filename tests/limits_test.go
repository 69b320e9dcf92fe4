package tests

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Clients that announce a 512 MB bulk string and send 200 KB of it cost the
// server about what they sent, not what they announced: in heap
// (used_memory) while they are connected, and in RSS after rounds of them
// have come and gone (a buffer made for the announced size is reused, and
// touched, by the next round). The server serves others meanwhile, and the
// incomplete command never runs. Redis grows by about 2 MB for four such
// clients.
func TestAnnouncedBulkDoesNotAllocate(t *testing.T) {
	s := startServer(t)
	c := s.Client(t)
	before := s.rssMB(t, c)
	chunk := strings.Repeat("x", 200*1024)
	clients := func() int { return strings.Count(MustDo(t, c, "CLIENT", "LIST").(string), "\n") }
	for round := range 3 {
		var conns []net.Conn
		for range 4 {
			nc, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := nc.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n" + chunk)); err != nil {
				t.Fatal(err)
			}
			conns = append(conns, nc)
		}
		Eventually(t, 10*time.Second, "the four clients connected", func() bool { return clients() >= 5 })
		time.Sleep(300 * time.Millisecond) // their bytes are read by now
		used, err := strconv.ParseFloat(Info(t, c, "memory")["used_memory"], 64)
		if err != nil {
			t.Fatal(err)
		}
		if used > 64<<20 {
			t.Errorf("round %d: used_memory %.0f MB with 4 clients that sent 200 KB each", round, used/(1<<20))
		}
		if got := MustDo(t, c, "PING"); got != "PONG" {
			t.Errorf("PING = %v", got)
		}
		for _, nc := range conns {
			nc.Close()
		}
		Eventually(t, 10*time.Second, "the four clients gone", func() bool { return clients() <= 1 })
	}
	if after := s.rssMB(t, c); after-before > 16 {
		t.Errorf("RSS %.1f MB after three rounds of clients, %.1f MB before", after, before)
	}
	if got := MustDo(t, c, "EXISTS", "k"); got != int64(0) {
		t.Errorf("EXISTS k = %v: the incomplete SET ran", got)
	}
}

// client-output-buffer-limit as Redis's: a normal client whose reply passes
// the hard limit is closed without it; a subscriber that does not read is
// closed once its backlog passes the pubsub hard limit. The same steps go
// to a real redis-server.
func TestOutputBufferLimitsLikeRedis(t *testing.T) {
	redisAddr := startRedis(t)
	s := startServer(t)
	big := strings.Repeat("v", 2<<20)
	for name, addr := range map[string]string{"redis-server": redisAddr, "gearsd": s.Addr} {
		admin := dialRaw(t, addr)
		if got := admin.do(t, "CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0 pubsub 1mb 0 0"); got != "+OK\r\n" {
			t.Fatalf("%s: CONFIG SET: %q", name, got)
		}
		if got := admin.do(t, "SET", "big", big); got != "+OK\r\n" {
			t.Fatalf("%s: SET: %q", name, got)
		}
		// Under the limit: served.
		if got := admin.do(t, "GETRANGE", "big", "0", "2"); got != "$3\r\nvvv\r\n" {
			t.Errorf("%s: GETRANGE: %q", name, got)
		}
		// Over it: closed, with nothing of the reply.
		reader := dialRaw(t, addr)
		reader.send(t, "GET", "big")
		reader.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := reader.r.Read(make([]byte, 1))
		if n != 0 || err == nil {
			t.Errorf("%s: GET of 2 MB under a 1 MB limit: read %d bytes, err %v; want the connection closed", name, n, err)
		}
		// A subscriber that never reads: its backlog passes 1 MB.
		sub := dialRaw(t, addr)
		if tc, ok := sub.c.(*net.TCPConn); ok {
			tc.SetReadBuffer(4096)
		}
		sub.send(t, "SUBSCRIBE", "flood")
		sub.read(t)
		payload := strings.Repeat("x", 64<<10)
		for range 128 { // 8 MB
			admin.do(t, "PUBLISH", "flood", payload)
		}
		Eventually(t, 5*time.Second, name+": the stuck subscriber is disconnected", func() bool {
			return admin.do(t, "PUBSUB", "NUMSUB", "flood") == "*2\r\n$5\r\nflood\r\n:0\r\n"
		})
		// The server serves others all along.
		if got := admin.do(t, "PING"); got != "+PONG\r\n" {
			t.Errorf("%s: PING: %q", name, got)
		}
	}
}
