package ui

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// The detail follows the table's cursor: it gets the selected summary on
// every reload and tick, and a command loads what the summary lacks (the
// decoded claims, the masked token, the flight recorder) when the
// selection changes or a reload may have changed them.

// syncDetail shows the selected provider in the detail; load also reloads
// its claims and history.
func (m *Model) syncDetail(load bool) tea.Cmd {
	if !m.detailOpen {
		return nil
	}
	name := m.table.Selected()
	r, ok := m.rows.Row(name)
	if !ok {
		return nil
	}
	changed := m.detail.Showing() != name
	m.detail.Show(r.sum, r.rowFlags, m.st8.auto.enabled(name), m.now)
	if !load && !changed {
		return nil
	}
	return loadDetail(m.ctx, m.store, m.tags.next(reqDetail, name))
}

func (m *Model) toggleDetail() tea.Cmd {
	m.detailOpen = !m.detailOpen && m.table.Selected() != ""
	m.layout()
	if m.detailOpen && m.mode == detailOverlay {
		m.setFocus(focusDetail)
	} else {
		m.setFocus(focusTable)
	}
	if m.detailOpen {
		m.detail.Forget()
		return m.syncDetail(true)
	}
	return nil
}

// focusDetail moves the focus to the detail (on) or back to the table,
// when the detail sits beside or under the table.
func (m *Model) focusDetail(on bool) {
	if !m.detailOpen || m.mode == detailOverlay {
		return
	}
	if on {
		m.setFocus(focusDetail)
	} else {
		m.setFocus(focusTable)
	}
}

// loadDetail reads the decrypted cached token only to decode its claims
// and mask it (the token itself never leaves this function), and the
// flight recorder.
func loadDetail(ctx context.Context, s *store.Store, tag reqTag) tea.Cmd {
	return func() tea.Msg {
		name := tag.name
		msg := detailDataMsg{name: name, seq: tag.seq}
		tok, err := s.CachedToken(ctx, name)
		switch {
		case err == nil && tok != nil && tok.AccessToken != "":
			msg.masked = mask(tok.AccessToken)
			if c, cerr := jwtclaims.Decode(tok.AccessToken); cerr == nil {
				msg.claims = safetext.Value(c)
				if scope, source := tok.GrantedScope(); source == "the JWT" {
					msg.jwtScope = safetext.Line(scope)
				}
			} else {
				msg.claimErr = cerr.Error()
			}
			msg.session = sessionOf(tok)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			msg.err = err
		}
		h, total, err := s.RecentHistory(ctx, name, maxExchanges)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			msg.err = errors.Join(msg.err, err)
		}
		msg.history, msg.historyTotal = safetext.Value(h), total
		if q, err := s.QuotaHistory(ctx, name); err == nil {
			q = safetext.Value(q)
			msg.quota = &q
		} else if !errors.Is(err, store.ErrNotFound) {
			msg.err = errors.Join(msg.err, err)
		}
		return msg
	}
}
