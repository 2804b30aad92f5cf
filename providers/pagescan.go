package providers

import (
	"bytes"
)

// pageScanner splits the start of an HTML page into the tokens readPage
// looks at: start tags, end tags and text; comments, doctypes and
// processing instructions are skipped. It follows the HTML tokenizer as
// far as finding a title and a heading needs: tag names are ASCII,
// lowercased; a quoted attribute value may hold '>'; the text of title and
// textarea runs to their end tag (entities decoded, tags not), and that of
// script, style and the other raw-text elements is skipped whole, as a
// browser never shows it. It never reads past src and allocates nothing:
// texts are slices of src, and the names of the few tags readPage asks
// about are constants.
type pageScanner struct {
	src []byte
	pos int
	// raw is the element whose raw text comes next ("" for none): the
	// start tag just returned was title, script, style….
	raw string
}

// pageTokenKind is what pageScanner.next found.
type pageTokenKind int

const (
	pageEOF pageTokenKind = iota
	pageStartTag
	pageEndTag
	pageText    // text, entities not yet decoded
	pageRawText // a title's or textarea's text, entities not yet decoded
	pageSkipped // a comment, doctype, or script's text: nothing to read
)

// pageToken is one token: a tag's lowercased name ("" for a tag readPage
// does not tell apart), or a text's bytes (a slice of the source).
type pageToken struct {
	kind pageTokenKind
	name string
	text []byte
}

// rawTextElement says whether name's content is text to its end tag (tags
// inside are not tags), and whether a page shows that text (RCDATA: title,
// textarea) or not (script, style…).
func rawTextElement(name string) (raw, shown bool) {
	switch name {
	case "title", "textarea":
		return true, true
	case "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext":
		return true, false
	}
	return false, false
}

// next returns the next token, pageEOF at the end of src.
func (s *pageScanner) next() pageToken {
	if s.raw != "" {
		return s.rawText()
	}
	if s.pos >= len(s.src) {
		return pageToken{kind: pageEOF}
	}
	if s.src[s.pos] != '<' {
		return s.text()
	}
	rest := s.src[s.pos+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("!--")):
		s.skipComment()
		return pageToken{kind: pageSkipped}
	case len(rest) > 0 && (rest[0] == '!' || rest[0] == '?'):
		s.skipPast(s.pos+2, ">")
		return pageToken{kind: pageSkipped}
	case len(rest) > 1 && rest[0] == '/' && isASCIILetter(rest[1]):
		s.pos += 2
		name := s.tagName()
		s.skipAttributes()
		return pageToken{kind: pageEndTag, name: name}
	case len(rest) > 0 && rest[0] == '/':
		// "</>" is dropped, "</ x>" is a bogus comment.
		s.skipPast(s.pos+2, ">")
		return pageToken{kind: pageSkipped}
	case len(rest) > 0 && isASCIILetter(rest[0]):
		s.pos++
		name := s.tagName()
		s.skipAttributes()
		if raw, _ := rawTextElement(name); raw {
			s.raw = name
		}
		return pageToken{kind: pageStartTag, name: name}
	}
	// A '<' that starts no tag is text.
	return s.text()
}

// text is the text from pos to the next '<' that may start markup.
func (s *pageScanner) text() pageToken {
	start := s.pos
	s.pos++ // the first byte is text, even a '<'
	if i := bytes.IndexByte(s.src[s.pos:], '<'); i >= 0 {
		s.pos += i
	} else {
		s.pos = len(s.src)
	}
	return pageToken{kind: pageText, text: s.src[start:s.pos]}
}

// rawText is the text of the raw-text element s.raw up to its end tag
// (which the next call returns), or to the end of src.
func (s *pageScanner) rawText() pageToken {
	name := s.raw
	s.raw = ""
	start, end := s.pos, len(s.src)
	for i := start; i < len(s.src); {
		j := bytes.Index(s.src[i:], []byte("</"))
		if j < 0 {
			break
		}
		at := i + j
		if closesRaw(s.src[at+2:], name) {
			end = at
			break
		}
		i = at + 2
	}
	s.pos = end
	kind := pageSkipped
	if _, shown := rawTextElement(name); shown {
		kind = pageRawText
	}
	return pageToken{kind: kind, text: s.src[start:end]}
}

