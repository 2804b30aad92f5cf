package sshd

import (
	"sync"

	tea "github.com/charmbracelet/bubbletea"
)

// windowPayloadSize is the length of a window-change payload (RFC 4254
// 6.7): columns, rows, width and height in pixels, each a uint32.
const windowPayloadSize = 16

// window is a terminal's size in cells, bounded to ui.MaxWidth×ui.MaxHeight.
type window struct{ Width, Height int }

// windowMailbox holds the latest window size a client asked for, and
// nothing older: a burst of window changes is one change, whatever its
// length, and putting one never waits.
type windowMailbox struct {
	mu     sync.Mutex
	latest window
	full   bool
	ready  chan struct{} // one slot: a size is waiting
}

func newWindowMailbox() *windowMailbox {
	return &windowMailbox{ready: make(chan struct{}, 1)}
}

// put replaces the waiting size with w.
func (m *windowMailbox) put(w window) {
	m.mu.Lock()
	m.latest, m.full = w, true
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// take is the waiting size, if any, and empties the mailbox.
func (m *windowMailbox) take() (w window, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok = m.latest, m.full
	m.full = false
	return w, ok
}

// deliverWindows hands the dashboard the sizes the client asks for, the
// latest only, until the session ends. It starts once the dashboard has
// its first size (the PTY's, from the middleware), so that one never
// comes after a newer one.
func (se *session) deliverWindows(p *tea.Program, sized <-chan struct{}) {
	if se.win == nil {
		return
	}
	select {
	case <-sized:
	case <-se.ctx.Done():
		return
	}
	for {
		select {
		case <-se.win.ready:
		case <-se.ctx.Done():
			return
		}
		if w, ok := se.win.take(); ok {
			p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height}) // returns when the program ends
		}
	}
}

// sizeGate is a program's filter of window sizes: it drops sizes of
// nothing (the middleware sends them once the client's channel has closed,
// until the session ends) and tells when the first real one went through.
type sizeGate struct {
	once sync.Once
	seen chan struct{}
}

func newSizeGate() *sizeGate { return &sizeGate{seen: make(chan struct{})} }

func (g *sizeGate) filter(_ tea.Model, msg tea.Msg) tea.Msg {
	ws, ok := msg.(tea.WindowSizeMsg)
	switch {
	case !ok:
		return msg
	case ws.Width <= 0 || ws.Height <= 0:
		return nil
	}
	g.once.Do(func() { close(g.seen) })
	return msg
}
