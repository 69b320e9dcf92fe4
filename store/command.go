package store

import (
	"slices"
	"strings"

	"github.com/gearsd/gearsd/resp"
)

// handler runs one command whose arity is already checked; argv[0] is the
// name as the client sent it. It parses its options before taking the
// keyspace's lock and does its work inside one lock section. A non-nil
// error is the reply: its text goes on the wire as it is.
type handler func(ks *Keyspace, argv [][]byte) (resp.Value, error)

// cmd is one row of a family's registration table, in the order of Redis's
// COMMAND INFO: name, arity (N exact, -N at least N, the name included),
// flags, first key, last key (-1: to the end), key step, and the handler.
type cmd struct {
	name              string
	arity             int
	flags             string
	first, last, step int
	run               handler
}

// command is a registered command.
type command struct {
	spec     CommandSpec
	run      handler
	arityErr Error
	// logged: the append-only file records the command (aof_dispatch.go).
	logged bool
	// readonly: a miss of its key lookups is a keymiss event (notify.go).
	readonly bool
	// reads: its key lookups count as keyspace hits and misses (stats.go).
	reads bool
}

var (
	// commandsByName holds every command under its lower-case name and,
	// since clients mostly send one of the two, its upper-case name.
	commandsByName = map[string]*command{}
	commandList    []*command
)

// longestName bounds the names lookupCommand lower-cases on the stack.
const longestName = 32

// register adds a family's commands; each cmd_*.go file calls it first.
func register(rows ...cmd) {
	for _, r := range rows {
		if len(r.name) > longestName || r.name != strings.ToLower(r.name) {
			panic("store: bad command name " + r.name)
		}
		if _, dup := commandsByName[r.name]; dup {
			panic("store: command registered twice: " + r.name)
		}
		c := &command{
			spec: CommandSpec{
				Name:     r.name,
				Arity:    r.arity,
				Flags:    strings.Fields(r.flags),
				FirstKey: r.first,
				LastKey:  r.last,
				Step:     r.step,
			},
			run:      r.run,
			arityErr: errArity(r.name),
			logged:   aofLogged(r.name, r.flags),
			readonly: slices.Contains(strings.Fields(r.flags), "readonly"),
		}
		c.reads = c.readonly || readLookups[r.name]
		commandsByName[r.name] = c
		commandsByName[strings.ToUpper(r.name)] = c
		commandList = append(commandList, c)
	}
}

// lookupCommand finds a command by its name in any case, without
// allocating.
func lookupCommand(name []byte) *command {
	if c := commandsByName[string(name)]; c != nil {
		return c
	}
	if len(name) > longestName {
		return nil
	}
	var buf [longestName]byte
	lower := buf[:len(name)]
	for i, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		lower[i] = ch
	}
	return commandsByName[string(lower)]
}

// Do runs one command. See Store.Do.
func (ks *Keyspace) Do(argv [][]byte) resp.Value {
	if len(argv) == 0 {
		return resp.Err(unknownCommand(argv))
	}
	c := lookupCommand(argv[0])
	if c == nil {
		return resp.Err(unknownCommand(argv))
	}
	if n := len(argv); (c.spec.Arity > 0 && n != c.spec.Arity) || n < -c.spec.Arity {
		return resp.Err(string(c.arityErr))
	}
	if c.logged && ks.aof != nil {
		return ks.doLogged(c, argv) // the append-only file's path: aof_dispatch.go
	}
	if c.readonly && ks.db.ev.keyMiss.Load() {
		return ks.doReadMisses(c, argv) // keymiss events: notify.go
	}
	if c.reads {
		ks = ks.readView() // its lookups count as hits and misses: stats.go
	}
	v, err := c.run(ks, argv)
	if err != nil {
		// Error texts may quote arguments; Redis keeps them on one line.
		return resp.Err(noNewlines(err.Error()))
	}
	return v
}

// Lookup reports whether name is a command this store serves.
func (ks *Keyspace) Lookup(name string) (CommandSpec, bool) {
	c := lookupCommand([]byte(name))
	if c == nil {
		return CommandSpec{}, false
	}
	return c.spec, true
}

// Commands lists every command this store serves, sorted by name.
func (ks *Keyspace) Commands() []CommandSpec {
	specs := make([]CommandSpec, len(commandList))
	for i, c := range commandList {
		specs[i] = c.spec
	}
	slices.SortFunc(specs, func(a, b CommandSpec) int { return strings.Compare(a.Name, b.Name) })
	return specs
}

// unknownCommand is Redis 7.0's reply to a command it does not know: the
// name and then the arguments, each quoted and followed by a space, until
// 128 bytes of arguments are written (the last one cut to fit), each
// printed as C's %s prints it and CR/LF turned into spaces.
func unknownCommand(argv [][]byte) string {
	var name string
	if len(argv) > 0 {
		name = cString(argv[0])
	}
	if len(name) > 128 {
		name = name[:128]
	}
	var args strings.Builder
	for i := 1; i < len(argv) && args.Len() < 128; i++ {
		a := cString(argv[i])
		if room := 128 - args.Len(); len(a) > room {
			a = a[:room]
		}
		args.WriteByte('\'')
		args.WriteString(a)
		args.WriteString("' ")
	}
	msg := "ERR unknown command '" + name + "', with args beginning with: " + args.String()
	return noNewlines(msg)
}

// noNewlines replaces CR and LF with spaces, as Redis's addReplyErrorFormat
// does, so an error that quotes an argument stays one line.
func noNewlines(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}
