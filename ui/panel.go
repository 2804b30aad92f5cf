package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/theme"
)

// scrollPanel is an overlay with a title line over a scrollable viewport,
// and the keys it takes: what the test-call result and the doctor view are
// drawn in.
type scrollPanel struct {
	st   *theme.Styles
	vp   viewport.Model
	keys ResultKeyMap
	bus  *bus

	width, height int
}

func newScrollPanel(st *theme.Styles, keys ResultKeyMap) scrollPanel {
	return scrollPanel{st: st, vp: viewport.New(0, 0), keys: keys}
}

// handleKey takes the keys both panels share (scrolling, back, help); again
// reports the Again key, which each panel answers its own way.
func (p *scrollPanel) handleKey(msg tea.Msg) (cmd tea.Cmd, again bool) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil, false
	}
	k := p.keys
	switch {
	case scroll(&p.vp, km, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom):
	case key.Matches(km, k.Back):
		return p.bus.emit(closeIntent{}), false
	case key.Matches(km, k.Again):
		return nil, true
	case key.Matches(km, k.Help):
		return p.bus.emit(helpIntent{}), false
	}
	return nil, false
}

// ShortHelp implements help.KeyMap.
func (p *scrollPanel) ShortHelp() []key.Binding { return p.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (p *scrollPanel) FullHelp() [][]key.Binding { return p.keys.FullHelp() }

// setSize fits the viewport inside the overlay's frame, below the title.
func (p *scrollPanel) setSize(width, height int) {
	p.width, p.height = width, height
	p.vp.Width = max(width-p.st.Overlay.GetHorizontalFrameSize(), 1)
	p.vp.Height = max(height-p.st.Overlay.GetVerticalFrameSize()-1, 1)
}

// frame draws the overlay: title, then the viewport.
func (p *scrollPanel) frame(title string) string {
	head := p.st.PanelTitle.Render(fit(title, p.vp.Width, false))
	return p.st.Overlay.Width(p.width - p.st.Overlay.GetHorizontalBorderSize()).
		Height(p.height - p.st.Overlay.GetVerticalBorderSize()).
		Render(head + "\n" + p.vp.View())
}

// lineWriter writes panels of label and value: each value wrapped to the
// width the label leaves, the label on its first line only. The detail and
// the test-call result are written with it.
type lineWriter struct {
	strings.Builder
	st     *theme.Styles
	width  int
	labelW int
}

// line writes one labelled value in sty.
func (w *lineWriter) line(label, value string, sty lipgloss.Style) {
	for i, l := range strings.Split(wrapText(value, max(w.width-w.labelW, 8)), "\n") {
		lab := ""
		if i == 0 {
			lab = label
		}
		w.WriteString(w.st.Label.Render(fit(lab, w.labelW, false)))
		w.WriteString(sty.Render(l))
		w.WriteByte('\n')
	}
}

// section starts a titled part after a blank line.
func (w *lineWriter) section(title string) {
	w.WriteByte('\n')
	w.WriteString(w.st.PanelTitle.Render(title))
	w.WriteByte('\n')
}

// Wheel scrolls the panel n lines (negative: up).
func (p *scrollPanel) Wheel(n int) { wheelScroll(&p.vp, n) }
