// Package config holds gearsd's settings: one table (settings.go) of names,
// types, defaults and descriptions; a Config value read through typed
// getters and changed by CONFIG SET; and the loading order of the process:
// defaults, then --config FILE (YAML), then GEARSD_<NAME> environment
// variables, then --<name> <value> arguments the way redis-server takes them.
//
// It also carries the free list of RedisGears configuration pairs (the
// "gears" map), passed through untouched to the gears engine at start.
package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Type is the type of a setting's value.
type Type uint8

const (
	// String is free text.
	String Type = iota
	// Int is a base-10 integer within [Min, Max].
	Int
	// Bool is yes/no (true/false are accepted too).
	Bool
	// Duration is Go syntax (5s, 1m30s) or a plain integer of seconds.
	Duration
	// Enum is one of Values, case-insensitive, stored in lower case.
	Enum
	// Memory is a size in bytes within [Min, Max], written as Redis writes
	// one: a number with an optional unit (1k = 1000, 1kb = 1024, m, mb, g,
	// gb, case-insensitive). CONFIG GET shows it in bytes, as Redis does.
	Memory
)

func (t Type) String() string {
	switch t {
	case Int:
		return "int"
	case Bool:
		return "bool"
	case Duration:
		return "duration"
	case Enum:
		return "enum"
	case Memory:
		return "memory"
	}
	return "string"
}

// Setting describes one setting of the table.
type Setting struct {
	Name        string   // lower case; dotted for gearsd's own groups ("scheduler.lanes")
	Type        Type     // how values are parsed and checked
	Default     string   // in the canonical form CONFIG GET shows
	Runtime     bool     // CONFIG SET may change it while the server runs
	Values      []string // the allowed values of an Enum
	Min, Max    int64    // the bounds of an Int or a Memory
	Description string   // one line, for --help and config.yaml

	// check, when set, validates a String value and returns its canonical
	// form (notify-keyspace-events is normalized the way Redis does).
	check func(string) (string, error)
	// merge, when set, applies a new String value over the current one and
	// returns the result (client-output-buffer-limit changes only the
	// classes it names); check then sees the merged text.
	merge func(old, text string) (string, error)
}

// Errors returned by Set, wrapped in a *SetError. Their texts are Redis's.
var (
	// ErrUnknown: no setting has that name.
	ErrUnknown = errors.New("unknown setting")
	// ErrImmutable: the setting cannot change while the server runs.
	ErrImmutable = errors.New("can't set immutable config")
	// ErrDuplicate: one call names the same setting twice.
	ErrDuplicate = errors.New("duplicate parameter")
	// ErrInvalid: the value does not parse or is out of range.
	ErrInvalid = errors.New("invalid value")
)

// SetError says which setting a Set or SetMany call failed on and why.
// Reason is Redis's text for it ("argument couldn't be parsed into an
// integer"), which CONFIG SET puts after "CONFIG SET failed (possibly related
// to argument '<name>') - ".
type SetError struct {
	Name   string // as the caller spelled it
	Reason string
	kind   error // one of the Err* sentinels
}

func (e *SetError) Error() string {
	if e.kind == ErrUnknown {
		return fmt.Sprintf("unknown setting '%s'", e.Name)
	}
	return fmt.Sprintf("setting '%s': %s", e.Name, e.Reason)
}

// Unwrap lets callers test the kind with errors.Is(err, config.ErrImmutable).
func (e *SetError) Unwrap() error { return e.kind }

// value is a setting's current value: its canonical text and its typed form
// (string, int64, bool or time.Duration).
type value struct {
	text  string
	typed any
}

// Config is the live configuration. It is safe for concurrent use.
type Config struct {
	mu     sync.RWMutex
	values map[string]value
	gears  [][2]string
	file   string // the --config file, if any

	hookMu sync.Mutex
	hooks  map[string][]func(string)
}

// Settings returns the table of settings, in the order --help lists them.
func Settings() []Setting { return slices.Clone(table) }

// Default returns a Config holding every setting's default and no gears pairs.
func Default() *Config {
	c := &Config{values: make(map[string]value, len(table)), hooks: map[string][]func(string){}}
	for i := range table {
		s := &table[i]
		v, err := s.parse(s.Default)
		if err != nil {
			panic(fmt.Sprintf("config: default of %s: %v", s.Name, err))
		}
		c.values[s.Name] = v
	}
	return c
}

func lookup(name string) *Setting {
	name = strings.ToLower(name)
	for i := range table {
		if table[i].Name == name {
			return &table[i]
		}
	}
	return nil
}

// get returns the typed value of name, panicking on a name that is not in
// the table: the getters are called with the constants above, so a miss is
// a programming error, not a user's.
func (c *Config) get(name string) any {
	c.mu.RLock()
	v, ok := c.values[name]
	c.mu.RUnlock()
	if !ok {
		panic("config: no setting named " + name)
	}
	return v.typed
}

// String returns any setting's value as CONFIG GET shows it.
func (c *Config) String(name string) string {
	c.mu.RLock()
	v, ok := c.values[name]
	c.mu.RUnlock()
	if !ok {
		panic("config: no setting named " + name)
	}
	return v.text
}

