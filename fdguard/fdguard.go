// Package fdguard keeps the set of the server's own file descriptors: its
// listeners, client sockets, event loops' epoll and wake descriptors, the
// append-only file, the Go runtime's poller and the standard streams. The
// Python sandbox (gears' strict mode) asks it before letting code close,
// duplicate over, read, write or wrap a descriptor, so a script cannot
// take the server's sockets or files from it.
//
// A descriptor is protected from when its owner opens it until after its
// owner closes it (a number reused by Python in between is refused for an
// instant, never the reverse).
package fdguard

import (
	"os"
	"strconv"
	"strings"
	"sync"
)

// fds counts, per descriptor number, the owners that hold it: a number
// closed by one owner and reused by another at once is protected by both
// for an instant, and stays protected when the first releases it.
var (
	mu  sync.RWMutex
	fds = map[int]int{}
)

// Protect adds fd to the server's descriptors.
func Protect(fd int) {
	if fd < 0 {
		return
	}
	mu.Lock()
	fds[fd]++
	mu.Unlock()
}

// Release removes one hold on fd, once its owner has closed it.
func Release(fd int) {
	mu.Lock()
	if n := fds[fd]; n > 1 {
		fds[fd] = n - 1
	} else {
		delete(fds, fd)
	}
	mu.Unlock()
}

// Protected reports whether fd is one of the server's.
func Protected(fd int) bool {
	mu.RLock()
	n := fds[fd]
	mu.RUnlock()
	return n > 0
}

// ProtectAllOpen protects the descriptors the process has open now: the
// standard streams, sockets (the listeners), pipes and anonymous inodes (the
// Go runtime's poller, event loops), files the runtime keeps open (cgroup
// limits, /dev/null). The server calls it once its listeners exist and
// before it accepts anyone. Python module files are left out: interpreters
// being built at that moment read them, and a number they hold for an
// instant must not stay protected.
func ProtectAllOpen() {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return // not Linux: the dynamic registrations still hold
	}
	mu.Lock()
	defer mu.Unlock()
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fds[fd] != 0 {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil || (fd > 2 && isModuleFile(target)) {
			continue // gone, or a module being imported
		}
		fds[fd] = 1 // held for the life of the process
	}
}

// Count is how many descriptors are protected (INFO, tests).
func Count() int {
	mu.RLock()
	defer mu.RUnlock()
	return len(fds)
}

// isModuleFile: a path Python reads modules from.
func isModuleFile(path string) bool {
	for _, ext := range []string{".py", ".pyc", ".so", ".pth", ".zip", ".egg"} {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return strings.Contains(path, "/__pycache__/") || strings.Contains(path, "/python3")
}
