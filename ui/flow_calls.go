package ui

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// Test-calls: t opens the picker on the provider's saved endpoints (and,
// outside a read-only session, a custom request); the call runs with the
// provider's token, its answer shows in the result view and is recorded
// in the store. The endpoint called last is what t and C start from next.

func (m *Model) openPicker(name string) tea.Cmd {
	r, ok := m.rows.Row(name)
	if !ok {
		return nil
	}
	p := r.sum.Provider
	last := m.st8.lastEndpoint[name]
	m.setFocus(focusPicker)
	return m.picker.Open(p, last)
}

func (m *Model) startCall(msg callIntent) tea.Cmd {
	r, ok := m.rows.Row(msg.name)
	if !ok {
		m.setFocus(m.home())
		return nil
	}
	if m.cfg.ReadOnly {
		// Only a saved endpoint: a URL of the caller's choosing would get
		// the token.
		if e, saved := r.sum.Provider.Endpoint(msg.label); !saved || e.URL != msg.req.URL {
			m.setFocus(m.home())
			return nil
		}
	}
	tag := m.tags.next(reqCall, msg.name)
	m.st8.lastEndpoint[msg.name] = providers.Endpoint{
		Name: msg.label, Method: msg.req.Method, URL: msg.req.URL, Body: msg.req.Body, Headers: flatHeaders(msg.req),
	}
	m.result.Start(msg.name, msg.label, msg.req)
	m.setFocus(focusResult)
	return tea.Batch(testCall(m.ctx, m.store, m.client, r.sum.Provider, msg.label, msg.req, tag, m.cfg.Now), m.startSpinner())
}

func flatHeaders(r providers.CallRequest) map[string]string {
	if len(r.Headers) == 0 {
		return nil
	}
	out := make(map[string]string, len(r.Headers))
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		out[k] = r.Headers.Get(k)
	}
	return out
}

func (m *Model) onCallDone(msg callDoneMsg) tea.Cmd {
	m.result.Finish(msg, m.now)
	var status tea.Cmd
	switch {
	case msg.res == nil && msg.err != nil:
		status = m.errStatus(msg.name, msg.err)
	case msg.res != nil && msg.res.OK():
		status = m.setStatus(statusOK, fmt.Sprintf("%s %s: %d in %s", msg.name, msg.label, msg.res.Status, latency(msg.res.Timings.Total)), "")
	case msg.res != nil:
		status = m.setStatus(statusWarn, fmt.Sprintf("%s %s: %d in %s", msg.name, msg.label, msg.res.Status, latency(msg.res.Timings.Total)), "")
	}
	return tea.Batch(status, m.reload())
}

// testCall gets a token for p, calls req with it and records the call
// (status, latency, rate-limit figures) in the store.
func testCall(ctx context.Context, s *store.Store, c *providers.Client, p providers.Provider, label string, req providers.CallRequest, tag reqTag, now func() time.Time) tea.Cmd {
	seq := tag.seq
	return func() tea.Msg {
		msg := callDoneMsg{name: p.Name, seq: seq, label: label, req: req}
		if err := providers.CheckCallURL(p, req.URL); err != nil {
			msg.err = err // before a token is fetched for it
			return msg
		}
		res, err := s.Token(ctx, p.Name, store.TokenOptions{})
		if err != nil {
			msg.err = err
			return msg
		}
		out, err := c.Call(ctx, p, res.Token, req)
		msg.res, msg.err = safetext.Value(out), err
		if out != nil && (out.Status == http.StatusUnauthorized || out.Status == http.StatusForbidden) {
			why := safetext.Value(providers.ExplainCall(out, providers.CallContext{Provider: p, Token: res.Token}))
			msg.why = &why
		}
		rec := store.CallRecord{At: now(), Endpoint: label}
		if out != nil {
			rec.Status, rec.Latency, rec.RateLimit = out.Status, out.Timings.Total, out.RateLimit.Fields(now())
		}
		msg.record = s.RecordCall(ctx, p.Name, rec)
		return msg
	}
}
