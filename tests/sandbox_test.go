package tests

import (
	"strconv"
	"strings"
	"testing"
)

// The attacks a session's Python could make on the server hosting it, each
// refused by python.sandbox strict (the default) with an error that names
// the setting, while the server goes on serving another client.
func TestSandboxRefusesAttacksOnTheServer(t *testing.T) {
	s := startServer(t, "--appendonly", "yes")
	attacker := dialRaw(t, s.Addr)
	bystander := s.Client(t)
	MustDo(t, bystander, "SET", "victim:secret1", "hunter1")
	attacks := map[string]string{
		"close the server's descriptors":   "import os\nrefused = 0\nfor fd in range(0, 51):\n    try:\n        os.close(fd)\n    except PermissionError:\n        refused += 1\n    except OSError:\n        pass\nassert refused > 3, refused\nraise PermissionError('python.sandbox strict held: %d refused' % refused)",
		"SIGKILL the server":               "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
		"SIGSTOP the server":               "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)",
		"kill the process group":           "import os, signal\nos.killpg(os.getpgid(0), signal.SIGTERM)",
		"exec over the server":             "import os\nos.execv('/bin/true', ['true'])",
		"fork the server":                  "import os\nos.fork()",
		"signal a server thread":           "import signal, threading\nsignal.pthread_kill(threading.main_thread().ident, signal.SIGABRT)",
		"ctypes":                           "import ctypes\nctypes.CDLL(None).abort()",
		"other interpreters":               "import _xxsubinterpreters as i\ni.list_all()",
		"other interpreters (3.13 name)":   "import _interpreters as i\ni.list_all()",
		"other sessions' frames":           "import sys\nsys._current_frames()",
		"the password on the command line": "open('/proc/self/cmdline').read()",
		"the environment":                  "open('/proc/self/environ').read()",
		"the process's memory":             "open('/proc/%d/mem' % __import__('os').getpid(), 'rb')",
		"append to the AOF":                "open(" + pyQuote(s.Dir+"/appendonly.aof") + ", 'a').write('*1\\r\\n$8\\r\\nFLUSHALL\\r\\n')",
		"dup2 over a server descriptor":    "import os\nr, w = os.pipe()\nos.dup2(w, 3)",
		"dup the listener":                 "import os\nfor fd in range(3, 20):\n    os.dup(fd)",
		"a socket over the listener":       "import socket\nfor fd in range(3, 20):\n    socket.socket(fileno=fd).accept()",
		"fromfd on the listener":           "import socket\nfor fd in range(3, 20):\n    socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)",
		"alarm":                            "import signal\nsignal.alarm(1)",
		"chdir":                            "import os\nos.chdir('/')",
		"subprocess":                       "import subprocess\nsubprocess.run(['id'])",
		"os.system":                        "import os\nos.system('id')",
		"rlimit":                           "import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (10, 10))",
	}
	for name, code := range attacks {
		got := attacker.do(t, "RG.PYEXECUTE", code)
		if !refusedBySandbox(got) {
			t.Errorf("%s: not refused by the sandbox: %.300q", name, got)
		}
		if v, err := Do(bystander, "GET", "victim:secret1"); err != nil || v != "hunter1" {
			t.Fatalf("after %s the server no longer serves: %v %v\n%s", name, v, err, s.log)
		}
	}
	// Ordinary code still runs: threads, files of its own, json, sockets of
	// its own.
	ok := "import threading, time, json, os, socket, tempfile\n" +
		"t = threading.Thread(target=lambda: time.sleep(0.01)); t.start(); t.join()\n" +
		"d = tempfile.mkdtemp(); p = os.path.join(d, 'f')\n" +
		"with open(p, 'w') as f: f.write(json.dumps({'a': 1}))\n" +
		"fd = os.open(p, os.O_RDONLY); os.read(fd, 3); os.close(fd); os.remove(p); os.rmdir(d)\n" +
		"a, b = socket.socketpair(); a.sendall(b'x'); assert b.recv(1) == b'x'; a.close(); b.close()\n" +
		"GB('ShardsIDReader').run()"
	if got := attacker.do(t, "RG.PYEXECUTE", ok); strings.Contains(got, "sandbox") || strings.HasPrefix(got, "-") {
		t.Errorf("ordinary code refused: %q", got)
	}
	if !s.Alive() {
		t.Fatal("the server died")
	}
}

// python.allow-subprocess lets sessions start processes; python.sandbox
// trusted turns every guard off, and says so in the log.
func TestSandboxSettings(t *testing.T) {
	s := startServer(t, "--python.allow-subprocess", "yes")
	c := dialRaw(t, s.Addr)
	if got := c.do(t, "RG.PYEXECUTE", "import subprocess\nsubprocess.run(['true'], check=True)"); got != "+OK\r\n" {
		t.Errorf("subprocess with python.allow-subprocess yes: %q", got)
	}
	if got := c.do(t, "RG.PYEXECUTE", "import os\nos.fork()"); !refusedBySandbox(got) {
		t.Errorf("fork with python.allow-subprocess yes: %q", got)
	}
	tr := startServer(t, "--python.sandbox", "trusted")
	c = dialRaw(t, tr.Addr)
	if got := c.do(t, "RG.PYEXECUTE", "assert open('/proc/self/cmdline', 'rb').read()"); got != "+OK\r\n" {
		t.Errorf("reading /proc/self/cmdline in trusted mode: %q", got)
	}
	if !strings.Contains(tr.log.String(), "python.sandbox trusted") {
		t.Errorf("trusted mode not logged at start:\n%s", tr.log)
	}
}

// pyQuote is s as a Python string literal.
func pyQuote(s string) string { return strconv.Quote(s) }

// refusedBySandbox: the reply is strict mode's refusal, or CPython's own
// for an isolated interpreter (3.12+ with a GIL per interpreter refuses
// fork and exec before the audit hook sees them).
func refusedBySandbox(reply string) bool {
	return strings.Contains(reply, "python.sandbox strict") || strings.Contains(reply, "not supported for isolated subinterpreters")
}
