package tests

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// netns is a network namespace the test creates, joined to this one by a
// veth pair: a client inside it reaches the server from an address that is
// not loopback, and no real interface or address is touched.
type netns struct {
	name     string
	hostAddr string // the server's side, in this namespace
}

func newNetns(t *testing.T) *netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("creating a network namespace needs root (ip netns add): run the suite as root, as .ci/run does")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("ip not found: run `make deps-test` (apt-get install iproute2)")
	}
	n := rand.IntN(1 << 14)
	ns := &netns{name: fmt.Sprintf("gdtest%d", n)}
	// A /30 in 10.200.0.0 - 10.249.255.255, private and not routed here.
	base := fmt.Sprintf("10.%d.%d.", 200+n>>8%50, n&0xff&^3)
	ns.hostAddr = base + "1"
	host, peer := fmt.Sprintf("gdh%d", n), fmt.Sprintf("gdn%d", n)
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", ns.name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns.name).Run() })
	run("link", "add", host, "type", "veth", "peer", "name", peer)
	t.Cleanup(func() { exec.Command("ip", "link", "del", host).Run() })
	run("link", "set", peer, "netns", ns.name)
	run("addr", "add", ns.hostAddr+"/30", "dev", host)
	run("link", "set", host, "up")
	run("netns", "exec", ns.name, "ip", "addr", "add", base+"2/30", "dev", peer)
	run("netns", "exec", ns.name, "ip", "link", "set", peer, "up")
	return ns
}

// cli runs redis-cli inside the namespace against the host side's port and
// returns what it printed.
func (ns *netns) cli(t *testing.T, port int, args ...string) string {
	t.Helper()
	argv := append([]string{"netns", "exec", ns.name, "redis-cli", "-h", ns.hostAddr, "-p", strconv.Itoa(port)}, args...)
	out, _ := exec.Command("ip", argv...).CombinedOutput() // redis-cli exits 1 on a refused connection
	return strings.TrimSpace(string(out))
}

// Protected mode as redis-server's: with no password, a client from another
// address gets Redis's DENIED text; loopback clients, a password, or
// protected-mode no (at start or by CONFIG SET) let clients in. Each case is
// compared with a real redis-server given the same settings.
func TestProtectedModeLikeRedis(t *testing.T) {
	ns := newNetns(t)
	cases := []struct {
		name     string
		settings []string
		cli      []string
		setFirst []string // a CONFIG SET sent from loopback first
	}{
		{name: "no password", cli: []string{"PING"}},
		{name: "requirepass, no AUTH", settings: []string{"--requirepass", "sekret"}, cli: []string{"PING"}},
		{name: "requirepass and AUTH", settings: []string{"--requirepass", "sekret"}, cli: []string{"--no-auth-warning", "-a", "sekret", "PING"}},
		{name: "protected-mode no", settings: []string{"--protected-mode", "no"}, cli: []string{"PING"}},
		{name: "CONFIG SET protected-mode no", cli: []string{"PING"}, setFirst: []string{"protected-mode", "no"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			settings := append([]string{"--bind", ns.hostAddr + " 127.0.0.1"}, tc.settings...)
			redisAddr := startRedis(t, settings...)
			redisPort, _ := strconv.Atoi(redisAddr[strings.LastIndexByte(redisAddr, ':')+1:])
			gearsdSettings := append([]string{"--bind", "0.0.0.0"}, tc.settings...)
			s := startServer(t, gearsdSettings...)
			if tc.setFirst != nil {
				auth := []string{}
				if len(tc.settings) > 1 && tc.settings[0] == "--requirepass" {
					auth = []string{"-a", tc.settings[1]}
				}
				for _, port := range []int{redisPort, s.Port} {
					out, err := exec.Command("redis-cli", append(append([]string{"-p", strconv.Itoa(port)}, auth...), append([]string{"CONFIG", "SET"}, tc.setFirst...)...)...).CombinedOutput()
					if err != nil || strings.TrimSpace(string(out)) != "OK" {
						t.Fatalf("CONFIG SET on port %d: %v %s", port, err, out)
					}
				}
			}
			want := ns.cli(t, redisPort, tc.cli...)
			got := ns.cli(t, s.Port, tc.cli...)
			t.Logf("redis-server: %.80s", want)
			if got != want {
				t.Errorf("from another address:\n  redis-server: %q\n  gearsd:       %q", want, got)
			}
			// Loopback clients are always served.
			if out := redisCLI(t, s, append(tc.cli[:len(tc.cli)-1:len(tc.cli)-1], "PING")...); !strings.Contains(out, "PONG") && !strings.Contains(out, "NOAUTH") {
				t.Errorf("loopback client: %q", out)
			}
		})
	}
}
