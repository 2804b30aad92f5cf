package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/theme"
)

// confirmDelete asks once more before a provider is deleted (y deletes,
// anything in No keeps it), or before refresh all spends tokens of a
// provider close to its quota (y refreshes all, s all but those). It draws
// on the status line.
type confirmDelete struct {
	bus      *bus
	keys     ConfirmKeyMap
	st       *theme.Styles
	question string
	yes      intent
	skip     intent // nil: no third choice
	width    int
}

var _ Component = (*confirmDelete)(nil)

func newConfirmDelete(st *theme.Styles, keys ConfirmKeyMap) *confirmDelete {
	return &confirmDelete{keys: keys, st: st}
}

// Ask starts a confirmation of deleting name.
func (c *confirmDelete) Ask(name string) {
	c.AskWith(fmt.Sprintf("? Delete %s with its secret, token and history? y/N", name), deleteConfirmedIntent{name}, nil)
}

// AskWith asks question: y emits yes, s emits skip (when not nil), the
// No keys close it.
func (c *confirmDelete) AskWith(question string, yes, skip intent) {
	c.question, c.yes, c.skip = question, yes, skip
	c.keys.Skip.SetEnabled(skip != nil)
	c.keys.Yes.SetHelp("y", "yes")
}

// SetSize implements Component.
func (c *confirmDelete) SetSize(width, _ int) { c.width = width }

// Update implements Component.
func (c *confirmDelete) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, c.keys.Yes):
		return c.bus.emit(c.yes)
	case c.skip != nil && key.Matches(km, c.keys.Skip):
		return c.bus.emit(c.skip)
	case key.Matches(km, c.keys.No):
		return c.bus.emit(closeIntent{})
	}
	return nil
}

// View implements Component.
func (c *confirmDelete) View() string {
	return c.st.Warn.Bold(true).Render(fit(c.question, c.width, false))
}

// ShortHelp implements help.KeyMap.
func (c *confirmDelete) ShortHelp() []key.Binding { return c.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (c *confirmDelete) FullHelp() [][]key.Binding { return c.keys.FullHelp() }
