package config

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	c := Default()
	if got := c.String(Bind); got != "127.0.0.1" {
		t.Errorf("bind = %q", got)
	}
	if got := c.Int(Port); got != 6379 {
		t.Errorf("port = %d", got)
	}
	if got := c.Int(MaxClients); got != 10000 {
		t.Errorf("maxclients = %d", got)
	}
	if c.Bool(AppendOnly) {
		t.Error("appendonly should default to no")
	}
	if !c.Bool(PythonAttemptTraceback) {
		t.Error("python.attempt-traceback should default to yes")
	}
	if got := c.Duration(SchedulerQueueTimeout); got != 5*time.Second {
		t.Errorf("scheduler.queue-timeout = %v", got)
	}
	if got := c.Duration(PythonPoolIdleTimeout); got != 5*time.Minute {
		t.Errorf("python.pool-idle-timeout = %v", got)
	}
	if got := c.String(PythonPoolIdleTimeout); got != "5m" {
		t.Errorf("python.pool-idle-timeout text = %q", got)
	}
	if got := c.String(LogLevel); got != "notice" {
		t.Errorf("loglevel = %q", got)
	}
	if len(c.Gears()) != 0 {
		t.Errorf("gears = %v", c.Gears())
	}
}

func TestGetterPanicsOnUnknownName(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	Default().Int("no-such-setting")
}

func TestSetErrors(t *testing.T) {
	cases := []struct {
		name, value string
		kind        error
		reason      string
	}{
		{"nope", "1", ErrUnknown, ""},
		{"port", "1", ErrImmutable, "can't set immutable config"},
		{"maxclients", "x", ErrInvalid, "argument couldn't be parsed into an integer"},
		{"maxclients", "0", ErrInvalid, "argument must be between 1 and 4294967295 inclusive"},
		{"loglevel", "loud", ErrInvalid, "argument(s) must be one of the following: debug, verbose, notice, warning"},
		{"python.attempt-traceback", "maybe", ErrInvalid, "argument must be 'yes' or 'no'"},
		{"python.execution-timeout", "soon", ErrInvalid, reasonDuration},
		{"python.execution-timeout", "-5s", ErrInvalid, reasonNegative},
		{"notify-keyspace-events", "Q", ErrInvalid, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{"save", "900 1", ErrInvalid, reasonSave},
		{"proto-max-bulk-len", "abc", ErrInvalid, "argument must be a memory value"},
		{"proto-max-bulk-len", "-1", ErrInvalid, "argument must be a memory value"},
		{"proto-max-bulk-len", "1.5mb", ErrInvalid, "argument must be a memory value"},
		{"proto-max-bulk-len", "99999999999gb", ErrInvalid, "argument must be a memory value"},
		{"client-query-buffer-limit", "1kb", ErrInvalid, "argument must be between 1048576 and 9223372036854775807 inclusive"},
		{"busy-poll-us", "1001", ErrImmutable, ""},
	}
	c := Default()
	for _, tc := range cases {
		err := c.Set(tc.name, tc.value)
		var se *SetError
		if !errors.As(err, &se) || !errors.Is(err, tc.kind) {
			t.Errorf("Set(%s, %s) = %v, want kind %v", tc.name, tc.value, err, tc.kind)
			continue
		}
		if tc.reason != "" && se.Reason != tc.reason {
			t.Errorf("Set(%s, %s) reason = %q, want %q", tc.name, tc.value, se.Reason, tc.reason)
		}
		if se.Name != tc.name {
			t.Errorf("SetError.Name = %q", se.Name)
		}
	}
}

func TestSetCanonicalValues(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ name, in, out string }{
		{"loglevel", "WARNING", "warning"},
		{"python.attempt-traceback", "false", "no"},
		{"python.attempt-traceback", "YES", "yes"},
		{"python.execution-timeout", "90", "90s"},
		{"proto-max-bulk-len", "2mb", "2097152"},
		{"proto-max-bulk-len", "2MB", "2097152"},
		{"proto-max-bulk-len", "1G", "1000000000"},
		{"proto-max-bulk-len", "1gb", "1073741824"},
		{"client-query-buffer-limit", "1048576", "1048576"},
		{"client-query-buffer-limit", "2000k", "2000000"},
		{"client-query-buffer-limit", "1024kb", "1048576"},
		{"client-query-buffer-limit", "3000000b", "3000000"},
		{"python.execution-timeout", "120", "2m"},
		{"python.execution-timeout", "1m30s", "90s"},
		{"python.execution-timeout", "0", "0"},
		{"scheduler.queue-timeout", "250ms", "250ms"},
		{"notify-keyspace-events", "KEA", "AKE"},
		{"notify-keyspace-events", "Elshzxetmd$g", "AEm"},
		{"notify-keyspace-events", "Kgx$", "g$xK"},
		{"notify-keyspace-events", "", ""},
		{"TIMEOUT", "5", "5"},
		{"save", " ", ""},
	} {
		if err := c.Set(tc.name, tc.in); err != nil {
			t.Errorf("Set(%s, %q): %v", tc.name, tc.in, err)
			continue
		}
		if got := c.String(strings.ToLower(tc.name)); got != tc.out {
			t.Errorf("after Set(%s, %q): %q, want %q", tc.name, tc.in, got, tc.out)
		}
	}
	if c.Duration(SchedulerQueueTimeout) != 250*time.Millisecond {
		t.Error("typed duration not updated")
	}
	if c.Int(Timeout) != 5 {
		t.Error("typed int not updated")
	}
}

