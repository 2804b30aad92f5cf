package ui

import (
	"context"
	"errors"
	"net/http"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// The commands: every one takes what it needs as arguments (the store
// handle, a provider name, a sequence number) and never reads the model,
// which belongs to the Update goroutine. Each result carries its tag.

// refreshConcurrency bounds refresh all: at most this many fetches at once.
const refreshConcurrency = 8

// loadSummaries reads the change counter, then every summary.
func loadSummaries(ctx context.Context, s *store.Store, seq uint64) tea.Cmd {
	return func() tea.Msg {
		n, err := s.ChangeCounter(ctx)
		if err != nil {
			return summariesMsg{seq: seq, err: err}
		}
		sums, err := s.Summaries(ctx)
		// The one place the dashboard gets providers: from here on, no
		// view can draw a string of a config, a file or an old database
		// that did not go through the sanitiser. What the dashboard shows
		// is also what it acts on (a test-call's URL, a form's values).
		return summariesMsg{seq: seq, counter: n, sums: safetext.Value(sums), err: err}
	}
}

// checkCounter reads the store's change counter (cheap: one key).
func checkCounter(ctx context.Context, s *store.Store) tea.Cmd {
	return func() tea.Msg {
		n, err := s.ChangeCounter(ctx)
		return counterMsg{counter: n, err: err}
	}
}

// refresh fetches a token for name. sem, when not nil, bounds how many
// run at once (refresh all and auto-refresh share one per batch).
func refresh(ctx context.Context, s *store.Store, name string, seq uint64, o store.TokenOptions, auto bool, sem chan struct{}) tea.Cmd {
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

// loadDetail reads the decrypted cached token only to decode its claims
// and mask it (the token itself never leaves this function), and the
// flight recorder.
func loadDetail(ctx context.Context, s *store.Store, name string, seq uint64) tea.Cmd {
	return func() tea.Msg {
		msg := detailDataMsg{name: name, seq: seq}
		tok, err := s.CachedToken(ctx, name)
		switch {
		case err == nil && tok != nil && tok.AccessToken != "":
			msg.masked = mask(tok.AccessToken)
			if c, cerr := jwtclaims.Decode(tok.AccessToken); cerr == nil {
				msg.claims = safetext.Value(c)
			} else {
				msg.claimErr = cerr.Error()
			}
		case err != nil && !errors.Is(err, store.ErrNotFound):
			msg.err = err
		}
		h, total, err := s.RecentHistory(ctx, name, maxExchanges)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			msg.err = errors.Join(msg.err, err)
		}
		msg.history, msg.historyTotal = safetext.Value(h), total
		return msg
	}
}

// copyToken gets the access token (the cached one while valid, else a new
// one) and copies it.
func copyToken(ctx context.Context, s *store.Store, name string, seq uint64, clip clipTarget) tea.Cmd {
	return func() tea.Msg {
		res, err := s.Token(ctx, name, store.TokenOptions{})
		if err != nil {
			return copiedMsg{name: name, seq: seq, what: "token", err: err}
		}
		via, warn, err := clip.write(res.Token.AccessToken)
		return copiedMsg{name: name, seq: seq, what: "token", via: via, warn: warn, err: err}
	}
}

// copyText copies text that holds no secret (the curl command).
func copyText(name, what, text string, seq uint64, clip clipTarget) tea.Cmd {
	return func() tea.Msg {
		via, warn, err := clip.write(text)
		return copiedMsg{name: name, seq: seq, what: what, via: via, warn: warn, err: err}
	}
}

// clearClipboardAfter is the tagged timer of the clipboard clearing.
func clearClipboardAfter(d time.Duration, seq uint64) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return clipClearMsg{seq: seq} })
}

// clearClipboard empties the clipboards.
func clearClipboard(clip clipTarget, seq uint64) tea.Cmd {
	return func() tea.Msg { return clipClearedMsg{seq: seq, err: clip.clear()} }
}

// testCall gets a token for p, calls req with it and records the call
// (status, latency, rate-limit figures) in the store.
func testCall(ctx context.Context, s *store.Store, c *providers.Client, p providers.Provider, label string, req providers.CallRequest, seq uint64, now func() time.Time) tea.Cmd {
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

// save writes a provider from the form.
func save(ctx context.Context, s *store.Store, p providers.Provider, isNew bool, seq uint64) tea.Cmd {
	return func() tea.Msg {
		if isNew {
			if _, err := s.Provider(ctx, p.Name); err == nil {
				return savedMsg{seq: seq, name: p.Name, isNew: isNew, err: errors.New("a provider named " + p.Name + " exists")}
			}
		}
		return savedMsg{seq: seq, name: p.Name, isNew: isNew, err: s.PutProvider(ctx, p)}
	}
}

// remove deletes a provider.
func remove(ctx context.Context, s *store.Store, name string, seq uint64) tea.Cmd {
	return func() tea.Msg {
		return deletedMsg{seq: seq, name: name, err: s.DeleteProvider(ctx, name)}
	}
}

// doctorBuffer holds every message of one diagnosis, so its goroutine
// never blocks on a dashboard that stopped listening.
const doctorBuffer = 32

// runDoctor diagnoses name in a goroutine of its own and delivers each
// step as it finishes, then the end.
func runDoctor(ctx context.Context, s *store.Store, name string, seq uint64, fetch bool) tea.Cmd {
	ch := make(chan tea.Msg, doctorBuffer)
	go func() {
		defer close(ch)
		progress := func(c providers.Check) {
			select {
			case ch <- doctorStepMsg{name: name, seq: seq, check: safetext.Value(c), next: ch}:
			default: // more steps than the buffer holds: the end still says all
			}
		}
		d, err := s.Diagnose(ctx, name, store.DiagnoseOptions{Fetch: fetch, Progress: progress})
		ch <- doctorDoneMsg{name: name, seq: seq, diag: safetext.Value(d), err: err}
	}()
	return nextDoctorMsg(ch)
}

// nextDoctorMsg waits for a diagnosis's next message.
func nextDoctorMsg(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}
