package store

// The differential test: one long sequence of commands, generated from a
// seed, goes to a real redis-server and to a Keyspace, and every reply must
// be equal, byte for byte and type for type.
//
// It talks RESP2 to redis-server over a raw connection rather than through
// a client library: go-redis's Do, for one, returns a simple string and a
// bulk string alike, and a null bulk and a null array alike, and those are
// differences this test must see.
//
// Environment: GEARSD_DIFF_SEED picks the seed (default 1, "random" for a
// new one each run), GEARSD_DIFF_N the number of commands (default 20000).

import (
	"bufio"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gearsd/gearsd/resp"
)

func TestDifferential(t *testing.T) {
	server := startRedis(t)
	// Active expiry would delete keys at different moments on each side,
	// and DBSIZE and SCAN TYPE none would see it: only lazy expiry here.
	if v, err := server.do([]string{"DEBUG", "SET-ACTIVE-EXPIRE", "0"}); err != nil || v.Kind == resp.KindError {
		t.Fatalf("DEBUG SET-ACTIVE-EXPIRE 0: %v %v", v, err)
	}
	ks := NewKeyspace(Options{ActiveExpireInterval: -1})
	defer ks.Close()

	seed, n := diffSeed(t, 1), diffCount(t, 20_000)
	t.Logf("seed %d, %d commands", seed, n)

	d := &differ{t: t, redis: server, ks: ks}
	d.both([]string{"FLUSHALL"})
	g := newGenerator(seed)
	var history []string
	for i := range n {
		args := g.next()
		history = append(history, fmt.Sprintf("%d: %q", i, args))
		if msg := d.compare(args); msg != "" {
			start := max(0, len(history)-15)
			t.Fatalf("seed %d, command %d: %s\nlast commands:\n%s", seed, i, msg, strings.Join(history[start:], "\n"))
		}
	}
}

// differ sends commands to both sides.
type differ struct {
	t     *testing.T
	redis *respConn
	ks    *Keyspace
}

func (d *differ) both(args []string) (fromRedis, fromStore resp.Value) {
	d.t.Helper()
	fromRedis, err := d.redis.do(args)
	if err != nil {
		d.t.Fatalf("redis-server: %q: %v", args, err)
	}
	return fromRedis, do(d.ks, args...)
}

// compare runs args on both sides and describes the difference, if any.
func (d *differ) compare(args []string) string {
	name := strings.ToLower(args[0])
	if name == "scan" || name == "hscan" || name == "sscan" || name == "zscan" {
		return d.compareScan(args)
	}
	if name == "randomkey" {
		// RANDOMKEY deletes the expired keys it happens to meet, which
		// would set the two sides apart: a full SCAN deletes them all
		// first, on both.
		d.compareScan([]string{"SCAN", "0", "COUNT", "1000"})
	}
	if name == "spop" {
		// SPOP removes different members on each side: compare the shape,
		// then delete the key on both to keep them alike.
		r, s := d.both(args)
		if len(args) > 1 {
			d.both([]string{"DEL", args[1]})
		}
		if equal(r, s) || r.Kind != resp.KindError && sameShape(r, s) {
			return ""
		}
		return fmt.Sprintf("%q:\n  redis-server: %v\n  gearsd:       %v", args, r, s)
	}
	// The encoding decides whether an answer's order is Redis's own (the
	// listpack and intset encodings keep one) or a hash table's.
	ordered := d.ordered(args)
	r, s := d.both(args)
	if norm := replyNormalizers[name]; norm != nil {
		r, s = norm(r), norm(s)
	}
	if equal(r, s) || knownDifference(name, args, s) {
		return ""
	}
	if r.Kind == s.Kind && r.Kind != resp.KindError {
		switch name {
		case "keys":
			if equal(sortedArray(r, 1), sortedArray(s, 1)) {
				return ""
			}
		case "hgetall", "hkeys", "hvals", "smembers":
			if !ordered && equal(sortedArray(r, stride(name)), sortedArray(s, stride(name))) {
				return ""
			}
		case "sinter", "sunion", "sdiff":
			if equal(sortedArray(r, 1), sortedArray(s, 1)) {
				return ""
			}
		case "randomkey":
			return "" // both answered a key
		case "hrandfield", "srandmember", "zrandmember":
			if sameShape(r, s) {
				return ""
			}
		case "ttl", "pttl", "expiretime", "pexpiretime":
			// The two sides set relative deadlines a little apart.
			slack := int64(1)
			if name[0] == 'p' {
				slack = 1500
			}
			if r.Int >= 0 && s.Int >= 0 && abs(r.Int-s.Int) <= slack {
				return ""
			}
		}
	}
	return fmt.Sprintf("%q:\n  redis-server: %v\n  gearsd:       %v", args, r, s)
}

// replyNormalizers blank out, per command name, the parts of a reply
// that differ between the two sides by nature (times, internal sizes), so
// that the rest can be compared. A family's generator file adds its own.
var replyNormalizers = map[string]func(resp.Value) resp.Value{}

