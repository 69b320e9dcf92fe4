package config

import "testing"

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"a*", "abc", true},
		{"a*c", "abc", true},
		{"a*d", "abc", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"[ab]x", "bx", true},
		{"[^ab]x", "bx", false},
		{"[^ab]x", "cx", true},
		{"[a-c]x", "bx", true},
		{"[c-a]x", "bx", true},
		{"[a-c]x", "dx", false},
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
		{"python.*", "python.gil", true},
		{"*timeout", "scheduler.queue-timeout", true},
		{"*-*", "maxclients", false},
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"**a", "ba", true},
		{"[ab", "a", true}, // unterminated class, as Redis
	}
	for _, tc := range cases {
		if got := GlobMatch(tc.pattern, tc.s, false); got != tc.want {
			t.Errorf("GlobMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
	if !GlobMatch("MAX*", "maxclients", true) || GlobMatch("MAX*", "maxclients", false) {
		t.Error("nocase")
	}
	if !GlobMatch("[A-C]x", "bx", true) {
		t.Error("nocase range")
	}
}
