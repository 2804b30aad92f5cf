package safetext

import (
	"unicode"
	"unicode/utf8"
)

// state is where a [filter] stands in its input.
type state uint8

const (
	sText      state = iota // plain text
	sEsc                    // after ESC
	sEscInter               // after ESC and an intermediate byte (0x20–0x2f): one more byte ends it
	sCSI                    // in a CSI sequence, up to its final byte (0x40–0x7e)
	sString                 // in an OSC, DCS, SOS, PM or APC string, up to BEL, ESC \ or ST
	sStringEsc              // in a string, after ESC (ESC \ ends it)
	sStringC2               // in a string, after 0xC2 (the first byte of ST, U+009C, in UTF-8)
)

// filter drops escape sequences and controls from text fed to it in
// pieces of any size. Its state is a few bytes: an escape sequence cut
// between two pieces is still recognised, and one never closed swallows
// the rest of the input, as a terminal would.
type filter struct {
	st        state
	keepLines bool // keep \n and \t; else each becomes a space
	pend      [utf8.UTFMax]byte
	npend     int // the start of a rune cut at the end of the last piece
}

// idle reports whether the filter holds nothing from an earlier piece.
func (f *filter) idle() bool { return f.st == sText && f.npend == 0 }

// feed appends the clean text of p to dst.
func (f *filter) feed(dst, p []byte) []byte {
	if f.npend > 0 {
		// Rare: a rune was cut between pieces; join it to this one.
		joined := make([]byte, 0, f.npend+len(p))
		joined = append(append(joined, f.pend[:f.npend]...), p...)
		f.npend = 0
		p = joined
	}
	for i := 0; i < len(p); {
		b := p[i]
		if f.st != sText {
			if f.escape(b) {
				i++
			}
			continue
		}
		// sText
		if b >= 0x20 && b < 0x7f {
			dst = append(dst, b)
			i++
			continue
		}
		if !utf8.FullRune(p[i:]) {
			f.npend = copy(f.pend[:], p[i:])
			break
		}
		r, size := utf8.DecodeRune(p[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			// invalid UTF-8: dropped
		case r == 0x1b:
			f.st = sEsc
		case r == 0x9b: // C1 CSI
			f.st = sCSI
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // C1 DCS, SOS, OSC, PM, APC
			f.st = sString
		case r == '\n' || r == '\t':
			if f.keepLines {
				dst = append(dst, byte(r))
			} else {
				dst = append(dst, ' ')
			}
		case unsafeRune(r):
			// dropped: CR (it would let text overwrite its line), the other
			// C0 and C1 controls, DEL, and bidi controls
		default:
			dst = append(dst, p[i-size:i]...)
		}
	}
	return dst
}

// escape advances the state machine by b inside an escape sequence or a
// control string, and reports whether b was consumed (false: b ends a
// string's escape without being its terminator, and is looked at again as
// part of the string).
func (f *filter) escape(b byte) bool {
	switch f.st {
	case sEsc:
		switch {
		case b == '[':
			f.st = sCSI
		case b == ']' || b == 'P' || b == '^' || b == '_' || b == 'X':
			f.st = sString
		case b >= 0x20 && b <= 0x2f:
			f.st = sEscInter
		default:
			f.st = sText
		}
	case sEscInter:
		f.st = sText
	case sCSI:
		if b >= 0x40 && b <= 0x7e {
			f.st = sText
		}
	case sStringEsc, sStringC2:
		end := byte('\\')
		if f.st == sStringC2 {
			end = 0x9c
		}
		f.st = sString
		if b != end {
			return false
		}
		f.st = sText
	case sString:
		switch b {
		case 0x07:
			f.st = sText
		case 0x1b:
			f.st = sStringEsc
		case 0xc2:
			f.st = sStringC2
		}
	}
	return true
}

// unsafeRune reports whether r must not reach a terminal: a C0 or C1
// control (newline and tab included: callers that keep them check first),
// DEL, a bidi embedding, override or isolate (LRE RLE PDF LRO RLO, LRI
// RLI FSI PDI), which could make text read as something else, or an
// invisible character (see invisible).
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == 0x7f || bidiControl(r) || invisible(r)
}

// bidiControl reports whether r is a bidi embedding, override or isolate.
func bidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// invisible reports whether r is drawn as nothing yet changes what text
// means or how it compares: the bidi marks (LRM U+200E, RLM U+200F, ALM
// U+061C), the zero-width space, non-joiner and joiner (U+200B–U+200D),
// the word joiner and invisible operators (U+2060–U+2064) and the
// zero-width no-break space (U+FEFF, a byte-order mark). A URL with one
// reads like another.
func invisible(r rune) bool {
	return r >= '\u200b' && r <= '\u200f' || r == '\u061c' || r >= '\u2060' && r <= '\u2064' || r == '\ufeff'
}