// compareScan checks a SCAN-family command. Errors must be equal. Cursors
// mean different things on each side, so a valid scan from cursor 0 is
// walked to its end on each side, each following its own cursors, and the
// sets of elements compared; from another cursor only the shape is.
func (d *differ) compareScan(args []string) string {
	r, s := d.both(args)
	if r.Kind == resp.KindError || s.Kind == resp.KindError {
		if equal(r, s) {
			return ""
		}
		return fmt.Sprintf("%q:\n  redis-server: %v\n  gearsd:       %v", args, r, s)
	}
	cursorAt := 1
	if strings.ToLower(args[0]) != "scan" {
		cursorAt = 2
	}
	if c, err := parseCursor([]byte(args[cursorAt])); err != nil || c != 0 {
		if isScanReply(r) && isScanReply(s) {
			return ""
		}
		return fmt.Sprintf("%q:\n  redis-server: %v\n  gearsd:       %v", args, r, s)
	}
	walk := func(first resp.Value, do func([]string) resp.Value) ([]string, string) {
		a := slices.Clone(args)
		seen := map[string]bool{}
		v := first
		for range 100_000 {
			if !isScanReply(v) {
				return nil, v.String()
			}
			for _, e := range v.Array[1].Array {
				seen[e.Str] = true
			}
			if a[cursorAt] = v.Array[0].Str; a[cursorAt] == "0" {
				break
			}
			v = do(a)
		}
		return slices.Sorted(maps.Keys(seen)), ""
	}
	rs, rerr := walk(r, func(a []string) resp.Value {
		v, err := d.redis.do(a)
		if err != nil {
			d.t.Fatalf("redis-server: %v", err)
		}
		return v
	})
	ss, serr := walk(s, func(a []string) resp.Value { return do(d.ks, a...) })
	if rerr != serr || !slices.Equal(rs, ss) {
		return fmt.Sprintf("%q walked:\n  redis-server: %q %s\n  gearsd:       %q %s", args, rs, rerr, ss, serr)
	}
	return ""
}

func isScanReply(v resp.Value) bool {
	return v.Kind == resp.KindArray && len(v.Array) == 2 && v.Array[0].Kind == resp.KindBulk && v.Array[1].Kind == resp.KindArray
}

// ordered reports whether the key a read-all command names has an encoding
// whose order Redis keeps.
func (d *differ) ordered(args []string) bool {
	if len(args) < 2 {
		return false
	}
	db := d.ks.lock()
	defer d.ks.unlock()
	n := db.dict.find(args[1])
	if n == nil || n.obj == nil {
		return true
	}
	switch n.obj.encoding() {
	case "listpack", "intset":
		return true
	}
	return false
}

// knownDifference reports whether the reply s differs from Redis's by
// design. The keyspace has one database, so COPY ... DB n fails for any n
// but 0 where Redis, with 16, copies.
func knownDifference(name string, args []string, s resp.Value) bool {
	if name == "copy" && equal(s, errv(ErrDBIndex)) {
		for i, a := range args {
			if strings.EqualFold(a, "db") && i+1 < len(args) {
				if n, err := strconv.Atoi(args[i+1]); err == nil && n > 0 && n < 16 {
					return true
				}
			}
		}
	}
	return false
}

// sameShape reports whether two replies have the same kinds throughout,
// and the same lengths: what random answers can be compared by.
func sameShape(a, b resp.Value) bool {
	if a.Kind != b.Kind || len(a.Array) != len(b.Array) {
		return false
	}
	for i := range a.Array {
		if !sameShape(a.Array[i], b.Array[i]) {
			return false
		}
	}
	return true
}

// stride is how many elements make one entry of a read-all reply.
func stride(name string) int {
	if name == "hgetall" {
		return 2
	}
	return 1
}

// sortedArray sorts an array reply by entries of size elements each.
func sortedArray(v resp.Value, size int) resp.Value {
	if v.Kind != resp.KindArray || len(v.Array)%size != 0 {
		return v
	}
	entries := make([][]resp.Value, 0, len(v.Array)/size)
	for i := 0; i < len(v.Array); i += size {
		entries = append(entries, v.Array[i:i+size])
	}
	slices.SortFunc(entries, func(a, b []resp.Value) int { return strings.Compare(a[0].Str, b[0].Str) })
	out := make([]resp.Value, 0, len(v.Array))
	for _, e := range entries {
		out = append(out, e...)
	}
	return resp.Array(out...)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// startRedis starts a redis-server on a free port for the test, or skips
// the test when there is none on PATH.
func startRedis(t *testing.T) *respConn {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH: the differential test needs it (apt-get install redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", t.TempDir(), "--logfile", "", "--enable-debug-command", "yes")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			rc := &respConn{c: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn)}
			if v, err := rc.do([]string{"PING"}); err == nil && v.Str == "PONG" {
				t.Cleanup(func() { conn.Close() })
				return rc
			}
			conn.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on port %s did not answer: %v", port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// respConn is a minimal RESP2 client.
type respConn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

func (rc *respConn) do(args []string) (resp.Value, error) {
	rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(rc.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(rc.w, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := rc.w.Flush(); err != nil {
		return resp.Value{}, err
	}
	return rc.read()
}

func (rc *respConn) read() (resp.Value, error) { return resp.Read(rc.r) }

// diffSeed is GEARSD_DIFF_SEED: a number, "random" for a new seed each run,
// or def when unset.
func diffSeed(t *testing.T, def uint64) uint64 {
	switch s := os.Getenv("GEARSD_DIFF_SEED"); s {
	case "":
		return def
	case "random":
		return rand.Uint64()
	default:
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("GEARSD_DIFF_SEED=%q: %v", s, err)
		}
		return seed
	}
}

// diffCount is GEARSD_DIFF_N, the number of random commands, or def.
func diffCount(t *testing.T, def int) int {
	s := os.Getenv("GEARSD_DIFF_N")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("GEARSD_DIFF_N=%q: %v", s, err)
	}
	return n
}
