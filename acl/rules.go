package acl

import (
	"errors"
	"math"
	"strings"

	"github.com/gearsd/gearsd/config"
)

// Redis 7.0's reasons for a refused ACL SETUSER modifier.
var (
	errSyntax       = errors.New("Syntax error")
	errUnknownName  = errors.New("Unknown command or category name in ACL")
	errNoSuchPass   = errors.New("The password you are trying to remove from the user does not exist")
	errBadHash      = errors.New("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")
	errKeyAfterAll  = errors.New("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")
	errChanAfterAll = errors.New("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")
	// gearsd's own: what it does not support yet.
	errNoSelectors = errors.New("selectors are not supported by gearsd yet")
	errNoRWKeys    = errors.New("read or write only key patterns (%R~, %W~) are not supported by gearsd yet")
	errNoFirstArg  = errors.New("first-argument rules (command|argument) are not supported by gearsd yet")
)

func globMatch(pattern, s string) bool { return config.GlobMatch(pattern, s, false) }

// apply applies one ACL SETUSER modifier to p.
func (a *ACL) apply(p *Perms, rule string) error {
	low := strings.ToLower(rule)
	switch low {
	case "on":
		p.Enabled = true
		return nil
	case "off":
		p.Enabled = false
		return nil
	case "nopass":
		p.NoPass, p.Passwords = true, nil
		return nil
	case "resetpass":
		p.NoPass, p.Passwords = false, nil
		return nil
	case "allkeys":
		p.AllKeys, p.Keys = true, nil
		return nil
	case "resetkeys":
		p.AllKeys, p.Keys = false, nil
		return nil
	case "allchannels":
		p.AllChans, p.Chans = true, nil
		return nil
	case "resetchannels":
		p.AllChans, p.Chans = false, nil
		return nil
	case "allcommands", "+@all":
		a.setAll(p, true)
		return nil
	case "nocommands", "-@all":
		a.setAll(p, false)
		return nil
	case "sanitize-payload", "skip-sanitize-payload":
		p.sanitize = low
		return nil
	case "clearselectors":
		return nil // there are none
	case "reset":
		for _, r := range []string{"resetpass", "resetkeys", "resetchannels", "off", "-@all", "sanitize-payload"} {
			must(a.apply(p, r))
		}
		return nil
	}
	if rule == "" {
		return errSyntax
	}
	switch rule[0] {
	case '>':
		h := hashPassword(rule[1:])
		p.NoPass = false
		if !contains(p.Passwords, h) {
			p.Passwords = append(p.Passwords, h)
		}
		return nil
	case '#':
		if !validHash(rule[1:]) {
			return errBadHash
		}
		p.NoPass = false
		if !contains(p.Passwords, rule[1:]) {
			p.Passwords = append(p.Passwords, rule[1:])
		}
		return nil
	case '<', '!':
		h := rule[1:]
		if rule[0] == '<' {
			h = hashPassword(h)
		} else if !validHash(h) {
			return errBadHash
		}
		i := index(p.Passwords, h)
		if i < 0 {
			return errNoSuchPass
		}
		p.Passwords = append(p.Passwords[:i:i], p.Passwords[i+1:]...)
		return nil
	case '~':
		if p.AllKeys {
			return errKeyAfterAll
		}
		if rule == "~*" {
			p.AllKeys, p.Keys = true, nil
		} else if !contains(p.Keys, rule[1:]) {
			p.Keys = append(p.Keys, rule[1:])
		}
		return nil
	case '%':
		return errNoRWKeys
	case '&':
		if p.AllChans {
			return errChanAfterAll
		}
		if rule == "&*" {
			p.AllChans, p.Chans = true, nil
		} else if !contains(p.Chans, rule[1:]) {
			p.Chans = append(p.Chans, rule[1:])
		}
		return nil
	case '(':
		return errNoSelectors
	case '+', '-':
		return a.applyCommandRule(p, low[1:], rule[0] == '+')
	}
	return errSyntax
}

// applyCommandRule is +name / -name: a category, a command with its
// subcommands, or one subcommand.
func (a *ACL) applyCommandRule(p *Perms, name string, allow bool) error {
	if cat, ok := strings.CutPrefix(name, "@"); ok {
		cmds, known := a.cat.CategoryCommands(cat)
		if !known {
			return errUnknownName
		}
		for _, c := range cmds {
			p.allowed[c.id] = allow
		}
		return nil
	}
	cmd := a.cat.Lookup(name)
	if cmd == nil {
		if parent, _, ok := strings.Cut(name, "|"); ok {
			if pc := a.cat.Lookup(parent); pc != nil && len(pc.Subs) == 0 {
				return errNoFirstArg
			}
		}
		return errUnknownName
	}
	setCommand(p, cmd, allow)
	return nil
}