// closesRaw says whether b, just after "</", names element name and ends
// its name there (as "</title>" or "</TITLE " do, not "</titles>", nor
// "</title" at the end of the page, which is text).
func closesRaw(b []byte, name string) bool {
	if len(b) <= len(name) || !bytes.EqualFold(b[:len(name)], []byte(name)) {
		return false
	}
	switch b[len(name)] {
	case '>', '/', ' ', '\t', '\n', '\r', '\f':
		return true
	}
	return false
}

// tagName reads a tag's name at pos (up to a space, '/' or '>') and
// returns it lowercased if it is one the scanner or readPage tells apart,
// else "": a page's many other tags cost no allocation.
func (s *pageScanner) tagName() string {
	start := s.pos
	for s.pos < len(s.src) && !isTagNameEnd(s.src[s.pos]) {
		s.pos++
	}
	var lower [len("plaintext")]byte
	name := s.src[start:s.pos]
	if len(name) > len(lower) {
		return ""
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	for _, known := range [...]string{"title", "h1", "h2", "h3", "textarea", "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"} {
		if string(lower[:len(name)]) == known {
			return known
		}
	}
	return ""
}

// skipAttributes moves past a tag's attributes and its closing '>' (or to
// the end of src). An attribute is a name (whose first byte may be '='),
// then maybe '=' and a value; a quoted value may hold '>'.
func (s *pageScanner) skipAttributes() {
	for {
		for s.pos < len(s.src) && (isHTMLSpace(s.src[s.pos]) || s.src[s.pos] == '/') {
			s.pos++
		}
		if s.pos >= len(s.src) {
			return
		}
		if s.src[s.pos] == '>' {
			s.pos++
			return
		}
		s.pos++ // the name's first byte, whatever it is
		for s.pos < len(s.src) && !isTagNameEnd(s.src[s.pos]) && s.src[s.pos] != '=' {
			s.pos++
		}
		s.skipSpace()
		if s.pos >= len(s.src) || s.src[s.pos] != '=' {
			continue
		}
		s.pos++
		s.skipSpace()
		if s.pos < len(s.src) && (s.src[s.pos] == '"' || s.src[s.pos] == '\'') {
			q := s.src[s.pos]
			s.pos++
			if i := bytes.IndexByte(s.src[s.pos:], q); i >= 0 {
				s.pos += i + 1
			} else {
				s.pos = len(s.src)
			}
			continue
		}
		for s.pos < len(s.src) && !isHTMLSpace(s.src[s.pos]) && s.src[s.pos] != '>' {
			s.pos++
		}
	}
}

func (s *pageScanner) skipSpace() {
	for s.pos < len(s.src) && isHTMLSpace(s.src[s.pos]) {
		s.pos++
	}
}

// skipComment moves past the comment at pos: "<!--" to "-->" or "--!>",
// or the empty "<!-->" and "<!--->".
func (s *pageScanner) skipComment() {
	body := s.pos + 4
	for _, empty := range []string{">", "->"} {
		if bytes.HasPrefix(s.src[body:], []byte(empty)) {
			s.pos = body + len(empty)
			return
		}
	}
	for i := body; i < len(s.src); {
		j := bytes.Index(s.src[i:], []byte("--"))
		if j < 0 {
			break
		}
		at := i + j + 2
		for _, end := range []string{">", "!>"} {
			if bytes.HasPrefix(s.src[at:], []byte(end)) {
				s.pos = at + len(end)
				return
			}
		}
		i = at - 1 // "--->" ends too: look again from the second '-'
	}
	s.pos = len(s.src)
}

// skipPast moves pos past the first end at or after from, or to the end of
// src.
func (s *pageScanner) skipPast(from int, end string) {
	from = min(from, len(s.src))
	if i := bytes.Index(s.src[from:], []byte(end)); i >= 0 {
		s.pos = from + i + len(end)
		return
	}
	s.pos = len(s.src)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isTagNameEnd(c byte) bool { return isHTMLSpace(c) || c == '/' || c == '>' }
