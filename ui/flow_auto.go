package ui

import (
	"time"

	"github.com/tokentop/tokentop/store"
)

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
