package store

import (
	"math"
	"strconv"
)

// streamID is a stream entry's id: milliseconds and a sequence number,
// ordered as the 128-bit number ms<<64|seq, as Redis orders them.
type streamID struct{ ms, seq uint64 }

var maxStreamID = streamID{math.MaxUint64, math.MaxUint64}

func (a streamID) cmp(b streamID) int {
	switch {
	case a.ms < b.ms:
		return -1
	case a.ms > b.ms:
		return 1
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

func (a streamID) less(b streamID) bool { return a.cmp(b) < 0 }

func (a streamID) isZero() bool { return a.ms == 0 && a.seq == 0 }

func (a streamID) String() string {
	return strconv.FormatUint(a.ms, 10) + "-" + strconv.FormatUint(a.seq, 10)
}

// incr returns the id just after a; ok is false when a is the last id
// (Redis's streamIncrID).
func (a streamID) incr() (streamID, bool) {
	switch {
	case a.seq < math.MaxUint64:
		return streamID{a.ms, a.seq + 1}, true
	case a.ms < math.MaxUint64:
		return streamID{a.ms + 1, 0}, true
	}
	return streamID{}, false
}

// decr returns the id just before a; ok is false when a is 0-0.
func (a streamID) decr() (streamID, bool) {
	switch {
	case a.seq > 0:
		return streamID{a.ms, a.seq - 1}, true
	case a.ms > 0:
		return streamID{a.ms - 1, math.MaxUint64}, true
	}
	return maxStreamID, false
}

// idParse says which forms parseStreamID accepts.
type idParse uint8

const (
	// idStrict refuses "-" and "+" (streamParseStrictIDOrReply).
	idStrict idParse = 1 << iota
	// idSeqAuto accepts "<ms>-*" (XADD's id) and reports it.
	idSeqAuto
)

// parseStreamID is Redis's streamGenericParseIDOrReply: "-", "+" (unless
// strict), "<ms>", "<ms>-<seq>" and, for XADD, "<ms>-*". A missing
// sequence is missingSeq. seqGiven is false only for "<ms>-*".
func parseStreamID(arg []byte, missingSeq uint64, how idParse) (id streamID, seqGiven bool, err error) {
	if len(arg) > 127 {
		return streamID{}, false, ErrInvalidStreamID
	}
	s := cString(arg)
	if s == "-" || s == "+" {
		if how&idStrict != 0 {
			return streamID{}, false, ErrInvalidStreamID
		}
		if s == "-" {
			return streamID{}, true, nil
		}
		return maxStreamID, true, nil
	}
	msPart, seqPart, hasSeq := cut(s, '-')
	ms, ok := string2ull(msPart)
	if !ok {
		return streamID{}, false, ErrInvalidStreamID
	}
	if !hasSeq {
		return streamID{ms, missingSeq}, true, nil
	}
	if how&idSeqAuto != 0 && seqPart == "*" {
		return streamID{ms, 0}, false, nil
	}
	seq, ok := string2ull(seqPart)
	if !ok {
		return streamID{}, false, ErrInvalidStreamID
	}
	return streamID{ms, seq}, true, nil
}

// parseIntervalID is streamParseIntervalIDOrReply: an id that may start
// with "(" to exclude it, then parsed strictly.
func parseIntervalID(arg []byte, missingSeq uint64) (id streamID, exclusive bool, err error) {
	if len(arg) > 1 && arg[0] == '(' {
		id, _, err = parseStreamID(arg[1:], missingSeq, idStrict)
		return id, true, err
	}
	id, _, err = parseStreamID(arg, missingSeq, 0)
	return id, false, err
}

// parseRangeStart parses an interval start, stepping past it when it is
// exclusive.
func parseRangeStart(arg []byte) (streamID, error) {
	id, ex, err := parseIntervalID(arg, 0)
	if err != nil {
		return id, err
	}
	if ex {
		var ok bool
		if id, ok = id.incr(); !ok {
			return id, ErrStreamStartInterval
		}
	}
	return id, nil
}

// parseRangeEnd parses an interval end, stepping before it when it is
// exclusive.
func parseRangeEnd(arg []byte) (streamID, error) {
	id, ex, err := parseIntervalID(arg, math.MaxUint64)
	if err != nil {
		return id, err
	}
	if ex {
		var ok bool
		if id, ok = id.decr(); !ok {
			return id, ErrStreamEndInterval
		}
	}
	return id, nil
}

func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// string2ull is Redis's string2ull: string2ll when it fits and is not
// negative, else C's strtoull, which also takes leading blanks, a sign
// (a minus negates modulo 2^64), and leading zeros.
func string2ull(s string) (uint64, bool) {
	if n, ok := parseInt(s); ok {
		return uint64(n), n >= 0
	}
	if s == "" {
		return 0, false
	}
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	overflow := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if i == start || i != len(s) || overflow {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}
