package ui

import (
	"github.com/charmbracelet/bubbles/viewport"

	"github.com/tokentop/tokentop/theme"
)

// scrollPanel is an overlay with a title line over a scrollable viewport:
// what the test-call result and the doctor view are drawn in.
type scrollPanel struct {
	st *theme.Styles
	vp viewport.Model

	width, height int
}

func newScrollPanel(st *theme.Styles) scrollPanel {
	return scrollPanel{st: st, vp: viewport.New(0, 0)}
}

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
