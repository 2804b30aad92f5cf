package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// The clock and the store reload: one tick a second moves the clock, asks
// auto-refresh what is due and reads the store's change counter; a changed
// counter (another process, or this dashboard's own writes) reloads every
// summary.

// loadState follows the reloads.
type loadState struct {
	counter     uint64 // the store's change counter at the last reload
	loading     bool   // a reload is in flight
	dirty       bool   // the store changed while it was
	checking    bool   // a counter check is in flight
	lastLoadErr string
	selectNext  string // select this provider after the next reload
}

// clock is the tick loop tagged id: only its own ticks re-arm it.
func (m *Model) clock(id uint64) tea.Cmd {
	now := m.cfg.Now
	return tea.Every(time.Second, func(time.Time) tea.Msg { return tickMsg{now: now(), id: id} })
}

func (m *Model) onTick(msg tickMsg) tea.Cmd {
	var cmds []tea.Cmd
	if msg.id != 0 && msg.id == m.st8.tickID {
		cmds = append(cmds, m.clock(msg.id))
	}
	m.now = msg.now
	m.rows.SetNow(m.now)
	cmds = append(cmds, m.syncDetail(false), m.autoRefresh())
	if l := &m.st8.load; !l.checking && !l.loading && m.rows.Loaded() {
		l.checking = true
		cmds = append(cmds, checkCounter(m.ctx, m.store))
	}
	return tea.Batch(cmds...)
}

// reload starts a reload of the summaries, or marks one due when one is
// in flight.
func (m *Model) reload() tea.Cmd {
	l := &m.st8.load
	if l.loading {
		l.dirty = true
		return nil
	}
	l.loading, l.dirty = true, false
	return loadSummaries(m.ctx, m.store, m.tags.next(reqReload, ""))
}

// endLoad ends a reload, applied or not, and starts the one that became
// due while it ran.
func (m *Model) endLoad() tea.Cmd {
	m.st8.load.loading = false
	if m.st8.load.dirty {
		return m.reload()
	}
	return nil
}

func (m *Model) onCounter(msg counterMsg) tea.Cmd {
	l := &m.st8.load
	l.checking = false
	if msg.err != nil {
		return m.loadErr(msg.err)
	}
	if msg.counter != l.counter {
		return m.reload()
	}
	return nil
}

// loadErr shows a failure to read the store once, not on every tick.
func (m *Model) loadErr(err error) tea.Cmd {
	if l := &m.st8.load; err.Error() != l.lastLoadErr {
		l.lastLoadErr = err.Error()
		return m.errStatus("reading the store", err)
	}
	return nil
}

func (m *Model) onSummaries(msg summariesMsg) tea.Cmd {
	cmds := []tea.Cmd{m.endLoad()}
	if msg.err != nil {
		return tea.Batch(append(cmds, m.loadErr(msg.err))...)
	}
	l := &m.st8.load
	l.lastLoadErr = ""
	m.tags.applied(msg.tag())
	l.counter = msg.counter
	m.keepSelection(func() { m.rows.Set(msg.sums, m.flags) })
	if name := l.selectNext; name != "" {
		l.selectNext = ""
		m.table.Select(name)
	}
	if m.detailOpen && m.table.Selected() == "" {
		m.detailOpen = false
		m.layout()
	}
	return tea.Batch(append(cmds, m.syncDetail(true))...)
}

// flags is a row's root state.
func (m *Model) flags(name string) rowFlags {
	busy := m.tags.inFlight(reqRefresh, name)
	auto := m.st8.auto.enabled(name)
	return rowFlags{refreshing: busy, auto: auto, paused: auto && m.st8.auto.paused[name]}
}

// loadSummaries reads the change counter, then every summary.
func loadSummaries(ctx context.Context, s *store.Store, tag reqTag) tea.Cmd {
	return func() tea.Msg {
		n, err := s.ChangeCounter(ctx)
		if err != nil {
			return summariesMsg{seq: tag.seq, err: err}
		}
		sums, err := s.Summaries(ctx)
		// The one place the dashboard gets providers: from here on, no
		// view can draw a string of a config, a file or an old database
		// that did not go through the sanitiser. What the dashboard shows
		// is also what it acts on (a test-call's URL, a form's values).
		return summariesMsg{seq: tag.seq, counter: n, sums: safetext.Value(sums), err: err}
	}
}

// checkCounter reads the store's change counter (cheap: one key).
func checkCounter(ctx context.Context, s *store.Store) tea.Cmd {
	return func() tea.Msg {
		n, err := s.ChangeCounter(ctx)
		return counterMsg{counter: n, err: err}
	}
}
