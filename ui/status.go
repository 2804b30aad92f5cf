package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokentop/tokentop/theme"
)

// statusKind colours the status line.
type statusKind int

const (
	statusInfo statusKind = iota
	statusOK
	statusWarn
	statusError
)

// How long a message stays when no key clears it first.
const (
	statusInfoFor  = 6 * time.Second
	statusErrorFor = 20 * time.Second
)

// statusLine shows one short message (copied, refreshed, failed), with the
// hint of an error. An error clears on the next key; every message clears
// after a tagged timeout, so an old timer never clears a newer message.
type statusLine struct {
	st    *theme.Styles
	width int

	kind       statusKind
	text, hint string
	seq        uint64
	idle       string // shown when there is no message
}

var _ Component = (*statusLine)(nil)

func newStatusLine(st *theme.Styles) *statusLine { return &statusLine{st: st} }

// Set shows a message tagged seq and returns its timeout.
func (s *statusLine) Set(kind statusKind, text, hint string, seq uint64) tea.Cmd {
	s.kind, s.text, s.hint, s.seq = kind, clean(text), clean(hint), seq
	d := statusInfoFor
	if kind == statusError || kind == statusWarn {
		d = statusErrorFor
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return statusTimeoutMsg{seq: seq} })
}

// Clear removes the message if it is still the one tagged seq (0: any).
func (s *statusLine) Clear(seq uint64) {
	if seq == 0 || seq == s.seq {
		s.text, s.hint = "", ""
	}
}

// ClearOnKey drops an error or warning when the user presses a key.
func (s *statusLine) ClearOnKey() {
	if s.kind == statusError || s.kind == statusWarn {
		s.Clear(0)
	}
}

// Text is the message shown (for tests and the root).
func (s *statusLine) Text() string { return s.text }

// SetIdle sets the muted text shown when there is no message.
func (s *statusLine) SetIdle(text string) { s.idle = text }

// SetSize implements Component.
func (s *statusLine) SetSize(width, _ int) { s.width = width }

// Update implements Component; the status line takes no keys.
func (s *statusLine) Update(tea.Msg) tea.Cmd { return nil }

// ShortHelp implements help.KeyMap.
func (s *statusLine) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (s *statusLine) FullHelp() [][]key.Binding { return nil }

// View implements Component: one line, cut to the width (two when an
// error's hint does not fit beside it).
func (s *statusLine) View() string { return s.line(s.idle) }

// line is View with the idle text given by the root.
func (s *statusLine) line(idle string) string {
	if s.text == "" {
		return s.st.Muted.Render(fit(idle, s.width, false))
	}
	var sty lipgloss.Style
	icon := "•"
	switch s.kind {
	case statusOK:
		sty, icon = s.st.OK, "✓"
	case statusWarn:
		sty, icon = s.st.Warn, "!"
	case statusError:
		sty, icon = s.st.ErrorText, "✗"
	default:
		sty = s.st.StatusLine
	}
	text := icon + " " + s.text
	if s.hint == "" {
		return sty.Render(fit(text, s.width, false))
	}
	hint := " · hint: " + s.hint
	tw := ansi.StringWidth(text)
	if tw+ansi.StringWidth(hint) <= s.width {
		return sty.Render(text) + s.st.Hint.Render(fit(hint, s.width-tw, false))
	}
	// Too long for one line: the hint takes the help bar's line (the root
	// leaves the help out while a message has two lines).
	return sty.Render(fit(text, s.width, false)) + "\n" + s.st.Hint.Render(fit("hint: "+s.hint, s.width, false))
}
