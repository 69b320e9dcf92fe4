package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gearsd/gearsd/resp"
)

// Connection commands: what redis-cli and client libraries send on connect
// (HELLO, AUTH, CLIENT SETNAME/SETINFO, SELECT) and the connection's own
// state. Flags and arities are Redis 7's.
func init() {
	register(
		&command{name: "ping", arity: -1, flags: []string{"fast"}, group: "connection", since: "1.0.0",
			summary: "Returns the server's liveliness response.", run: cmdPing},
		&command{name: "echo", arity: 2, flags: []string{"fast"}, group: "connection", since: "1.0.0",
			summary: "Returns the given string.", run: cmdEcho},
		&command{name: "quit", arity: -1, flags: []string{"fast", "no_auth"}, group: "connection", since: "1.0.0",
			summary: "Closes the connection.", run: cmdQuit},
		&command{name: "hello", arity: -1, flags: []string{"fast", "no_auth"}, group: "connection", since: "6.0.0",
			summary: "Handshakes with the server (protocol 2 only).", run: cmdHello},
		&command{name: "auth", arity: -2, flags: []string{"fast", "no_auth"}, group: "connection", since: "1.0.0",
			summary: "Authenticates the connection.", run: cmdAuth},
		&command{name: "select", arity: 2, flags: []string{"fast"}, group: "connection", since: "1.0.0",
			summary: "Changes the selected database (gearsd has database 0 only).", run: cmdSelect},
		&command{name: "reset", arity: 1, flags: []string{"fast", "no_auth"}, group: "connection", since: "6.2.0",
			summary: "Resets the connection.", run: cmdReset},
		container("client", "connection", "A container for client connection commands.",
			&command{name: "id", arity: 2, summary: "Returns the unique client ID of the connection.", run: cmdClientID},
			&command{name: "info", arity: 2, summary: "Returns information about the connection.", run: cmdClientInfo},
			&command{name: "list", arity: -2, flags: []string{"admin"}, summary: "Lists open connections.", run: cmdClientList},
			&command{name: "setname", arity: 3, summary: "Sets the connection name.", run: cmdClientSetname},
			&command{name: "getname", arity: 2, summary: "Returns the name of the connection.", run: cmdClientGetname},
			&command{name: "setinfo", arity: 4, summary: "Sets information specific to the client (LIB-NAME, LIB-VER).", run: cmdClientSetinfo},
			&command{name: "no-evict", arity: 3, flags: []string{"admin"}, summary: "Sets the client eviction mode of the connection.", run: cmdClientNoEvict},
			&command{name: "no-touch", arity: 3, summary: "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", run: cmdClientNoTouch},
			&command{name: "reply", arity: 3, summary: "Instructs the server whether to reply to commands.", run: cmdClientReply},
			&command{name: "kill", arity: -3, flags: []string{"admin"}, summary: "Terminates open connections.", run: cmdClientKill},
			&command{name: "getredir", arity: 2, summary: "Returns the client ID to which the connection's tracking notifications are redirected.", run: cmdClientGetredir},
			&command{name: "help", arity: 2, summary: "Returns helpful text about the different subcommands.", run: cmdHelp},
		),
	)
}

func cmdPing(s *Server, c *client, args [][]byte) resp.Value {
	switch len(args) {
	case 1:
		return resp.Simple("PONG")
	case 2:
		return resp.BulkBytes(args[1])
	}
	return resp.Err(fmt.Sprintf(msgWrongArity, "ping"))
}

func cmdEcho(s *Server, c *client, args [][]byte) resp.Value {
	return resp.BulkBytes(args[1])
}

func cmdQuit(s *Server, c *client, args [][]byte) resp.Value {
	c.quit = true
	return resp.OK
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func cmdHello(s *Server, c *client, args [][]byte) resp.Value {
	// >> Args
	if len(args) >= 2 {
		ver, err := strconv.ParseInt(string(args[1]), 10, 64)
		switch {
		case err != nil:
			return resp.Err(msgHelloBadProto)
		case ver == 3:
			return resp.Err(msgHelloNoResp3)
		case ver != 2:
			return resp.Err(msgHelloNoProto)
		}
	}
	var user, pass, name []byte
	haveAuth, haveName := false, false
	for i := 2; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := string(args[i])
		switch {
		case strings.EqualFold(opt, "AUTH") && more >= 2:
			user, pass, haveAuth = args[i+1], args[i+2], true
			i += 2
		case strings.EqualFold(opt, "SETNAME") && more >= 1:
			name, haveName = args[i+1], true
			if !validName(name) {
				return resp.Err(msgBadClientName)
			}
			i++
		default:
			return resp.Err(fmt.Sprintf(msgHelloOption, opt))
		}
	}
	// >> Operation
	if haveAuth {
		if errv, ok := s.authenticate(c, user, pass); !ok {
			return errv
		}
	}
	if !c.authenticated && !s.defaultUserNoPass() {
		return resp.Err(msgHelloNoAuth)
	}
	if haveName {
		c.setName(string(name))
	}
	// >> Response: a map, flattened as RESP2 does.
	return resp.Array(
		resp.Bulk("server"), resp.Bulk("redis"),
		resp.Bulk("version"), resp.Bulk(redisVersion),
		resp.Bulk("proto"), resp.Int(2),
		resp.Bulk("id"), resp.Int(c.id),
		resp.Bulk("mode"), resp.Bulk("standalone"),
		resp.Bulk("role"), resp.Bulk("master"),
		resp.Bulk("modules"), resp.Array(),
	)
}

