package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gearsd.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadLayers(t *testing.T) {
	file := writeFile(t, `
port: 7000
bind: 0.0.0.0
maxclients: 10
scheduler:
  lanes: 2
  queue-timeout: 3
python.pool-size: 8
gears:
  MaxExecutions: 10
  Plugin: [a.so, b.so]
  myKey: "some value"
`)
	env := []string{
		"HOME=/root",
		"GEARSD_PORT=7001",
		"GEARSD_SCHEDULER_LANES=3",
		"GEARSD_PYTHON_EXECUTION_TIMEOUT=2m",
		"GEARSD_GEARS=ProfileExecutions 1",
		"GEARSD_SOMETHING_ELSE=ignored",
	}
	args := []string{"--config", file, "--port", "7002", "--appendonly", "yes",
		"--gears.MaxExecutions", "20", "--loglevel=warning", "--python.gil", "OWN"}
	c, err := Load(args, env)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name, want string) {
		t.Helper()
		if got := c.String(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check(Port, "7002")                 // args over env over file
	check(Bind, "0.0.0.0")              // file
	check(MaxClients, "10")             // file
	check(SchedulerLanes, "3")          // env over file
	check(SchedulerQueueTimeout, "3s")  // file, nested, integer seconds
	check(PythonPoolSize, "8")          // file, dotted key
	check(PythonExecutionTimeout, "2m") // env
	check(AppendOnly, "yes")            // args
	check(LogLevel, "warning")          // --name=value
	check(PythonGIL, "own")             // enum, any case
	check(Timeout, "0")                 // default
	if c.File() != file {
		t.Errorf("File() = %q", c.File())
	}
	want := [][2]string{{"MaxExecutions", "10"}, {"Plugin", "a.so"}, {"Plugin", "b.so"},
		{"myKey", "some value"}, {"ProfileExecutions", "1"}, {"MaxExecutions", "20"}}
	if got := c.Gears(); !equalPairs(got, want) {
		t.Errorf("gears = %v, want %v", got, want)
	}
}

func equalPairs(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLoadRedisServerForms(t *testing.T) {
	file := writeFile(t, "port: 7100\n")
	// redis-server /path/redis.conf --port 6380: the first argument may be the file.
	c, err := Load([]string{file, "--timeout", "30"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Int(Port) != 7100 || c.Int(Timeout) != 30 {
		t.Errorf("port %d timeout %d", c.Int(Port), c.Int(Timeout))
	}
	// A bool given last, or followed by another option, means yes.
	c, err = Load([]string{"--appendonly", "--port", "1"}, nil)
	if err != nil || !c.Bool(AppendOnly) || c.Int(Port) != 1 {
		t.Errorf("bool without value: %v %v", err, c)
	}
	// Upper-case option names work, as in redis-server.
	c, err = Load([]string{"--PORT", "6390"}, nil)
	if err != nil || c.Int(Port) != 6390 {
		t.Errorf("upper case: %v", err)
	}
	// Runtime restrictions do not apply at load.
	c, err = Load([]string{"--databases", "1", "--bind", "::1"}, nil)
	if err != nil || c.String(Bind) != "::1" {
		t.Errorf("non-runtime at load: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	bad := writeFile(t, "nope: 1\n")
	list := writeFile(t, "port: [1, 2]\n")
	badGears := writeFile(t, "gears: [1, 2]\n")
	syntax := writeFile(t, "port: : :\n")
	cases := []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--nope", "1"}, nil, "argument --nope: unknown setting"},
		{[]string{"--port"}, nil, "argument --port: missing value"},
		{[]string{"--port", "x"}, nil, "argument --port: setting 'port': argument couldn't be parsed into an integer"},
		{[]string{"--port", "1", "stray"}, nil, `argument "stray"`},
		{[]string{"--config", bad}, nil, ":1: unknown setting 'nope'"},
		{[]string{"--config", list}, nil, "takes one value, not a list"},
		{[]string{"--config", badGears}, nil, "gears must be a mapping"},
		{[]string{"--config", syntax}, nil, syntax},
		{[]string{"--config", "/does/not/exist.yaml"}, nil, "no such file"},
		{nil, []string{"GEARSD_MAXCLIENTS=lots"}, "environment GEARSD_MAXCLIENTS: setting 'maxclients'"},
		{nil, []string{"GEARSD_GEARS=odd"}, "expected <key> <value> pairs"},
	}
	for _, tc := range cases {
		_, err := Load(tc.args, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%v, %v) = %v, want an error containing %q", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestLoadHelpAndVersion(t *testing.T) {
	for _, a := range []string{"-h", "--help"} {
		if _, err := Load([]string{"--port", "1", a}, nil); !errors.Is(err, ErrHelp) {
			t.Errorf("%s: %v", a, err)
		}
	}
	for _, a := range []string{"-v", "--version"} {
		if _, err := Load([]string{a}, nil); !errors.Is(err, ErrVersion) {
			t.Errorf("%s: %v", a, err)
		}
	}
	var b bytes.Buffer
	Usage(&b, "gearsd")
	for _, s := range table {
		if !strings.Contains(b.String(), s.Name) {
			t.Errorf("usage does not list %s", s.Name)
		}
	}
}

func TestEnvName(t *testing.T) {
	if got := EnvName("scheduler.queue-timeout"); got != "GEARSD_SCHEDULER_QUEUE_TIMEOUT" {
		t.Error(got)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"5": 5 * time.Second, "0": 0, "1m30s": 90 * time.Second, " 2h ": 2 * time.Hour, "10ms": 10 * time.Millisecond,
	} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "x", "-1", "-1s", "99999999999999999"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
	for d, want := range map[time.Duration]string{
		0: "0", time.Second: "1s", 90 * time.Second: "90s", time.Hour: "1h", 1500 * time.Microsecond: "1.5ms",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

var update = flag.Bool("update", false, "rewrite ../config.yaml from the table")

// config.yaml at the repository root is rendered from the table; this test
// keeps the two from drifting and checks the file loads back to the defaults.
func TestConfigYAMLUpToDate(t *testing.T) {
	var b bytes.Buffer
	if err := WriteYAML(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "config.yaml")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	onDisk, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, b.Bytes()) {
		t.Fatalf("config.yaml is stale: run go test ./config -run TestConfigYAMLUpToDate -update")
	}
	c, err := Load([]string{"--config", path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	for _, s := range table {
		if c.String(s.Name) != def.String(s.Name) {
			t.Errorf("config.yaml sets %s to %q, default is %q", s.Name, c.String(s.Name), def.String(s.Name))
		}
		if !strings.Contains(b.String(), s.Description) {
			t.Errorf("config.yaml lacks the description of %s", s.Name)
		}
	}
	if len(c.Gears()) != 0 {
		t.Errorf("config.yaml gears = %v", c.Gears())
	}
}
