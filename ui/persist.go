package ui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/ui/settings"
)

// The filter and the order persist between runs: the config file gives
// the defaults, the state file (Config.State) the last ones used, which
// win. Every change (a filter kept or cleared, another order) is saved by
// a command; a save that fails says so once in the status line.

// stateSavedMsg is the end of a save of the state file.
type stateSavedMsg struct {
	seq uint64
	err error
}

func (m stateSavedMsg) tag() reqTag { return reqTag{kind: reqState, seq: m.seq} }

// startView applies the config's default sort and filter, then the state
// file's; it returns what the status line says at start ("" for nothing).
func (m *Model) startView() string {
	sortBy, filter, from := sortSpec{col: colExpiresCol}, "", "the config"
	if f := m.cfg.Settings; f != nil {
		if s, problem := parseSort(f.Sort.Column, f.Sort.Reverse); problem == "" {
			sortBy = s
		}
		filter = f.Filter
	}
	note := ""
	if sf := m.cfg.State; sf != nil {
		st, found, err := sf.Load()
		switch {
		case err != nil:
			note = "the last filter and sort were not read: " + err.Error()
		case found:
			if s, problem := parseSort(st.Sort.Column, st.Sort.Reverse); problem == "" {
				sortBy = s
			}
			filter, from = st.Filter, "the last run"
		}
	}
	filter = clean(filter)
	if len([]rune(filter)) > settings.MaxFilter {
		filter = string([]rune(filter)[:settings.MaxFilter])
	}
	m.rows.SetSort(sortBy)
	if filter != "" {
		m.rows.SetFilter(filter)
		m.filter.Set(filter)
		if note == "" {
			note = fmt.Sprintf("filter %q from %s: %s clears it", filter, from, m.table.keys.ClearFilter.Help().Key)
		}
	}
	return note
}

// saveView keeps the filter and the order for the next run, when the
// dashboard has a state file.
func (m *Model) saveView() tea.Cmd {
	sf := m.cfg.State
	if sf == nil {
		return nil
	}
	s := m.rows.Sort()
	st := settings.State{Filter: m.rows.Filter(), Sort: settings.Sort{Column: s.col.key(), Reverse: s.reverse}}
	tag := m.tags.next(reqState, "")
	return func() tea.Msg {
		return stateSavedMsg{seq: tag.seq, err: sf.Save(tag.seq, st)}
	}
}

func (m *Model) onStateSaved(res stateSavedMsg) tea.Cmd {
	if res.err == nil || m.st8.stateWarned {
		return nil
	}
	m.st8.stateWarned = true
	return m.setStatus(statusWarn, "the filter and sort will not be kept: "+res.err.Error(), "")
}
