package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
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
// focus, and what the table's marks and colours mean, in a scrollable
// overlay that keeps its border however small the window.
type helpView struct {
	bus  *bus
	keys HelpKeyMap
	st   *theme.Styles
	help help.Model
	of   help.KeyMap
	vp   viewport.Model

	mouse bool // the program reports the mouse: say what it does

	width, height int
}

var _ Component = (*helpView)(nil)

func newHelpView(st *theme.Styles, keys HelpKeyMap, mouse bool) *helpView {
	h := newHelp(st)
	h.ShowAll = true
	return &helpView{keys: keys, st: st, help: h, vp: viewport.New(0, 0), mouse: mouse}
}

// Show sets whose keys to list.
func (h *helpView) Show(of help.KeyMap) {
	h.of = of
	h.vp.GotoTop()
	h.render()
}

// SetSize implements Component.
func (h *helpView) SetSize(width, height int) {
	h.width, h.height = width, height
	h.help.Width = max(min(width, 100)-h.st.Overlay.GetHorizontalFrameSize(), 10)
	h.render()
}

// Wheel scrolls the help by lines (negative: up); the mouse wheel turns it.
func (h *helpView) Wheel(lines int) { wheelScroll(&h.vp, lines) }

// Update implements Component.
func (h *helpView) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	k := h.keys
	switch {
	case scroll(&h.vp, km, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom):
	case key.Matches(km, k.Close):
		return h.bus.emit(closeIntent{})
	case key.Matches(km, k.Quit):
		return h.bus.emit(quitIntent{})
	}
	return nil
}

// render lays the help out for the current size; the viewport shows as
// much as fits inside the overlay's frame.
func (h *helpView) render() {
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
		{"00:29", st.Warn, "expiring: inside the refresh margin (10 % of the lifetime, at least 30 s)"},
		{"-01:05", st.Bad, "expired that long ago"},
		{"log in (l)", st.Warn, "a user's login is due (log in again: the session is over)"},
		{"██ rt 24h", st.Muted, "a user's refresh token: its life left, after the lifetime bar"},
		{"37/1000 mo", st.Row, "tokens issued of the quota (h, d, mo)"},
		{"1/100 api", st.Row, "the API's rate limit, from the last test-call"},
		{"3 this mo", st.Muted, "no quota set: the tokens issued this month"},
		{"▁▃█", st.Accent, "tokens issued per day, the last 14 days"},
	}
	inner := max(min(h.width, 100)-st.Overlay.GetHorizontalFrameSize(), 10)
	for _, l := range legend {
		b.WriteString("\n  " + l.sty.Render(fit(l.mark, 10, true)) + "  " + st.Muted.Render(strings.ReplaceAll(wrapText(l.text, max(inner-14, 10)), "\n", "\n"+strings.Repeat(" ", 14))))
	}
	if h.mouse {
		const says = "click a row to select it, double-click for its detail, click a title to sort (again: reverse), wheel to scroll"
		b.WriteString("\n\n" + st.PanelTitle.Render("Mouse"))
		b.WriteString("\n  " + st.Muted.Render(strings.ReplaceAll(wrapText(says, max(inner-2, 10)), "\n", "\n  ")))
	}
	content := b.String()
	h.vp.Width = inner
	h.vp.Height = max(min(strings.Count(content, "\n")+1, h.height-st.Overlay.GetVerticalFrameSize()), 1)
	h.vp.SetContent(content)
}

// View implements Component.
func (h *helpView) View() string {
	st := h.st
	w := min(h.width, 100)
	return st.Overlay.Width(w - st.Overlay.GetHorizontalBorderSize()).Render(h.vp.View())
}

// ShortHelp implements help.KeyMap.
func (h *helpView) ShortHelp() []key.Binding { return h.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (h *helpView) FullHelp() [][]key.Binding { return h.keys.FullHelp() }
