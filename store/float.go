package store

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Floats as Redis reads and writes them. Redis parses with C's strtod and
// strtold, so this file reproduces their grammar (leading white space,
// signs, "inf", "infinity", "nan", hexadecimal floats) and Redis's checks
// around them; and INCRBYFLOAT computes in x87 long double, which is
// emulated with a 64-bit-mantissa big.Float.

// floatKind is what scanFloat recognized.
type floatKind uint8

const (
	floatNone floatKind = iota // no number at all
	floatFinite
	floatInf
	floatNaN
)

// isCSpace is C's isspace in the C locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// scanFloat finds the longest prefix of s that strtod would convert, after
// white space and a sign. It returns the end of that prefix (0 when there
// is no number, as strtod's endptr is then s), where the number proper
// starts (after the sign), and its kind.
func scanFloat(s string) (end, start int, kind floatKind) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start = i
	rest := strings.ToLower(s[i:min(len(s), i+8)])
	switch {
	case strings.HasPrefix(rest, "infinity"):
		return i + 8, start, floatInf
	case strings.HasPrefix(rest, "inf"):
		return i + 3, start, floatInf
	case strings.HasPrefix(rest, "nan"):
		j := i + 3
		// nan(n-char-sequence)
		if j < len(s) && s[j] == '(' {
			k := j + 1
			for k < len(s) && (isAlnum(s[k]) || s[k] == '_') {
				k++
			}
			if k < len(s) && s[k] == ')' {
				j = k + 1
			}
		}
		return j, start, floatNaN
	}
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		if j := scanDigits(s, i+2, isHexDigit, 'p'); j > 0 {
			return j, start, floatFinite
		}
		// "0x" with no hex digits converts the "0" alone.
		return i + 1, start, floatFinite
	}
	if j := scanDigits(s, i, isDigit, 'e'); j > 0 {
		return j, start, floatFinite
	}
	return 0, 0, floatNone
}

// scanDigits scans digits [. digits] (at least one digit) from i, then an
// exponent introduced by exp (either case) when digits follow it. It
// returns the end, or 0 when there are no digits.
func scanDigits(s string, i int, digit func(byte) bool, exp byte) int {
	j := i
	n := 0
	for j < len(s) && digit(s[j]) {
		j++
		n++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && digit(s[j]) {
			j++
			n++
		}
	}
	if n == 0 {
		return 0
	}
	if j < len(s) && (s[j]|0x20) == exp {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	return j
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f') }
func isAlnum(c byte) bool    { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z') }

// hasNonZeroDigit reports whether the mantissa of the number s has a
// nonzero digit: a number that is not zero but converts to zero underflowed.
func hasNonZeroDigit(s string) bool {
	hex := len(s) > 1 && s[0] == '0' && (s[1]|0x20) == 'x'
	if hex {
		s = s[2:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !hex && (c|0x20) == 'e' || hex && (c|0x20) == 'p' {
			return false
		}
		if c != '0' && c != '.' {
			return true
		}
	}
	return false
}

// strtod converts the prefix of the C string s that C's strtod converts and
// returns its value and length (0 when nothing converts). Out of range
// values come back as ±Inf or 0, as from strtod with ERANGE.
func strtod(s string) (float64, int) {
	s = cStringOf(s)
	end, start, kind := scanFloat(s)
	neg := start > 0 && s[start-1] == '-'
	var f float64
	switch kind {
	case floatNone:
		return 0, 0
	case floatInf:
		f = math.Inf(1)
	case floatNaN:
		f = math.NaN()
	case floatFinite:
		num := s[start:end]
		if len(num) > 1 && (num[1]|0x20) == 'x' && !strings.ContainsAny(num, "pP") {
			num += "p0" // strconv wants the binary exponent of a hex float
		}
		f, _ = strconv.ParseFloat(num, 64) // ±Inf on overflow, as strtod
	}
	if neg {
		f = -f
	}
	return f, end
}

// cStringOf is s up to its first NUL, as C sees it.
func cStringOf(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// parseDouble is Redis's string2d (getDoubleFromObject): the whole of s is
// a number, with no leading space, that is neither NaN, nor out of range,
// nor so small it underflows to zero.
func parseDouble(s string) (float64, bool) {
	if len(s) == 0 || isCSpace(s[0]) {
		return 0, false
	}
	f, n := strtod(s)
	if n != len(s) || math.IsNaN(f) {
		return 0, false
	}
	end, start, kind := scanFloat(s)
	if kind == floatFinite && (math.IsInf(f, 0) || f == 0 && hasNonZeroDigit(s[start:end])) {
		return 0, false // ERANGE
	}
	return f, true
}

// argDouble parses a float argument (getDoubleFromObjectOrReply).
func argDouble(b []byte) (float64, error) {
	f, ok := parseDouble(bstr(b))
	if !ok {
		return 0, ErrNotFloat
	}
	return f, nil
}

// formatDouble formats a score as Redis 7.0's addReplyDouble does ("%.17g",
// with inf and -inf spelled so).
func formatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// Long doubles: x87 extended precision, a 64-bit mantissa and a 15-bit
// exponent.
const longDoublePrec = 64

var (
	// maxLongDouble is LDBL_MAX, (2 - 2^-63) * 2^16383.
	maxLongDouble = new(big.Float).SetPrec(longDoublePrec).SetMantExp(
		new(big.Float).SetPrec(longDoublePrec).Sub(big.NewFloat(2), new(big.Float).SetMantExp(big.NewFloat(1), -63)), 16383)
	// minLongDouble is half the smallest subnormal: anything smaller
	// rounds to zero.
	minLongDouble = new(big.Float).SetMantExp(big.NewFloat(1), -16446)
)

func newLongDouble() *big.Float {
	return new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
}

// parseLongDouble is Redis's string2ld: like parseDouble, for long doubles.
// Infinities are accepted; NaN is not.
func parseLongDouble(s string) (*big.Float, bool) {
	if len(s) == 0 || len(s) >= 5*1024 || isCSpace(s[0]) {
		return nil, false
	}
	end, start, kind := scanFloat(s)
	if end != len(s) {
		return nil, false
	}
	neg := start > 0 && s[start-1] == '-'
	f := newLongDouble()
	switch kind {
	case floatNaN, floatNone:
		return nil, false
	case floatInf:
		f.SetInf(neg)
		return f, true
	}
	num := s[start:end]
	if len(num) > 1 && (num[1]|0x20) == 'x' && !strings.ContainsAny(num, "pP") {
		num += "p0"
	}
	if _, _, err := f.Parse(num, 0); err != nil {
		return nil, false // exponent overflow: out of range either way
	}
	if f.Sign() != 0 {
		if f.Cmp(maxLongDouble) > 0 || f.Cmp(minLongDouble) < 0 {
			return nil, false // ERANGE: HUGE_VAL or zero
		}
	}
	if neg {
		f.Neg(f)
	}
	return f, true
}

// addLongDouble returns a+b, or false when the sum is NaN or infinite.
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false // inf, or inf - inf
	}
	sum := newLongDouble().Add(a, b)
	if new(big.Float).Abs(sum).Cmp(maxLongDouble) > 0 {
		return nil, false // overflows to inf
	}
	return sum, true
}

// formatLongDouble is Redis's ld2string in LD_STR_HUMAN mode: "%.17Lf" with
// the trailing zeros (and point) removed, and "-0" written "0".
func formatLongDouble(f *big.Float) string {
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
