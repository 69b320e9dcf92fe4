package server

import (
	"context"

	"github.com/gearsd/gearsd/resp"
)

// Module is how another package adds commands and an INFO section to the
// server without the server importing it: the gears engine uses cgo, and
// server/ must build with CGO_ENABLED=0. main creates the modules and passes
// them to New; after Shutdown it closes them, then the store.
type Module interface {
	// Commands lists the module's commands. It is called once, by New.
	Commands() []ModuleCommand
	// Info returns the module's INFO section: its name ("gears": INFO gears
	// shows it, and INFO, INFO all and INFO everything include it) and its
	// fields, written as name:value lines in the order given. It is called
	// on the connection's goroutine for each INFO and must not block long.
	Info() (section string, fields []InfoField)
}

// Purger is a module that keeps memory for reuse and can give it back to
// the system: MEMORY PURGE calls Purge. It must not block long.
type Purger interface {
	Purge()
}

// ModuleCommand is one command of a module.
type ModuleCommand struct {
	// Name is the command's name, in any case ("RG.PYEXECUTE").
	Name string
	// Arity follows Redis: N means exactly N arguments counting the name,
	// -N at least N. The server checks it before calling Handler.
	Arity int
	// Flags are reported by COMMAND INFO ("write", "readonly", "noscript",
	// "no_auth" (callable before AUTH), ...).
	Flags []string
	// DenyInMulti, if set, is the error text to answer when the command is
	// queued inside MULTI (RG.PYEXECUTE uses "Can not run gears inside a
	// multi exec, lua, or when blocking is not allowed").
	DenyInMulti string
	// Summary and Group are shown by COMMAND DOCS; Group defaults to "module".
	Summary, Group string
	// Handler runs the command; args[0] is the name as the client sent it.
	// It runs on the client's connection goroutine and may block (waiting
	// for Python): only that client waits, and its pipelined commands keep
	// their order. ctx is cancelled when the server starts shutting down, so
	// a waiting handler can stop waiting and answer (usually with an error).
	// args and the byte slices in it are only valid until Handler returns.
	Handler func(ctx context.Context, args [][]byte) resp.Value
}

// InfoField is one name:value line of an INFO section.
type InfoField struct{ Name, Value string }
