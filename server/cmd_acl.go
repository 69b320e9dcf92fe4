package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gearsd/gearsd/acl"
	"github.com/gearsd/gearsd/config"
	"github.com/gearsd/gearsd/resp"
)

// The ACL command family (Redis 7.0): users and their rules live in the acl
// package; these handlers parse, reply, and disconnect the clients of users
// that are gone.

func init() {
	admin := []string{"admin", "noscript", "loading", "stale"}
	register(container("acl", "server", "A container for Access List Control commands.",
		&command{name: "setuser", arity: -3, flags: admin, summary: "Creates and modifies an ACL user and its rules.", run: cmdACLSetUser},
		&command{name: "getuser", arity: 3, flags: admin, summary: "Lists the ACL rules of a user.", run: cmdACLGetUser},
		&command{name: "deluser", arity: -3, flags: admin, summary: "Deletes ACL users, and terminates their connections.", run: cmdACLDelUser},
		&command{name: "list", arity: 2, flags: admin, summary: "Dumps the effective rules in ACL file format.", run: cmdACLList},
		&command{name: "users", arity: 2, flags: admin, summary: "Lists all ACL users.", run: cmdACLUsers},
		&command{name: "whoami", arity: 2, flags: []string{"noscript", "loading", "stale"}, summary: "Returns the authenticated username of the current connection.", run: cmdACLWhoami},
		&command{name: "cat", arity: -2, flags: []string{"noscript", "loading", "stale"}, summary: "Lists the ACL categories, or the commands inside a category.", run: cmdACLCat},
		&command{name: "log", arity: -2, flags: admin, summary: "Lists recent security events generated due to ACL rules.", run: cmdACLLog},
		&command{name: "save", arity: 2, flags: admin, summary: "Saves the effective ACL rules in the configured ACL file.", run: cmdACLSave},
		&command{name: "load", arity: 2, flags: admin, summary: "Reloads the rules from the configured ACL file.", run: cmdACLLoad},
		&command{name: "dryrun", arity: -4, flags: admin, summary: "Simulates the execution of a command by a user, without executing the command.", run: cmdACLDryRun},
		&command{name: "genpass", arity: -2, flags: []string{"noscript", "loading", "stale"}, summary: "Generates a pseudorandom, secure password that can be used to identify ACL users.", run: cmdACLGenPass},
		&command{name: "help", arity: 2, flags: []string{"loading", "stale"}, summary: "Returns helpful text about the different subcommands.", run: cmdHelp},
	))
}

// Redis 7.0's texts of the family.
const (
	msgACLNoFile       = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."
	msgACLUnknownCat   = "ERR Unknown category '%s'"
	msgACLNoUser       = "ERR User '%s' not found"
	msgACLSubSyntax    = "ERR unknown subcommand or wrong number of arguments for '%s'. Try ACL HELP."
	msgACLGenPassRange = "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"
)

func cmdACLSetUser(s *Server, c *client, args [][]byte) resp.Value {
	rules := make([]string, len(args)-3)
	for i, a := range args[3:] {
		rules[i] = string(a)
	}
	if err := s.acl.SetUser(string(args[2]), rules); err != nil {
		return resp.Err(err.Error())
	}
	return resp.OK
}

func cmdACLGetUser(s *Server, c *client, args [][]byte) resp.Value {
	u := s.acl.User(string(args[2]))
	if u == nil {
		return resp.Null
	}
	p := u.Perms()
	flags := make([]resp.Value, 0, 3)
	for _, f := range p.Flags() {
		flags = append(flags, resp.Bulk(f))
	}
	passwords := make([]resp.Value, len(p.Passwords))
	for i, h := range p.Passwords {
		passwords[i] = resp.Bulk(h)
	}
	return resp.Array(
		resp.Bulk("flags"), resp.Array(flags...),
		resp.Bulk("passwords"), resp.Array(passwords...),
		resp.Bulk("commands"), resp.Bulk(s.acl.CommandRules(p)),
		resp.Bulk("keys"), resp.Bulk(p.KeysText()),
		resp.Bulk("channels"), resp.Bulk(p.ChansText()),
		resp.Bulk("selectors"), resp.Array(),
	)
}

func cmdACLDelUser(s *Server, c *client, args [][]byte) resp.Value {
	names := make([]string, len(args)-2)
	for i, a := range args[2:] {
		names[i] = string(a)
	}
	n, err := s.acl.DelUser(names)
	if err != nil {
		return resp.Err(err.Error())
	}
	s.disconnectDeletedUsers(c)
	return resp.Int(int64(n))
}

// disconnectDeletedUsers closes the connections of clients logged in as a
// user that no longer exists, as Redis does; self's is closed after its
// reply.
func (s *Server) disconnectDeletedUsers(self *client) {
	s.mu.Lock()
	var gone []*client
	for _, cl := range s.clients {
		if cl.user().Perms().Deleted() {
			gone = append(gone, cl)
		}
	}
	s.mu.Unlock()
	for _, cl := range gone {
		if cl == self {
			cl.quit = true // after this reply, as QUIT
			continue
		}
		if cl.ctl != nil {
			cl.ctl.abort()
		}
	}
}

func cmdACLList(s *Server, c *client, args [][]byte) resp.Value {
	var lines []resp.Value
	for _, name := range s.acl.Users() {
		if u := s.acl.User(name); u != nil {
			lines = append(lines, resp.Bulk(s.acl.Describe(u)))
		}
	}
	return resp.Array(lines...)
}

