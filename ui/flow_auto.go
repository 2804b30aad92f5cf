package ui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/store"
)

// Auto-refresh: x turns it on or off for one provider (--auto-refresh for
// all). Once a tick, every provider with it on whose token is missing or
// inside its refresh margin is refreshed, unless its quota is at 90 %
// (then it pauses and says so) or it failed a moment ago.

// autoPauseAt is the share of a quota at which auto-refresh stops asking
// for tokens.
const autoPauseAt = 0.9

// autoRetry is how long auto-refresh waits after a failed fetch before it
// tries that provider again (a server's Retry-After wins when longer).
const autoRetry = time.Minute

// autoState is the per-provider auto-refresh setting and its bookkeeping.
// It belongs to one root model; the decisions are pure functions of the
// summary and the clock.
type autoState struct {
	def    bool                 // --auto-refresh: the default for all
	on     map[string]bool      // x toggles override the default
	next   map[string]time.Time // no attempt before this (after a failure)
	paused map[string]bool      // paused by the quota, as last seen
}

func newAutoState(def bool) autoState {
	return autoState{def: def, on: map[string]bool{}, next: map[string]time.Time{}, paused: map[string]bool{}}
}

func (a autoState) enabled(name string) bool {
	if v, ok := a.on[name]; ok {
		return v
	}
	return a.def
}

// toggle flips auto-refresh for name and reports the new setting.
func (a autoState) toggle(name string) bool {
	v := !a.enabled(name)
	a.on[name] = v
	delete(a.next, name)
	return v
}

// quotaPaused reports whether the quota is at or past autoPauseAt.
func quotaPaused(q store.QuotaUsage) bool {
	return q.Limit > 0 && float64(q.Used) >= autoPauseAt*float64(q.Limit)
}

// dueForRefresh reports whether the token is missing or inside its refresh
// margin (the larger of 30 s and 10 % of its lifetime) at now.
func dueForRefresh(sm store.Summary, now time.Time) bool {
	t := sm.Token
	if t == nil || t.ExpiresAt.IsZero() {
		return true
	}
	return !now.Before(t.ExpiresAt.Add(-t.RefreshMargin()))
}

// autoRefresh runs once per tick: every provider with auto-refresh on whose
// token is missing or inside its refresh margin is refreshed, unless its
// quota is at 90 % (then it pauses and says so) or it failed recently.
func (m *Model) autoRefresh() tea.Cmd {
	a := &m.st8.auto
	if !a.def && len(a.on) == 0 {
		return nil
	}
	var cmds []tea.Cmd
	rows := m.rows.All()
	for i := range rows {
		r := &rows[i]
		name := r.sum.Provider.Name
		if !a.enabled(name) {
			continue
		}
		paused := quotaPaused(r.sum.Quota)
		if paused != a.paused[name] {
			a.paused[name] = paused
			m.rows.SetFlags(name, m.flags(name))
			if paused {
				q := r.sum.Quota
				cmds = append(cmds, m.setStatus(statusWarn, fmt.Sprintf("%s: auto-refresh paused: quota 90%% (%d/%d %s)", name, q.Used, q.Limit, periodShort(q.Per)), ""))
			}
		}
		if paused || !dueForRefresh(r.sum, m.now) || m.now.Before(a.next[name]) {
			continue
		}
		cmds = append(cmds, m.startRefresh(name, store.TokenOptions{}, true, m.st8.autoSem))
	}
	return tea.Batch(cmds...)
}

func (m *Model) toggleAuto(name string) tea.Cmd {
	on := m.st8.auto.toggle(name)
	r, ok := m.rows.Row(name)
	if !ok {
		return nil
	}
	paused := on && quotaPaused(r.sum.Quota)
	m.st8.auto.paused[name] = paused
	m.rows.SetFlags(name, m.flags(name))
	m.syncDetail(false)
	q := r.sum.Quota
	switch {
	case paused:
		return m.setStatus(statusWarn, fmt.Sprintf("auto-refresh on for %s, but paused: quota 90%% (%d/%d %s)", name, q.Used, q.Limit, periodShort(q.Per)), "")
	case on:
		return tea.Batch(m.setStatus(statusOK, "auto-refresh on for "+name+": a new token inside the refresh margin, paused at 90% of the quota", ""), m.autoRefresh())
	}
	return m.setStatus(statusInfo, "auto-refresh off for "+name, "")
}

// autoCount is how many providers have auto-refresh on.
func (m Model) autoCount() int {
	a := m.st8.auto
	if !a.def {
		n := 0
		for _, on := range a.on {
			if on {
				n++
			}
		}
		return n
	}
	n := m.rows.Total()
	for _, on := range a.on {
		if !on {
			n--
		}
	}
	return n
}
