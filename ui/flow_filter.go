package ui

import tea "github.com/charmbracelet/bubbletea"

// The rows shown: the filter typed in the filter bar and the order s
// cycles through change the root's rows; the table's cursor stays on the
// provider it was on while that one is still shown.

// keepSelection applies change to the rows and puts the cursor back on
// the provider it was on, when that one is still shown.
func (m *Model) keepSelection(change func()) {
	sel := m.table.Selected()
	change()
	m.table.Select(sel)
}

// setSort orders the rows by s and keeps the order for the next run.
func (m *Model) setSort(s sortSpec) tea.Cmd {
	m.keepSelection(func() { m.rows.SetSort(s) })
	return m.saveView()
}

func (m *Model) onFilter(msg filterChangedIntent) tea.Cmd {
	before := m.table.Selected()
	m.keepSelection(func() { m.rows.SetFilter(msg.text) })
	if msg.text == "" {
		m.filter.Set("")
	}
	var save tea.Cmd
	if msg.done {
		m.setFocus(m.home())
		save = m.saveView()
	}
	m.layout()
	if m.table.Selected() != before {
		return tea.Batch(save, m.syncDetail(true))
	}
	return save
}