func cmdACLUsers(s *Server, c *client, args [][]byte) resp.Value {
	names := s.acl.Users()
	out := make([]resp.Value, len(names))
	for i, n := range names {
		out[i] = resp.Bulk(n)
	}
	return resp.Array(out...)
}

func cmdACLWhoami(s *Server, c *client, args [][]byte) resp.Value {
	return resp.Bulk(c.user().Name)
}

// ACL CAT [category]: the categories, or a category's commands (a
// container's subcommands by their full names, as Redis 7.0 lists them).
func cmdACLCat(s *Server, c *client, args [][]byte) resp.Value {
	if len(args) > 3 {
		return resp.Err(fmt.Sprintf(msgACLSubSyntax, args[1]))
	}
	if len(args) == 2 {
		out := make([]resp.Value, len(acl.Categories))
		for i, cat := range acl.Categories {
			out[i] = resp.Bulk(cat)
		}
		return resp.Array(out...)
	}
	cmds, ok := s.acl.Catalog().CategoryCommands(string(args[2]))
	if !ok {
		return resp.Err(fmt.Sprintf(msgACLUnknownCat, args[2]))
	}
	out := make([]resp.Value, len(cmds))
	for i, cmd := range cmds {
		out[i] = resp.Bulk(cmd.Name)
	}
	return resp.Array(out...)
}

// ACL LOG [count | RESET]
func cmdACLLog(s *Server, c *client, args [][]byte) resp.Value {
	if len(args) > 3 {
		return resp.Err(fmt.Sprintf(msgACLSubSyntax, args[1]))
	}
	n := 10
	if len(args) == 3 {
		if strings.EqualFold(string(args[2]), "reset") {
			s.acl.Log().Reset()
			return resp.OK
		}
		v, err := strconv.ParseInt(string(args[2]), 10, 64)
		if err != nil || v < 0 {
			return resp.Err(msgNotInteger)
		}
		n = int(min(v, 1<<30))
	}
	now := time.Now()
	entries := s.acl.Log().Entries(n)
	out := make([]resp.Value, len(entries))
	for i, e := range entries {
		age := now.Sub(e.Created).Seconds()
		out[i] = resp.Array(
			resp.Bulk("count"), resp.Int(int64(e.Count)),
			resp.Bulk("reason"), resp.Bulk(e.Reason),
			resp.Bulk("context"), resp.Bulk(e.Context),
			resp.Bulk("object"), resp.Bulk(e.Object),
			resp.Bulk("username"), resp.Bulk(e.Username),
			resp.Bulk("age-seconds"), resp.Bulk(strconv.FormatFloat(age, 'g', 17, 64)),
			resp.Bulk("client-info"), resp.Bulk(e.ClientInfo),
		)
	}
	return resp.Array(out...)
}

func cmdACLSave(s *Server, c *client, args [][]byte) resp.Value {
	path := s.cfg.String(config.ACLFile)
	if path == "" {
		return resp.Err(msgACLNoFile)
	}
	if err := s.acl.SaveFile(path); err != nil {
		s.log.Warn().Err(err).Str("file", path).Msg("ACL SAVE failed")
		return resp.Err(err.Error())
	}
	return resp.OK
}

func cmdACLLoad(s *Server, c *client, args [][]byte) resp.Value {
	path := s.cfg.String(config.ACLFile)
	if path == "" {
		return resp.Err(msgACLNoFile)
	}
	if err := s.acl.LoadFile(path); err != nil {
		return resp.Err(err.Error())
	}
	s.disconnectDeletedUsers(c)
	return resp.OK
}

// ACL DRYRUN user command [arg ...]: the check a command would pass, run
// for another user, without running it.
func cmdACLDryRun(s *Server, c *client, args [][]byte) resp.Value {
	u := s.acl.User(string(args[2]))
	if u == nil {
		return resp.Err(fmt.Sprintf(msgACLNoUser, args[2]))
	}
	cmd, errv, ok := s.resolve(args[3:])
	if !ok {
		if errv.Kind == resp.KindError && strings.HasPrefix(errv.Str, "ERR unknown command") {
			return resp.Err(fmt.Sprintf("ERR Command '%s' not found", args[3]))
		}
		return errv
	}
	d := s.acl.Check(u.Perms(), aclCommand(cmd), commandKeys(cmd, args[3:]), commandChannels(cmd, args[3:]))
	if d != nil {
		return resp.Bulk(d.DryRunText())
	}
	return resp.OK
}

// ACL GENPASS [bits]: random hex, 256 bits by default, as Redis.
func cmdACLGenPass(s *Server, c *client, args [][]byte) resp.Value {
	if len(args) > 3 {
		return resp.Err(fmt.Sprintf(msgACLSubSyntax, args[1]))
	}
	bits := 256
	if len(args) == 3 {
		v, err := strconv.Atoi(string(args[2]))
		if err != nil || v <= 0 || v > 4096 {
			return resp.Err(msgACLGenPassRange)
		}
		bits = v
	}
	chars := (bits + 3) / 4
	buf := make([]byte, (chars+1)/2)
	rand.Read(buf) // never fails (crypto/rand)
	return resp.Bulk(hex.EncodeToString(buf)[:chars])
}
