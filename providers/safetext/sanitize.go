package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize makes text safe for a terminal: it drops ANSI escape sequences
// (CSI, OSC, DCS and the rest, in their 7-bit and C1 forms), C0 and C1
// control characters, DEL, bidi overrides, invisible characters
// (zero-width spaces and joiners, bidi marks, U+FEFF) and invalid UTF-8,
// keeping newlines and tabs. Clean text is returned as it is, without a copy.
func Sanitize(s string) string {
	return sanitize(s, true)
}

// Line is [Sanitize] for one line: newlines and tabs become spaces and
// runs of spaces collapse.
func Line(s string) string {
	return strings.Join(strings.Fields(sanitize(s, false)), " ")
}

func sanitize(s string, keepLines bool) string {
	if isClean(s, keepLines) {
		return s
	}
	f := filter{keepLines: keepLines}
	return string(f.feed(make([]byte, 0, len(s)), []byte(s)))
}

// isClean reports whether s is printable ASCII (plus newline and tab when
// keepLines), which [filter] passes unchanged.
func isClean[T string | []byte](s T, keepLines bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			if keepLines && (c == '\n' || c == '\t') {
				continue
			}
			return false
		}
	}
	return true
}

// FirstUnsafe finds the first thing in s that [Sanitize] would drop (with
// lines, newlines and tabs are allowed): a control character (ESC starts
// every escape sequence), DEL, a bidi control, an invisible character
// (U+200B–U+200F, U+061C, U+2060–U+2064, U+FEFF) or a byte of invalid
// UTF-8.
// It returns that rune (utf8.RuneError for invalid UTF-8), its byte offset
// and true; or false when s is safe as it is. Validators use it to refuse
// such text where it comes in.
func FirstUnsafe(s string, lines bool) (r rune, at int, found bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return utf8.RuneError, i, true
		case lines && (r == '\n' || r == '\t'):
		case unsafeRune(r):
			return r, i, true
		}
		i += size
	}
	return 0, 0, false
}

// Describe names a rune [FirstUnsafe] found, for a message:
// "the control character U+001B (ESC)", "the bidi control U+202E".
func Describe(r rune) string {
	switch {
	case r == utf8.RuneError:
		return "invalid UTF-8"
	case r == 0x1b:
		return "the control character U+001B (ESC, which starts escape sequences)"
	case bidiControl(r):
		return fmt.Sprintf("the bidi control U+%04X", r)
	case invisible(r):
		return fmt.Sprintf("the invisible character U+%04X", r)
	}
	return fmt.Sprintf("the control character U+%04X", r)
}
