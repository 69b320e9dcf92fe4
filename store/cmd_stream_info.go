package store

import (
	"bytes"
	"encoding/binary"
	"slices"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(cmd{"xinfo", -2, "", 0, 0, 0, cmdXinfo})
}

var xinfoSubcommands = []subcommand{
	{"consumers", 4}, {"groups", 3}, {"stream", -3}, {"help", 2},
}

var xinfoHelp = []string{
	"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
	"HELP",
	"    Prints this help.",
}

// XINFO CONSUMERS key group | GROUPS key | STREAM key [FULL [COUNT count]] | HELP
func cmdXinfo(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	sub, err := findSubcommand("xinfo", argv, xinfoSubcommands)
	if err != nil {
		return resp.Value{}, err
	}
	if sub == "help" {
		return helpReply(xinfoHelp), nil
	}
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupStream(bstr(argv[2]))
	if err != nil {
		return resp.Value{}, err
	}
	if s == nil {
		return resp.Value{}, ErrNoSuchKey
	}
	now := db.now()
	switch sub {
	case "consumers":
		g := s.group(argv[3])
		if g == nil {
			return resp.Value{}, errNoGroupForKey(argv[3], argv[2])
		}
		out := []resp.Value{}
		for _, name := range g.consumerNames() {
			c := g.consumers[name]
			out = append(out, resp.Array(
				resp.Bulk("name"), resp.Bulk(name),
				resp.Bulk("pending"), resp.Int(int64(c.pel.len())),
				resp.Bulk("idle"), resp.Int(now-c.seenTime),
			))
		}
		return resp.Array(out...), nil
	case "groups":
		out := []resp.Value{}
		for _, name := range s.groupNames() {
			g := s.groups[name]
			out = append(out, resp.Array(
				resp.Bulk("name"), resp.Bulk(name),
				resp.Bulk("consumers"), resp.Int(int64(len(g.consumers))),
				resp.Bulk("pending"), resp.Int(int64(g.pel.len())),
				resp.Bulk("last-delivered-id"), resp.Bulk(g.lastID.String()),
				resp.Bulk("entries-read"), entriesReadReply(g),
				resp.Bulk("lag"), lagReply(g, s),
			))
		}
		return resp.Array(out...), nil
	}
	return xinfoStream(s, argv, now)
}

func entriesReadReply(g *streamGroup) resp.Value {
	if g.entriesRead == -1 {
		return resp.Null
	}
	return resp.Int(g.entriesRead)
}

func lagReply(g *streamGroup, s *streamValue) resp.Value {
	if lag, ok := g.lag(s); ok {
		return resp.Int(lag)
	}
	return resp.Null
}

// radixTreeNodes is the number of nodes of Redis's radix tree (rax) that
// would hold the stream's listpacks under their master ids, as 16-byte
// big-endian keys: the rax is a compressed trie, in which a run of bytes
// without a branch is one node, a branch is one node, and each key ends
// in a node of its own. Built by insertions and kept compressed by its
// removals, its node count depends only on its keys.
func (s *streamValue) radixTreeNodes() int64 {
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		binary.BigEndian.PutUint64(keys[i][:8], n.masterID.ms)
		binary.BigEndian.PutUint64(keys[i][8:], n.masterID.seq)
	}
	slices.SortFunc(keys, func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
	return raxNodes(keys, 0)
}

// raxNodes counts the nodes of the subtree holding keys (sorted, equal up
// to depth) from depth on.
func raxNodes(keys [][16]byte, depth int) int64 {
	if len(keys) == 0 || depth == 16 {
		return 1 // an empty root, or the node a key ends in
	}
	first, last := keys[0], keys[len(keys)-1]
	common := depth
	for common < 16 && first[common] == last[common] {
		common++
	}
	if common > depth {
		return 1 + raxNodes(keys, common) // a compressed node
	}
	n := int64(1) // a branch, then a subtree per byte
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][depth] == keys[i][depth] {
			j++
		}
		n += raxNodes(keys[i:j], depth+1)
		i = j
	}
	return n
}

