// Package tests is gearsd's black-box suite: it starts the real binary on a
// free port with its own data directory and talks to it over a socket with
// real clients (go-redis, redis-cli, redis-py).
//
// GEARSD_BIN names the binary (the Makefile builds it); GEARSD_LANES, if
// set, is passed as --scheduler.lanes.
package tests

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary returns the gearsd binary under test, building one with the
// system's CPython when GEARSD_BIN is not set.
func binary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("GEARSD_BIN"); b != "" {
		return b
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gearsd-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "gearsd")
		cmd := exec.Command("go", "build", "-o", builtBin, "..")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		buildErr = cmd.Run()
	})
	if buildErr != nil {
		t.Fatalf("building gearsd: %v", buildErr)
	}
	return builtBin
}

// Server is one running gearsd process.
type Server struct {
	Addr string
	Port int
	Dir  string
	cmd  *exec.Cmd
	log  *logBuffer
	done chan error
}

type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// handedOut are the ports freePort has returned: the system may offer a
// port again once it is free, and a test that takes several (a TLS port
// beside a plain one, redis-server beside gearsd) binds them later.
var (
	portsMu   sync.Mutex
	handedOut = map[int]bool{}
)

// freePort returns a TCP port that was free a moment ago and that no other
// call of this test process has returned.
func freePort(t *testing.T) int {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !handedOut[port] {
			handedOut[port] = true
			return port
		}
	}
}

// startServer starts gearsd with extra command-line settings on a data
// directory of its own and stops it when the test ends.
func startServer(t *testing.T, args ...string) *Server {
	t.Helper()
	return startServerIn(t, t.TempDir(), args...)
}

// startServerIn is startServer on dir, which may outlive the process (a
// restart on the same data).
func startServerIn(t *testing.T, dir string, args ...string) *Server {
	t.Helper()
	port := freePort(t)
	s := &Server{Port: port, Addr: fmt.Sprintf("127.0.0.1:%d", port), Dir: dir, log: &logBuffer{}, done: make(chan error, 1)}
	argv := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", s.Dir, "--logformat", "json"}
	if lanes := os.Getenv("GEARSD_LANES"); lanes != "" {
		argv = append(argv, "--scheduler.lanes", lanes)
	}
	if loops := os.Getenv("GEARSD_EVENT_LOOPS"); loops != "" {
		argv = append(argv, "--event-loops", loops)
	}
	argv = append(argv, args...)
	s.cmd = exec.Command(binary(t), argv...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { s.Stop(t) })
	// With --port 0 (TLS only) there is no plain port to PING: the log says
	// when the server listens.
	plain := !slices.ContainsFunc(args, func(a string) bool { return a == "--port" }) || args[slices.Index(args, "--port")+1] != "0"
	deadline := time.Now().Add(30 * time.Second)
	for {
		if !plain {
			if strings.Contains(s.log.String(), "ready to accept connections") {
				return s
			}
		} else if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			fmt.Fprint(c, "PING\r\n")
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if line == "+PONG\r\n" || strings.HasPrefix(line, "-NOAUTH") {
				return s
			}
		}
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("gearsd exited during start-up: %v\n%s", err, s.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("gearsd did not answer PING on %s\n%s", s.Addr, s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop sends SIGTERM and waits for a clean exit.
func (s *Server) Stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("gearsd exited with %v\n%s", err, s.log)
		}
	case <-time.After(30 * time.Second):
		// SIGQUIT first: Go writes every goroutine's stack to the log.
		_ = s.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		t.Errorf("gearsd did not stop within 30s of SIGTERM\n%s", s.log)
	}
	s.done <- nil // later Stop calls return at once
}

// Alive reports whether the process is still running.
func (s *Server) Alive() bool {
	select {
	case err := <-s.done:
		s.done <- err
		return false
	default:
		return true
	}
}

// Client returns a go-redis client for the server.
func (s *Server) Client(t *testing.T) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr, ReadTimeout: 60 * time.Second, WriteTimeout: 10 * time.Second, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// Do sends a command and returns its reply or error.
func Do(c *redis.Client, args ...any) (any, error) {
	return c.Do(context.Background(), args...).Result()
}

// MustDo sends a command that must succeed.
func MustDo(t *testing.T, c *redis.Client, args ...any) any {
	t.Helper()
	v, err := Do(c, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

// Info returns the fields of an INFO section.
func Info(t *testing.T, c *redis.Client, section string) map[string]string {
	t.Helper()
	text := MustDo(t, c, "INFO", section).(string)
	fields := map[string]string{}
	for _, line := range strings.Split(text, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = v
		}
	}
	return fields
}

// GearsInt reads an integer field of INFO gears.
func GearsInt(t *testing.T, c *redis.Client, field string) int {
	t.Helper()
	v, ok := Info(t, c, "gears")[field]
	if !ok {
		t.Fatalf("INFO gears has no %s", field)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("INFO gears %s = %q", field, v)
	}
	return n
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// redisCLI runs redis-cli against addr (installed from apt by the Makefile).
func redisCLI(t *testing.T, s *Server, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatal("redis-cli not found: run `make deps-test` (apt-get install redis-tools)")
	}
	out, err := exec.Command(path, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port)}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
	}
	return string(out)
}