// Int returns an Int setting.
func (c *Config) Int(name string) int { return int(c.get(name).(int64)) }

// Bytes returns a Memory setting, in bytes.
func (c *Config) Bytes(name string) int64 { return c.get(name).(int64) }

// Bool returns a Bool setting.
func (c *Config) Bool(name string) bool { return c.get(name).(bool) }

// Duration returns a Duration setting.
func (c *Config) Duration(name string) time.Duration { return c.get(name).(time.Duration) }

// Gears returns the RedisGears configuration pairs, in the order they were
// given (config file, then environment, then arguments). They are meant to be
// processed in order like RedisGears' module arguments: a later pair for the
// same key overrides an earlier one, except Plugin which repeats.
func (c *Config) Gears() [][2]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.gears)
}

// File returns the path given with --config (or as the first argument), or "".
func (c *Config) File() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.file
}

// Get returns the settings whose names match the glob pattern (Redis's
// syntax: * ? [...] and \ escapes; case-insensitive) as name/value pairs in
// table order, as CONFIG GET does. A pattern without glob characters that
// names a setting returns that name as the caller spelled it, as Redis 7 does.
func (c *Config) Get(pattern string) [][2]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !strings.ContainsAny(pattern, `*?[\`) {
		if s := lookup(pattern); s != nil {
			return [][2]string{{pattern, c.values[s.Name].text}}
		}
		return nil
	}
	var out [][2]string
	for i := range table {
		if GlobMatch(pattern, table[i].Name, true) {
			out = append(out, [2]string{table[i].Name, c.values[table[i].Name].text})
		}
	}
	return out
}

// Set changes one setting at run time, as CONFIG SET does. It refuses
// settings that are not Runtime, and values that do not parse, with a
// *SetError; on success it calls the OnChange hooks of the setting.
func (c *Config) Set(name, val string) error {
	return c.SetMany([][2]string{{name, val}})
}

// SetMany changes several settings at once, all or none, with Redis 7's
// rules: names are checked first (unknown, immutable, duplicate: the first
// failure in order wins), then values. Hooks run after every value is stored.
func (c *Config) SetMany(pairs [][2]string) error {
	settings := make([]*Setting, len(pairs))
	for i, p := range pairs {
		s := lookup(p[0])
		switch {
		case s == nil:
			return &SetError{Name: p[0], kind: ErrUnknown, Reason: ErrUnknown.Error()}
		case !s.Runtime:
			return &SetError{Name: p[0], kind: ErrImmutable, Reason: ErrImmutable.Error()}
		case slices.Contains(settings[:i], s):
			return &SetError{Name: p[0], kind: ErrDuplicate, Reason: ErrDuplicate.Error()}
		}
		settings[i] = s
	}
	vals := make([]value, len(pairs))
	for i, p := range pairs {
		v, err := c.parseOver(settings[i], p[1])
		if err != nil {
			return &SetError{Name: p[0], kind: ErrInvalid, Reason: err.Error()}
		}
		vals[i] = v
	}
	c.mu.Lock()
	for i, s := range settings {
		c.values[s.Name] = vals[i]
	}
	c.mu.Unlock()
	for i, s := range settings {
		c.notify(s.Name, vals[i].text)
	}
	return nil
}

// OnChange registers fn to be called with the new value (in its canonical
// text) each time name is changed by Set or SetMany, after the change is
// visible to the getters. Hooks run on the caller's goroutine, in the order
// they were registered; they must not call Set.
func (c *Config) OnChange(name string, fn func(value string)) {
	if lookup(name) == nil {
		panic("config: OnChange for unknown setting " + name)
	}
	c.hookMu.Lock()
	c.hooks[strings.ToLower(name)] = append(c.hooks[strings.ToLower(name)], fn)
	c.hookMu.Unlock()
}

func (c *Config) notify(name, text string) {
	c.hookMu.Lock()
	hooks := slices.Clone(c.hooks[name])
	c.hookMu.Unlock()
	for _, fn := range hooks {
		fn(text)
	}
}

// parseOver parses text as s's new value, applied over its current one
// when s has a merge.
func (c *Config) parseOver(s *Setting, text string) (value, error) {
	if s.merge != nil {
		c.mu.RLock()
		old := c.values[s.Name].text
		c.mu.RUnlock()
		merged, err := s.merge(old, text)
		if err != nil {
			return value{}, err
		}
		text = merged
	}
	return s.parse(text)
}

// setAtLoad stores a value while loading: runtime restrictions do not apply
// and no hook runs. source names where the value came from, for the error.
func (c *Config) setAtLoad(name, val, source string) error {
	s := lookup(name)
	if s == nil {
		return fmt.Errorf("%s: unknown setting '%s' (gearsd --help lists them)", source, name)
	}
	v, err := c.parseOver(s, val)
	if err != nil {
		return fmt.Errorf("%s: setting '%s': %v", source, s.Name, err)
	}
	c.mu.Lock()
	c.values[s.Name] = v
	c.mu.Unlock()
	return nil
}
