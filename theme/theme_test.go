package theme

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestLookupEveryTheme(t *testing.T) {
	if len(Names()) < 3 {
		t.Fatalf("want at least three themes, have %v", Names())
	}
	for _, n := range Names() {
		p, err := Lookup(n)
		if err != nil || p.Name != n {
			t.Fatalf("Lookup(%q) = %+v, %v", n, p, err)
		}
	}
	if p, err := Lookup(""); err != nil || p.Name != DefaultName {
		t.Fatalf("default theme: %+v, %v", p, err)
	}
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), "charm") {
		t.Fatalf("unknown theme error should list the themes, got %v", err)
	}
}

func TestStylesFollowTheRenderer(t *testing.T) {
	p, _ := Lookup("charm")
	color := lipgloss.NewRenderer(&bytes.Buffer{})
	color.SetColorProfile(termenv.TrueColor)
	color.SetHasDarkBackground(true)
	plain := lipgloss.NewRenderer(&bytes.Buffer{})
	plain.SetColorProfile(termenv.Ascii)

	if got := New(color, p).Bad.Render("x"); !strings.Contains(got, "\x1b[") {
		t.Fatalf("a true-colour renderer should colour text, got %q", got)
	}
	if got := New(plain, p).Bad.Render("x"); got != "x" {
		t.Fatalf("an Ascii renderer (NO_COLOR) must not colour text, got %q", got)
	}
}
