package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/store"
)

// onIntent acts on what a component asked for: moving about the screen
// (the focus, the filter, the order, the detail, the help) or acting on a
// provider.
func (m *Model) onIntent(in intent) tea.Cmd {
	if cmd, ok := m.onNavIntent(in); ok {
		return cmd
	}
	return m.onActionIntent(in)
}

// onNavIntent handles the intents that move about the screen; ok is false
// for any other.
func (m *Model) onNavIntent(in intent) (cmd tea.Cmd, ok bool) {
	switch in := in.(type) {
	case quitIntent:
		return m.quit(), true
	case filterIntent:
		m.setFocus(focusFilter)
		m.layout()
		return m.filter.Focus(), true
	case filterChangedIntent:
		return m.onFilter(in), true
	case sortIntent:
		return m.setSort(nextSort(m.rows.Sort(), m.table.want)), true
	case reverseSortIntent:
		s := m.rows.Sort()
		return m.setSort(sortSpec{col: s.col, reverse: !s.reverse}), true
	case sortByIntent:
		return m.setSort(chooseSort(m.rows.Sort(), in.col)), true
	case toggleDetailIntent:
		return m.toggleDetail(), true
	case focusDetailIntent:
		m.focusDetail(in.on)
		return nil, true
	case scrollDetailIntent:
		m.detail.Scroll(in.pages, in.lines)
		return nil, true
	case helpIntent:
		m.helpFrom = m.focus
		m.helpV.Show(m.focused())
		m.setFocus(focusHelp)
		return nil, true
	case closeIntent:
		m.setFocus(m.closedTo())
		return nil, true
	case paletteIntent:
		return m.openPalette(), true
	case selectIntent:
		return m.jumpTo(in.name), true
	case lockedIntent:
		return m.setStatus(statusWarn, m.lockedStatus(in.what), ""), true
	}
	return nil, false
}

// onActionIntent starts the flow an action on a provider asked for.
func (m *Model) onActionIntent(in intent) tea.Cmd {
	if m.cfg.ViewOnly && reachesNetwork(in) {
		return m.setStatus(statusWarn, m.lockedStatus("that"), "")
	}
	switch in := in.(type) {
	case refreshIntent:
		m.setStatus(statusInfo, "refreshing "+in.name+"…", "")
		return m.startRefresh(in.name, store.TokenOptions{ForceRefresh: true}, false, nil)
	case refreshAllIntent:
		return m.refreshAll(in)
	case autoToggleIntent:
		return m.toggleAuto(in.name)
	case copyIntent:
		return m.copyToken(in.name)
	case copyCurlIntent:
		return m.copyCurl(in.name)
	case testCallIntent:
		return m.openPicker(in.name)
	case callIntent:
		return m.startCall(in)
	case doctorIntent:
		return m.startDoctor(in)
	case addIntent:
		return m.openForm("")
	case editIntent:
		return m.openForm(in.name)
	case saveIntent:
		return m.save(in)
	case deleteIntent:
		return m.askDelete(in.name)
	case deleteConfirmedIntent:
		return m.remove(in.name)
	case loginIntent:
		return m.startLogin(in.name)
	case loginCancelIntent:
		return m.cancelLogin()
	case loginRefreshIntent:
		return m.runLogin(in.name, in.token)
	}
	return nil
}