// AUTH [username] password
func cmdAuth(s *Server, c *client, args [][]byte) resp.Value {
	if len(args) > 3 {
		return resp.Err(msgSyntax)
	}
	user, pass := []byte("default"), args[1]
	if len(args) == 3 {
		user, pass = args[1], args[2]
	} else if s.defaultUserNoPass() {
		return resp.Err(msgAuthNoPassword)
	}
	if errv, ok := s.authenticate(c, user, pass); !ok {
		return errv
	}
	return resp.OK
}

// authenticate logs c in as user if the ACL lets it (the user is on, and
// has nopass or this password). A failure leaves c as it was, and is
// logged in ACL LOG.
func (s *Server) authenticate(c *client, user, pass []byte) (resp.Value, bool) {
	u, ok := s.acl.Authenticate(string(user), string(pass))
	if !ok {
		s.log.Debug().Int64("id", c.id).Str("addr", c.addr).Msg("authentication failed")
		s.logDenial(c, "auth", "AUTH", string(user), "toplevel")
		return resp.Err(msgWrongPass), false
	}
	c.userRef.Store(u)
	c.authenticated = true
	return resp.Value{}, true
}

func cmdSelect(s *Server, c *client, args [][]byte) resp.Value {
	id, err := strconv.ParseInt(string(args[1]), 10, 32)
	if err != nil {
		return resp.Err(msgNotInteger)
	}
	if id != 0 {
		return resp.Err(msgDBOutOfRange)
	}
	return resp.OK
}

// RESET returns the connection to its state at connect time.
func cmdReset(s *Server, c *client, args [][]byte) resp.Value {
	c.userRef.Store(s.acl.Default())
	c.authenticated = s.defaultUserNoPass()
	c.reply = replyOn
	c.mu.Lock()
	c.name, c.noEvict = "", false
	c.mu.Unlock()
	s.resetTx(c)
	s.resetPubsub(c)
	return resp.Simple("RESET")
}

func cmdClientID(s *Server, c *client, args [][]byte) resp.Value {
	return resp.Int(c.id)
}

func cmdClientInfo(s *Server, c *client, args [][]byte) resp.Value {
	return resp.Bulk(c.info(time.Now()) + "\n")
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]
func cmdClientList(s *Server, c *client, args [][]byte) resp.Value {
	var ids map[int64]bool
	onlyNone := false
	typ := ""
	switch {
	case len(args) == 4 && strings.EqualFold(string(args[2]), "type"):
		switch typ = strings.ToLower(string(args[3])); typ {
		case "normal", "pubsub":
		case "master", "replica", "slave":
			onlyNone = true // gearsd has no such clients
		default:
			return resp.Err(fmt.Sprintf("ERR Unknown client type '%s'", args[3]))
		}
	case len(args) > 3 && strings.EqualFold(string(args[2]), "id"):
		ids = map[int64]bool{}
		for _, a := range args[3:] {
			id, err := strconv.ParseInt(string(a), 10, 64)
			if err != nil || id < 1 {
				return resp.Err(msgInvalidClientID)
			}
			ids[id] = true
		}
	case len(args) != 2:
		return resp.Err(msgSyntax)
	}
	var b strings.Builder
	now := time.Now()
	for _, other := range s.clientList() {
		if onlyNone || (ids != nil && !ids[other.id]) || (typ != "" && (typ == "pubsub") != other.pubsub()) {
			continue
		}
		b.WriteString(other.info(now))
		b.WriteByte('\n')
	}
	return resp.Bulk(b.String())
}

func cmdClientSetname(s *Server, c *client, args [][]byte) resp.Value {
	if !validName(args[2]) {
		return resp.Err(msgBadClientName)
	}
	c.setName(string(args[2]))
	return resp.OK
}

func cmdClientGetname(s *Server, c *client, args [][]byte) resp.Value {
	if name := c.getName(); name != "" {
		return resp.Bulk(name)
	}
	return resp.Null
}

