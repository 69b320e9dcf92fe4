package store

// The stream family of the differential test. Ids are explicit, from a
// small range, so that XADD meets its "equal or smaller" error and
// exclusive ranges meet their edges; "*" would take each side's clock.
// Idle times, delivery and seen times, and the radix tree's node count
// differ by nature and are blanked out before comparing (see
// replyNormalizers); min-idle arguments are 0 or far too large, so that
// what is claimed never depends on a millisecond.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	genCommands = append(genCommands, streamGens)
	replyNormalizers["xinfo"] = normalizeXinfo
	replyNormalizers["xpending"] = normalizeXpending
}

var (
	streamKeys      = []string{"x0", "x1", "x2"}
	streamGroups    = []string{"g0", "g1", ""}
	streamConsumers = []string{"c0", "c1", "c2"}
)

// streamKey is a stream key, now and then one of another type.
func (g *generator) streamKey() string { return g.key(streamKeys) }

// streamClock moves XADD's ids forward, so that most XADDs succeed while
// the others meet "equal or smaller"; the ids of the other commands fall
// around it. It depends only on the sequence of generated commands.
var streamClock int

// nextStreamIDArg is an id for XADD, mostly just past the last ones.
func (g *generator) nextStreamIDArg() string {
	streamClock += g.rng.IntN(3)
	switch r := g.rng.IntN(10); {
	case r < 5:
		return strconv.Itoa(streamClock) + "-" + strconv.Itoa(g.rng.IntN(3))
	case r < 7:
		return strconv.Itoa(streamClock) + "-*"
	}
	return g.streamIDArg()
}

// streamIDArg is an id argument: mostly valid, around the ids in use.
func (g *generator) streamIDArg() string {
	switch r := g.rng.IntN(20); {
	case r < 12:
		return strconv.Itoa(g.rng.IntN(streamClock+40)) + "-" + strconv.Itoa(g.rng.IntN(3))
	case r < 15:
		return strconv.Itoa(g.rng.IntN(streamClock + 40))
	case r < 16:
		return g.oneOf("0-0", "0", "18446744073709551615-18446744073709551615", "18446744073709551615")
	}
	return g.oneOf("-", "+", "x", "1-x", "-1", "1-", "007-1", " 3", "+5", "18446744073709551616", "1-2-3", "")
}

// rangeIDArg is a range bound: ids, "-", "+", exclusive ones.
func (g *generator) rangeIDArg() string {
	switch r := g.rng.IntN(10); {
	case r < 2:
		return g.oneOf("-", "+")
	case r < 4:
		return "(" + g.streamIDArg()
	}
	return g.streamIDArg()
}

func (g *generator) streamFields() []string {
	var out []string
	for range 1 + g.rng.IntN(3) {
		f := g.oneOf("a", "b", "c", "7", "")
		if g.chance(5) {
			f = g.value()
		}
		out = append(out, f, g.value())
	}
	return out
}

// trimArgs is a MAXLEN or MINID clause.
func (g *generator) trimArgs() []string {
	args := []string{g.oneOf("MAXLEN", "MINID", "maxlen")}
	switch g.rng.IntN(3) {
	case 0:
		args = append(args, "~")
	case 1:
		args = append(args, "=")
	}
	if args[0] == "MINID" {
		args = append(args, g.streamIDArg())
	} else {
		args = append(args, g.oneOf("0", "1", "2", "5", "10", "50", "-1", "x"))
	}
	if g.chance(15) {
		args = append(args, "LIMIT", g.oneOf("0", "1", "10", "100", "-1", "x"))
	}
	return args
}

func (g *generator) countArg() string {
	if g.chance(85) {
		return strconv.Itoa(g.rng.IntN(6))
	}
	return g.oneOf("-1", "x", "100")
}

// minIdleArg is 0 or a time no entry can have been idle for.
func (g *generator) minIdleArg() string {
	return g.oneOf("0", "0", "0", "100000000", "-5", "x")
}

