package sshd

import "sync"

// windowSize is the length of a window-change payload (RFC 4254 6.7):
// columns, rows, width and height in pixels, each a uint32.
const windowSize = 16

// windowMailbox holds the latest window size a client asked for, and
// nothing older: a burst of window changes is one change, whatever its
// length.
type windowMailbox struct {
	mu     sync.Mutex
	latest [windowSize]byte
	full   bool
	ready  chan struct{} // one slot: a size is waiting
}

func newWindowMailbox() *windowMailbox {
	return &windowMailbox{ready: make(chan struct{}, 1)}
}

// put replaces the waiting size with win; it never waits.
func (m *windowMailbox) put(win [windowSize]byte) {
	m.mu.Lock()
	m.latest, m.full = win, true
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// take is the waiting size, if any, and empties the mailbox.
func (m *windowMailbox) take() (win [windowSize]byte, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	win, ok = m.latest, m.full
	m.full = false
	return win, ok
}
