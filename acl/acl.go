// Package acl is Redis 7's access control lists: users with passwords and
// rules (commands and categories, key patterns, channel patterns), the
// rules' text as ACL SETUSER takes it and ACL LIST shows it, the checks a
// command passes before it runs, and the ACL file. It knows commands only
// through a Catalog (their full names and categories); the server builds
// one from its command table.
//
// Not supported yet, refused with a clear error: selectors ("(...)"), read
// or write only key patterns (%R~, %W~), and first-argument rules
// ("+select|0").
package acl

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Categories are Redis 7.0's ACL categories in its order (ACL CAT, and the
// order ACL LIST tries them in), then gearsd's own: gears, the RG.*
// commands, which are in scripting too.
var Categories = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting", "gears",
}

// Command is what the rules see of a command.
type Command struct {
	Name       string   // full name, lower case: "get", "config|get"
	Categories []string // without "@"
	Subs       []*Command
	id         int
	parent     *Command
}

// Catalog indexes the commands rules apply to.
type Catalog struct {
	all    []*Command // parents and subcommands, by name
	byName map[string]*Command
	byCat  map[string][]*Command
}

// NewCatalog indexes cmds (top-level commands, each with its subcommands).
func NewCatalog(cmds []*Command) *Catalog {
	c := &Catalog{byName: map[string]*Command{}, byCat: map[string][]*Command{}}
	var add func(cmd, parent *Command)
	add = func(cmd, parent *Command) {
		cmd.parent = parent
		c.all = append(c.all, cmd)
		for _, sub := range cmd.Subs {
			add(sub, cmd)
		}
	}
	for _, cmd := range cmds {
		add(cmd, nil)
	}
	sort.Slice(c.all, func(i, j int) bool { return c.all[i].Name < c.all[j].Name })
	for i, cmd := range c.all {
		cmd.id = i
		c.byName[cmd.Name] = cmd
		for _, cat := range cmd.Categories {
			c.byCat[cat] = append(c.byCat[cat], cmd)
		}
	}
	return c
}

// Lookup finds a command by full name ("config|get").
func (c *Catalog) Lookup(name string) *Command { return c.byName[strings.ToLower(name)] }

// CategoryCommands are the commands of a category, by name, and whether
// the category exists.
func (c *Catalog) CategoryCommands(cat string) ([]*Command, bool) {
	cat = strings.ToLower(cat)
	for _, known := range Categories {
		if known == cat {
			return c.byCat[cat], true
		}
	}
	return nil, false
}

// The NOPERM texts, Redis 7.0's.
const (
	msgNoPermCommand = "NOPERM this user has no permissions to run the '%s' command"
	msgNoPermKey     = "NOPERM this user has no permissions to access one of the keys used as arguments"
	msgNoPermChannel = "NOPERM this user has no permissions to access one of the channels used as arguments"
)

// Denial is why a check failed; its Reason is ACL LOG's.
type Denial struct {
	Reason string // "command", "key", "channel"
	Object string // the command's full name, the key, the channel
}

// Error is the reply text.
func (d *Denial) Error() string {
	switch d.Reason {
	case "key":
		return msgNoPermKey
	case "channel":
		return msgNoPermChannel
	}
	return strings.Replace(msgNoPermCommand, "%s", d.Object, 1)
}

// DryRunText is ACL DRYRUN's text for the denial, Redis 7.0's.
func (d *Denial) DryRunText() string {
	switch d.Reason {
	case "key":
		return "This user has no permissions to access the '" + d.Object + "' key"
	case "channel":
		return "This user has no permissions to access the '" + d.Object + "' channel"
	}
	return "This user has no permissions to run the '" + d.Object + "' command"
}

// User is one ACL user. Its rules can change while clients are logged in
// as it: they see each change from their next command. Its fields are read
// through Perms.
type User struct {
	Name  string
	perms atomic.Pointer[Perms]
}

// Perms is a user's state at one moment; never modified once published.
type Perms struct {
	Enabled    bool
	NoPass     bool
	sanitize   string   // "", "sanitize-payload" or "skip-sanitize-payload"
	Passwords  []string // SHA-256, hex, in the order added
	allowed    []bool   // by Command.id
	future     bool     // +@all: commands the catalog gains are allowed too
	AllKeys    bool
	Keys       []string // "~" patterns
	AllChans   bool
	Chans      []string // "&" patterns
	everything bool     // every command, key and channel: checks are skipped
	deleted    bool
}

// Everything: every command, key and channel is allowed; checks can be
// skipped.
func (p *Perms) Everything() bool { return p.everything }

// Perms returns the user's current state.
func (u *User) Perms() *Perms { return u.perms.Load() }

// ACL is the users and their catalog.
type ACL struct {
	cat   *Catalog
	def   *User // "default", which is never removed
	mu    sync.RWMutex
	users map[string]*User
	log   Log
}

// New makes the users of a new server: the default user, on, with no
// password and every permission, as Redis's.
func New(cat *Catalog) *ACL {
	a := &ACL{cat: cat, users: map[string]*User{}}
	a.log.max = 128
	def := &User{Name: "default"}
	p := a.newPerms()
	must(a.apply(p, "on"), a.apply(p, "nopass"), a.apply(p, "allkeys"), a.apply(p, "allchannels"), a.apply(p, "allcommands"))
	a.publish(def, p)
	a.users["default"] = def
	a.def = def
	return a
}

