package settings

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/theme"
)

func TestThemeFile(t *testing.T) {
	dir := t.TempDir()
	theme1 := filepath.Join(dir, "night.yaml")
	writeAt(t, theme1, "base: dracula\naccent: \"#ff00ff\"\nbad: {light: red, dark: \"#ff5555\"}\n")
	cfg := filepath.Join(dir, "config.yaml")
	writeAt(t, cfg, "theme: ./night.yaml\n")
	f, err := Load(cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := theme.Lookup("dracula")
	p := f.Palette
	if p.Name != "night" || p.Accent.Light != "#ff00ff" || p.Accent.Dark != "#ff00ff" {
		t.Fatalf("a single colour is the same on light and dark terminals: %+v", p)
	}
	if p.Bad.Light != "1" || p.Bad.Dark != "#ff5555" {
		t.Fatalf("light and dark colours: %+v", p.Bad)
	}
	if p.Text != base.Text || p.Border != base.Border {
		t.Fatal("colours the file does not set come from its base")
	}
}

func TestThemeFileProblems(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"accent: blood\n", `night.yaml:1: accent: "blood" is not a colour`},
		{"accnet: red\n", `night.yaml:1: unknown key "accnet" in a theme file (did you mean "accent"?)`},
		{"ok: {light: red, dim: blue}\n", `night.yaml:1: unknown key "dim" in a colour`},
		{"base: nope\n", `base: no theme named "nope"`},
	} {
		path := write(t, "night.yaml", tc.text)
		_, err := LoadTheme(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.text, err, tc.want)
		}
	}
	if _, err := ResolveTheme(filepath.Join(t.TempDir(), "gone.yaml"), ""); err == nil || !strings.Contains(err.Error(), "gone.yaml") {
		t.Fatalf("a missing theme file is an error naming it, got %v", err)
	}
	if p, err := ResolveTheme("solarized", ""); err != nil || p.Name != "solarized" {
		t.Fatalf("a built-in name: %+v %v", p, err)
	}
}
