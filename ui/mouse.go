package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// The mouse (on unless --no-mouse or mouse: false): a click on a row
// selects it, a second click on it soon after opens its detail, a click
// on a column's title sorts by it (again: the other way), a click on the
// detail beside the table gives it the keys, and the wheel scrolls what is
// under the pointer (the table, the detail beside, under or over it) or
// the overlay shown (a test-call's result, the doctor, the help; the
// test-call picker and the command palette are sent the arrow keys).

// doubleClick is how soon a second click on the same row opens it, by
// the dashboard's clock (a test's fixed clock makes two clicks a double).
const doubleClick = 500 * time.Millisecond

// wheelLines is how far one notch of the wheel scrolls a panel.
const wheelLines = 3

// lastClick is the last click on a row.
type lastClick struct {
	name string
	at   time.Time
}

// wheeler is a component the wheel scrolls.
type wheeler interface{ Wheel(lines int) }

// area is a part of the screen a click or the wheel lands on.
type area int

const (
	areaNone area = iota
	areaTable
	areaDetail
)

func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	ev := tea.MouseEvent(msg)
	if ev.Action != tea.MouseActionPress || m.mirroring() {
		return nil // releases and drags; a follower's screen is the presenter's
	}
	switch ev.Button {
	case tea.MouseButtonWheelUp:
		return m.wheel(ev.X, ev.Y, -1)
	case tea.MouseButtonWheelDown:
		return m.wheel(ev.X, ev.Y, 1)
	case tea.MouseButtonLeft:
		return m.click(ev.X, ev.Y)
	}
	return nil
}

// onBoard reports whether the table and the detail are what is shown (no
// overlay, no input being typed in).
func (m *Model) onBoard() bool { return m.focus == focusTable || m.focus == focusDetail }

// areaAt is the part of the body at (x, y) and the point inside it.
func (m *Model) areaAt(x, y int) (a area, ax, ay int) {
	top := 1
	if m.focus == focusFilter || m.rows.Filter() != "" {
		top++
	}
	y -= top
	if y < 0 || y >= m.bodyH || x < 0 || x >= m.width {
		return areaNone, 0, 0
	}
	if !m.detailOpen {
		return areaTable, x, y
	}
	switch m.mode {
	case detailSide:
		if x < m.table.width {
			return areaTable, x, y
		}
		if x > m.table.width {
			return areaDetail, x - m.table.width - 1, y
		}
		return areaNone, 0, 0
	case detailBelow:
		if y < m.table.height {
			return areaTable, x, y
		}
		return areaDetail, x, y - m.table.height
	}
	return areaDetail, x, y
}

// wheel scrolls what is under the pointer by n notches (negative: up).
func (m *Model) wheel(x, y, n int) tea.Cmd {
	if !m.onBoard() {
		if w, ok := m.focused().(wheeler); ok {
			w.Wheel(n * wheelLines)
			return nil
		}
		if m.focus != focusPicker && m.focus != focusPalette {
			return nil // the form, the filter and the confirmation take no wheel
		}
		// The picker and the palette get the arrow keys.
		k := tea.KeyMsg{Type: tea.KeyDown}
		if n < 0 {
			k.Type = tea.KeyUp
		}
		return m.deliver(k)
	}
	switch a, _, _ := m.areaAt(x, y); a {
	case areaTable:
		before := m.table.Selected()
		m.table.Wheel(n)
		if m.table.Selected() != before {
			return m.syncDetail(true)
		}
	case areaDetail:
		m.detail.Wheel(n * wheelLines)
	}
	return nil
}

// click acts on a left click at (x, y).
func (m *Model) click(x, y int) tea.Cmd {
	if !m.onBoard() {
		return nil
	}
	a, ax, ay := m.areaAt(x, y)
	switch a {
	case areaDetail:
		m.focusDetail(true)
		return nil
	case areaNone:
		return nil
	}
	if ay == 0 {
		if col, ok := m.table.cols.at(ax); ok {
			return m.update(sortByIntent{col: col})
		}
		return nil
	}
	name, ok := m.table.RowAt(ay)
	if !ok {
		return nil
	}
	m.focusDetail(false)
	before := m.table.Selected()
	m.table.Select(name)
	var cmd tea.Cmd
	if m.table.Selected() != before {
		cmd = m.syncDetail(true)
	}
	now, last := m.cfg.Now(), m.st8.click
	m.st8.click = lastClick{name: name, at: now}
	if last.name != name || now.Before(last.at) || now.Sub(last.at) > doubleClick {
		return cmd
	}
	m.st8.click = lastClick{} // a third click starts again
	if !m.detailOpen {
		return tea.Batch(cmd, m.toggleDetail())
	}
	m.focusDetail(true)
	return cmd
}
