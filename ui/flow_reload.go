package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// The clock and the store reload: one tick a second moves the clock and
// asks auto-refresh what is due; the store's change feed (Store.Watch)
// reloads every summary when anything changes, written by another process
// or machine or by this dashboard. Over etcd the feed is the cluster's
// watch, so a token fetched on another machine shows at once; over bbolt
// the backend polls the file's change counter. A feed that could not
// start, or that ended, is started again on the next tick.

// loadState follows the reloads.
type loadState struct {
	loading     bool // a reload is in flight
	dirty       bool // the store changed while it was
	following   bool // the change feed runs (or is starting)
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
	m.login.SetNow(m.now)
	cmds = append(cmds, m.syncDetail(false), m.autoRefresh())
	if !m.st8.load.following && m.ctx.Err() == nil {
		cmds = append(cmds, m.follow())
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

// follow starts the store's change feed.
func (m *Model) follow() tea.Cmd {
	m.st8.load.following = true
	ctx, s := m.ctx, m.store
	return func() tea.Msg {
		ch, err := s.Watch(ctx)
		return feedMsg{ch: ch, err: err}
	}
}

// onFeed is the feed started, or not (tried again on the next tick). A
// reload follows the start: what changed before it is not in the feed.
func (m *Model) onFeed(msg feedMsg) tea.Cmd {
	if msg.err != nil {
		m.st8.load.following = false
		return m.loadErr(msg.err)
	}
	return tea.Batch(nextChange(msg.ch), m.reload())
}

// onChange reloads on a change and waits for the next; a feed that ended
// (the dashboard quitting, the store closed) is started again on the next
// tick unless the dashboard is quitting.
func (m *Model) onChange(msg changeMsg) tea.Cmd {
	if !msg.ok {
		m.st8.load.following = false
		return nil
	}
	return tea.Batch(nextChange(msg.ch), m.reload())
}

// nextChange waits for the feed's next change.
func nextChange(ch <-chan store.Change) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-ch
		return changeMsg{ch: ch, change: c, ok: ok}
	}
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
	m.keepSelection(func() { m.rows.Set(msg.sums, m.flags) })
	if name := l.selectNext; name != "" {
		l.selectNext = ""
		m.table.Select(name)
	}
	if m.detailOpen && m.table.Selected() == "" {
		m.detailOpen = false
		m.layout()
	}
	cmds = append(cmds, m.syncDetail(true))
	if m.st8.follow.pending {
		cmds = append(cmds, m.applyLast())
	}
	return tea.Batch(cmds...)
}

// flags is a row's root state.
func (m *Model) flags(name string) rowFlags {
	busy := m.tags.inFlight(reqRefresh, name)
	auto := m.st8.auto.enabled(name)
	return rowFlags{refreshing: busy, auto: auto, paused: auto && m.st8.auto.paused[name]}
}

// loadSummaries reads every summary.
func loadSummaries(ctx context.Context, s *store.Store, tag reqTag) tea.Cmd {
	return func() tea.Msg {
		sums, err := s.Summaries(ctx)
		// The one place the dashboard gets providers: from here on, no
		// view can draw a string of a config, a file or an old database
		// that did not go through the sanitiser. What the dashboard shows
		// is also what it acts on (a test-call's URL, a form's values).
		return summariesMsg{seq: tag.seq, sums: safetext.Value(sums), err: err}
	}
}
