package sshd

import (
	"bytes"
	"context"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/ui"
)

// Follow mode: one session presents, the others follow (see ui's
// FollowLink). The hub keeps who presents and the presenter's latest view,
// and fans every change out to each session's one-slot mailbox: the latest
// news replaces what a session has not taken yet, so a slow or stalled
// client never slows the presenter or the other sessions, and what waits
// for a session is one message whatever happens. Each session's deliverer
// hands its mailbox to its program; the session's end takes it out of the
// hub, and a presenter's end tells the others.

// followHub is the server's follow mode: one per Server, shared by its
// sessions.
type followHub struct {
	auto bool // Options.Follow: a session that may present presents when nobody does

	mu        sync.Mutex
	members   map[*follower]struct{}
	presenter *follower
	state     *ui.ViewState // the presenter's latest view; nil before its first
}

func newFollowHub(auto bool) *followHub {
	return &followHub{auto: auto, members: map[*follower]struct{}{}}
}

// follower is one session in the hub: the ui.FollowLink of its dashboard.
type follower struct {
	hub        *followHub
	name       string // the key's comment or short fingerprint, safe to draw
	canPresent bool
	watching   bool // guarded by hub.mu

	box  chan ui.FollowMsg // the one-slot mailbox
	gone chan struct{}     // closed when the session left
	once sync.Once
}

// join adds a session named name; canPresent says whether it may present.
// With Options.Follow, a session that may present presents at once when
// nobody does.
func (h *followHub) join(name string, canPresent bool) *follower {
	f := &follower{hub: h, name: name, canPresent: canPresent, watching: true,
		box: make(chan ui.FollowMsg, 1), gone: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.members[f] = struct{}{}
	if h.auto && canPresent && h.presenter == nil {
		h.presenter, h.state = f, nil
	}
	h.broadcastLocked(nil)
	return f
}

// leave takes f out; a presenter leaving tells every follower.
func (f *follower) leave() {
	f.once.Do(func() {
		h := f.hub
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.members, f)
		close(f.gone)
		if h.presenter == f {
			h.presenter, h.state = nil, nil
		}
		h.broadcastLocked(nil)
	})
}

// CanPresent implements ui.FollowLink.
func (f *follower) CanPresent() bool { return f.canPresent }

// Present implements ui.FollowLink: on makes f the presenter when nobody
// presents; off stops f presenting.
func (f *follower) Present(on bool) {
	h := f.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case on && f.canPresent && h.presenter == nil:
		if _, in := h.members[f]; !in {
			return
		}
		h.presenter, h.state = f, nil
	case !on && h.presenter == f:
		h.presenter, h.state = nil, nil
	default:
		return
	}
	h.broadcastLocked(nil)
}

// Publish implements ui.FollowLink: the presenter's view goes to every
// other session.
func (f *follower) Publish(vs ui.ViewState) {
	h := f.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.presenter != f {
		return
	}
	h.state = &vs
	h.broadcastLocked(f)
}

// Watch implements ui.FollowLink.
func (f *follower) Watch(on bool) {
	h := f.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if f.watching == on {
		return
	}
	f.watching = on
	h.broadcastLocked(nil)
}

// broadcastLocked posts every member but skip its news.
func (h *followHub) broadcastLocked(skip *follower) {
	msg := ui.FollowMsg{State: h.state}
	msg.Presenter, msg.Watching = h.countLocked()
	for m := range h.members {
		if m == skip {
			continue
		}
		mm := msg
		mm.You = m == h.presenter
		m.post(mm)
	}
}

// post puts msg in the mailbox, replacing what is still in it. Only the
// hub posts, under its lock, so the slot it empties stays free for msg.
func (f *follower) post(msg ui.FollowMsg) {
	select {
	case <-f.box:
	default:
	}
	f.box <- msg
}

// deliver hands the mailbox to send (the session's program) until ctx
// ends, then takes f out of the hub. send may block (a program whose
// client reads nothing): only this goroutine waits, and the mailbox keeps
// only the latest news meanwhile.
func (f *follower) deliver(ctx context.Context, send func(tea.Msg)) {
	defer f.leave()
	for {
		select {
		case <-ctx.Done():
			return
		case msg := <-f.box:
			send(msg)
		}
	}
}

// watching is how many sessions follow the presenter (for tests and the
// log).
func (h *followHub) watching() (presenter string, n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.countLocked()
}

// countLocked is watching with h.mu held.
func (h *followHub) countLocked() (presenter string, n int) {
	if h.presenter == nil {
		return "", 0
	}
	for m := range h.members {
		if m.watching && m != h.presenter {
			n++
		}
	}
	return h.presenter.name, n
}

// maxNameLen bounds a presenter's name on the status line.
const maxNameLen = 40

// displayName is how follow mode names the session of key: its line's
// comment in the key files (alice@laptop), sanitised and bounded, or the
// start of its fingerprint.
func (k keyFiles) displayName(key gossh.PublicKey) string {
	if key == nil {
		return "?"
	}
	fp := gossh.FingerprintSHA256(key)
	short := fp[:min(len(fp), len("SHA256:")+8)]
	keys, _, err := k.load()
	if err != nil {
		return short
	}
	want := key.Marshal()
	for _, ak := range keys {
		if !bytes.Equal(ak.key.Marshal(), want) {
			continue
		}
		if name := []rune(safetext.Line(ak.comment)); len(name) > 0 {
			return string(name[:min(len(name), maxNameLen)])
		}
	}
	return short
}