var streamGens = []genCommand{
	{12, func(g *generator) []string {
		args := []string{"xadd", g.streamKey()}
		if g.chance(10) {
			args = append(args, "NOMKSTREAM")
		}
		if g.chance(20) {
			args = append(args, g.trimArgs()...)
		}
		return append(append(args, g.nextStreamIDArg()), g.streamFields()...)
	}},
	// Many entries at once into one node or across nodes, to exercise
	// node boundaries and approximate trimming.
	{1, func(g *generator) []string {
		return []string{"xadd", g.streamKey(), g.nextStreamIDArg(), "f", g.value(), "big", g.oneOf("", "x", "0123456789012345678901234567890123456789")}
	}},
	{3, func(g *generator) []string { return []string{"xlen", g.streamKey()} }},
	{5, func(g *generator) []string {
		args := []string{g.oneOf("xrange", "xrevrange"), g.streamKey(), g.rangeIDArg(), g.rangeIDArg()}
		if args[0] == "xrange" && g.chance(50) {
			args[2], args[3] = "-", "+"
		}
		if g.chance(30) {
			args = append(args, g.oneOf("COUNT", "count", "LIMIT"), g.countArg())
		}
		return args
	}},
	{3, func(g *generator) []string {
		args := []string{"xdel", g.streamKey()}
		for range 1 + g.rng.IntN(3) {
			args = append(args, g.streamIDArg())
		}
		return args
	}},
	{2, func(g *generator) []string { return append([]string{"xtrim", g.streamKey()}, g.trimArgs()...) }},
	{4, func(g *generator) []string {
		args := []string{"xread"}
		if g.chance(40) {
			args = append(args, "COUNT", g.countArg())
		}
		if g.chance(5) {
			args = append(args, "BLOCK", g.oneOf("1", "-1", "x"))
		}
		if g.chance(5) {
			args = append(args, g.oneOf("GROUP", "NOACK", "foo"))
		}
		keys := g.keys(streamKeys, 1)
		args = append(args, "STREAMS")
		args = append(args, keys...)
		for range keys {
			args = append(args, g.oneOf(g.streamIDArg(), "$", "0", ">"))
		}
		if g.chance(5) {
			args = args[:len(args)-1]
		}
		return args
	}},
	{6, func(g *generator) []string {
		args := []string{"xreadgroup", "GROUP", g.oneOf(streamGroups...), g.oneOf(streamConsumers...)}
		if g.chance(40) {
			args = append(args, "COUNT", g.countArg())
		}
		if g.chance(20) {
			args = append(args, "NOACK")
		}
		if g.chance(3) {
			args = append(args, "BLOCK", g.oneOf("1", "x"))
		}
		keys := g.keys(streamKeys, 1)
		keys = keys[:min(len(keys), 2)]
		args = append(args, "STREAMS")
		args = append(args, keys...)
		for range keys {
			args = append(args, g.oneOf(">", ">", ">", "0", g.streamIDArg(), "$"))
		}
		return args
	}},
	{4, func(g *generator) []string {
		key, group := g.streamKey(), g.oneOf(streamGroups...)
		switch g.rng.IntN(8) {
		case 0, 1, 2:
			args := []string{"xgroup", "CREATE", key, group, g.oneOf("$", "0", g.streamIDArg())}
			for g.chance(30) {
				args = append(args, g.oneOf("MKSTREAM", "ENTRIESREAD", "foo"))
				if args[len(args)-1] == "ENTRIESREAD" {
					args = append(args, g.oneOf("0", "3", "-1", "-2", "x"))
				}
			}
			return args
		case 3:
			args := []string{"xgroup", "SETID", key, group, g.oneOf("$", "0", g.streamIDArg())}
			if g.chance(30) {
				args = append(args, "ENTRIESREAD", g.oneOf("0", "3", "-1", "-2", "x"))
			}
			return args
		case 4:
			return []string{"xgroup", "DESTROY", key, group}
		case 5:
			return []string{"xgroup", "CREATECONSUMER", key, group, g.oneOf(streamConsumers...)}
		case 6:
			return []string{"xgroup", "DELCONSUMER", key, group, g.oneOf(streamConsumers...)}
		}
		return []string{"xgroup", g.oneOf("HELP", "foo", "create")}
	}},
	{3, func(g *generator) []string {
		args := []string{"xack", g.streamKey(), g.oneOf(streamGroups...)}
		for range 1 + g.rng.IntN(3) {
			args = append(args, g.streamIDArg())
		}
		return args
	}},
	{3, func(g *generator) []string {
		args := []string{"xpending", g.streamKey(), g.oneOf(streamGroups...)}
		if g.chance(60) {
			if g.chance(20) {
				args = append(args, "IDLE", g.minIdleArg())
			}
			args = append(args, g.rangeIDArg(), g.rangeIDArg(), g.countArg())
			if g.chance(30) {
				args = append(args, g.oneOf(streamConsumers...))
			}
		}
		return args
	}},
	{3, func(g *generator) []string {
		args := []string{"xclaim", g.streamKey(), g.oneOf(streamGroups...), g.oneOf(streamConsumers...), g.minIdleArg()}
		for range 1 + g.rng.IntN(3) {
			args = append(args, g.streamIDArg())
		}
		for g.chance(30) {
			switch g.rng.IntN(6) {
			case 0:
				args = append(args, "FORCE")
			case 1:
				args = append(args, "JUSTID")
			case 2:
				args = append(args, "RETRYCOUNT", g.oneOf("0", "5", "x"))
			case 3:
				args = append(args, "IDLE", g.oneOf("0", "1000", "x"))
			case 4:
				args = append(args, "LASTID", g.streamIDArg())
			case 5:
				args = append(args, g.oneOf("TIME", "foo"))
			}
		}
		return args
	}},
	{3, func(g *generator) []string {
		args := []string{"xautoclaim", g.streamKey(), g.oneOf(streamGroups...), g.oneOf(streamConsumers...), g.minIdleArg(), g.rangeIDArg()}
		for g.chance(30) {
			switch g.rng.IntN(3) {
			case 0:
				args = append(args, "COUNT", g.oneOf("1", "2", "100", "0", "-1", "x"))
			case 1:
				args = append(args, "JUSTID")
			case 2:
				args = append(args, g.oneOf("COUNT", "foo"))
			}
		}
		return args
	}},
	{3, func(g *generator) []string {
		switch g.rng.IntN(6) {
		case 0, 1:
			return []string{"xinfo", "STREAM", g.streamKey()}
		case 2:
			args := []string{"xinfo", "STREAM", g.streamKey(), "FULL"}
			if g.chance(40) {
				args = append(args, "COUNT", g.oneOf("0", "1", "2", "-1", "x"))
			}
			return args
		case 3:
			return []string{"xinfo", "GROUPS", g.streamKey()}
		case 4:
			return []string{"xinfo", "CONSUMERS", g.streamKey(), g.oneOf(streamGroups...)}
		}
		return []string{"xinfo", g.oneOf("HELP", "foo", "stream")}
	}},
	{1, func(g *generator) []string {
		args := []string{"xsetid", g.streamKey(), g.streamIDArg()}
		if g.chance(30) {
			args = append(args, g.oneOf("ENTRIESADDED", "MAXDELETEDID"), g.oneOf("0", "100", g.streamIDArg()))
		}
		return args
	}},
	{1, func(g *generator) []string { return []string{"type", g.streamKey()} }},
	// A copy must carry groups and PELs, and be independent of its source.
	{1, func(g *generator) []string {
		if g.chance(50) {
			return []string{"copy", g.streamKey(), g.streamKey(), "REPLACE"}
		}
		return []string{g.oneOf("rename", "renamenx"), g.streamKey(), g.streamKey()}
	}},
	{1, func(g *generator) []string { return []string{"object", "encoding", g.streamKey()} }},
	{1, func(g *generator) []string {
		if g.chance(30) {
			return append([]string{"del"}, g.keys(streamKeys, 1)...)
		}
		return []string{"xgroup", "CREATE", g.streamKey(), g.oneOf(streamGroups...), g.oneOf("0", "$"), "MKSTREAM"}
	}},
}

