package store

import (
	"math"

	"github.com/gearsd/gearsd/resp"
)

func init() {
	register(
		cmd{"xadd", -5, "write denyoom fast", 1, 1, 1, cmdXadd},
		cmd{"xlen", 2, "readonly fast", 1, 1, 1, cmdXlen},
		cmd{"xrange", -4, "readonly", 1, 1, 1, cmdXrange},
		cmd{"xrevrange", -4, "readonly", 1, 1, 1, cmdXrevrange},
		cmd{"xdel", -3, "write fast", 1, 1, 1, cmdXdel},
		cmd{"xtrim", -4, "write", 1, 1, 1, cmdXtrim},
		cmd{"xsetid", -3, "write denyoom fast", 1, 1, 1, cmdXsetid},
	)
}

// entryReply is one entry as the stream commands send it: [id, [f, v, ...]].
func entryReply(e *streamEntry) resp.Value {
	return resp.Array(resp.Bulk(e.id.String()), resp.BulkArray(e.fields))
}

// parseTrimArgs parses the options of XADD (from argv[2] to its id, whose
// position it returns) or of XTRIM (all of argv[2:]), as Redis's
// streamParseAddOrTrimArgsOrReply does. XADD's caller parses the id, then
// calls finishTrimArgs, in Redis's order.
func parseTrimArgs(argv [][]byte, xadd bool) (a trimArgs, noMkstream bool, idPos int, limitGiven bool, err error) {
	i := 2
	for ; i < len(argv); i++ {
		more := len(argv) - 1 - i
		opt := argv[i]
		switch {
		case xadd && cString(opt) == "*":
			return a, noMkstream, i, limitGiven, nil
		case isOpt(opt, "maxlen") && more > 0, isOpt(opt, "minid") && more > 0:
			if a.strategy != trimNone {
				return a, false, 0, false, ErrStreamMaxlenMinid
			}
			a.approx = false
			if more >= 2 {
				switch cString(argv[i+1]) {
				case "~":
					a.approx = true
					i++
				case "=":
					i++
				}
			}
			if isOpt(opt, "maxlen") {
				if a.maxlen, err = argInt(argv[i+1]); err != nil {
					return a, false, 0, false, err
				}
				if a.maxlen < 0 {
					return a, false, 0, false, ErrStreamMaxlenNeg
				}
				a.strategy = trimMaxlen
			} else {
				if a.minid, _, err = parseStreamID(argv[i+1], 0, idStrict); err != nil {
					return a, false, 0, false, err
				}
				a.strategy = trimMinid
			}
			i++
		case isOpt(opt, "limit") && more > 0:
			if a.limit, err = argInt(argv[i+1]); err != nil {
				return a, false, 0, false, err
			}
			if a.limit < 0 {
				return a, false, 0, false, ErrStreamLimitNeg
			}
			limitGiven = true
			i++
		case xadd && isOpt(opt, "nomkstream"):
			noMkstream = true
		case xadd:
			// The id, or a syntax error reported as a bad id.
			return a, noMkstream, i, limitGiven, nil
		default:
			return a, false, 0, false, ErrSyntax
		}
	}
	if xadd {
		return a, noMkstream, i, limitGiven, nil
	}
	return a, false, i, limitGiven, finishTrimArgs(&a, limitGiven, false)
}

