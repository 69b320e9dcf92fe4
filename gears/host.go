package gears

import (
	"strings"

	"github.com/gearsd/gearsd/resp"
)

// sessionHost answers the native calls of one interpreter's redisgears
// module. It runs on the interpreter's lane, attached, so it touches only
// the store and the engine's config, never a lane.
type sessionHost struct {
	engine *Engine
}

// Execute runs a command for execute() in-process (python-api.md §7.1).
// Only data commands reach the store; a few RedisGears commands a script
// may rely on are answered here.
func (h *sessionHost) Execute(argv [][]byte) (any, string, bool) {
	var v resp.Value
	switch strings.ToLower(string(argv[0])) {
	case "rg.infocluster":
		v = resp.Bulk("no cluster mode")
	case "rg.pyexecute":
		v = resp.Err(errNotInMulti)
	default:
		v = h.engine.store.Do(argv)
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
