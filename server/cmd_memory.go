package server

import (
	"runtime"
	"runtime/debug"

	"github.com/gearsd/gearsd/resp"
)

// MEMORY PURGE and MEMORY HELP. Redis's PURGE asks jemalloc to return its
// dirty pages to the system; gearsd's collects garbage, returns the free
// heap to the system (debug.FreeOSMemory) and asks each module that keeps
// memory for reuse to let it go (Purger), so the resident size then
// reflects what the keys and the server hold.
func init() {
	register(container("memory", "server", "A container for memory diagnostics commands.",
		&command{name: "purge", arity: 2, summary: "Asks the allocator to release memory.", run: cmdMemoryPurge},
		&command{name: "help", arity: 2, summary: "Returns helpful text about the different subcommands.", run: cmdHelp},
	))
}

func cmdMemoryPurge(s *Server, c *client, args [][]byte) resp.Value {
	runtime.GC()
	debug.FreeOSMemory()
	for _, m := range s.modules {
		if p, ok := m.(Purger); ok {
			p.Purge()
		}
	}
	return resp.OK
}