// xinfoStream is XINFO STREAM key [FULL [COUNT count]].
func xinfoStream(s *streamValue, argv [][]byte, now int64) (resp.Value, error) {
	opts := argv[3:]
	full := len(opts) > 0
	count := int64(10)
	if full {
		if len(opts) != 1 && len(opts) != 3 || !isOpt(opts[0], "full") {
			return resp.Value{}, errSubcommandSyntax(argv)
		}
		if len(opts) == 3 {
			if !isOpt(opts[1], "count") {
				return resp.Value{}, errSubcommandSyntax(argv)
			}
			var err error
			if count, err = argInt(opts[2]); err != nil {
				return resp.Value{}, err
			}
			if count < 0 {
				count = 10
			}
		}
	}
	out := []resp.Value{
		resp.Bulk("length"), resp.Int(int64(s.length)),
		resp.Bulk("radix-tree-keys"), resp.Int(int64(len(s.nodes))),
		resp.Bulk("radix-tree-nodes"), resp.Int(s.radixTreeNodes()),
		resp.Bulk("last-generated-id"), resp.Bulk(s.lastID.String()),
		resp.Bulk("max-deleted-entry-id"), resp.Bulk(s.maxDeletedID.String()),
		resp.Bulk("entries-added"), resp.Int(s.entriesAdded),
		resp.Bulk("recorded-first-entry-id"), resp.Bulk(s.firstID.String()),
	}
	if !full {
		out = append(out, resp.Bulk("groups"), resp.Int(int64(len(s.groups))))
		for _, rev := range []bool{false, true} {
			name := "first-entry"
			if rev {
				name = "last-entry"
			}
			out = append(out, resp.Bulk(name))
			if e, ok := s.first(rev); ok {
				out = append(out, entryReply(e))
			} else {
				out = append(out, resp.Null)
			}
		}
		return resp.Array(out...), nil
	}
	out = append(out, resp.Bulk("entries"), resp.Array(s.rangeReply(streamID{}, maxStreamID, false, count)...))
	groups := []resp.Value{}
	for _, name := range s.groupNames() {
		groups = append(groups, fullGroupInfo(s, name, count))
	}
	out = append(out, resp.Bulk("groups"), resp.Array(groups...))
	return resp.Array(out...), nil
}

// fullGroupInfo is one group of XINFO STREAM FULL: its PEL and its
// consumers with theirs, at most count pending entries each (0: all).
func fullGroupInfo(s *streamValue, name string, count int64) resp.Value {
	g := s.groups[name]
	limit := func(n int) int {
		if count == 0 || int64(n) < count {
			return n
		}
		return int(count)
	}
	pending := []resp.Value{}
	for _, id := range g.pel.ids[:limit(g.pel.len())] {
		p := g.pel.get(id)
		pending = append(pending, resp.Array(
			resp.Bulk(id.String()), resp.Bulk(p.consumer.name),
			resp.Int(p.deliveryTime), resp.Int(p.deliveryCount)))
	}
	consumers := []resp.Value{}
	for _, cname := range g.consumerNames() {
		c := g.consumers[cname]
		cp := []resp.Value{}
		for _, id := range c.pel.ids[:limit(c.pel.len())] {
			p := c.pel.get(id)
			cp = append(cp, resp.Array(resp.Bulk(id.String()), resp.Int(p.deliveryTime), resp.Int(p.deliveryCount)))
		}
		consumers = append(consumers, resp.Array(
			resp.Bulk("name"), resp.Bulk(cname),
			resp.Bulk("seen-time"), resp.Int(c.seenTime),
			resp.Bulk("pel-count"), resp.Int(int64(c.pel.len())),
			resp.Bulk("pending"), resp.Array(cp...),
		))
	}
	return resp.Array(
		resp.Bulk("name"), resp.Bulk(name),
		resp.Bulk("last-delivered-id"), resp.Bulk(g.lastID.String()),
		resp.Bulk("entries-read"), entriesReadReply(g),
		resp.Bulk("lag"), lagReply(g, s),
		resp.Bulk("pel-count"), resp.Int(int64(g.pel.len())),
		resp.Bulk("pending"), resp.Array(pending...),
		resp.Bulk("consumers"), resp.Array(consumers...),
	)
}
