package theme

import "github.com/charmbracelet/lipgloss"

// Styles are the lipgloss styles of one renderer (one terminal).
type Styles struct {
	Palette Palette

	App         lipgloss.Style
	Title       lipgloss.Style
	Header      lipgloss.Style
	Muted       lipgloss.Style
	TableHeader lipgloss.Style
	Row         lipgloss.Style
	SelectedRow lipgloss.Style
	OK          lipgloss.Style
	Warn        lipgloss.Style
	Bad         lipgloss.Style
	Info        lipgloss.Style
	Accent      lipgloss.Style
	BarFull     lipgloss.Style
	BarEmpty    lipgloss.Style
	Panel       lipgloss.Style
	PanelTitle  lipgloss.Style
	Label       lipgloss.Style
	StatusLine  lipgloss.Style
	ErrorText   lipgloss.Style
	Hint        lipgloss.Style
	Spinner     lipgloss.Style
	Overlay     lipgloss.Style
}

// New derives Styles from p for the renderer r (one per terminal; nil means
// lipgloss's default renderer, for local use only).
func New(r *lipgloss.Renderer, p Palette) *Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	s := r.NewStyle
	return &Styles{
		Palette:     p,
		App:         s().Foreground(p.Text),
		Title:       s().Bold(true).Foreground(p.Accent),
		Header:      s().Foreground(p.Text),
		Muted:       s().Foreground(p.Muted),
		TableHeader: s().Bold(true).Foreground(p.Muted),
		Row:         s().Foreground(p.Text),
		SelectedRow: s().Bold(true).Foreground(p.Text).Background(p.Highlight),
		OK:          s().Foreground(p.OK),
		Warn:        s().Foreground(p.Warn),
		Bad:         s().Foreground(p.Bad),
		Info:        s().Foreground(p.Info),
		Accent:      s().Foreground(p.Accent),
		BarFull:     s().Foreground(p.Accent),
		BarEmpty:    s().Foreground(p.Border),
		Panel:       s().Border(lipgloss.RoundedBorder()).BorderForeground(p.Border).Padding(0, 1),
		PanelTitle:  s().Bold(true).Foreground(p.Accent),
		Label:       s().Foreground(p.Muted),
		StatusLine:  s().Foreground(p.Info),
		ErrorText:   s().Foreground(p.Bad),
		Hint:        s().Italic(true).Foreground(p.Warn),
		Spinner:     s().Foreground(p.Accent),
		Overlay:     s().Border(lipgloss.RoundedBorder()).BorderForeground(p.Accent).Padding(0, 1),
	}
}