func setCommand(p *Perms, cmd *Command, allow bool) {
	p.allowed[cmd.id] = allow
	for _, sub := range cmd.Subs {
		setCommand(p, sub, allow)
	}
}

func (a *ACL) setAll(p *Perms, allow bool) {
	for i := range p.allowed {
		p.allowed[i] = allow
	}
	p.future = allow
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// Describe is the user's rules as ACL LIST shows them and ACL SAVE writes
// them: "user NAME flags passwords keys channels commands".
func (a *ACL) Describe(u *User) string {
	p := u.Perms()
	var b strings.Builder
	b.WriteString("user ")
	b.WriteString(u.Name)
	for _, f := range p.flags() {
		b.WriteString(" ")
		b.WriteString(f)
	}
	for _, h := range p.Passwords {
		b.WriteString(" #")
		b.WriteString(h)
	}
	if k := p.keysText(); k != "" {
		b.WriteString(" ")
		b.WriteString(k)
	}
	if p.AllChans {
		b.WriteString(" &*")
	} else {
		b.WriteString(" resetchannels")
		if c := p.chansText(); c != "" {
			b.WriteString(" ")
			b.WriteString(c)
		}
	}
	b.WriteString(" ")
	b.WriteString(a.CommandRules(p))
	return b.String()
}

// flags are ACL GETUSER's flags, in Redis's order.
func (p *Perms) flags() []string {
	f := []string{"off"}
	if p.Enabled {
		f[0] = "on"
	}
	if p.NoPass {
		f = append(f, "nopass")
	}
	switch p.sanitize {
	case "skip-sanitize-payload":
		f = append(f, "skip-sanitize-payload")
	case "sanitize-payload":
		f = append(f, "sanitize-payload")
	}
	return f
}

// Flags are ACL GETUSER's flags.
func (p *Perms) Flags() []string { return p.flags() }

// KeysText is ACL GETUSER's keys: "~*", or the patterns.
func (p *Perms) KeysText() string { return p.keysText() }

func (p *Perms) keysText() string {
	if p.AllKeys {
		return "~*"
	}
	return prefixJoin("~", p.Keys)
}

// ChansText is ACL GETUSER's channels: "&*", or the patterns.
func (p *Perms) ChansText() string {
	if p.AllChans {
		return "&*"
	}
	return p.chansText()
}

func (p *Perms) chansText() string { return prefixJoin("&", p.Chans) }

func prefixJoin(prefix string, list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = prefix + s
	}
	return strings.Join(parts, " ")
}

// CommandRules describes p's commands as Redis 7.0 does: +@all or -@all,
// then the categories that fit best, each while it has more commands in
// common with the user than not, then the single commands still
// different. Redis lists those last ones in its hash table's order; gearsd
// by name.
func (a *ACL) CommandRules(p *Perms) string {
	additive := !p.future
	fake := a.newPerms()
	rules := []string{"+@all"}
	if additive {
		rules[0] = "-@all"
	} else {
		a.setAll(fake, true)
	}
	temp := p.clone()
	applied := make([]bool, len(Categories))
	for {
		best, minDiff, maxSame := -1, math.MaxInt, 0
		for j, cat := range Categories {
			if applied[j] {
				continue
			}
			on, off := 0, 0
			for _, c := range a.cat.byCat[cat] {
				if temp.allowed[c.id] {
					on++
				} else {
					off++
				}
			}
			diff, same := on, off
			if additive {
				diff, same = off, on
			}
			if same > diff && (diff < minDiff || diff == minDiff && same > maxSame) {
				best, minDiff, maxSame = j, diff, same
			}
		}
		if best < 0 {
			break
		}
		for _, c := range a.cat.byCat[Categories[best]] {
			fake.allowed[c.id] = additive
			temp.allowed[c.id] = !additive
		}
		op := "-@"
		if additive {
			op = "+@"
		}
		rules = append(rules, op+Categories[best])
		applied[best] = true
	}
	for _, c := range a.cat.all {
		if c.parent != nil {
			continue
		}
		if p.allowed[c.id] != fake.allowed[c.id] {
			rules = append(rules, sign(p.allowed[c.id])+c.Name)
			setCommand(fake, c, p.allowed[c.id])
		}
		for _, sub := range c.Subs {
			if p.allowed[sub.id] != fake.allowed[sub.id] {
				rules = append(rules, sign(p.allowed[sub.id])+sub.Name)
				fake.allowed[sub.id] = p.allowed[sub.id]
			}
		}
	}
	return strings.Join(rules, " ")
}

func sign(allow bool) string {
	if allow {
		return "+"
	}
	return "-"
}
