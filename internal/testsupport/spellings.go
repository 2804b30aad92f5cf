package testsupport

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf16"
)

// Spellings are the ways servers, not only Go's encoders, write v in an
// answer, by name: raw; JSON escaped the ASCII-only way (Python's
// json.dumps) with \u in either case, with \/, or every rune escaped;
// HTML-escaped as Python's html.escape, PHP's htmlspecialchars and Go do
// it, and with every special character as a named, decimal (padded,
// without ;) or hex reference; percent-encoded in upper and lower case,
// with %20 or + for a space, as Python's quote and JavaScript's
// encodeURIComponent leave characters; and base64 (standard and URL
// alphabets, padded and not, and percent-encoded in a query). Tests look
// for each in what tokentop shows and stores.
func Spellings(v string) map[string]string {
	runes := func(f func(r rune) string) string {
		var b strings.Builder
		for _, r := range v {
			b.WriteString(f(r))
		}
		return b.String()
	}
	special := func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}
	entity := func(format string) func(r rune) string {
		return func(r rune) string {
			if special(r) {
				return fmt.Sprintf(format, r)
			}
			return string(r)
		}
	}
	named := map[rune]string{'"': "&quot;", '\'': "&apos;", '&': "&amp;", '<': "&lt;", '>': "&gt;", 'ä': "&auml;", '‹': "&lsaquo;", '/': "&sol;", '=': "&equals;", '+': "&plus;", '!': "&excl;", '@': "&commat;"}
	pct := func(hexFmt string, space string, keep string) string {
		var b strings.Builder
		for _, c := range []byte(v) {
			switch {
			case c == ' ':
				b.WriteString(space)
			case c < 0x80 && (!special(rune(c)) || strings.IndexByte(keep, c) >= 0):
				b.WriteByte(c)
			default:
				fmt.Fprintf(&b, hexFmt, c)
			}
		}
		return b.String()
	}
	jsonASCII := func(hexFmt string, slash bool) string {
		return runes(func(r rune) string {
			switch {
			case r == '"' || r == '\\':
				return `\` + string(r)
			case r == '/' && slash:
				return `\/`
			case r < 0x80:
				return string(r)
			case r > 0xffff:
				a, b := utf16.EncodeRune(r)
				return fmt.Sprintf(hexFmt+hexFmt, a, b)
			}
			return fmt.Sprintf(hexFmt, r)
		})
	}
	return map[string]string{
		"raw":                   v,
		"json ascii":            jsonASCII(`\u%04x`, false),
		"json ascii upper":      jsonASCII(`\u%04X`, true),
		"json all escaped":      runes(JSONEscape),
		"html.escape (python)":  strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(v),
		"htmlspecialchars":      strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#039;").Replace(v),
		"html go":               html.EscapeString(v),
		"html named":            runes(func(r rune) string { return orElse(named[r], string(r)) }),
		"html decimal":          runes(entity("&#%d;")),
		"html decimal padded":   runes(entity("&#%07d;")),
		"html decimal no semi":  decimalNoSemi(v),
		"html hex":              runes(entity("&#x%x;")),
		"html hex upper":        runes(entity("&#X%X;")),
		"percent upper":         pct("%%%02X", "%20", ""),
		"percent lower":         pct("%%%02x", "%20", ""),
		"quote (python)":        pct("%%%02X", "%20", "/"),
		"quote_plus":            pct("%%%02X", "+", ""),
		"quote_plus lower":      pct("%%%02x", "+", ""),
		"encodeURIComponent":    pct("%%%02X", "%20", "!'"),
		"every byte percent":    PercentEvery(v),
		"base64 std":            base64.StdEncoding.EncodeToString([]byte(v)),
		"base64 url":            base64.URLEncoding.EncodeToString([]byte(v)),
		"base64 raw std":        base64.RawStdEncoding.EncodeToString([]byte(v)),
		"base64 raw url":        base64.RawURLEncoding.EncodeToString([]byte(v)),
		"base64 std in a query": url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(v))),
	}
}

// EmbeddedBase64 are texts that hold v inside a longer base64 text (as a
// Basic header holds id:secret), where the characters at its edges depend
// on the bytes around it.
func EmbeddedBase64(v string) map[string]string {
	out := map[string]string{}
	for _, prefix := range []string{"a:", "ab:", "abc:"} {
		out["basic "+prefix] = base64.StdEncoding.EncodeToString([]byte(prefix + v + ":tail"))
		out["url "+prefix] = base64.RawURLEncoding.EncodeToString([]byte(prefix + v + "!"))
	}
	return out
}

// decimalNoSemi writes each special character of v as &#DDD without its
// ; where the next character is no digit (HTML's legacy form).
func decimalNoSemi(v string) string {
	rs := []rune(v)
	var b strings.Builder
	for i, r := range rs {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
		case i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9':
			fmt.Fprintf(&b, "&#%d;", r)
		default:
			fmt.Fprintf(&b, "&#%d", r)
		}
	}
	return b.String()
}

// PercentEvery percent-encodes every byte of v, in lower-case hex.
func PercentEvery(v string) string {
	var b strings.Builder
	for _, c := range []byte(v) {
		fmt.Fprintf(&b, "%%%02x", c)
	}
	return b.String()
}

// JSONEscape writes r as JSON's \u escape (a surrogate pair above U+FFFF).
func JSONEscape(r rune) string {
	if r > 0xffff {
		a, b := utf16.EncodeRune(r)
		return fmt.Sprintf(`\u%04x\u%04x`, a, b)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// orElse is a, or b when a is empty.
func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
