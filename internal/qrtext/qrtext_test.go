package qrtext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"rsc.io/qr"
)

// decode reads the modules back out of the drawn text: true where dark.
func decode(t *testing.T, text string, width int) [][]bool {
	t.Helper()
	lines := strings.Split(text, "\n")
	rows := make([][]bool, 0, 2*len(lines))
	for _, line := range lines {
		if n := utf8.RuneCountInString(line); n != width {
			t.Fatalf("a line is %d cells wide, want %d", n, width)
		}
		top, bottom := make([]bool, 0, width), make([]bool, 0, width)
		for _, r := range line {
			switch r {
			case '█':
				top, bottom = append(top, false), append(bottom, false)
			case '▀':
				top, bottom = append(top, false), append(bottom, true)
			case '▄':
				top, bottom = append(top, true), append(bottom, false)
			case ' ':
				top, bottom = append(top, true), append(bottom, true)
			default:
				t.Fatalf("unexpected %q in the code", r)
			}
		}
		rows = append(rows, top, bottom)
	}
	return rows
}

func TestRenderDrawsTheCodeModuleForModule(t *testing.T) {
	const s = "ssh://demo.example.com:23234"
	text, width, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	code, err := qr.Encode(s, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	if width != code.Size+2*quiet {
		t.Fatalf("width %d, want %d", width, code.Size+2*quiet)
	}
	rows := decode(t, text, width)
	for y := range code.Size {
		for x := range code.Size {
			if got := rows[y+quiet][x+quiet]; got != code.Black(x, y) {
				t.Fatalf("module (%d,%d) drawn dark=%v, want %v", x, y, got, code.Black(x, y))
			}
		}
	}
	for x := range width {
		if rows[0][x] || rows[1][x] {
			t.Fatal("the quiet zone has a dark module")
		}
	}
}

func TestRenderRefusesWhatIsNotAShortLink(t *testing.T) {
	if _, _, err := Render(""); err == nil {
		t.Error("an empty text drew a code")
	}
	if _, _, err := Render(strings.Repeat("a", MaxInput+1)); err == nil {
		t.Error("a text over MaxInput drew a code")
	}
	if _, _, err := Render(strings.Repeat("a", MaxInput)); err != nil {
		t.Errorf("a text of MaxInput bytes: %v", err)
	}
}