// normalizeXinfo blanks radix-tree-nodes (the rax's internal split), and
// the times: a consumer's idle and seen-time, a pending entry's delivery
// time.
func normalizeXinfo(v resp.Value) resp.Value {
	if v.Kind != resp.KindArray {
		return v
	}
	out := make([]resp.Value, len(v.Array))
	copy(out, v.Array)
	for i := 0; i+1 < len(out); i += 2 {
		if out[i].Kind != resp.KindBulk {
			continue
		}
		switch out[i].Str {
		case "idle", "seen-time":
			out[i+1] = resp.Int(0)
			continue
		case "pending":
			if out[i+1].Kind == resp.KindArray {
				out[i+1] = normalizePendingTimes(out[i+1])
				continue
			}
		}
	}
	for i := range out {
		if out[i].Kind == resp.KindArray {
			out[i] = normalizeXinfo(out[i])
		}
	}
	return resp.Array(out...)
}

// normalizePendingTimes blanks the delivery time of XINFO STREAM FULL's
// pending entries: [id, consumer, time, count] or [id, time, count].
func normalizePendingTimes(v resp.Value) resp.Value {
	out := make([]resp.Value, len(v.Array))
	for i, p := range v.Array {
		out[i] = p
		if p.Kind == resp.KindArray && len(p.Array) >= 3 {
			e := append([]resp.Value(nil), p.Array...)
			e[len(e)-2] = resp.Int(0)
			out[i] = resp.Array(e...)
		}
	}
	return resp.Array(out...)
}

