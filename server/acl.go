package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/gearsd/gearsd/acl"
	"github.com/gearsd/gearsd/resp"
)

// The ACL's side in the server: the catalog built from the command table
// (Redis 7.0's categories for the commands Redis has, gears and scripting
// for the RG.* commands), the keys and channels a command names, and the
// check call makes before a command runs.

// buildCatalog gives every command of the table its acl.Command.
func buildCatalog(cmds map[string]*command) *acl.Catalog {
	var top []*acl.Command
	for _, cmd := range cmds {
		ac := &acl.Command{Name: cmd.name, Categories: categoriesOf(cmd)}
		cmd.acl = ac
		for _, sub := range cmd.subs {
			sc := &acl.Command{Name: sub.name, Categories: categoriesOf(sub)}
			sub.acl = sc
			ac.Subs = append(ac.Subs, sc)
		}
		top = append(top, ac)
	}
	return acl.NewCatalog(top)
}

// categoriesOf: Redis's categories for a command Redis has; for a module's
// command (RG.*), gears and scripting, with slow; otherwise derived from the
// flags.
func categoriesOf(cmd *command) []string {
	if cats, ok := redisCategories[cmd.name]; ok {
		return cats
	}
	if cmd.module != nil {
		return []string{"slow", "scripting", "gears"}
	}
	var cats []string
	switch {
	case cmd.hasFlag("write"):
		cats = append(cats, "write")
	case cmd.hasFlag("readonly"):
		cats = append(cats, "read")
	}
	if cmd.hasFlag("admin") {
		cats = append(cats, "admin", "dangerous")
	}
	if cmd.hasFlag("fast") {
		cats = append(cats, "fast")
	} else {
		cats = append(cats, "slow")
	}
	return cats
}

// commandKeys are the keys args name, by the command's key positions or,
// for the commands whose keys move (numkeys, STREAMS), by their arguments.
func commandKeys(cmd *command, args [][]byte) []string {
	var keys []string
	add := func(from, to int) {
		for i := from; i < to && i < len(args); i++ {
			keys = append(keys, string(args[i]))
		}
	}
	numkeys := func(at int) int {
		if at >= len(args) {
			return 0
		}
		n, err := strconv.Atoi(string(args[at]))
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	switch cmd.name {
	case "sintercard", "zunion", "zinter", "zdiff", "zintercard", "lmpop", "zmpop":
		add(2, 2+numkeys(1))
		return keys
	case "blmpop", "bzmpop":
		add(3, 3+numkeys(2))
		return keys
	case "zunionstore", "zinterstore", "zdiffstore":
		add(1, 2)
		add(3, 3+numkeys(2))
		return keys
	case "xread", "xreadgroup":
		for i := 1; i < len(args); i++ {
			if strings.EqualFold(string(args[i]), "streams") {
				rest := len(args) - i - 1
				add(i+1, i+1+rest/2)
				break
			}
		}
		return keys
	}
	for _, i := range positionalKeys(cmd, args) {
		keys = append(keys, string(args[i]))
	}
	return keys
}

// positionalKeys are the indexes of args that the command's first, last
// and step key positions name (COMMAND INFO's), none when it has no keys.
func positionalKeys(cmd *command, args [][]byte) []int {
	if cmd.firstKey <= 0 {
		return nil
	}
	last := cmd.lastKey
	if last < 0 {
		last = len(args) + last
	}
	var idx []int
	for i := cmd.firstKey; i <= last && i < len(args); i += max(cmd.step, 1) {
		idx = append(idx, i)
	}
	return idx
}

// commandChannels are the channels a pub/sub command names (PSUBSCRIBE's
// patterns are checked apart).
func commandChannels(cmd *command, args [][]byte) []string {
	switch cmd.name {
	case "publish":
		return []string{string(args[1])}
	case "subscribe":
		chans := make([]string, 0, len(args)-1)
		for _, a := range args[1:] {
			chans = append(chans, string(a))
		}
		return chans
	}
	return nil
}

// checkACL is the ACL check of call: nil when c's user may run cmd on its
// keys and channels; else the NOPERM error, logged in ACL LOG.
func (s *Server) checkACL(c *client, cmd *command, args [][]byte) *acl.Denial {
	p := c.user().Perms()
	if p.Everything() {
		return nil
	}
	if p.Deleted() {
		return deletedUser
	}
	context := "toplevel"
	if c.tx != nil {
		context = "multi"
	}
	d := s.acl.Check(p, aclCommand(cmd), commandKeys(cmd, args), commandChannels(cmd, args))
	if d == nil && cmd.name == "psubscribe" {
		for _, pat := range args[1:] {
			if d = s.acl.CheckPattern(p, string(pat)); d != nil {
				break
			}
		}
	}
	if d != nil {
		s.logDenial(c, d.Reason, d.Object, c.user().Name, context)
	}
	return d
}

// aclCommand is the command whose permission a call needs: none for the
// commands a client may send before AUTH (AUTH, HELLO, QUIT, RESET), as
// Redis skips them.
func aclCommand(cmd *command) *acl.Command {
	if cmd.hasFlag("no_auth") {
		return nil
	}
	return cmd.acl
}

// guard checks, for a module, the commands code running for a client sends
// itself (execute()), against the client's user: as the rules are when
// each is sent. Unknown commands pass: the store answers them.
func (s *Server) guard(u *acl.User) acl.Guard {
	return func(argv [][]byte) error {
		p := u.Perms()
		if p.Everything() || len(argv) == 0 {
			return nil
		}
		cmd, _, ok := s.find(argv)
		if !ok {
			return nil
		}
		if d := s.acl.Check(p, aclCommand(cmd), commandKeys(cmd, argv), commandChannels(cmd, argv)); d != nil {
			s.acl.Log().Add(acl.LogEntry{Reason: d.Reason, Context: "module", Object: d.Object, Username: u.Name})
			return d
		}
		return nil
	}
}

// logDenial adds an ACL LOG entry for c.
func (s *Server) logDenial(c *client, reason, object, username, context string) {
	s.acl.Log().Add(acl.LogEntry{
		Reason: reason, Context: context, Object: object, Username: username,
		ClientInfo: strings.TrimSuffix(c.info(time.Now()), "\n"),
	})
}

// deletedUser is checkACL's answer for a client whose user was deleted:
// DELUSER closes such connections, and one whose close is still on its way
// (another event loop's) is closed at its next command, unanswered.
var deletedUser = &acl.Denial{Reason: "deleted"}

// denied is a denial's reply.
func denied(d *acl.Denial) resp.Value { return resp.Err(d.Error()) }
