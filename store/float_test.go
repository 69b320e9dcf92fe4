package store

import (
	"math"
	"testing"
)

func TestParseDouble(t *testing.T) {
	good := map[string]float64{
		"1": 1, "-1.5": -1.5, "+2": 2, ".5": 0.5, "5.": 5, "1e3": 1000, "1E-2": 0.01, "inf": math.Inf(1),
		"-Infinity": math.Inf(-1), "0x10": 16, "0x1p-2": 0.25, "1e": 0, "0": 0, "-0": 0, "0e5": 0,
		"4.9e-324": 5e-324, // subnormal: accepted
	}
	delete(good, "1e") // "1e" leaves the 'e' unconverted
	for s, want := range good {
		if got, ok := parseDouble(s); !ok || got != want {
			t.Errorf("parseDouble(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", " 1", "1 ", "x", "1e", "nan", "NaN(1)", "1e999", "-1e999", "1e-999", "0x", "1.2.3", "1\x00"} {
		if got, ok := parseDouble(s); ok {
			t.Errorf("parseDouble(%q) = %v, want failure", s, got)
		}
	}
}

func TestStrtodPrefix(t *testing.T) {
	tests := []struct {
		s    string
		want float64
		n    int
	}{
		{"  12abc", 12, 4}, {"", 0, 0}, {"abc", 0, 0}, {"-", 0, 0}, {"1e+", 1, 1},
		{"0x", 0, 1}, {"0xg", 0, 1}, {"infinit", math.Inf(1), 3}, {"1\x002", 1, 1},
	}
	for _, tt := range tests {
		if got, n := strtod(tt.s); got != tt.want || n != tt.n {
			t.Errorf("strtod(%q) = %v, %d; want %v, %d", tt.s, got, n, tt.want, tt.n)
		}
	}
}

func TestLongDouble(t *testing.T) {
	add := func(a, b string) string {
		x, ok1 := parseLongDouble(a)
		y, ok2 := parseLongDouble(b)
		if !ok1 || !ok2 {
			return "parse error"
		}
		s, ok := addLongDouble(x, y)
		if !ok {
			return "NaN or Infinity"
		}
		return formatLongDouble(s)
	}
	tests := []struct{ a, b, want string }{
		// With a 64-bit mantissa and 17 decimals these come out as typed,
		// where float64 would print 0.30000000000000004.
		{"0.1", "0.2", "0.3"},
		{"16.1", "0.2", "16.3"},
		{"10.5", "0.1", "10.6"},
		{"1", "-1", "0"},
		{"-0.00000000000000000001", "0", "0"},
		{"5.0e3", "2.0e2", "5200"},
		{"0x10", "1", "17"},
		// Printed exactly, as glibc's printf does (checked against Redis).
		{"1e300", "0", "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144"},
		{"3.6e-4951", "0", "0"}, // subnormal, accepted
		{"1e-4960", "0", "parse error"},
		{"inf", "1", "NaN or Infinity"},
		{"1.18973149535723176502e+4932", "1.18973149535723176502e+4932", "NaN or Infinity"},
		{"1e5000", "0", "parse error"},
		{"abc", "1", "parse error"},
		{"nan", "1", "parse error"},
	}
	for _, tt := range tests {
		if got := add(tt.a, tt.b); got != tt.want {
			t.Errorf("%s + %s = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestFormatDouble(t *testing.T) {
	tests := map[float64]string{
		1.1: "1.1000000000000001", 1e20: "1e+20", 1e-5: "1.0000000000000001e-05", 3: "3",
		math.Inf(1): "inf", math.Inf(-1): "-inf", math.Copysign(0, -1): "-0", 1e16: "10000000000000000",
	}
	for f, want := range tests {
		if got := formatDouble(f); got != want {
			t.Errorf("formatDouble(%v) = %q, want %q", f, got, want)
		}
	}
}
