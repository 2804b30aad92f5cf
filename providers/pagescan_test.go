package providers

import (
	"bytes"
	stdhtml "html"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/tokentop/tokentop/providers/safetext"
)

// TestReadPageMarkup: what the scanner must get right of real pages, where
// a naive search for "<title>" would not.
func TestReadPageMarkup(t *testing.T) {
	for _, tt := range []struct {
		name, body     string
		title, heading string
	}{
		{"entities decoded", `<title>Sign&nbsp;in &amp; more &#x41;&#66;</title>`, "Sign in & more AB", ""},
		{"upper-case tags", `<HTML><HEAD><TITLE>Login</TITLE></HEAD><BODY><H2>Welcome</H2>`, "Login", "Welcome"},
		{"a quoted '>' in an attribute", `<meta content="a>b"><title x='>'>Real</title>`, "Real", ""},
		{"tags inside a title are text", `<title><b>bold</b></title>`, "<b>bold</b>", ""},
		{"a title inside a comment", `<!-- <title>no</title> --><title>yes</title>`, "yes", ""},
		{"a title inside a script", `<script>var s = "<title>no</title>";</script><title>yes</title>`, "yes", ""},
		{"script text in a heading is not shown", `<h1>Log<script>x()</script> in</h1>`, "", "Log in"},
		{"nested tags in a heading", `<h1><span>Sign</span> <em>in</em></h1>`, "", "Sign in"},
		{"a doctype and a processing instruction", `<?xml version="1.0"?><!DOCTYPE html><title>T</title>`, "T", ""},
		{"</titles> does not end a title", `<title>a</titles>b</title>`, "a</titles>b", ""},
		{"a stray '<' is text", `<h1>1 < 2</h1>`, "", "1 < 2"},
		{"an end tag with attributes", `<h3>Gone</h3 class="x">`, "", "Gone"},
		{"the first heading wins", `<h2>First</h2><h1>Second</h1>`, "", "First"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pg := readPage([]byte(tt.body))
			if pg.title != tt.title || pg.heading != tt.heading {
				t.Fatalf("title %q heading %q, want %q and %q", pg.title, pg.heading, tt.title, tt.heading)
			}
		})
	}
}

// TestReadPageHostile: pages made to hurt a parser end at the bounds, with
// terminal-safe text, and never read past the body.
func TestReadPageHostile(t *testing.T) {
	for _, body := range []string{
		"<title>" + strings.Repeat("&amp;", 1<<16),
		"<title>" + strings.Repeat("</", 1<<16),
		"<script>" + strings.Repeat("</scrip", 1<<14) + "<title>late</title>",
		"<" + strings.Repeat("a", 1<<20) + "><title>x</title>",
		`<a b="` + strings.Repeat(">", 1<<16),
		"<!--" + strings.Repeat("-", 1<<16),
		strings.Repeat("<", 1<<16),
		strings.Repeat("<h1>", 1<<16),
		"<title>\x00\x1b]52;c;aGk=\x07\u202e\xff\xfe</title>",
		"<title>&#x1b;[2J&#0;&#x9b;</title>",
		"<title",
		"<",
		"</",
		"<!",
	} {
		pg := readPage([]byte(body))
		if n := utf8.RuneCountInString(pg.title); n > maxPageText {
			t.Errorf("%.20q: a title of %d runes", body, n)
		}
		if n := utf8.RuneCountInString(pg.heading); n > maxPageText {
			t.Errorf("%.20q: a heading of %d runes", body, n)
		}
		assertTerminalSafe(t, "title", pg.title)
		assertTerminalSafe(t, "heading", pg.heading)
		assertTerminalSafe(t, "describe", pg.describe())
	}
	if pg := readPage([]byte("<script>" + strings.Repeat("</scrip", 1<<14) + "<title>late</title>")); pg.title != "" {
		t.Errorf("a title inside an unclosed script was read: %q", pg.title)
	}
}

// FuzzReadPage holds the scanner to the HTML tokenizer of
// golang.org/x/net/html (which tokentop used to link for this) on every
// page's title, and to the bounds on anything.
func FuzzReadPage(f *testing.F) {
	for _, seed := range []string{
		`<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>`,
		`<!doctype html><title>Acme &amp; Co</title><h2 class="x">Sign in</h2>`,
		`<TITLE x='>'>A</TITLE>`, `<!-- <title>x</title> --><title>y</title>`,
		`<script>"<title>"</script><title>z</title>`, `<title>a</titles>b</title>`,
		"<title>\x1b[31mred</title>", `<title>&#x202e;x</title>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		pg := readPage(body)
		if utf8.RuneCountInString(pg.title) > maxPageText || utf8.RuneCountInString(pg.heading) > maxPageText {
			t.Fatalf("past the bounds: %q, %q", pg.title, pg.heading)
		}
		assertTerminalSafe(t, "describe", pg.describe())
		if want, ok := oracleTitle(body); ok && pg.title != want {
			t.Fatalf("title %q, x/net/html reads %q", pg.title, want)
		}
	})
}

// oracleTitle is the first title x/net/html's tokenizer finds in body, as
// readPage keeps it; ok is false where the two are not meant to agree: a
// body that is not HTML, past the scanner's bounds, or holding what the
// tokenizer treats apart (NUL, CR, a raw-text element before the title,
// a title whose text is cut at the bound).
func oracleTitle(body []byte) (string, bool) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '<' || len(trimmed) > maxPageBytes || bytes.ContainsAny(trimmed, "\x00\r") {
		return "", false
	}
	z := html.NewTokenizer(bytes.NewReader(trimmed))
	for range maxPageTokens / 2 {
		switch z.Next() {
		case html.ErrorToken:
			return "", true
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if raw, _ := rawTextElement(string(name)); raw && string(name) != "title" {
				return "", false
			}
			if string(name) != "title" {
				continue
			}
			if z.Next() != html.TextToken {
				return "", true
			}
			// Its raw text, decoded as readPage decodes: the tokenizing
			// is compared, not the two entity decoders.
			text := z.Raw()
			if len(text) >= 4*maxPageText {
				return "", false
			}
			return Truncate(safetext.Line(stdhtml.UnescapeString(string(text))), maxPageText), true
		}
	}
	return "", false
}