func TestSetManyIsAllOrNothing(t *testing.T) {
	c := Default()
	err := c.SetMany([][2]string{{"timeout", "7"}, {"maxclients", "x"}})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
	if c.Int(Timeout) != 0 {
		t.Error("timeout changed although the call failed")
	}
	// Redis checks names (unknown, immutable, duplicate) before values, the
	// first failure in order winning.
	err = c.SetMany([][2]string{{"maxclients", "0"}, {"foo", "1"}})
	if !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown name should win over a bad value: %v", err)
	}
	err = c.SetMany([][2]string{{"port", "1"}, {"foo", "1"}})
	if !errors.Is(err, ErrImmutable) {
		t.Errorf("first name failure should win: %v", err)
	}
	err = c.SetMany([][2]string{{"timeout", "1"}, {"Timeout", "2"}})
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	if err := c.SetMany([][2]string{{"timeout", "3"}, {"maxclients", "5"}}); err != nil {
		t.Fatal(err)
	}
	if c.Int(Timeout) != 3 || c.Int(MaxClients) != 5 {
		t.Error("values not stored")
	}
}

func TestOnChange(t *testing.T) {
	c := Default()
	var got []string
	c.OnChange(LogLevel, func(v string) {
		// Hooks run after the change is visible to getters.
		got = append(got, v+"/"+c.String(LogLevel))
	})
	c.OnChange(LogLevel, func(v string) { got = append(got, "second") })
	if err := c.Set("LogLevel", "Debug"); err != nil {
		t.Fatal(err)
	}
	_ = c.Set("loglevel", "nope")
	if strings.Join(got, ",") != "debug/debug,second" {
		t.Errorf("hooks saw %v", got)
	}
}

func TestGet(t *testing.T) {
	c := Default()
	names := func(pairs [][2]string) string {
		var s []string
		for _, p := range pairs {
			s = append(s, p[0]+"="+p[1])
		}
		return strings.Join(s, " ")
	}
	if got := names(c.Get("maxclients")); got != "maxclients=10000" {
		t.Errorf("exact: %s", got)
	}
	// Redis 7 echoes a plain name as typed.
	if got := names(c.Get("MaxClients")); got != "MaxClients=10000" {
		t.Errorf("exact, other case: %s", got)
	}
	if got := names(c.Get("scheduler.*")); got != "scheduler.lanes=0 scheduler.spare-threads=16 scheduler.handoff-after=2ms scheduler.timeslice=50ms scheduler.queue-timeout=5s" {
		t.Errorf("glob: %s", got)
	}
	if got := names(c.Get("APPEND*")); got != "appendonly=no appendfsync=everysec appendfilename=appendonly.aof" {
		t.Errorf("glob, case-insensitive: %s", got)
	}
	if got := c.Get("nope"); got != nil {
		t.Errorf("unknown: %v", got)
	}
	if got := len(c.Get("*")); got != len(table) {
		t.Errorf("* matched %d of %d", got, len(table))
	}
}

func TestConcurrentUse(t *testing.T) {
	c := Default()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				_ = c.Set(Timeout, "1")
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				_ = c.Int(Timeout)
				_ = c.Get("*")
			}
		}()
	}
	wg.Wait()
}

func TestEveryDefaultParses(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range table {
		if seen[s.Name] {
			t.Errorf("%s listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Name != strings.ToLower(s.Name) {
			t.Errorf("%s is not lower case", s.Name)
		}
		if s.Description == "" {
			t.Errorf("%s has no description", s.Name)
		}
		v, err := s.parse(s.Default)
		if err != nil {
			t.Errorf("%s: default %q: %v", s.Name, s.Default, err)
		} else if v.text != s.Default {
			t.Errorf("%s: default %q is not canonical (%q)", s.Name, s.Default, v.text)
		}
	}
}

// client-output-buffer-limit changes only the classes it names, at load as
// with CONFIG SET, and its getter reads the result.
func TestOutputLimitsMerge(t *testing.T) {
	c, err := Load([]string{"--client-output-buffer-limit", "pubsub 64mb 16mb 30"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 30"
	if got := c.String(ClientOutputBufferLimit); got != want {
		t.Errorf("after load: %q, want %q", got, want)
	}
	if err := c.Set(ClientOutputBufferLimit, "NORMAL 1mb 512kb 10"); err != nil {
		t.Fatal(err)
	}
	l := c.OutputLimits()
	if l.Normal != (OutputLimit{1 << 20, 512 << 10, 10}) || l.Pubsub != (OutputLimit{64 << 20, 16 << 20, 30}) {
		t.Errorf("after CONFIG SET: %+v", l)
	}
	if err := c.Set(ClientOutputBufferLimit, "normal 1 2"); err == nil {
		t.Error("three words accepted")
	}
	if got := c.OutputLimits().Normal; got != (OutputLimit{1 << 20, 512 << 10, 10}) {
		t.Errorf("a refused value changed it: %+v", got)
	}
}
