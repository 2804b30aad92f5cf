package ui

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/theme"
)

// filterBar is the / input: it filters the table as it is typed; enter
// keeps the filter, esc clears it.
type filterBar struct {
	bus   *bus
	keys  FilterKeyMap
	input textinput.Model
	st    *theme.Styles
	width int
	clear string // the table's key that clears the filter, for the hint
}

var _ Component = (*filterBar)(nil)

func newFilterBar(st *theme.Styles, keys FilterKeyMap, clearKey string) *filterBar {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = "name, env or preset"
	in.PromptStyle = st.Accent
	in.TextStyle = st.Row
	in.PlaceholderStyle = st.Muted
	in.Cursor.Style = st.Accent
	in.CharLimit = 80
	return &filterBar{keys: keys, input: in, st: st, clear: clearKey}
}

// Focus starts typing.
func (f *filterBar) Focus() tea.Cmd { return f.input.Focus() }

// Value is the filter text.
func (f *filterBar) Value() string { return f.input.Value() }

// Set replaces the filter text (esc in the table clears it).
func (f *filterBar) Set(s string) {
	f.input.SetValue(s)
	if s == "" {
		f.input.Blur()
	}
}

// Focused reports whether the input has the cursor.
func (f *filterBar) Focused() bool { return f.input.Focused() }

// SetSize implements Component.
func (f *filterBar) SetSize(width, _ int) {
	f.width = width
	f.input.Width = max(width-4, 1)
}

// Update implements Component.
func (f *filterBar) Update(msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(km, f.keys.Apply):
			f.input.Blur()
			return f.bus.emit(filterChangedIntent{text: f.input.Value(), done: true})
		case key.Matches(km, f.keys.Clear):
			f.input.SetValue("")
			f.input.Blur()
			return f.bus.emit(filterChangedIntent{text: "", done: true})
		}
	}
	before := f.input.Value()
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	if v := f.input.Value(); v != before {
		return tea.Batch(cmd, f.bus.emit(filterChangedIntent{text: v}))
	}
	return cmd
}

// View implements Component: the input while it is typed in; after, the
// filter kept and the key that clears it.
func (f *filterBar) View() string {
	v := f.input.Value()
	if f.input.Focused() || v == "" {
		return f.input.View()
	}
	hint := "  (" + f.clear + " clears)"
	text := fit(v, max(f.width-2-len([]rune(hint)), 1), false)
	return f.st.Accent.Render("/ ") + f.st.Row.Render(text) + f.st.Muted.Render(hint)
}

// ShortHelp implements help.KeyMap.
func (f *filterBar) ShortHelp() []key.Binding { return f.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (f *filterBar) FullHelp() [][]key.Binding { return f.keys.FullHelp() }
