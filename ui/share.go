package ui

import (
	"slices"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/headers"
)

// Follow mode mirrors state, not pixels: a presenter's dashboard publishes
// a ViewState whenever what it shows changes, and every follower's own
// dashboard applies it and draws it at its own size, in its own colours,
// with its own masking. This file is the state and how a dashboard takes
// it from its views; flow_follow.go is the keys, the news from the hub and
// applying a state.

// ViewState is what a presenter's dashboard shows: which view (the table,
// a provider's detail, a test-call's result, a diagnosis), the provider
// selected, the filter, the order, the scroll, and the result or the
// diagnosis shown. It is plain data and holds no secret: the detail's data
// (the masked token, the claims, the history) is loaded by each follower
// from the shared store as its own detail loads it; a test-call's answer
// and a diagnosis are the values the presenter's view holds, already
// redacted by value and sanitised, and drawn by the follower through the
// same views. A published state is never written again, so its pointers
// can be shared between sessions. The zero value is the table.
type ViewState struct {
	view     sharedView
	provider string
	filter   string
	sort     sortSpec
	scroll   int
	call     *callShown
	doctor   *doctorShown
}

// sharedView is which view a ViewState shows.
type sharedView uint8

const (
	sharedTable sharedView = iota
	sharedDetail
	sharedCall
	sharedDoctor
)

// String names the view and the provider ("detail of ants"), for logs
// and tests.
func (v ViewState) String() string {
	what := [...]string{"table", "detail", "test-call", "doctor"}[v.view]
	if v.provider == "" {
		return what
	}
	return what + " of " + v.provider
}

// callShown is a test-call's result view, as a follower draws it.
type callShown struct {
	name, label string
	req         providers.CallRequest
	loading     bool
	res         *providers.CallResult
	why         *headers.APIRefusal
	err, record error
	now         time.Time
}

// doctorShown is a diagnosis as the doctor view shows it.
type doctorShown struct {
	name            string
	running, cached bool
	checks          []check.Check
	err             error
}

// share is what the result view shows, built once per change (Start and
// Finish drop it), so an unchanged view publishes nothing new.
func (v *callView) share() *callShown {
	if v.shared == nil {
		v.shared = &callShown{
			name: v.name, label: v.label, req: v.req, loading: v.loading,
			res: v.res, why: v.why, err: v.err, record: v.record, now: v.now,
		}
	}
	return v.shared
}

// apply shows a presenter's call; the same one again keeps the scroll.
func (v *callView) apply(s *callShown) {
	if s == v.shared {
		return
	}
	if s.name != v.name || s.label != v.label {
		v.vp.GotoTop()
	}
	v.name, v.label, v.req, v.loading = s.name, s.label, s.req, s.loading
	v.res, v.why, v.err, v.record, v.now = s.res, s.why, s.err, s.record, s.now
	v.shared = s
	v.render()
}

// share is what the doctor view shows, built once per change.
func (v *doctorView) share() *doctorShown {
	if v.shared == nil {
		v.shared = &doctorShown{name: v.name, running: v.running, cached: v.cached, checks: slices.Clone(v.checks), err: v.err}
	}
	return v.shared
}

// apply shows a presenter's diagnosis; the same one again keeps the
// scroll.
func (v *doctorView) apply(s *doctorShown) {
	if s == v.shared {
		return
	}
	if s.name != v.name {
		v.vp.GotoTop()
	}
	v.name, v.running, v.cached, v.checks, v.err = s.name, s.running, s.cached, s.checks, s.err
	v.shared = s
	v.render()
}

// viewState is what this dashboard shows now. An overlay of the
// presenter's own (the help, the palette, the form, the picker) is not
// shared: followers keep the view under it.
func (m *Model) viewState() ViewState {
	vs := ViewState{provider: m.table.Selected(), filter: m.rows.Filter(), sort: m.rows.Sort()}
	f := m.focus
	if f == focusHelp {
		f = m.helpFrom
	}
	switch {
	case f == focusResult:
		vs.view, vs.call, vs.scroll = sharedCall, m.result.share(), m.result.vp.YOffset
		vs.provider = m.result.name
	case f == focusDoctor:
		vs.view, vs.doctor, vs.scroll = sharedDoctor, m.doctor.share(), m.doctor.vp.YOffset
		vs.provider = m.doctor.name
	case m.detailOpen:
		vs.view, vs.scroll = sharedDetail, m.detail.vp.YOffset
	}
	return vs
}