// Default is the default user.
func (a *ACL) Default() *User { return a.def }

func must(errs ...error) {
	if err := errors.Join(errs...); err != nil {
		panic(err)
	}
}

// Catalog returns the commands the rules apply to.
func (a *ACL) Catalog() *Catalog { return a.cat }

// Log is the ACL LOG.
func (a *ACL) Log() *Log { return &a.log }

func (a *ACL) newPerms() *Perms {
	return &Perms{allowed: make([]bool, len(a.cat.all))}
}

func (p *Perms) clone() *Perms {
	q := *p
	q.Passwords = append([]string(nil), p.Passwords...)
	q.allowed = append([]bool(nil), p.allowed...)
	q.Keys = append([]string(nil), p.Keys...)
	q.Chans = append([]string(nil), p.Chans...)
	return &q
}

func (a *ACL) publish(u *User, p *Perms) {
	p.everything = p.AllKeys && p.AllChans && p.future && !slicesContains(p.allowed, false)
	u.perms.Store(p)
}

func slicesContains(b []bool, v bool) bool {
	for _, x := range b {
		if x == v {
			return true
		}
	}
	return false
}

// User finds a user by name.
func (a *ACL) User(name string) *User {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.users[name]
}

// Users are the users' names, sorted.
func (a *ACL) Users() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	names := make([]string, 0, len(a.users))
	for n := range a.users {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SetUser creates the user if needed and applies the rules in order, all
// or none, as ACL SETUSER.
func (a *ACL) SetUser(name string, rules []string) error {
	if strings.ContainsAny(name, " \x00") {
		return errors.New("ERR Usernames can't contain spaces or null characters")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[name]
	var p *Perms
	if u == nil {
		p = a.newPerms()
	} else {
		p = u.Perms().clone()
	}
	for _, r := range rules {
		if err := a.apply(p, r); err != nil {
			return &RuleError{Rule: r, Reason: err.Error()}
		}
	}
	if u == nil {
		u = &User{Name: name}
		a.users[name] = u
	}
	a.publish(u, p)
	return nil
}

// RuleError is a refused ACL SETUSER modifier.
type RuleError struct{ Rule, Reason string }

func (e *RuleError) Error() string {
	return "ERR Error in ACL SETUSER modifier '" + e.Rule + "': " + e.Reason
}

// DelUser removes users, returning how many existed. Clients logged in as
// one see it deleted (Perms().deleted) and are to be disconnected.
func (a *ACL) DelUser(names []string) (int, error) {
	for _, n := range names {
		if n == "default" {
			return 0, errors.New("ERR The 'default' user cannot be removed")
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, name := range names {
		if u := a.users[name]; u != nil {
			p := u.Perms().clone()
			p.deleted, p.Enabled, p.everything = true, false, false
			u.perms.Store(p)
			delete(a.users, name)
			n++
		}
	}
	return n, nil
}

// Deleted reports whether the user was removed by DELUSER or ACL LOAD.
func (p *Perms) Deleted() bool { return p.deleted }

// Authenticate checks a name and password as AUTH does: the user exists,
// is on, and has no password or this one.
func (a *ACL) Authenticate(name, pass string) (*User, bool) {
	u := a.User(name)
	if u == nil {
		return nil, false
	}
	p := u.Perms()
	if !p.Enabled {
		return nil, false
	}
	if p.NoPass {
		return u, true
	}
	h := hashPassword(pass)
	for _, stored := range p.Passwords {
		if subtle.ConstantTimeCompare([]byte(stored), []byte(h)) == 1 {
			return u, true
		}
	}
	return nil, false
}

func hashPassword(pass string) string {
	sum := sha256.Sum256([]byte(pass))
	return hex.EncodeToString(sum[:])
}

// SetDefaultPassword is requirepass: the default user's only password, or
// nopass when pass is empty (Redis's "resetpass >pass" / "nopass").
func (a *ACL) SetDefaultPassword(pass string) {
	rules := []string{"nopass"}
	if pass != "" {
		rules = []string{"resetpass", ">" + pass}
	}
	must(a.SetUser("default", rules))
}

// Check reports whether p may run cmd (a subcommand's own entry for a
// container) on keys and channels. The default user, with every
// permission, costs one branch.
func (a *ACL) Check(p *Perms, cmd *Command, keys, channels []string) *Denial {
	if p.everything {
		return nil
	}
	if cmd != nil && !p.allowed[cmd.id] {
		return &Denial{Reason: "command", Object: cmd.Name}
	}
	if !p.AllKeys {
		for _, k := range keys {
			if !matchAny(p.Keys, k) {
				return &Denial{Reason: "key", Object: k}
			}
		}
	}
	if !p.AllChans {
		for _, ch := range channels {
			if !matchAny(p.Chans, ch) {
				return &Denial{Reason: "channel", Object: ch}
			}
		}
	}
	return nil
}

// CheckPattern is a PSUBSCRIBE pattern's check: Redis allows it only when
// it is one of the user's channel patterns, literally.
func (a *ACL) CheckPattern(p *Perms, pattern string) *Denial {
	if p.everything || p.AllChans {
		return nil
	}
	for _, c := range p.Chans {
		if c == pattern {
			return nil
		}
	}
	return &Denial{Reason: "channel", Object: pattern}
}

func matchAny(patterns []string, s string) bool {
	for _, pat := range patterns {
		if globMatch(pat, s) {
			return true
		}
	}
	return false
}
