// Package theme holds tokentop's colours: a Palette of adaptive colours
// (one per built-in theme) and the Styles derived from it for one lipgloss
// renderer. Nothing here is a package-level style: every SSH session builds
// Styles for its own terminal.
package theme

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Palette names the colours a theme picks; each adapts to dark and light
// terminals.
type Palette struct {
	Name      string
	Text      lipgloss.AdaptiveColor
	Muted     lipgloss.AdaptiveColor
	Accent    lipgloss.AdaptiveColor
	Highlight lipgloss.AdaptiveColor // selected row background
	OK        lipgloss.AdaptiveColor
	Warn      lipgloss.AdaptiveColor
	Bad       lipgloss.AdaptiveColor
	Info      lipgloss.AdaptiveColor
	Border    lipgloss.AdaptiveColor
}

// DefaultName is the theme used when none is asked for.
const DefaultName = "charm"

// Names lists the built-in themes.
func Names() []string {
	names := make([]string, 0, 3)
	for n := range palettes() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the named palette ("" means the default).
func Lookup(name string) (Palette, error) {
	if name == "" {
		name = DefaultName
	}
	p, ok := palettes()[strings.ToLower(name)]
	if !ok {
		return Palette{}, fmt.Errorf("no theme named %q: choose one of %s", name, strings.Join(Names(), ", "))
	}
	return p, nil
}

func ac(light, dark string) lipgloss.AdaptiveColor {
	return lipgloss.AdaptiveColor{Light: light, Dark: dark}
}

// palettes builds the built-in palettes; a function, so nothing global can
// be changed by one session under another.
func palettes() map[string]Palette {
	return map[string]Palette{
		"charm": {
			Name: "charm", Text: ac("#1A1A1A", "#DDDDDD"), Muted: ac("#8A8A8A", "#777777"),
			Accent: ac("#5A3FD9", "#B18CFF"), Highlight: ac("#E8E2FF", "#3B2F66"),
			OK: ac("#0A7F45", "#4FD68A"), Warn: ac("#A15C00", "#F2B33D"), Bad: ac("#C2182B", "#FF6B7A"),
			Info: ac("#0065A8", "#6CC4FF"), Border: ac("#C9C2E8", "#4B4470"),
		},
		"dracula": {
			Name: "dracula", Text: ac("#282A36", "#F8F8F2"), Muted: ac("#6272A4", "#6272A4"),
			Accent: ac("#7A3FD9", "#BD93F9"), Highlight: ac("#E6E1F7", "#44475A"),
			OK: ac("#1F8A3A", "#50FA7B"), Warn: ac("#9A6400", "#F1FA8C"), Bad: ac("#C0282A", "#FF5555"),
			Info: ac("#0B7C93", "#8BE9FD"), Border: ac("#BFB7D9", "#44475A"),
		},
		"solarized": {
			Name: "solarized", Text: ac("#586E75", "#93A1A1"), Muted: ac("#93A1A1", "#586E75"),
			Accent: ac("#268BD2", "#268BD2"), Highlight: ac("#EEE8D5", "#073642"),
			OK: ac("#859900", "#859900"), Warn: ac("#B58900", "#B58900"), Bad: ac("#DC322F", "#DC322F"),
			Info: ac("#2AA198", "#2AA198"), Border: ac("#EEE8D5", "#073642"),
		},
	}
}