// normalizeXpending blanks the idle time of XPENDING's extended form.
func normalizeXpending(v resp.Value) resp.Value {
	if v.Kind != resp.KindArray {
		return v
	}
	out := make([]resp.Value, len(v.Array))
	for i, p := range v.Array {
		out[i] = p
		if p.Kind == resp.KindArray && len(p.Array) == 4 && p.Array[2].Kind == resp.KindInt {
			e := append([]resp.Value(nil), p.Array...)
			e[2] = resp.Int(0)
			out[i] = resp.Array(e...)
		}
	}
	return resp.Array(out...)
}

// TestDifferentialStreams sends only stream commands, so that streams grow
// past Redis's node limits (100 entries, 4096 bytes) and approximate
// trimming, node removal by XDEL and consumer groups on long streams meet
// each other: first a fixed scenario, then a random sequence.
func TestDifferentialStreams(t *testing.T) {
	server := startRedis(t)
	ks := NewKeyspace(Options{ActiveExpireInterval: -1})
	defer ks.Close()
	d := &differ{t: t, redis: server, ks: ks}
	d.both([]string{"FLUSHALL"})
	var history []string
	check := func(args ...string) {
		t.Helper()
		history = append(history, fmt.Sprintf("%q", args))
		if msg := d.compare(args); msg != "" {
			start := max(0, len(history)-15)
			t.Fatalf("%s\nlast commands:\n%s", msg, strings.Join(history[start:], "\n"))
		}
	}

	// Node boundaries: by entry count, by bytes, with fields that match
	// the master entry's or not, integers and strings of every size class.
	values := []string{"1", "127", "128", "-4096", "40000", "9000000", "3000000000", "12345678901234", "x", strings.Repeat("v", 70), strings.Repeat("w", 300)}
	for i := 1; i <= 420; i++ {
		id := strconv.Itoa(i/3) + "-" + strconv.Itoa(i%3)
		v := values[i%len(values)]
		switch i % 7 {
		case 0:
			check("XADD", "big", id, "other", v)
		case 1:
			check("XADD", "big", id, "a", v, "b", v)
		default:
			check("XADD", "big", id, "a", v)
		}
		check("XADD", "small", strconv.Itoa(i)+"-1", "a", "1")
		if i%50 == 0 {
			check("XINFO", "STREAM", "big")
			check("XINFO", "STREAM", "small")
		}
	}
	check("XDEL", "small", "1-1", "2-1", "150-1")
	check("XINFO", "STREAM", "small")
	check("XTRIM", "small", "MAXLEN", "~", "250")
	check("XTRIM", "small", "MAXLEN", "~", "250", "LIMIT", "10")
	check("XTRIM", "small", "MINID", "~", "230")
	check("XINFO", "STREAM", "small")
	check("XTRIM", "big", "MAXLEN", "~", "300")
	check("XTRIM", "big", "MINID", "~", "60-0", "LIMIT", "100")
	check("XINFO", "STREAM", "big")
	check("XADD", "big", "MAXLEN", "~", "100", "1000-0", "a", "1")
	check("XINFO", "STREAM", "big")
	check("XADD", "big", "MINID", "=", "120-1", "1001-0", "a", "1")
	check("XRANGE", "big", "-", "+", "COUNT", "5")
	check("XREVRANGE", "big", "+", "-", "COUNT", "5")
	for i := 230; i < 330; i++ {
		check("XDEL", "small", strconv.Itoa(i)+"-1")
	}
	check("XINFO", "STREAM", "small", "FULL", "COUNT", "3")
	check("XADD", "small", "MAXLEN", "0", "2000-1", "a", "1")
	check("XINFO", "STREAM", "small")
	check("XGROUP", "CREATE", "big", "g", "0")
	check("XREADGROUP", "GROUP", "g", "c", "COUNT", "150", "STREAMS", "big", ">")
	check("XDEL", "big", "130-1", "131-0")
	check("XINFO", "GROUPS", "big")
	check("XAUTOCLAIM", "big", "g", "d", "0", "0", "COUNT", "40")
	check("XPENDING", "big", "g")
	check("XINFO", "CONSUMERS", "big", "g")

	// The radix tree's shape: listpacks under master ids of every size,
	// some emptied by XDEL (their node goes), then trimmed from the head.
	ms := uint64(1_700_000_000_000)
	for i := range 40 {
		ms += uint64(i*i*977) % 100_003
		for j := range 100 {
			check("XADD", "rax", strconv.FormatUint(ms, 10)+"-"+strconv.Itoa(j*(i%3+1)), "f", "v")
		}
		if i%4 == 1 {
			for j := range 100 {
				check("XDEL", "rax", strconv.FormatUint(ms, 10)+"-"+strconv.Itoa(j*(i%3+1)))
			}
		}
		check("XINFO", "STREAM", "rax")
	}
	for i := range 5 {
		check("XTRIM", "rax", "MAXLEN", "~", "2500")
		check("XINFO", "STREAM", "rax")
		check("XTRIM", "rax", "MAXLEN", "=", "1950")
		check("XINFO", "STREAM", "rax")
		check("XADD", "rax", "MAXLEN", "~", "1000", strconv.Itoa(1_800_000_000_000+i)+"-0", "f", "v")
		check("XDEL", "rax", "0-1")
	}

	// Then random stream commands.
	streamClock = 0
	seed, n := diffSeed(t, 7), diffCount(t, 20_000)
	t.Logf("seed %d, %d random stream commands", seed, n)
	g := newGenerator(seed)
	var weights int
	for _, c := range streamGens {
		weights += c.weight
	}
	for i := range n {
		pick := g.rng.IntN(weights)
		var args []string
		for _, c := range streamGens {
			if pick -= c.weight; pick < 0 {
				args = c.gen(g)
				break
			}
		}
		args[0] = g.randomCase(args[0])
		history = append(history, fmt.Sprintf("%d: %q", i, args))
		if msg := d.compare(args); msg != "" {
			start := max(0, len(history)-15)
			t.Fatalf("command %d: %s\nlast commands:\n%s", i, msg, strings.Join(history[start:], "\n"))
		}
	}
}
