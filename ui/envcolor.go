package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/ui/settings"
)

// envColors are the config file's per-environment colours, by lower-case
// env name: every row of such an env draws its name and env in the
// colour, and the header shows the env in it while one of its rows is
// selected (so nobody refreshes prod thinking it is dev).
type envColors map[string]lipgloss.Color

// newEnvColors takes the colours of f's envs: section (checked when the
// file was read; one that is not a colour is left out).
func newEnvColors(f *settings.File) envColors {
	if f == nil || len(f.Envs) == 0 {
		return nil
	}
	e := envColors{}
	for name, env := range f.Envs {
		if c, err := settings.ParseColor(env.Color); err == nil && env.Color != "" {
			e[strings.ToLower(name)] = c
		}
	}
	return e
}

// color is env's colour; ok is false when it has none.
func (e envColors) color(env string) (lipgloss.Color, bool) {
	if len(e) == 0 || env == "" {
		return "", false
	}
	c, ok := e[strings.ToLower(env)]
	return c, ok
}

// style is base in env's colour (a row's name and env cells); ok is false
// when env has no colour, and base is what to draw in.
func (e envColors) style(base lipgloss.Style, env string) (lipgloss.Style, bool) {
	c, ok := e.color(env)
	if !ok {
		return base, false
	}
	return base.Foreground(c), true
}

// badge is the header's mark of the selected row's env in its colour:
// the env's name, reversed out of the colour, or "" when it has none.
// base is a style of the session's renderer.
func (e envColors) badge(base lipgloss.Style, env string) string {
	c, ok := e.color(env)
	if !ok {
		return ""
	}
	return base.Bold(true).Foreground(lipgloss.Color("0")).Background(c).Render(" " + clean(env) + " ")
}
