package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want, wantLine string // wantLine "" means: same as want
	}{
		{name: "clean ASCII untouched", in: "plain text: 100% ok", want: "plain text: 100% ok"},
		{name: "clean UTF-8 kept", in: "Zürich – 東京 ✓", want: "Zürich – 東京 ✓"},
		{name: "CSI colour", in: "\x1b[31mred\x1b[0m text", want: "red text"},
		{name: "CSI with parameters and intermediates", in: "a\x1b[?25l\x1b[1;2 qb", want: "ab"},
		{name: "CSI clear screen", in: "x\x1b[2J\x1b[Hy", want: "xy"},
		{name: "CSI cut short at the end", in: "tail\x1b[31", want: "tail"},
		{name: "OSC 52 clipboard, BEL-terminated", in: "a\x1b]52;c;ZXZpbA==\x07b", want: "ab"},
		{name: "OSC 52 clipboard, ST-terminated", in: "a\x1b]52;c;ZXZpbA==\x1b\\b", want: "ab"},
		{name: "OSC 8 hyperlink", in: "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\", want: "click me"},
		{name: "OSC 0 title", in: "\x1b]0;pwned\x07ok", want: "ok"},
		{name: "OSC unterminated swallows the rest", in: "ok\x1b]0;pwned", want: "ok"},
		{name: "DCS", in: "a\x1bPq#0;2;0;0;0\x1b\\b", want: "ab"},
		{name: "PM and APC", in: "a\x1b^private\x1b\\b\x1b_app\x07c", want: "abc"},
		{name: "SOS", in: "a\x1bXstring\x1b\\b", want: "ab"},
		{name: "two-byte escape", in: "a\x1bcb\x1b7c", want: "abc"},
		{name: "charset escape", in: "a\x1b(Bb", want: "ab"},
		{name: "lone ESC at the end", in: "abc\x1b", want: "abc"},
		{name: "C1 CSI", in: "a\u009b31mb", want: "ab"},
		{name: "C1 OSC with C1 ST", in: "a\u009d0;title\u009cb", want: "ab"},
		{name: "C1 DCS with BEL", in: "a\u0090data\x07b", want: "ab"},
		{name: "C1 PM and APC", in: "a\u009ex\u009cb\u009fy\u009cc", want: "abc"},
		{name: "other C1 controls", in: "a\u0085b\u0080c\u009cd", want: "abcd"},
		{name: "bare CR", in: "safe\rEVIL", want: "safeEVIL"},
		{name: "CRLF", in: "one\r\ntwo", want: "one\ntwo", wantLine: "one two"},
		{name: "BEL", in: "ding\a!", want: "ding!"},
		{name: "backspace", in: "pass\b\b\b\bxxxx", want: "passxxxx"},
		{name: "NUL and DEL", in: "a\x00b\x7fc", want: "abc"},
		{name: "vertical tab and form feed", in: "a\vb\fc", want: "abc"},
		{name: "bidi overrides", in: "user\u202etxt.exe\u202c and \u202dx", want: "usertxt.exe and x"},
		{name: "bidi embeddings", in: "a\u202ab\u202bc\u202cd", want: "abcd"},
		{name: "bidi isolates", in: "a\u2066b\u2067c\u2068d\u2069e", want: "abcde"},
		{name: "bidi marks", in: "http://127.0.0.1:9/\u200fevil \u200eltr \u061calm", want: "http://127.0.0.1:9/evil ltr alm"},
		{name: "zero-width and BOM", in: "\ufeffad\u200bmin\u200c\u200d \u2060wj\u2064", want: "admin wj"},
		{name: "invalid UTF-8", in: "a\xffb\xc3(c\xe2\x82", want: "ab(c"},
		{name: "raw 8-bit CSI byte", in: "a\x9b31mb", want: "a31mb"},
		{name: "newlines and tabs kept, folded by Line", in: "k:\tv\n  next\n", want: "k:\tv\n  next\n", wantLine: "k: v next"},
		{name: "escape inside a line", in: "line1\n\x1b[1mline2\x1b[0m", want: "line1\nline2", wantLine: "line1 line2"},
		{name: "only junk", in: "\x1b[0m\x07\x00", want: ""},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			wantLine := tt.wantLine
			if wantLine == "" {
				wantLine = strings.Join(strings.Fields(tt.want), " ")
			}
			got := Line(tt.in)
			if got != wantLine {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, wantLine)
			}
			if !utf8.ValidString(got) || strings.ContainsAny(got, "\n\t\r\x1b") {
				t.Errorf("Line(%q) = %q is not one clean line", tt.in, got)
			}
		})
	}
}

func TestLineCollapsesSpace(t *testing.T) {
	if got := Line("  a \t\t b\n\n c  "); got != "a b c" {
		t.Errorf("Line = %q", got)
	}
}

func TestSanitizeCleanInputIsNotCopied(t *testing.T) {
	in := strings.Repeat("clean ascii ", 100)
	if n := testing.AllocsPerRun(100, func() { _ = Sanitize(in) }); n != 0 {
		t.Errorf("Sanitize of clean ASCII allocates %v times, want 0", n)
	}
}
