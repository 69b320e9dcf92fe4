package store

import (
	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"xgroup", -2, "", 0, 0, 0, cmdXgroup},
		cmd{"xack", -4, "write fast", 1, 1, 1, cmdXack},
	)
}

// subcommand is one subcommand of a container command (XGROUP, XINFO):
// Redis 7.0 checks its arity before the command runs.
type subcommand struct {
	name  string
	arity int
}

// findSubcommand returns the name of argv[1] among subs, or the error
// Redis's dispatcher gives for an unknown one or a wrong arity.
func findSubcommand(cmdName string, argv [][]byte, subs []subcommand) (string, error) {
	for _, s := range subs {
		if !isOpt(argv[1], s.name) {
			continue
		}
		if n := len(argv); (s.arity > 0 && n != s.arity) || n < -s.arity {
			return "", errArity(cmdName + "|" + s.name)
		}
		return s.name, nil
	}
	return "", errUnknownSubcommand(argv)
}

var xgroupSubcommands = []subcommand{
	{"create", -5}, {"setid", -5}, {"destroy", 4}, {"createconsumer", 5}, {"delconsumer", 5}, {"help", 2},
}

var xgroupHelp = []string{
	"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
	"HELP",
	"    Prints this help.",
}

func helpReply(lines []string) resp.Value {
	out := make([]resp.Value, len(lines))
	for i, l := range lines {
		out[i] = resp.Simple(l)
	}
	return resp.Array(out...)
}

// parseEntriesRead parses XGROUP CREATE's and SETID's options from argv[5]
// on: ENTRIESREAD n and, for CREATE, MKSTREAM.
func parseEntriesRead(argv [][]byte, create bool) (entriesRead int64, mkstream bool, err error) {
	entriesRead = -1
	for i := 5; i < len(argv); {
		switch {
		case create && isOpt(argv[i], "mkstream"):
			mkstream = true
			i++
		case isOpt(argv[i], "entriesread") && i+1 < len(argv):
			if entriesRead, err = argInt(argv[i+1]); err != nil {
				return 0, false, err
			}
			if entriesRead < 0 && entriesRead != -1 {
				return 0, false, ErrEntriesReadRange
			}
			i += 2
		default:
			return 0, false, errSubcommandSyntax(argv)
		}
	}
	return entriesRead, mkstream, nil
}

// XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER|HELP ...
func cmdXgroup(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	sub, err := findSubcommand("xgroup", argv, xgroupSubcommands)
	if err != nil {
		return resp.Value{}, err
	}
	if sub == "help" {
		return helpReply(xgroupHelp), nil
	}
	entriesRead := int64(-1)
	mkstream := false
	if sub == "create" || sub == "setid" {
		if entriesRead, mkstream, err = parseEntriesRead(argv, sub == "create"); err != nil {
			return resp.Value{}, err
		}
	}

	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	key := argv[2]
	s, _, err := db.lookupStream(bstr(key))
	if err != nil {
		return resp.Value{}, err
	}
	var g *streamGroup
	if !mkstream {
		if s == nil {
			return resp.Value{}, ErrXgroupNoKey
		}
		g = s.group(argv[3])
		if g == nil && sub != "create" && sub != "destroy" {
			return resp.Value{}, errNoGroupForKey(argv[3], key)
		}
	}
	switch sub {
	case "create":
		if len(argv) > 8 {
			return resp.Value{}, errSubcommandSyntax(argv)
		}
		var id streamID
		if cString(argv[4]) == "$" {
			if s != nil {
				id = s.lastID
			}
		} else if id, _, err = parseStreamID(argv[4], 0, idStrict); err != nil {
			return resp.Value{}, err
		}
		if s == nil {
			s = db.addStream(string(key))
		}
		if !s.createGroup(string(argv[3]), id, entriesRead) {
			return resp.Value{}, ErrBusyGroup
		}
		db.notify(ClassStream, "xgroup-create", bstr(key))
		return resp.OK, nil
	case "setid":
		if len(argv) != 5 && len(argv) != 7 {
			return resp.Value{}, errSubcommandSyntax(argv)
		}
		var id streamID
		if cString(argv[4]) == "$" {
			id = s.lastID
		} else if id, _, err = parseStreamID(argv[4], 0, 0); err != nil {
			return resp.Value{}, err
		}
		g.lastID = id
		g.entriesRead = entriesRead
		db.notify(ClassStream, "xgroup-setid", bstr(key))
		return resp.OK, nil
	case "destroy":
		if g == nil {
			return resp.Zero, nil
		}
		delete(s.groups, string(argv[3]))
		db.notify(ClassStream, "xgroup-destroy", bstr(key))
		return resp.One, nil
	case "createconsumer":
		_, created := g.consumer(argv[4], db.now(), true)
		if created {
			db.notify(ClassStream, "xgroup-createconsumer", bstr(key))
		}
		return resp.Bool(created), nil
	default: // delconsumer
		c, _ := g.consumer(argv[4], 0, false)
		if c == nil {
			return resp.Zero, nil
		}
		pending := g.deleteConsumer(c)
		db.notify(ClassStream, "xgroup-delconsumer", bstr(key))
		return resp.Int(int64(pending)), nil
	}
}

// XACK key group id [id ...]
func cmdXack(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupStream(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	g := s.group(argv[2])
	if g == nil {
		return resp.Zero, nil
	}
	// All ids are checked before any is acknowledged: all or nothing.
	ids := make([]streamID, len(argv)-3)
	for i, a := range argv[3:] {
		if ids[i], _, err = parseStreamID(a, 0, idStrict); err != nil {
			return resp.Value{}, err
		}
	}
	acked := 0
	for _, id := range ids {
		if g.ack(id) {
			acked++
		}
	}
	return resp.Int(int64(acked)), nil
}
