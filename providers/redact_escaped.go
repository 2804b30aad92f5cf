package providers

import (
	"html"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file finds a secret however a server escaped it. Go's encoders are
// not the only ones: servers write &quot; or &#x27; or &#039;, %20 or +,
// %2f or %2F, \u00e4 or ä, and mix them in one string (Python's
// html.escape leaves ä raw, Go's json escapes < but not '). Listing every
// encoding of a secret cannot be complete (each special character may be
// escaped in any of its forms, independently of the others), so the text
// is decoded instead: a secret matches at a place in the text when the
// text there, read one unit at a time, spells the secret byte by byte. A
// unit is one of
//
//   - a raw byte;
//   - %HH (either case of hex), one byte; + for a space;
//   - an HTML character reference: &#DDD or &#xHH (x or X, hex in either
//     case, leading zeros, with or without its ;; at most maxEntity
//     characters) or a named one with its ; (&quot; &apos; &amp; &lt;
//     &auml; …, as html.UnescapeString knows them);
//   - a JSON (or JavaScript) string escape: \" \\ \/ \' \b \f \n \r \t
//     and \uXXXX in either case, a UTF-16 surrogate pair as one rune.
//
// Every unit is tried at every byte of the secret, so any mix of these
// forms is found. A second layer (a JSON string carrying an HTML-escaped
// secret, \u0026quot;, or a page escaped twice, &amp;quot;) is found by
// reading the text decoded once more (redact_views.go). The span redacted
// is the escaped text, from its first unit to its last.

// maxEntity bounds the characters an HTML character reference may take,
// & and ; included: &CounterClockwiseContourIntegral; is 33.
const maxEntity = 40

// escapedMatch returns the end of an escaped (or raw) spelling of secret
// starting at text[i], or -1. The search is depth first over the units
// that agree with the secret; the positions tried are remembered once a
// place offers two ways on. Each step costs one of *budget; at 0 it
// stops and returns -1.
func escapedMatch(text string, i int, secret string, budget *int) int {
	type state struct{ at, si int }
	stack := []state{{i, 0}}
	var seen map[state]bool
	for len(stack) > 0 && *budget > 0 {
		*budget--
		st := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if st.si == len(secret) {
			return st.at
		}
		if st.at >= len(text) {
			continue
		}
		ends, n := unitsAt(text, st.at, secret[st.si:])
		if n > 1 && seen == nil {
			seen = map[state]bool{}
		}
		for _, u := range ends[:n] {
			next := state{u.end, st.si + u.n}
			if seen != nil {
				if seen[next] {
					continue
				}
				seen[next] = true
			}
			stack = append(stack, next)
		}
	}
	return -1
}

// unit is a unit of text that decodes to the next n bytes of the secret,
// and where it ends in the text.
type unit struct{ end, n int }

// unitsAt lists the units at text[i] that decode to a prefix of want:
// the byte itself, and an escape starting with it.
func unitsAt(text string, i int, want string) (out [2]unit, n int) {
	c := text[i]
	if c == want[0] {
		out[n], n = unit{i + 1, 1}, n+1
	}
	switch c {
	case '+':
		if want[0] == ' ' {
			out[n], n = unit{i + 1, 1}, n+1
		}
	case '%':
		if i+2 < len(text) {
			if hi, ok := unhex(text[i+1]); ok {
				if lo, ok := unhex(text[i+2]); ok && hi<<4|lo == want[0] {
					out[n], n = unit{i + 3, 1}, n+1
				}
			}
		}
	case '&':
		if end, r, d := entityAt(text, i); end > 0 {
			if k := decodedPrefix(want, r, d); k > 0 {
				out[n], n = unit{end, k}, n+1
			}
		}
	case '\\':
		if end, r := jsonEscapeAt(text, i); end > 0 {
			if k := decodedPrefix(want, r, ""); k > 0 {
				out[n], n = unit{end, k}, n+1
			}
		}
	}
	return out, n
}

// decodedPrefix is the length of what an escape stands for (d, or the
// rune r when d is empty) when want starts with it, else 0.
func decodedPrefix(want string, r rune, d string) int {
	if d != "" {
		if strings.HasPrefix(want, d) {
			return len(d)
		}
		return 0
	}
	got, size := utf8.DecodeRuneInString(want)
	if got != r || r == utf8.RuneError && size < 3 {
		return 0
	}
	return size
}

// entityAt decodes the HTML character reference at text[i] ('&'): its end
// and the rune it stands for, or (for a named reference, which may stand
// for two runes) the text; end is 0 when there is none. A numeric one is
// read here, without allocating, unless html.UnescapeString's rules for
// odd numbers (0, surrogates, the Windows-1252 range) apply.
func entityAt(text string, i int) (end int, r rune, decoded string) {
	j := i + 1
	limit := min(len(text), i+maxEntity)
	if j < limit && text[j] == '#' {
		j++
		base := rune(10)
		if j < limit && (text[j] == 'x' || text[j] == 'X') {
			j, base = j+1, 16
		}
		start := j
		for j < limit {
			v, ok := unhex(text[j])
			if !ok || rune(v) >= base {
				break
			}
			r = min(r*base+rune(v), utf8.MaxRune+1)
			j++
		}
		if j == start {
			return 0, 0, ""
		}
		if j < limit && text[j] == ';' {
			j++
		}
		if r >= 0x80 && r <= 0x9f || r == 0 || r > utf8.MaxRune || utf16.IsSurrogate(r) {
			return j, 0, html.UnescapeString(text[i:j])
		}
		return j, r, ""
	}
	start := j
	for j < limit && isAlnum(text[j]) {
		j++
	}
	if j == start || j >= limit || text[j] != ';' {
		return 0, 0, "" // a named reference counts with its ; only
	}
	j++
	piece := text[i:j]
	if d := html.UnescapeString(piece); d != piece {
		return j, 0, d
	}
	return 0, 0, ""
}

// jsonEscapeAt decodes the JSON string escape at text[i] ('\\'): its end
// and the rune it stands for, or 0 when there is none.
func jsonEscapeAt(text string, i int) (end int, r rune) {
	if i+1 >= len(text) {
		return 0, 0
	}
	switch c := text[i+1]; c {
	case '"', '\\', '/', '\'':
		return i + 2, rune(c)
	case 'b':
		return i + 2, '\b'
	case 'f':
		return i + 2, '\f'
	case 'n':
		return i + 2, '\n'
	case 'r':
		return i + 2, '\r'
	case 't':
		return i + 2, '\t'
	case 'u':
		r, ok := hex4(text, i+2)
		if !ok {
			return 0, 0
		}
		end = i + 6
		if utf16.IsSurrogate(r) {
			if end+1 < len(text) && text[end] == '\\' && text[end+1] == 'u' {
				if r2, ok := hex4(text, end+2); ok {
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						return end + 6, pair
					}
				}
			}
			r = utf8.RuneError // as encoding/json reads a lone surrogate
		}
		return end, r
	}
	return 0, 0
}

// hex4 reads four hex digits at text[i].
func hex4(text string, i int) (rune, bool) {
	if i+4 > len(text) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(text[i : i+4]) {
		v, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// escapeFirst is the first byte of what the escape at text[i] stands
// for, if an escape starts there.
func escapeFirst(text string, i int) (byte, bool) {
	var r rune
	var d string
	switch text[i] {
	case '+':
		return ' ', true
	case '%':
		if i+2 < len(text) {
			hi, ok1 := unhex(text[i+1])
			lo, ok2 := unhex(text[i+2])
			return hi<<4 | lo, ok1 && ok2
		}
		return 0, false
	case '&':
		var end int
		if end, r, d = entityAt(text, i); end == 0 {
			return 0, false
		}
	case '\\':
		var end int
		if end, r = jsonEscapeAt(text, i); end == 0 {
			return 0, false
		}
	default:
		return 0, false
	}
	if d == "" {
		var buf [utf8.UTFMax]byte
		utf8.EncodeRune(buf[:], r)
		return buf[0], true
	}
	return d[0], true
}
