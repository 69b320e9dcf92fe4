package acl

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The ACL file is Redis's: one "user NAME rules..." line per user, as ACL
// LIST describes them. Empty lines are skipped; anything else is an error.

// msgLoadFailed ends ACL LOAD's error, Redis's.
const msgLoadFailed = "WARNING: ACL errors detected, no change to the previously active ACL rules was performed"

// LoadFile replaces every user with the file's, all or none, as ACL LOAD.
// A file without "default" gets Redis's default user. Users that keep
// their name keep their *User (clients logged in as them stay, with the
// new rules); the others are deleted. The error text is Redis's.
func (a *ACL) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("ERR Error loading ACLs, opening file '%s': %v", path, err)
	}
	fresh := New(a.cat)
	var errs strings.Builder
	seen := map[string]bool{}
	lines := bytes.Split(data, []byte("\n"))
	for i, raw := range lines {
		line := strings.TrimSpace(string(raw))
		if line == "" {
			continue
		}
		num := i + 1
		f := strings.Fields(line)
		if f[0] != "user" || len(f) < 2 {
			fmt.Fprintf(&errs, "%s:%d should start with user keyword followed by the username. ", path, num)
			continue
		}
		name := f[1]
		if seen[name] {
			fmt.Fprintf(&errs, "WARNING: Duplicate user '%s' found on line %d. ", name, num)
			continue
		}
		seen[name] = true
		p := fresh.newPerms()
		reported := false
		for _, rule := range f[2:] {
			if err := fresh.apply(p, rule); err != nil {
				if err == errUnknownName {
					fmt.Fprintf(&errs, "%s:%d: Error in applying operation '%s': %s. ", path, num, rule, err)
				} else if !reported {
					fmt.Fprintf(&errs, "%s:%d: %s. ", path, num, err)
					reported = true
				}
			}
		}
		if errs.Len() > 0 {
			continue
		}
		u := &User{Name: name}
		fresh.publish(u, p)
		fresh.users[name] = u
	}
	if errs.Len() > 0 {
		return fmt.Errorf("ERR %s%s", errs.String(), msgLoadFailed)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for name, old := range a.users {
		if nu := fresh.users[name]; nu != nil {
			a.publish(old, nu.Perms())
			fresh.users[name] = old
		} else {
			p := old.Perms().clone()
			p.deleted, p.Enabled, p.everything = true, false, false
			old.perms.Store(p)
		}
	}
	a.users = fresh.users
	return nil
}

// SaveFile writes every user to path, through a temporary file renamed over
// it, as ACL SAVE.
func (a *ACL) SaveFile(path string) error {
	var b bytes.Buffer
	for _, name := range a.Users() {
		if u := a.User(name); u != nil {
			b.WriteString(a.Describe(u))
			b.WriteByte('\n')
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".acl-*")
	if err != nil {
		return fmt.Errorf("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
	}
	w := bufio.NewWriter(tmp)
	_, err = w.Write(b.Bytes())
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
	}
	return nil
}
