package providers

import (
	"bytes"
	"cmp"
	"html"
	"strconv"
	"strings"

	"github.com/tokentop/tokentop/internal/lazyre"
	"github.com/tokentop/tokentop/providers/safetext"
)

// Bounds of reading a non-JSON answer: the bytes looked at, the tokens
// walked, and the length of a title or heading kept.
const (
	maxPageBytes  = 64 << 10
	maxPageTokens = 4096
	maxPageText   = 120
)

// pageKind is what a non-JSON answer from an endpoint that should speak
// JSON turns out to be.
type pageKind int

const (
	pageOther    pageKind = iota
	pageGateway           // a proxy's or gateway's error page (502, 503, 504)
	pageNotFound          // a 404 page: nothing at that path
	pageLogin             // a web login or SSO page
)

// page is what a non-JSON answer says of itself: an HTML page's <title>
// and first heading, or a text's first line. Every text is sanitised.
type page struct {
	html           bool
	title, heading string
	line           string
}

// readPage reads the start of a non-JSON body: at most maxPageBytes and
// maxPageTokens of HTML, whatever the body's size. The HTML is split by
// pageScanner and its entities decoded by the standard library's html
// package, whose entity table is built on first use: a process that
// reads no page pays nothing for it at start.
func readPage(body []byte) page {
	body = bytes.TrimSpace(body[:min(len(body), maxPageBytes)])
	if len(body) == 0 || body[0] != '<' {
		line, _, _ := strings.Cut(string(body[:min(len(body), 4096)]), "\n")
		return page{line: Truncate(safetext.Line(line), 200)}
	}
	p := page{html: true}
	s := pageScanner{src: body}
	var in string // the element whose text is being read: title, h1…h3
	var text strings.Builder
	for range maxPageTokens {
		tok := s.next()
		switch tok.kind {
		case pageEOF:
			return p.finish(in, text.String())
		case pageStartTag:
			switch tag := tok.name; {
			case in != "":
			case tag == "title" && p.title == "", (tag == "h1" || tag == "h2" || tag == "h3") && p.heading == "":
				in = tag
				text.Reset()
			}
		case pageText, pageRawText:
			if in != "" && text.Len() < 4*maxPageText {
				// Only what can still be kept is decoded: a bounded
				// piece of a long text (an entity cut at its end stays
				// as written).
				text.WriteString(html.UnescapeString(string(tok.text[:min(len(tok.text), 4*maxPageText)])))
			}
		case pageEndTag:
			if in != "" && tok.name == in {
				p = p.finish(in, text.String())
				in = ""
				if p.title != "" && p.heading != "" {
					return p
				}
			}
		}
	}
	return p
}

// finish keeps the text read inside element in.
func (p page) finish(in, text string) page {
	text = Truncate(safetext.Line(text), maxPageText)
	switch in {
	case "title":
		p.title = text
	case "h1", "h2", "h3":
		p.heading = text
	}
	return p
}

// describe names the page: `an HTML page titled "…" (heading "…")`, or a
// text's first line, quoted.
func (p page) describe() string {
	if !p.html {
		return strconv.Quote(p.line)
	}
	d := "an HTML page"
	if p.title != "" {
		d += " titled " + strconv.Quote(p.title)
	}
	if p.heading != "" && p.heading != p.title {
		if p.title != "" {
			d += " (heading " + strconv.Quote(p.heading) + ")"
		} else {
			d += " headed " + strconv.Quote(p.heading)
		}
	}
	return d
}

// The words kind looks for, compiled when a page is first read: most
// processes never read one.
var (
	gatewayWords  = &lazyre.Regexp{Expr: `(?i)\b(50[234]|bad gateway|gateway time-?out|service (temporarily )?unavailable|upstream|origin is unreachable|web server is down)\b`}
	notFoundWords = &lazyre.Regexp{Expr: `(?i)\b(404|not found|no such (page|file))\b`}
	loginWords    = &lazyre.Regexp{Expr: `(?i)\b(sign[ -]?in|log[ -]?in|log[ -]?on|single sign[ -]?on|sso|authenticat\w*)\b`}
)

// kind says what the page is, by an HTML page's title or heading only: a
// line of text is a message, not a page ("Client authentication failed"
// from a 401 is no login page, "upstream" in a 500's text no gateway's
// page). A gateway's words win: a page titled "502 Bad Gateway" is a
// gateway failure whatever login link it holds.
func (p page) kind() pageKind {
	if !p.html {
		return pageOther
	}
	text := p.title + " " + p.heading
	switch {
	case gatewayWords.Get().MatchString(text):
		return pageGateway
	case notFoundWords.Get().MatchString(text):
		return pageNotFound
	case loginWords.Get().MatchString(text):
		return pageLogin
	}
	return pageOther
}

// hint says what such a page means at setting (token_url, …), or "" for
// a page that says nothing recognisable.
func (k pageKind) hint(setting string) string {
	switch k {
	case pageGateway:
		return "the authorization server failed behind its gateway (the page is the gateway's error: the server is down or unreachable); nothing to change in your settings: try again later, and tell its operators if it lasts"
	case pageNotFound:
		return "check " + setting + ": a 404 page says nothing answers at its path"
	case pageLogin:
		return "check " + setting + ": it points at a web login (SSO) page, not the OAuth2 token endpoint; set it to the token endpoint (discovery's token_endpoint)"
	}
	return ""
}

// nonJSONResponse is the error of a 2xx token answer that is not JSON.
func nonJSONResponse(body []byte) *Error {
	pg := readPage(body)
	return &Error{Kind: KindResponse, page: pg.kind(),
		Description: "the token endpoint answered 2xx with " + pg.describe() + ", not a JSON token response",
		Hint:        cmp.Or(pg.kind().hint("token_url"), "check token_url: it may point at a login page or a proxy rather than the token endpoint")}
}
