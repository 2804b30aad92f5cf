package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/theme"
)

// confirmDelete asks once more before a provider is deleted: y deletes,
// anything in No keeps it. It draws on the status line.
type confirmDelete struct {
	bus   *bus
	keys  ConfirmKeyMap
	st    *theme.Styles
	name  string
	width int
}

var _ Component = (*confirmDelete)(nil)

func newConfirmDelete(st *theme.Styles, keys ConfirmKeyMap) *confirmDelete {
	return &confirmDelete{keys: keys, st: st}
}

// Ask starts a confirmation for name.
func (c *confirmDelete) Ask(name string) { c.name = name }

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
		return c.bus.emit(deleteConfirmedIntent{c.name})
	case key.Matches(km, c.keys.No):
		return c.bus.emit(closeIntent{})
	}
	return nil
}

// View implements Component.
func (c *confirmDelete) View() string {
	q := fmt.Sprintf("? Delete %s with its secret, token and history? y/N", c.name)
	return c.st.Warn.Bold(true).Render(fit(q, c.width, false))
}

// ShortHelp implements help.KeyMap.
func (c *confirmDelete) ShortHelp() []key.Binding { return c.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (c *confirmDelete) FullHelp() [][]key.Binding { return c.keys.FullHelp() }
