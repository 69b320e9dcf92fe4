package store

import (
	"fmt"
	"math"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"xpending", -3, "readonly", 1, 1, 1, cmdXpending},
		cmd{"xclaim", -6, "write fast", 1, 1, 1, cmdXclaim},
		cmd{"xautoclaim", -6, "write fast", 1, 1, 1, cmdXautoclaim},
	)
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func cmdXpending(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	summary := len(argv) == 3
	if !summary && (len(argv) < 6 || len(argv) > 9) {
		return resp.Value{}, ErrSyntax
	}
	var start, end streamID
	var count, minIdle int64
	var consumerName []byte
	if !summary {
		at := 3
		var err error
		if isOpt(argv[3], "idle") {
			if minIdle, err = argInt(argv[4]); err != nil {
				return resp.Value{}, err
			}
			if len(argv) < 8 {
				return resp.Value{}, ErrSyntax
			}
			at += 2
		}
		if count, err = argInt(argv[at+2]); err != nil {
			return resp.Value{}, err
		}
		count = max(count, 0)
		if start, err = parseRangeStart(argv[at]); err != nil {
			return resp.Value{}, err
		}
		if end, err = parseRangeEnd(argv[at+1]); err != nil {
			return resp.Value{}, err
		}
		if at+3 < len(argv) {
			consumerName = argv[at+3]
		}
	}

	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupStream(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	g := s.group(argv[2])
	if g == nil {
		return resp.Value{}, errNoKeyOrGroup(argv[1], argv[2])
	}
	if summary {
		return pendingSummary(g), nil
	}
	pel := &g.pel
	if consumerName != nil {
		c, _ := g.consumer(consumerName, 0, false)
		if c == nil {
			return resp.Array(), nil
		}
		pel = &c.pel
	}
	now := db.now()
	out := []resp.Value{}
	pel.each(start, func(p *pendingEntry) bool {
		if count == 0 || end.less(p.id) {
			return false
		}
		if minIdle != 0 && now-p.deliveryTime < minIdle {
			return true
		}
		count--
		out = append(out, resp.Array(
			resp.Bulk(p.id.String()),
			resp.Bulk(p.consumer.name),
			resp.Int(max(now-p.deliveryTime, 0)),
			resp.Int(p.deliveryCount),
		))
		return true
	})
	return resp.Array(out...), nil
}

// pendingSummary is XPENDING key group: the count, the first and last
// pending ids, and the consumers with pending entries and how many
// (counts as bulk strings, as Redis sends them).
func pendingSummary(g *streamGroup) resp.Value {
	n := g.pel.len()
	if n == 0 {
		return resp.Array(resp.Zero, resp.Null, resp.Null, resp.NullArray)
	}
	var consumers []resp.Value
	for _, name := range g.consumerNames() {
		c := g.consumers[name]
		if c.pel.len() == 0 {
			continue
		}
		consumers = append(consumers, resp.Array(resp.Bulk(name), resp.Bulk(formatInt(int64(c.pel.len())))))
	}
	return resp.Array(
		resp.Int(int64(n)),
		resp.Bulk(g.pel.ids[0].String()),
		resp.Bulk(g.pel.ids[n-1].String()),
		resp.Array(consumers...),
	)
}

// claimReply is one claimed entry: its id alone with JUSTID, else the
// entry.
func claimReply(s *streamValue, id streamID, justID bool) resp.Value {
	if justID {
		return resp.Bulk(id.String())
	}
	if e, ok := s.get(id); ok {
		return entryReply(e)
	}
	return resp.Null
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
func cmdXclaim(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupStream(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	g := s.group(argv[2])
	if g == nil {
		return resp.Value{}, errNoKeyOrGroup(argv[1], argv[2])
	}
	minIdle, err := argInt(argv[4])
	if err != nil {
		return resp.Value{}, Error("ERR Invalid min-idle-time argument for XCLAIM")
	}
	minIdle = max(minIdle, 0)

	// The ids run until the first argument that is not one; the options
	// follow.
	var ids []streamID
	j := 5
	for ; j < len(argv); j++ {
		id, _, err := parseStreamID(argv[j], 0, idStrict)
		if err != nil {
			break
		}
		ids = append(ids, id)
	}
	now := db.now()
	retryCount, deliveryTime := int64(-1), int64(-1)
	force, justID := false, false
	var lastID streamID
	for ; j < len(argv); j++ {
		more := len(argv) - 1 - j
		opt := argv[j]
		switch {
		case isOpt(opt, "force"):
			force = true
		case isOpt(opt, "justid"):
			justID = true
		case isOpt(opt, "idle") && more > 0:
			j++
			idle, err := argInt(argv[j])
			if err != nil {
				return resp.Value{}, Error("ERR Invalid IDLE option argument for XCLAIM")
			}
			deliveryTime = now - idle
		case isOpt(opt, "time") && more > 0:
			j++
			if deliveryTime, err = argInt(argv[j]); err != nil {
				return resp.Value{}, Error("ERR Invalid TIME option argument for XCLAIM")
			}
		case isOpt(opt, "retrycount") && more > 0:
			j++
			if retryCount, err = argInt(argv[j]); err != nil {
				return resp.Value{}, Error("ERR Invalid RETRYCOUNT option argument for XCLAIM")
			}
		case isOpt(opt, "lastid") && more > 0:
			j++
			if lastID, _, err = parseStreamID(argv[j], 0, idStrict); err != nil {
				return resp.Value{}, err
			}
		default:
			return resp.Value{}, Error(fmt.Sprintf("ERR Unrecognized XCLAIM option '%s'", cString(opt)))
		}
	}
	if g.lastID.less(lastID) {
		g.lastID = lastID
	}
	if deliveryTime < 0 || deliveryTime > now {
		// Redis takes a bogus time (or none) as now rather than fail.
		deliveryTime = now
	}

	var c *streamConsumer
	out := []resp.Value{}
	for _, id := range ids {
		p := g.pel.get(id)
		if !s.exists(id) {
			// An entry deleted since it was delivered leaves the PEL.
			if p != nil {
				g.ack(id)
			}
			continue
		}
		if force && p == nil {
			p = &pendingEntry{id: id, deliveryTime: now, deliveryCount: 1}
			g.pel.add(p)
		}
		if p == nil {
			continue
		}
		if p.consumer != nil && minIdle != 0 && now-p.deliveryTime < minIdle {
			continue
		}
		if c == nil {
			c = claimingConsumer(db, g, argv[1], argv[3])
		}
		p.deliveryTime = deliveryTime
		if retryCount >= 0 {
			p.deliveryCount = retryCount
		} else if !justID {
			p.deliveryCount++
		}
		g.assign(p, c)
		out = append(out, claimReply(s, id, justID))
	}
	return resp.Array(out...), nil
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func cmdXautoclaim(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	minIdle, err := argInt(argv[4])
	if err != nil {
		return resp.Value{}, Error("ERR Invalid min-idle-time argument for XAUTOCLAIM")
	}
	minIdle = max(minIdle, 0)
	start, err := parseRangeStart(argv[5])
	if err != nil {
		return resp.Value{}, err
	}
	count := int64(100)
	justID := false
	for j := 6; j < len(argv); j++ {
		more := len(argv) - 1 - j
		switch {
		case isOpt(argv[j], "count") && more > 0:
			// Redis bounds COUNT so that count*10 attempts cannot overflow.
			c, err := argInt(argv[j+1])
			if err != nil || c < 1 || c > math.MaxInt64/16 {
				return resp.Value{}, ErrXautoclaimCount
			}
			count = c
			j++
		case isOpt(argv[j], "justid"):
			justID = true
		default:
			return resp.Value{}, ErrSyntax
		}
	}

	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupStream(bstr(argv[1]))
	if err != nil {
		return resp.Value{}, err
	}
	g := s.group(argv[2])
	if g == nil {
		return resp.Value{}, errNoKeyOrGroup(argv[1], argv[2])
	}
	now := db.now()
	attempts := count * 10
	var c *streamConsumer
	claimed := []resp.Value{}
	deleted := []resp.Value{}
	// One past the attempts, to answer the cursor.
	pending := g.pel.from(start, attempts+1)
	next := 0
	for ; next < len(pending) && attempts > 0 && count > 0; next++ {
		attempts--
		p := pending[next]
		if !s.exists(p.id) {
			g.ack(p.id)
			deleted = append(deleted, resp.Bulk(p.id.String()))
			count--
			continue
		}
		if minIdle != 0 && now-p.deliveryTime < minIdle {
			continue
		}
		if c == nil {
			c = claimingConsumer(db, g, argv[1], argv[3])
		}
		p.deliveryTime = now
		if !justID {
			p.deliveryCount++
		}
		g.assign(p, c)
		claimed = append(claimed, claimReply(s, p.id, justID))
		count--
	}
	cursor := streamID{}
	if next < len(pending) {
		cursor = pending[next].id
	}

	// >> Response
	return resp.Array(resp.Bulk(cursor.String()), resp.Array(claimed...), resp.Array(deleted...)), nil
}

// claimingConsumer returns the consumer XCLAIM or XAUTOCLAIM gives
// entries to, created if new, seen now.
func claimingConsumer(db *db, g *streamGroup, key, name []byte) *streamConsumer {
	c, created := g.consumer(name, db.now(), true)
	if created {
		db.notify(ClassStream, "xgroup-createconsumer", bstr(key))
	}
	c.seenTime = db.now()
	return c
}
