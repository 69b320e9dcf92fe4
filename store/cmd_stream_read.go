package store

import (
	"math"
	"time"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"xread", -4, "readonly blocking movablekeys", 0, 0, 0, cmdXread},
		cmd{"xreadgroup", -7, "write blocking movablekeys", 0, 0, 0, cmdXreadgroup},
	)
}

// xreadDefaultBlockedCount is the COUNT of a reader served after it
// blocked without one (XREAD_BLOCKED_DEFAULT_COUNT).
const xreadDefaultBlockedCount = 1000

// xreadRequest is an XREAD or XREADGROUP, parsed.
type xreadRequest struct {
	group, consumer []byte // nil for XREAD
	noack           bool
	count           int64
	block           bool
	timeout         int64 // ms, 0 for ever
	keys, idArgs    [][]byte
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
func cmdXread(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return xreadGeneric(ks, argv, false)
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
func cmdXreadgroup(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return xreadGeneric(ks, argv, true)
}

// parseXread parses the options as Redis's xreadCommand does, in order.
func parseXread(argv [][]byte, xreadgroup bool) (*xreadRequest, error) {
	r := &xreadRequest{}
	streamsAt := 0
	for i := 1; i < len(argv) && streamsAt == 0; i++ {
		more := len(argv) - i - 1
		o := argv[i]
		switch {
		case isOpt(o, "block") && more > 0:
			i++
			t, err := argInt(argv[i])
			if err != nil {
				return nil, ErrTimeoutNotInteger
			}
			if t < 0 {
				return nil, ErrTimeoutNegative
			}
			if t > math.MaxInt64-time.Now().UnixMilli() {
				return nil, ErrTimeoutRange
			}
			r.block, r.timeout = true, t
		case isOpt(o, "count") && more > 0:
			i++
			c, err := argInt(argv[i])
			if err != nil {
				return nil, err
			}
			r.count = max(c, 0)
		case isOpt(o, "streams") && more > 0:
			streamsAt = i + 1
			n := len(argv) - streamsAt
			if n%2 != 0 {
				return nil, ErrUnbalancedStreams
			}
			r.keys = argv[streamsAt : streamsAt+n/2]
			r.idArgs = argv[streamsAt+n/2:]
		case isOpt(o, "group") && more >= 2:
			if !xreadgroup {
				return nil, ErrXreadGroupOption
			}
			r.group, r.consumer = argv[i+1], argv[i+2]
			i += 2
		case isOpt(o, "noack"):
			if !xreadgroup {
				return nil, ErrXreadNoackOption
			}
			r.noack = true
		default:
			return nil, ErrSyntax
		}
	}
	if streamsAt == 0 {
		return nil, ErrSyntax
	}
	if xreadgroup && r.group == nil {
		return nil, ErrXreadgroupNoGroup
	}
	return r, nil
}

func xreadGeneric(ks *Keyspace, argv [][]byte, xreadgroup bool) (resp.Value, error) {
	r, err := parseXread(argv, xreadgroup)
	if err != nil {
		return resp.Value{}, err
	}
	if !ks.mayBlock || (ks.held != 0 && ks.held == ks.heldToken.Load()) {
		// Called through Do (Python's execute(), EXEC) or inside a section
		// the caller holds (a logged write): as Redis does where a client
		// cannot block, answer at once.
		r.block = false
	}
	var deadline time.Time
	if r.block && r.timeout > 0 {
		deadline = time.Now().Add(time.Duration(min(r.timeout, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond)
	}
	keys := make([]string, len(r.keys))
	for i, k := range r.keys {
		keys[i] = string(k)
	}

	db := ks.lock()
	ids, err := r.resolveIDs(db)
	var ready []string // keys whose XADD woke the reader, in order
	for err == nil {
		if v, served := r.serveAfterWait(db, ids, ready); served {
			ks.unlock()
			return v, nil
		}
		if !r.block || (!deadline.IsZero() && !time.Now().Before(deadline)) {
			break
		}
		// Wait outside the lock, registered in the lock section that
		// found nothing, so no XADD can slip between.
		w := addStreamWaiter(db, keys)
		ks.unlock()
		waitFor(w, deadline)
		db = ks.lock()
		db.reading = false // Redis serves a blocked reader with uncounted lookups
		ready = removeStreamWaiter(db, w, keys)
		if r.count == 0 {
			r.count = xreadDefaultBlockedCount
		}
	}
	ks.unlock()
	if err != nil {
		return resp.Value{}, err
	}
	return resp.NullArray, nil
}

// waitFor waits until w is woken or the deadline (zero: none) passes.
func waitFor(w *streamWaiter, deadline time.Time) {
	if deadline.IsZero() {
		<-w.wake
		return
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-w.wake:
	case <-t.C:
	}
}

// resolveIDs checks each key (type, group) and turns each id argument
// into the id to read after: "$" is the stream's last id now, ">" is
// maxStreamID, as in Redis.
func (r *xreadRequest) resolveIDs(db *db) ([]streamID, error) {
	ids := make([]streamID, len(r.keys))
	for i, key := range r.keys {
		s, _, err := db.lookupStream(bstr(key))
		if err != nil {
			return nil, err
		}
		if r.group != nil && s.group(r.group) == nil {
			return nil, errNoGroupRead(key, r.group)
		}
		switch arg := r.idArgs[i]; cString(arg) {
		case "$":
			if r.group != nil {
				return nil, ErrXreadgroupDollar
			}
			if s != nil {
				ids[i] = s.lastID
			}
		case ">":
			if r.group == nil {
				return nil, ErrXreadGreater
			}
			ids[i] = maxStreamID
		default:
			if ids[i], _, err = parseStreamID(arg, 0, idStrict); err != nil {
				return nil, err
			}
		}
	}
	return ids, nil
}

// serveAfterWait serves the request: at first every stream with
// something for it; once it waited, as Redis serves a blocked client, only
// the first of the keys that woke it that has something, alone.
func (r *xreadRequest) serveAfterWait(db *db, ids []streamID, ready []string) (resp.Value, bool) {
	if ready == nil {
		return r.serve(db, ids, "")
	}
	for _, k := range ready {
		if r.group != nil {
			if s, _, _ := db.lookupStream(k); s != nil && s.group(r.group) == nil {
				return resp.Err(string(ErrBlockedGroupGone)), true
			}
		}
		if v, ok := r.serve(db, ids, k); ok {
			return v, true
		}
	}
	return resp.Value{}, false
}

// serve reads every stream (or only the first one named only, when only
// is not "") that has something for the request and reports whether any
// had.
func (r *xreadRequest) serve(db *db, ids []streamID, only string) (resp.Value, bool) {
	var out []resp.Value
	for i, key := range r.keys {
		if only != "" && bstr(key) != only {
			continue
		}
		s, _, err := db.lookupStream(bstr(key))
		if s == nil || err != nil {
			continue
		}
		var g *streamGroup
		after := ids[i]
		history := false
		if r.group != nil {
			if g = s.group(r.group); g == nil {
				continue // destroyed while the reader was blocked
			}
			switch {
			case after != maxStreamID:
				history = true
			case s.length > 0 && g.lastID.less(s.lastValidID()):
				after = g.lastID
			default:
				continue
			}
		} else if s.length == 0 || !after.less(s.lastValidID()) {
			continue
		}
		start, _ := after.incr()
		var entries []resp.Value
		switch {
		case g == nil:
			entries = s.rangeReply(start, maxStreamID, false, r.count)
		case history:
			entries = r.readHistory(db, key, s, g, start)
		default:
			entries = r.readNew(db, key, s, g, start)
		}
		out = append(out, resp.Array(resp.Bulk(string(key)), resp.Array(entries...)))
		if only != "" {
			break
		}
	}
	if out == nil {
		return resp.Value{}, false
	}
	return resp.Array(out...), true
}

// readingConsumer returns the request's consumer in g, created if new,
// seen now.
func (r *xreadRequest) readingConsumer(db *db, g *streamGroup, key []byte) *streamConsumer {
	c, created := g.consumer(r.consumer, db.now(), true)
	if created {
		db.notify(ClassStream, "xgroup-createconsumer", bstr(key))
	}
	c.seenTime = db.now()
	return c
}

// readNew delivers the entries from start on to the consumer: the
// group's last id moves on and, unless NOACK, each becomes pending.
func (r *xreadRequest) readNew(db *db, key []byte, s *streamValue, g *streamGroup, start streamID) []resp.Value {
	c := r.readingConsumer(db, g, key)
	out := []resp.Value{}
	s.each(start, maxStreamID, false, func(e *streamEntry) bool {
		g.advance(s, e.id)
		if !r.noack {
			g.deliver(e.id, c, db.now())
		}
		out = append(out, entryReply(e))
		return r.count == 0 || int64(len(out)) < r.count
	})
	return out
}

// readHistory answers the consumer's own pending entries from start on;
// one deleted since is answered as its id and a null.
func (r *xreadRequest) readHistory(db *db, key []byte, s *streamValue, g *streamGroup, start streamID) []resp.Value {
	c := r.readingConsumer(db, g, key)
	out := []resp.Value{}
	c.pel.each(start, func(p *pendingEntry) bool {
		if r.count != 0 && int64(len(out)) >= r.count {
			return false
		}
		e, ok := s.get(p.id)
		if !ok {
			out = append(out, resp.Array(resp.Bulk(p.id.String()), resp.NullArray))
			return true
		}
		p.deliveryTime = db.now()
		p.deliveryCount++
		out = append(out, entryReply(e))
		return true
	})
	return out
}
