package store

import "testing"

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", false}, // as in Redis: KEYS and SCAN special-case "*"
		{"*", "anything", true},
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"h?llo", "hello", true},
		{"h?llo", "hllo", false},
		{"h*llo", "hllo", true},
		{"h*llo", "heeeello", true},
		{"h[ae]llo", "hallo", true},
		{"h[ae]llo", "hillo", false},
		{"h[^e]llo", "hallo", true},
		{"h[^e]llo", "hello", false},
		{"h[a-b]llo", "hbllo", true},
		{"h[b-a]llo", "hallo", true}, // reversed ranges are swapped
		{"h[a-b]llo", "hcllo", false},
		{`h\*llo`, "h*llo", true},
		{`h\*llo`, "hallo", false},
		{`[\]]`, "]", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"**a", "a", true},
		{"a**", "a", true},
		{"a*", "a", true},
		{"*a", "ba", true},
		// Malformed patterns behave as in Redis.
		{"[abc", "a", true}, // an unterminated class ends the pattern
		{"[abc", "ab", false},
		{"[", "a", false},
		{"[^", "a", true},
		{`a\`, `a\`, true}, // a trailing backslash matches itself
		{"[a-", "-", true},
		// Bytes over 0x7f compare as C's signed chars in ranges.
		{"[\x01-\xff]", "a", false}, // the range is [-1, 1] after the swap: 'a' is outside
		{"[\x01-\xff]", "\x00", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestGlobMatchPathological(t *testing.T) {
	// Without the skip of longer matches this takes exponential time.
	p := "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"
	s := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	if globMatch(p, s) {
		t.Error("matched")
	}
}