// CLIENT SETINFO LIB-NAME|LIB-VER value: Redis 7.2's, sent by go-redis and
// redis-py on connect.
func cmdClientSetinfo(s *Server, c *client, args [][]byte) resp.Value {
	attr := strings.ToLower(string(args[2]))
	if attr != "lib-name" && attr != "lib-ver" {
		return resp.Err(fmt.Sprintf(msgSetInfoAttr, args[2]))
	}
	if !validName(args[3]) {
		return resp.Err(fmt.Sprintf(msgSetInfoValue, attr))
	}
	c.mu.Lock()
	if attr == "lib-name" {
		c.libName = string(args[3])
	} else {
		c.libVer = string(args[3])
	}
	c.mu.Unlock()
	return resp.OK
}

// onOff parses the ON|OFF argument of CLIENT NO-EVICT and NO-TOUCH.
func onOff(arg []byte) (on, ok bool) {
	switch strings.ToLower(string(arg)) {
	case "on":
		return true, true
	case "off":
		return false, true
	}
	return false, false
}

func cmdClientNoEvict(s *Server, c *client, args [][]byte) resp.Value {
	on, ok := onOff(args[2])
	if !ok {
		return resp.Err(msgSyntax)
	}
	c.mu.Lock()
	c.noEvict = on
	c.mu.Unlock()
	return resp.OK
}

// CLIENT NO-TOUCH is accepted for clients that send it; gearsd keeps no
// LRU/LFU data for it to affect.
func cmdClientNoTouch(s *Server, c *client, args [][]byte) resp.Value {
	if _, ok := onOff(args[2]); !ok {
		return resp.Err(msgSyntax)
	}
	return resp.OK
}

// CLIENT REPLY ON|OFF|SKIP: OFF and SKIP are themselves not answered.
func cmdClientReply(s *Server, c *client, args [][]byte) resp.Value {
	switch strings.ToLower(string(args[2])) {
	case "on":
		c.reply = replyOn
	case "off":
		c.reply = replyOff
	case "skip":
		if c.reply != replyOff {
			c.reply = replySkipNext
		}
	default:
		return resp.Err(msgSyntax)
	}
	return resp.OK
}

// CLIENT KILL addr | CLIENT KILL [ID id] [ADDR addr] [LADDR addr]
// [TYPE type] [USER user] [SKIPME yes|no]
func cmdClientKill(s *Server, c *client, args [][]byte) resp.Value {
	// >> Args
	if len(args) == 3 { // the old form: one address, an error if nobody has it
		for _, other := range s.clientList() {
			if other.addr == string(args[2]) {
				s.kill(c, other)
				return resp.OK
			}
		}
		return resp.Err(msgNoSuchClient)
	}
	if len(args)%2 != 0 {
		return resp.Err(msgSyntax)
	}
	var id int64
	var addr, laddr, user string
	skipMe, noneByType := true, false
	for i := 2; i < len(args); i += 2 {
		val := string(args[i+1])
		switch strings.ToLower(string(args[i])) {
		case "id":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n <= 0 {
				return resp.Err(msgClientIDPositive)
			}
			id = n
		case "addr":
			addr = val
		case "laddr":
			laddr = val
		case "user":
			user = val
		case "type":
			switch strings.ToLower(val) {
			case "normal":
			case "master", "replica", "slave", "pubsub":
				noneByType = true
			default:
				return resp.Err(fmt.Sprintf("ERR Unknown client type '%s'", val))
			}
		case "skipme":
			switch strings.ToLower(val) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				return resp.Err(msgSyntax)
			}
		default:
			return resp.Err(msgSyntax)
		}
	}
	// >> Operation
	killed := int64(0)
	for _, other := range s.clientList() {
		if noneByType || (id != 0 && other.id != id) || (addr != "" && other.addr != addr) ||
			(laddr != "" && other.laddr != laddr) || (user != "" && user != "default") ||
			(skipMe && other == c) {
			continue
		}
		s.kill(c, other)
		killed++
	}
	return resp.Int(killed)
}

// kill ends another client's connection now, or the caller's own once its
// reply is written (as Redis does).
func (s *Server) kill(self, other *client) {
	if other == self {
		self.quit = true
		return
	}
	other.mu.Lock()
	other.killed = true
	other.mu.Unlock()
	if other.ctl != nil {
		other.ctl.abort()
	}
	s.log.Debug().Int64("id", other.id).Int64("by", self.id).Msg("client killed")
}

func cmdClientGetredir(s *Server, c *client, args [][]byte) resp.Value {
	return resp.Int(-1)
}

// cmdHelp answers <CONTAINER> HELP from the container's subcommand table.
func cmdHelp(s *Server, c *client, args [][]byte) resp.Value {
	name := strings.ToUpper(string(args[0]))
	cmd := s.cmds[strings.ToLower(name)]
	lines := []resp.Value{resp.Simple(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")}
	for _, sub := range sortedCommands(cmd.subs) {
		_, subName, _ := strings.Cut(sub.name, "|")
		lines = append(lines, resp.Simple(strings.ToUpper(subName)), resp.Simple("    "+sub.summary))
	}
	return resp.Array(lines...)
}
