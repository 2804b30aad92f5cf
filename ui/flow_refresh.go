package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// Refresh: r fetches a new token for one provider, R for every provider
// shown (at most refreshConcurrency at once); auto-refresh (flow_auto.go)
// asks for the same fetch. One fetch per provider is in flight at a time,
// its row spinning until its tagged result comes back.

// refreshConcurrency bounds refresh all: at most this many fetches at once.
const refreshConcurrency = 8

// bulkState follows one refresh all.
type bulkState struct {
	pending        map[string]bool
	total, failed  int
	firstErr       string
	firstErrSource string
}

// busy reports whether anything the spinner stands for is under way.
func (m *Model) busy() bool {
	return m.tags.anyInFlight(reqRefresh) || m.result.Loading() || m.doctor.Running() || m.st8.login.cancel != nil
}

func (m *Model) startSpinner() tea.Cmd {
	if m.st8.spinning {
		return nil
	}
	m.st8.spinning = true
	m.table.SetSpinner(m.spin.View())
	return m.spin.Tick
}

// onSpin turns the spinner while something is busy, and stops it after.
func (m *Model) onSpin(msg spinner.TickMsg) tea.Cmd {
	if !m.busy() {
		m.st8.spinning = false
		return nil
	}
	var cmd tea.Cmd
	m.spin, cmd = m.spin.Update(msg)
	frame := m.spin.View()
	m.table.SetSpinner(frame)
	m.result.SetSpinner(frame)
	m.doctor.SetSpinner(frame)
	m.login.SetSpinner(frame)
	return cmd
}

// startRefresh fetches a token for name unless one is in flight.
func (m *Model) startRefresh(name string, o store.TokenOptions, auto bool, sem chan struct{}) tea.Cmd {
	if m.tags.inFlight(reqRefresh, name) || m.cfg.ViewOnly {
		return nil
	}
	tag := m.tags.next(reqRefresh, name)
	m.rows.SetFlags(name, m.flags(name))
	return tea.Batch(refresh(m.ctx, m.store, tag, o, auto, sem), m.startSpinner())
}

// refreshAll fetches a new token for every provider shown, at most
// refreshConcurrency at once, each with its own spinner and tagged result.
// When some are past 80 % of their quota it asks first (as r warns at
// 80 %): all, all but those, or none.
func (m *Model) refreshAll(in refreshAllIntent) tea.Cmd {
	if m.focus == focusConfirm {
		m.setFocus(m.home())
	}
	shown := m.rows.Shown()
	if len(shown) == 0 {
		return nil
	}
	if hot := m.nearQuota(shown); len(hot) > 0 {
		if !in.confirmed {
			m.confirm.AskWith(nearQuotaQuestion(len(shown), hot), refreshAllIntent{confirmed: true}, refreshAllIntent{confirmed: true, skipHot: true})
			m.setFocus(focusConfirm)
			return nil
		}
		if in.skipHot {
			shown = slices.DeleteFunc(shown, func(n string) bool { return slices.Contains(hot, n) })
		}
	}
	sem := make(chan struct{}, refreshConcurrency)
	b := &bulkState{pending: map[string]bool{}}
	cmds := make([]tea.Cmd, 0, len(shown))
	for _, name := range shown {
		if cmd := m.startRefresh(name, store.TokenOptions{ForceRefresh: true}, false, sem); cmd != nil {
			b.pending[name] = true
			cmds = append(cmds, cmd)
		}
	}
	b.total = len(b.pending)
	if b.total == 0 {
		return nil
	}
	m.st8.bulk = b
	cmds = append(cmds, m.setStatus(statusInfo, fmt.Sprintf("refreshing %d providers, %d at a time…", b.total, refreshConcurrency), ""))
	return tea.Batch(cmds...)
}

// nearQuota are the providers of names at 80 % of their quota or past it.
func (m *Model) nearQuota(names []string) []string {
	var hot []string
	for _, n := range names {
		if r, ok := m.rows.Row(n); ok {
			if q := r.sum.Quota; q.Limit > 0 && q.Used*5 >= q.Limit*4 {
				hot = append(hot, n)
			}
		}
	}
	return hot
}

