package config

import "unicode"

// GlobMatch reports whether s matches the glob pattern with Redis's rules
// (util.c: stringmatchlen): * any run, ? one byte, [abc] [^a-z] classes,
// \x a literal x; nocase folds ASCII case, as CONFIG GET and COMMAND LIST
// do. path.Match cannot stand in: it treats '/' specially and rejects
// unbalanced brackets.
func GlobMatch(pattern, s string, nocase bool) bool {
	p, str := []byte(pattern), []byte(s)
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for i := 0; i <= len(str); i++ {
				if GlobMatch(string(p[1:]), string(str[i:]), nocase) {
					return true
				}
			}
			return false
		case '?':
			if len(str) == 0 {
				return false
			}
			str = str[1:]
		case '[':
			if len(str) == 0 {
				return false
			}
			p = p[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			match := false
			for {
				if len(p) == 0 {
					break // unterminated class: Redis treats the end as ']'
				}
				if p[0] == '\\' && len(p) >= 2 {
					p = p[1:]
					if p[0] == str[0] {
						match = true
					}
				} else if p[0] == ']' {
					break
				} else if len(p) >= 3 && p[1] == '-' {
					lo, hi := p[0], p[2]
					if lo > hi {
						lo, hi = hi, lo
					}
					c := str[0]
					if nocase {
						lo, hi, c = lower(lo), lower(hi), lower(c)
					}
					if c >= lo && c <= hi {
						match = true
					}
					p = p[2:]
				} else if equalByte(p[0], str[0], nocase) {
					match = true
				}
				p = p[1:]
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			str = str[1:]
			if len(p) == 0 {
				return len(str) == 0
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if len(str) == 0 || !equalByte(p[0], str[0], nocase) {
				return false
			}
			str = str[1:]
		}
		p = p[1:]
		if len(str) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			return len(p) == 0
		}
	}
	return len(str) == 0
}

func lower(c byte) byte { return byte(unicode.ToLower(rune(c))) }

func equalByte(a, b byte, nocase bool) bool {
	if nocase {
		return lower(a) == lower(b)
	}
	return a == b
}
