package store

// globMatch reports whether s matches the glob pattern, exactly as Redis
// 7.0's stringmatchlen does (case-sensitive), including its handling of
// malformed patterns: an unterminated '[' class, a trailing '\', and byte
// ranges compared as C's signed chars.
func globMatch(pattern, s string) bool {
	skipLonger := false
	return globMatchImpl(pattern, s, &skipLonger, 0)
}

// at returns p[i], or 0 past its end, standing in for C's NUL terminator.
func at(p string, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func globMatchImpl(pattern, s string, skipLonger *bool, nesting int) bool {
	// Protection against abusive patterns (Redis 7.0.10+).
	if nesting > 1000 {
		return false
	}
	p := 0 // index into pattern; the C code's pattern pointer
	for p < len(pattern) && len(s) > 0 {
		switch pattern[p] {
		case '*':
			for at(pattern, p+1) == '*' && p+1 < len(pattern) {
				p++
			}
			if p == len(pattern)-1 {
				return true
			}
			for len(s) > 0 {
				if globMatchImpl(pattern[p+1:], s, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			// No match for the rest of the pattern from anywhere in the
			// rest of the string: no longer match of an earlier '*' can
			// help either.
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			p++
			not := at(pattern, p) == '^'
			if not {
				p++
			}
			match := false
			for {
				if at(pattern, p) == '\\' && len(pattern)-p >= 2 {
					p++
					if pattern[p] == s[0] {
						match = true
					}
				} else if at(pattern, p) == ']' {
					break
				} else if p >= len(pattern) {
					p--
					break
				} else if len(pattern)-p >= 3 && pattern[p+1] == '-' {
					start, end := int8(pattern[p]), int8(pattern[p+2])
					if start > end {
						start, end = end, start
					}
					c := int8(s[0])
					p += 2
					if c >= start && c <= end {
						match = true
					}
				} else if pattern[p] == s[0] {
					match = true
				}
				p++
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s = s[1:]
		case '\\':
			if len(pattern)-p >= 2 {
				p++
			}
			fallthrough
		default:
			if pattern[p] != s[0] {
				return false
			}
			s = s[1:]
		}
		p++
		if len(s) == 0 {
			for at(pattern, p) == '*' {
				p++
			}
			break
		}
	}
	return p >= len(pattern) && len(s) == 0
}