// finishTrimArgs checks the options' combination once they are all read
// and sets the default LIMIT of an approximate trim.
func finishTrimArgs(a *trimArgs, limitGiven, xadd bool) error {
	if a.limit != 0 && a.strategy == trimNone {
		return ErrStreamLimitNoTrim
	}
	if !xadd && a.strategy == trimNone {
		return ErrXtrimNoStrategy
	}
	switch {
	case limitGiven && !a.approx:
		return ErrStreamLimitNoApprox
	case !limitGiven && a.approx:
		a.limit = 100 * streamNodeMaxEntries
	case !limitGiven:
		a.limit = 0
	}
	return nil
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func cmdXadd(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	trim, noMkstream, idPos, limitGiven, err := parseTrimArgs(argv, true)
	if err != nil {
		return resp.Value{}, err
	}
	var id streamID
	idGiven, seqGiven := false, false
	if idPos < len(argv) && cString(argv[idPos]) != "*" {
		if id, seqGiven, err = parseStreamID(argv[idPos], 0, idStrict|idSeqAuto); err != nil {
			return resp.Value{}, err
		}
		idGiven = true
	}
	if err := finishTrimArgs(&trim, limitGiven, true); err != nil {
		return resp.Value{}, err
	}
	if n := len(argv) - idPos - 1; n < 2 || n%2 == 1 {
		return resp.Value{}, errArity("xadd")
	}
	if idGiven && seqGiven && id.isZero() {
		return resp.Value{}, ErrStreamIDZero
	}
	fieldArgs := argv[idPos+1:]

	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	key := bstr(argv[1])
	s, _, err := db.lookupStream(key)
	if err != nil {
		return resp.Value{}, err
	}
	if s == nil && noMkstream {
		return resp.Null, nil
	}
	last := streamID{}
	if s != nil {
		last = s.lastID
	}
	if last == maxStreamID {
		return resp.Value{}, ErrStreamExhausted
	}
	switch {
	case !idGiven:
		id = nextStreamID(last, db.now())
	case !seqGiven && id.ms == last.ms:
		if last.seq == math.MaxUint64 {
			return resp.Value{}, ErrStreamIDTooSmall
		}
		id = streamID{last.ms, last.seq + 1}
	}
	if !last.less(id) {
		return resp.Value{}, ErrStreamIDTooSmall
	}
	if s == nil {
		s = db.addStream(key)
	}
	fields := make([]string, len(fieldArgs))
	for i, f := range fieldArgs {
		fields[i] = string(f)
	}
	s.append(id, fields)
	db.notify(ClassStream, "xadd", key)
	if s.trim(trim) > 0 {
		db.notify(ClassStream, "xtrim", key)
	}
	signalStreamKey(db, key)

	// >> Response
	return resp.Bulk(id.String()), nil
}

// nextStreamID is the id XADD "*" generates: the current millisecond, or
// the last id's successor when the clock has not passed it.
func nextStreamID(last streamID, nowMs int64) streamID {
	if now := uint64(max(nowMs, 0)); now > last.ms {
		return streamID{now, 0}
	}
	next, _ := last.incr()
	return next
}

// XLEN key
func cmdXlen(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupStream(bstr(argv[1]))
	if s == nil || err != nil {
		return resp.Zero, err
	}
	return resp.Int(int64(s.length)), nil
}

// XRANGE key start end [COUNT count]
func cmdXrange(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return xrangeGeneric(ks, argv, argv[2], argv[3], false)
}

// XREVRANGE key end start [COUNT count]
func cmdXrevrange(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	return xrangeGeneric(ks, argv, argv[3], argv[2], true)
}

func xrangeGeneric(ks *Keyspace, argv [][]byte, startArg, endArg []byte, rev bool) (resp.Value, error) {
	// >> Args
	start, err := parseRangeStart(startArg)
	if err != nil {
		return resp.Value{}, err
	}
	end, err := parseRangeEnd(endArg)
	if err != nil {
		return resp.Value{}, err
	}
	count := int64(-1)
	for j := 4; j < len(argv); j++ {
		if !isOpt(argv[j], "count") || j+1 >= len(argv) {
			return resp.Value{}, ErrSyntax
		}
		if count, err = argInt(argv[j+1]); err != nil {
			return resp.Value{}, err
		}
		count = max(count, 0)
		j++
	}

	// >> Operation
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupStream(bstr(argv[1]))
	if s == nil || err != nil {
		return resp.Array(), err
	}
	if count == 0 {
		return resp.NullArray, nil
	}
	return resp.Array(s.rangeReply(start, end, rev, count)...), nil
}

// rangeReply is the entries from start to end, at most count of them
// (count < 1: all).
func (s *streamValue) rangeReply(start, end streamID, rev bool, count int64) []resp.Value {
	out := []resp.Value{}
	s.each(start, end, rev, func(e *streamEntry) bool {
		out = append(out, entryReply(e))
		return count <= 0 || int64(len(out)) < count
	})
	return out
}

// XDEL key id [id ...]
func cmdXdel(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupStream(bstr(argv[1]))
	if s == nil || err != nil {
		return resp.Zero, err
	}
	// All ids are checked before any is deleted: all or nothing.
	ids := make([]streamID, len(argv)-2)
	for i, a := range argv[2:] {
		if ids[i], _, err = parseStreamID(a, 0, idStrict); err != nil {
			return resp.Value{}, err
		}
	}
	deleted, firstGone := 0, false
	for _, id := range ids {
		if !s.delete(id) {
			continue
		}
		if id == s.firstID {
			firstGone = true
		}
		if s.maxDeletedID.less(id) {
			s.maxDeletedID = id
		}
		deleted++
	}
	if deleted > 0 {
		if s.length == 0 {
			s.firstID = streamID{}
		} else if firstGone {
			s.refreshFirstID()
		}
	}
	if deleted > 0 {
		db.notify(ClassStream, "xdel", bstr(argv[1]))
	}
	return resp.Int(int64(deleted)), nil
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func cmdXtrim(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	trim, _, _, _, err := parseTrimArgs(argv, false)
	if err != nil {
		return resp.Value{}, err
	}
	db := ks.lock()
	defer ks.unlock()
	s, _, err := db.lookupStream(bstr(argv[1]))
	if s == nil || err != nil {
		return resp.Zero, err
	}
	deleted := s.trim(trim)
	if deleted > 0 {
		db.notify(ClassStream, "xtrim", bstr(argv[1]))
	}
	return resp.Int(deleted), nil
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func cmdXsetid(ks *Keyspace, argv [][]byte) (resp.Value, error) {
	// >> Args
	id, _, err := parseStreamID(argv[2], 0, idStrict)
	if err != nil {
		return resp.Value{}, err
	}
	entriesAdded := int64(-1)
	var maxDeleted streamID
	for i := 3; i < len(argv); i++ {
		more := len(argv) - 1 - i
		switch {
		case isOpt(argv[i], "entriesadded") && more > 0:
			if entriesAdded, err = argInt(argv[i+1]); err != nil {
				return resp.Value{}, err
			}
			if entriesAdded < 0 {
				return resp.Value{}, Error("ERR entries_added must be positive")
			}
			i++
		case isOpt(argv[i], "maxdeletedid") && more > 0:
			if maxDeleted, _, err = parseStreamID(argv[i+1], 0, idStrict); err != nil {
				return resp.Value{}, err
			}
			if id.less(maxDeleted) {
				return resp.Value{}, Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
			}
			i++
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
	if s == nil {
		return resp.Value{}, ErrNoSuchKey
	}
	if s.length > 0 {
		if last := s.lastValidID(); id.less(last) {
			return resp.Value{}, Error("ERR The ID specified in XSETID is smaller than the target stream top item")
		}
		if entriesAdded != -1 && int64(s.length) > entriesAdded {
			return resp.Value{}, Error("ERR The entries_added specified in XSETID is smaller than the target stream length")
		}
	}
	s.lastID = id
	db.notify(ClassStream, "xsetid", bstr(argv[1]))
	if entriesAdded != -1 {
		s.entriesAdded = entriesAdded
	}
	if !maxDeleted.isZero() {
		s.maxDeletedID = maxDeleted
	}
	return resp.OK, nil
}
