package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/theme"
)

// newHelp is bubbles/help with this session's styles.
func newHelp(st *theme.Styles) help.Model {
	h := help.New()
	h.Styles = help.Styles{
		ShortKey: st.Accent, ShortDesc: st.Muted, ShortSeparator: st.Muted, Ellipsis: st.Muted,
		FullKey: st.Accent, FullDesc: st.Muted, FullSeparator: st.Muted,
	}
	return h
}

// helpView is the full help (?): the keys of the component that had the
// focus, and what the table's marks and colours mean.
type helpView struct {
	bus  *bus
	keys HelpKeyMap
	st   *theme.Styles
	help help.Model
	of   help.KeyMap

	mouse bool // the program reports the mouse: say what it does

	width, height int
}

var _ Component = (*helpView)(nil)

func newHelpView(st *theme.Styles, keys HelpKeyMap, mouse bool) *helpView {
	h := newHelp(st)
	h.ShowAll = true
	return &helpView{keys: keys, st: st, help: h, mouse: mouse}
}

// Show sets whose keys to list.
func (h *helpView) Show(of help.KeyMap) { h.of = of }

// SetSize implements Component.
func (h *helpView) SetSize(width, height int) {
	h.width, h.height = width, height
	h.help.Width = max(width-h.st.Overlay.GetHorizontalFrameSize(), 10)
}

// Update implements Component.
func (h *helpView) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, h.keys.Close):
		return h.bus.emit(closeIntent{})
	case key.Matches(km, h.keys.Quit):
		return h.bus.emit(quitIntent{})
	}
	return nil
}

// View implements Component.
func (h *helpView) View() string {
	st := h.st
	var b strings.Builder
	b.WriteString(st.PanelTitle.Render("Keys"))
	b.WriteString("\n")
	if h.of != nil {
		b.WriteString(h.help.FullHelpView(h.of.FullHelp()))
	}
	b.WriteString("\n\n")
	b.WriteString(st.PanelTitle.Render("Marks and colours"))
	legend := []struct {
		mark string
		sty  lipgloss.Style
		text string
	}{
		{"↻", st.Accent, "auto-refresh on: a new token inside the refresh margin"},
		{"‖", st.Accent, "auto-refresh paused: the quota is at 90 %"},
		{"59:58*", st.Row, "expiry assumed: the server gave none"},
		{"59:58", st.OK, "valid"},
		{"04:59", st.Warn, "under 5 minutes or 20 % of the lifetime left"},
		{"-01:05", st.Bad, "expired that long ago"},
		{"37/1000 mo", st.Row, "tokens issued of the quota (h, d, mo)"},
		{"1/100 api", st.Row, "the API's rate limit, from the last test-call"},
	}
	for _, l := range legend {
		b.WriteString("\n  " + l.sty.Render(fit(l.mark, 10, true)) + "  " + st.Muted.Render(l.text))
	}
	if h.mouse {
		b.WriteString("\n\n" + st.PanelTitle.Render("Mouse"))
		b.WriteString("\n  " + st.Muted.Render("click a row to select it, double-click for its detail, click a title to sort (again: reverse), wheel to scroll"))
	}
	w := min(h.width, 100)
	return st.Overlay.Width(w - st.Overlay.GetHorizontalBorderSize()).Render(b.String())
}

// ShortHelp implements help.KeyMap.
func (h *helpView) ShortHelp() []key.Binding { return h.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (h *helpView) FullHelp() [][]key.Binding { return h.keys.FullHelp() }
