package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFirstUnsafe(t *testing.T) {
	tests := []struct {
		in    string
		lines bool
		r     rune
		at    int
		found bool
	}{
		{in: "https://api.example.com/v1?a=b", found: false},
		{in: "Zürich – 東京 ✓", found: false},
		{in: "", found: false},
		{in: "two\nlines\tand a tab", lines: true, found: false},
		{in: "two\nlines", r: '\n', at: 3, found: true},
		{in: "tab\there", r: '\t', at: 3, found: true},
		{in: "osc\x1b]52;c;QUFB\x07", r: 0x1b, at: 3, found: true},
		{in: "bel\a", lines: true, r: 0x07, at: 3, found: true},
		{in: "cr\r", lines: true, r: '\r', at: 2, found: true},
		{in: "é\u0090", r: 0x90, at: 2, found: true},
		{in: "\u009b31m", r: 0x9b, found: true},
		{in: "\u009d0;x", r: 0x9d, found: true},
		{in: "del\x7f", r: 0x7f, at: 3, found: true},
		{in: "x\u202etxt", r: 0x202e, at: 1, found: true},
		{in: "x\u2067", r: 0x2067, at: 1, found: true},
		{in: "bad\xff", r: utf8.RuneError, at: 3, found: true},
		{in: "http://127.0.0.1:9/\u200fevil", r: 0x200f, at: 19, found: true},
		{in: "a\u200eb", lines: true, r: 0x200e, at: 1, found: true},
		{in: "\u061c", r: 0x61c, found: true},
		{in: "zw\u200b", r: 0x200b, at: 2, found: true},
		{in: "zwj\u200d", r: 0x200d, at: 3, found: true},
		{in: "wj\u2060", r: 0x2060, at: 2, found: true},
		{in: "\ufeffbom", r: 0xfeff, found: true},
		{in: "Zürich – 東京 ✓ \u00a0nbsp", found: false},
	}
	for _, tt := range tests {
		r, at, found := FirstUnsafe(tt.in, tt.lines)
		if r != tt.r || at != tt.at || found != tt.found {
			t.Errorf("FirstUnsafe(%q, %v) = %U, %d, %v; want %U, %d, %v", tt.in, tt.lines, r, at, found, tt.r, tt.at, tt.found)
		}
		// What FirstUnsafe passes, Sanitize keeps as it is.
		if !found && Sanitize(tt.in) != tt.in {
			t.Errorf("FirstUnsafe passes %q but Sanitize changes it", tt.in)
		}
	}
}

func TestDescribe(t *testing.T) {
	for r, want := range map[rune]string{
		0x1b:           "U+001B (ESC",
		0x90:           "control character U+0090",
		0x202e:         "bidi control U+202E",
		0x200f:         "invisible character U+200F",
		0xfeff:         "invisible character U+FEFF",
		utf8.RuneError: "invalid UTF-8",
	} {
		if got := Describe(r); !strings.Contains(got, want) {
			t.Errorf("Describe(%U) = %q, want it to say %q", r, got, want)
		}
	}
}
