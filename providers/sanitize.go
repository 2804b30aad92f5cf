package providers

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sanitize makes text that came from a server safe for a terminal: it drops
// ANSI escape sequences (CSI, OSC, DCS and the rest), C0 and C1 control
// characters and invalid UTF-8, keeping newlines and tabs.
func Sanitize(s string) string {
	return sanitize(s, true)
}

// SanitizeLine is [Sanitize] for one line: newlines and tabs become spaces
// and runs of spaces collapse.
func SanitizeLine(s string) string {
	return strings.Join(strings.Fields(sanitize(s, false)), " ")
}

func sanitize(s string, keepLines bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			i++
			continue
		case r == 0x1b: // ESC: skip the whole sequence
			i += escapeLen(s[i:])
			continue
		case r == 0x9b: // C1 CSI
			i += size + csiLen(s[i+size:])
			continue
		case r == 0x9d || r == 0x90 || r == 0x9e || r == 0x9f: // C1 OSC, DCS, PM, APC
			i += size + stringLen(s[i+size:])
			continue
		case r == '\n' || r == '\t':
			if keepLines {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case r == '\r':
			// dropped: a bare CR would let a server overwrite the line
		case unicode.IsControl(r), r == 0x7f:
			// dropped
		case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			// bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO,
			// LRI RLI FSI PDI) could disguise text; dropped
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// escapeLen returns the length of the escape sequence at the start of s
// (s[0] == ESC).
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		return 2 + csiLen(s[2:])
	case ']', 'P', '^', '_', 'X':
		return 2 + stringLen(s[2:])
	}
	// Two- or three-byte escapes such as ESC ( B or ESC c.
	if s[1] >= 0x20 && s[1] <= 0x2f && len(s) >= 3 {
		return 3
	}
	return 2
}

// csiLen returns the length of CSI parameters and final byte.
func csiLen(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x40 && c <= 0x7e {
			return i + 1
		}
	}
	return len(s)
}

// stringLen returns the length of an OSC/DCS string up to and including its
// terminator (BEL or ST).
func stringLen(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0x07:
			return i + 1
		case 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		if strings.HasPrefix(s[i:], "\u009c") {
			return i + len("\u009c")
		}
	}
	return len(s)
}

// Truncate shortens s to at most n runes, marking a cut with "…".
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
