package gears

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/gearsd/gearsd/acl"
	"github.com/gearsd/gearsd/fdguard"
	"github.com/gearsd/gearsd/resp"
	"github.com/gearsd/gearsd/subinterp"
)

// sessionHost answers the native calls of one interpreter's redisgears
// module. It runs on a thread running that interpreter's Python (a lane's
// worker, or a thread the session's code started), attached, so it touches
// only the store, the engine's config and the interpreter's reference
// count, never a lane.
type sessionHost struct {
	engine *Engine
	interp *subinterp.Interp
	// guard is the ACL check of the client whose RG.PYEXECUTE made the
	// session: every execute() passes it (nil: no check, as a session made
	// without one).
	guard atomic.Pointer[acl.Guard]
}

// setGuard gives the session the ACL check of the client that started it.
func (h *sessionHost) setGuard(g acl.Guard) {
	if g != nil {
		h.guard.Store(&g)
	}
}

// Execute runs a command for execute() in-process (python-api.md §7.1).
// Only data commands reach the store; a few RedisGears commands a script
// may rely on are answered here.
func (h *sessionHost) Execute(argv [][]byte) (any, string, bool) {
	if g := h.guard.Load(); g != nil {
		if err := (*g)(argv); err != nil {
			return nil, err.Error(), true
		}
	}
	var v resp.Value
	switch strings.ToLower(string(argv[0])) {
	case "rg.infocluster":
		v = resp.Bulk("no cluster mode")
	case "rg.pyexecute":
		v = resp.Err(errNotInMulti)
	default:
		handled := false
		if f := h.engine.serverCommand.Load(); f != nil {
			v, handled = (*f)(argv)
		}
		if !handled {
			v = h.engine.store.Do(argv)
		}
	}
	if v.Kind == resp.KindError {
		return nil, v.Str, true
	}
	return replyToPython(v), "", false
}

// Log writes a script's log() line (python-api.md §7.3).
func (h *sessionHost) Log(level, message string) {
	log := h.engine.log
	switch level {
	case "debug":
		log.Debug().Msg("GEARS: " + message)
	case "verbose":
		log.Debug().Msg("GEARS: " + message)
	case "warning":
		log.Warn().Msg("GEARS: " + message)
	default:
		log.Info().Msg("GEARS: " + message)
	}
}

// ConfigGet reads the extra config dictionary (python-api.md §7.4).
func (h *sessionHost) ConfigGet(key string) (string, bool) {
	return h.engine.config.extra(key)
}

// ThreadStarted and ThreadEnded count a thread the session's code started
// as an owner of its interpreter: the session lives while the thread does
// (docs/decisions.md, "Threads started by scripts").
func (h *sessionHost) ThreadStarted() bool       { return h.interp.ThreadStarted() }
func (h *sessionHost) ThreadRunning(key uintptr) { h.interp.ThreadRunning(key) }
func (h *sessionHost) ThreadEnded(key uintptr)   { h.interp.ThreadEnded(key) }

// FDProtected: fd is one of the server's (fdguard).
func (h *sessionHost) FDProtected(fd int) bool { return fdguard.Protected(fd) }

// Recovered logs a Go panic that a native call turned into a Python
// exception.
func (h *sessionHost) Recovered(where string, v any, stack []byte) {
	h.engine.log.Error().Str("panic", fmt.Sprint(v)).Str("in", where).Bytes("stack", stack).Msg("panic below a Python call")
}

// replyToPython converts a reply for Python (python-api.md §8.3): integers
// to int, bulk and status to str, null to None, arrays to lists; an error
// nested in an array becomes its text.
func replyToPython(v resp.Value) any {
	switch v.Kind {
	case resp.KindInt:
		return v.Int
	case resp.KindBulk, resp.KindSimple, resp.KindError:
		return v.Str
	case resp.KindArray:
		out := make([]any, len(v.Array))
		for i, e := range v.Array {
			out[i] = replyToPython(e)
		}
		return out
	}
	return nil
}
