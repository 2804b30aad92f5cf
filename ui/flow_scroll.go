package ui

import tea "github.com/charmbracelet/bubbletea"

// The mouse wheel scrolls the detail when it turns over it (or the detail
// covers the table); any other mouse message goes to the focused
// component.

// onMouse takes a mouse message.
func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	if w := wheel(msg); w != 0 && m.overDetail(msg.X, msg.Y) {
		m.detail.Scroll(0, w*wheelLines)
		return nil
	}
	return m.deliver(msg)
}

// overDetail reports whether the cell x, y is on the detail panel.
func (m *Model) overDetail(x, y int) bool {
	if !m.detailOpen || m.focus != focusTable && m.focus != focusDetail {
		return false
	}
	top := 1 // the header
	if m.focus == focusFilter || m.rows.Filter() != "" {
		top++
	}
	switch m.mode {
	case detailSide:
		return x >= m.table.width+1 && y >= top && y < top+m.bodyH
	case detailBelow:
		return y >= top+m.table.height && y < top+m.bodyH
	}
	return true
}

// wheel is a mouse message's wheel turn: -1 up, 1 down, 0 for anything
// else.
func wheel(msg tea.MouseMsg) int {
	if msg.Action != tea.MouseActionPress {
		return 0
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return -1
	case tea.MouseButtonWheelDown:
		return 1
	}
	return 0
}
