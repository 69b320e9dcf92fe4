package store

import (
	"math"
	"strconv"
)

// parseInt is Redis's string2ll: a base-10 int64 with an optional '-', no
// '+', no spaces, no leading zeros ("0" alone excepted), at most 20 bytes.
func parseInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) >= 21 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	neg := false
	i := 0
	if s[0] == '-' {
		neg = true
		i++
		if i == len(s) {
			return 0, false
		}
	}
	if s[i] < '1' || s[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > uint64(math.MaxInt64)+1 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// argInt parses an integer argument (getLongLongFromObjectOrReply).
func argInt(b []byte) (int64, error) {
	n, ok := parseInt(bstr(b))
	if !ok {
		return 0, ErrNotInteger
	}
	return n, nil
}

// argRange reads the start and end indexes of LRANGE, LTRIM and GETRANGE,
// start first, as Redis reports the first bad one.
func argRange(startArg, endArg []byte) (start, end int64, err error) {
	if start, err = argInt(startArg); err != nil {
		return 0, 0, err
	}
	end, err = argInt(endArg)
	return start, end, err
}

// formatInt formats n in base 10.
func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

// appendInt appends n in base 10 to b.
func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }
