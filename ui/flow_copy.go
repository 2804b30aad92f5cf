package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// Copy: c copies the access token (the cached one while valid, else a new
// one), C a curl command that calls an endpoint with a fresh token from
// `tokentop token NAME`. A copied token is cleared from the clipboard after
// ClipboardClear, by a tagged timer a newer copy makes stale.

func (m *Model) copyToken(name string) tea.Cmd {
	if m.cfg.ReadOnly {
		return nil
	}
	tag := m.tags.next(reqCopy, name)
	return tea.Batch(m.setStatus(statusInfo, "copying the "+name+" token…", ""), copyToken(m.ctx, m.store, tag, m.clip))
}

// endpointFor is the endpoint C and t start from: the one test-called last,
// else the first saved one.
func (m *Model) endpointFor(p providers.Provider) (providers.Endpoint, bool) {
	if e, ok := m.st8.lastEndpoint[p.Name]; ok {
		return e, true
	}
	if len(p.Endpoints) > 0 {
		return p.Endpoints[0], true
	}
	return providers.Endpoint{}, false
}

func (m *Model) copyCurl(name string) tea.Cmd {
	if m.cfg.ReadOnly {
		return nil
	}
	r, ok := m.rows.Row(name)
	if !ok {
		return nil
	}
	e, ok := m.endpointFor(r.sum.Provider)
	if !ok {
		return m.setStatus(statusWarn, name+" has no saved endpoint", "add endpoints: to its config, or test-call a URL with t first; C then copies that one")
	}
	tokType := ""
	if r.sum.Token != nil {
		tokType = r.sum.Token.TokenType
	}
	var key *providers.KeyPlacement
	if r.sum.Provider.IsAPIKey() {
		k := r.sum.Provider.Placement()
		key = &k
	}
	tag := m.tags.next(reqCopy, name)
	return copyCurlCmd(m.ctx, tag, "curl command for "+e.Name, curlCommand(m.cfg.TokenCommand, name, tokType, key, e), m.clip)
}

func (m *Model) onCopied(msg copiedMsg) tea.Cmd {
	if msg.err != nil {
		return tea.Batch(m.errStatus(msg.name, msg.err), m.reload())
	}
	text := fmt.Sprintf("copied the %s %s via %s", msg.name, msg.what, strings.Join(msg.via, " and "))
	if msg.warn != "" {
		text += " (" + msg.warn + ")"
	}
	if msg.kind != copiedToken {
		return m.setStatus(statusOK, text, "")
	}
	var cmds []tea.Cmd
	if d := m.cfg.ClipboardClear; d > 0 {
		text += fmt.Sprintf(" · clears in %s", human(d))
		cmds = append(cmds, clearClipboardAfter(d, m.tags.next(reqClip, msg.name)))
	}
	// Copying the token may have fetched a new one.
	cmds = append(cmds, m.reload())
	return tea.Batch(append(cmds, m.setStatus(statusOK, text, ""))...)
}

func (m *Model) onClipCleared(msg clipClearedMsg) tea.Cmd {
	if msg.err != nil {
		return m.setStatus(statusError, msg.err.Error(), "")
	}
	return m.setStatus(statusInfo, "clipboard cleared", "")
}

// copyToken gets the access token (the cached one while valid, else a new
// one) and copies it.
func copyToken(ctx context.Context, s *store.Store, tag reqTag, clip clipTarget) tea.Cmd {
	name, seq := tag.name, tag.seq
	return func() tea.Msg {
		res, err := s.Token(ctx, name, store.TokenOptions{})
		if err != nil {
			return copiedMsg{name: name, seq: seq, kind: copiedToken, what: "token", err: err}
		}
		via, warn, err := clip.write(ctx, res.Token.AccessToken)
		return copiedMsg{name: name, seq: seq, kind: copiedToken, what: "token", via: via, warn: warn, err: err}
	}
}

// copyCurlCmd copies a curl command (it holds no secret), named what in
// the status line.
func copyCurlCmd(ctx context.Context, tag reqTag, what, text string, clip clipTarget) tea.Cmd {
	name, seq := tag.name, tag.seq
	return func() tea.Msg {
		via, warn, err := clip.write(ctx, text)
		return copiedMsg{name: name, seq: seq, kind: copiedCurl, what: what, via: via, warn: warn, err: err}
	}
}

// clearClipboardAfter is the tagged timer of the clipboard clearing.
func clearClipboardAfter(d time.Duration, tag reqTag) tea.Cmd {
	seq := tag.seq
	return tea.Tick(d, func(time.Time) tea.Msg { return clipClearMsg{seq: seq} })
}

// clearClipboard empties the clipboards.
func clearClipboard(ctx context.Context, clip clipTarget, tag reqTag) tea.Cmd {
	seq := tag.seq
	return func() tea.Msg { return clipClearedMsg{seq: seq, err: clip.clear(ctx)} }
}
