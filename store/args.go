package store

// isOpt reports whether the argument arg is the option opt (lower case),
// compared as Redis compares options: strcasecmp, ASCII case folding, on
// the argument read as a C string (up to its first NUL).
func isOpt(arg []byte, opt string) bool { return foldEqual(bstr(arg), opt) }

// foldEqual reports whether the C string s equals the lower-case lower
// under ASCII case folding (strcasecmp(s, lower) == 0).
func foldEqual(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			s = s[:i]
			break
		}
	}
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
