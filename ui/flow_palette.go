package ui

import tea "github.com/charmbracelet/bubbletea"

// The command palette lists the table's actions on the selected provider
// and every provider; its choice comes back as the intent the action's key
// emits, or a jump to a provider.

// openPalette opens the palette over what has the focus.
func (m *Model) openPalette() tea.Cmd {
	k := m.table.keys
	m.setFocus(focusPalette)
	return m.palette.Open(k, m.table.Selected(), m.rows.All())
}

// jumpTo puts the cursor on name, clearing a filter that hides it.
func (m *Model) jumpTo(name string) tea.Cmd {
	var cmds []tea.Cmd
	if m.rows.Position(name) < 0 {
		cmds = append(cmds, m.onFilter(filterChangedIntent{text: "", done: true}))
	}
	before := m.table.Selected()
	m.table.Select(name)
	if m.table.Selected() != before {
		cmds = append(cmds, m.syncDetail(true))
	}
	return tea.Batch(cmds...)
}
