// Package printable makes text from outside perftop (error messages, reason
// phrases, names read from files and servers) safe and tidy to print on one
// line: control characters, which a terminal would obey, become spaces or
// are dropped, and runs of white space become one space.
package printable

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s on one line: every run of white space and control
// characters (newlines, tabs, escapes, other C0 and C1 controls) becomes one
// space, invalid UTF-8 becomes U+FFFD, and leading and trailing space is
// trimmed. A string that needs none of it is returned as it is, without
// allocating.
func Line(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// clean reports whether Line would return s unchanged.
func clean(s string) bool {
	prevSpace := true // a leading space is not clean
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			if c == ' ' {
				if prevSpace {
					return false
				}
				prevSpace = true
			} else {
				prevSpace = false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
		prevSpace = false
		i += n
	}
	return !prevSpace || len(s) == 0
}

// Cut returns s cut to at most n bytes, on a rune boundary, with "…" marking
// the cut; s as it is when it fits. Text from outside can be megabytes (a
// parser quoting the token at fault): errors and logs repeat a bounded part.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
