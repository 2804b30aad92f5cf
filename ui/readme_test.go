package ui

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/ui/settings"
)

// TestREADMEConfigExample: the README's example config reads without a
// problem, and it names every action there is.
func TestREADMEConfigExample(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "```yaml\n# ~/.config/tokentop/config.yaml\n")
	if start < 0 {
		t.Fatal("the README's dashboard section has no example config")
	}
	example := readme[start+len("```yaml\n"):]
	example = example[:strings.Index(example, "```")]
	f, err := settings.Parse("README.md", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSettings(f); err != nil {
		t.Fatal(err)
	}
	if len(f.Keys) == 0 || len(f.Columns) == 0 || len(f.Envs) == 0 || f.Palette.Name == "" {
		t.Fatalf("the example should show keys, columns, envs and a theme: %+v", f)
	}
	km, _ := newKeyMaps(nil, false)
	for _, name := range actionNames(km.sets()) {
		if !strings.Contains(readme, "`"+name+"`") {
			t.Errorf("the README does not list the action %q", name)
		}
	}
	for _, c := range columnKeys() {
		if !slices.Contains(f.Columns, c) {
			t.Errorf("the example's columns: should list %q", c)
		}
	}
}