// nearQuotaQuestion asks whether refresh all may spend tokens of hot.
func nearQuotaQuestion(total int, hot []string) string {
	names := strings.Join(hot[:min(len(hot), 3)], ", ")
	if len(hot) > 3 {
		names += fmt.Sprintf(" and %d more", len(hot)-3)
	}
	verb, whose := "is", "its"
	if len(hot) > 1 {
		verb, whose = "are", "their"
	}
	return fmt.Sprintf("? Refresh all %d? %s %s past 80 %% of %s quota: y all · s all but those · n none", total, names, verb, whose)
}

func (m *Model) onRefreshed(msg refreshedMsg) tea.Cmd {
	m.tags.done(reqRefresh, msg.name)
	m.rows.SetFlags(msg.name, m.flags(msg.name))
	if msg.auto {
		return m.onAutoRefreshed(msg)
	}
	if b := m.st8.bulk; b != nil && b.pending[msg.name] {
		return m.onBulkRefreshed(b, msg)
	}
	if msg.err != nil {
		return tea.Batch(m.errStatus(msg.name, msg.err), m.reload())
	}
	text := "refreshed " + msg.name + ": " + expiresText(msg.res.Token, m.now)
	kind := statusOK
	if len(msg.res.Warnings) > 0 {
		text += " · " + strings.Join(msg.res.Warnings, "; ")
		kind = statusWarn
	}
	return tea.Batch(m.setStatus(kind, text, ""), m.reload())
}

// onAutoRefreshed ends an auto-refresh: the next attempt waits a while
// after a failure (longer when the server asked), a few seconds otherwise.
func (m *Model) onAutoRefreshed(msg refreshedMsg) tea.Cmd {
	if msg.err != nil {
		wait := autoRetry
		if e, ok := providers.AsError(msg.err); ok && e.RetryAfter > wait {
			wait = e.RetryAfter
		}
		m.st8.auto.next[msg.name] = m.now.Add(wait)
		return tea.Batch(m.errStatus(msg.name+" (auto-refresh)", msg.err), m.reload())
	}
	m.st8.auto.next[msg.name] = m.now.Add(5 * time.Second)
	if msg.res != nil && !msg.res.Cached {
		return tea.Batch(m.setStatus(statusOK, "auto-refreshed "+msg.name+": "+expiresText(msg.res.Token, m.now), ""), m.reload())
	}
	return m.reload()
}

// onBulkRefreshed counts one fetch of a refresh all, and says how far it
// got: done, failed (with the first error) and, at the end, the outcome.
func (m *Model) onBulkRefreshed(b *bulkState, msg refreshedMsg) tea.Cmd {
	delete(b.pending, msg.name)
	if msg.err != nil {
		b.failed++
		if b.firstErr == "" {
			b.firstErr, b.firstErrSource = msg.err.Error(), msg.name
		}
	}
	done := b.total - len(b.pending)
	text := fmt.Sprintf("refresh all: %d/%d done", done, b.total)
	if b.failed > 0 {
		text += fmt.Sprintf(", %d failed (%s)", b.failed, b.firstErr)
	}
	if len(b.pending) > 0 {
		return m.setStatus(statusInfo, text+"…", "")
	}
	m.st8.bulk = nil
	kind := statusOK
	if b.failed > 0 {
		kind = statusWarn
	}
	return tea.Batch(m.setStatus(kind, text, ""), m.reload())
}

func expiresText(t *providers.Token, now time.Time) string {
	if t == nil {
		return "no token"
	}
	s := "new token, expires in " + countdown(t.ExpiresAt.Sub(now))
	if t.ExpiryAssumed {
		s += " (assumed)"
	}
	return s
}

// refresh fetches a token for the provider tagged. sem, when not nil,
// bounds how many run at once (refresh all and auto-refresh share one per
// batch).
func refresh(ctx context.Context, s *store.Store, tag reqTag, o store.TokenOptions, auto bool, sem chan struct{}) tea.Cmd {
	name, seq := tag.name, tag.seq
	return func() tea.Msg {
		if sem != nil {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				return refreshedMsg{name: name, seq: seq, auto: auto, err: ctx.Err()}
			}
		}
		res, err := s.Token(ctx, name, o)
		return refreshedMsg{name: name, seq: seq, auto: auto, res: res, err: err}
	}
}
