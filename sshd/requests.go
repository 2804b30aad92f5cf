package sshd

import (
	"encoding/binary"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/ui"
)

// refusal names what a channel request of type t asks for when tokentop
// answers no to it: agent forwarding (gliderlabs' session says yes to it,
// and never uses it), X11 (gliderlabs refuses it already; said here so
// that no library upgrade changes it) and subsystems (sftp). ok is false
// for the requests a session may make.
func refusal(t string) (what string, ok bool) {
	switch t {
	case "auth-agent-req@openssh.com":
		return "agent forwarding", true
	case "x11-req":
		return "X11 forwarding", true
	case "subsystem":
		return "subsystem", true
	}
	return "", false
}

// Bounds on what a client's env requests may store in its session: OpenSSH
// sends a handful (LANG, LC_*), and the dashboard reads two (NO_COLOR,
// COLORTERM).
const (
	maxEnvVars  = 64
	maxEnvBytes = 16 << 10
)

// sessionChannel is the handler of "session" channels: gliderlabs' own,
// behind a requestFilter. It is the only channel type served: no port
// forwarding (direct-tcpip) and no other.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	ssh.DefaultSessionHandler(srv, conn, filteredChannel{NewChannel: newChan, s: s, ctx: ctx}, ctx)
}

// filteredChannel hands the session the channel's requests through a
// requestFilter.
type filteredChannel struct {
	gossh.NewChannel
	s   *Server
	ctx ssh.Context
}

func (c filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	f := newRequestFilter(out, c.ctx.Done(), func(what string) { c.s.refused(c.ctx, what) })
	go f.run(reqs)
	return ch, out, nil
}

// requestFilter stands between a session channel's requests and
// gliderlabs' session, which reads them one at a time and, for a window
// change, waits until the dashboard takes the size. The filter reads every
// request as it comes and never waits on the session once it runs: the
// connection's read loop hands it the requests, and a read loop that
// waits reads no more window adjustments, keepalives or keys, so a burst
// of window changes would freeze the connection for good.
//
// Window changes go through a one-slot mailbox: the filter answers them
// itself, and the session gets the latest size once it can take one. Before
// the shell starts, the other requests (pty-req, env, shell) are passed on
// in order, the sizes in a pty-req bounded first; once it runs, gliderlabs
// would refuse or ignore them all, so the filter answers no itself.
type requestFilter struct {
	out     chan<- *gossh.Request
	done    <-chan struct{} // the connection's end
	refuse  func(what string)
	win     *windowMailbox
	started chan struct{} // closed once the shell (or exec) is passed on

	ptyPassed         bool
	envVars, envBytes int
}

// newRequestFilter passes requests on to out until done; refuse is told of
// each refused request.
func newRequestFilter(out chan<- *gossh.Request, done <-chan struct{}, refuse func(what string)) *requestFilter {
	return &requestFilter{out: out, done: done, refuse: refuse, win: newWindowMailbox(), started: make(chan struct{})}
}

// run filters in until the client closes the channel, then closes out.
func (f *requestFilter) run(in <-chan *gossh.Request) {
	stop, forwarded := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(forwarded)
		f.forwardWindows(stop)
	}()
	defer func() {
		close(stop)
		<-forwarded
		close(f.out)
	}()
	for req := range in {
		f.handle(req)
	}
}

func (f *requestFilter) running() bool {
	select {
	case <-f.started:
		return true
	default:
		return false
	}
}

// handle answers req or passes it on; it never waits on the session once
// the shell runs.
func (f *requestFilter) handle(req *gossh.Request) {
	if what, ok := refusal(req.Type); ok {
		f.refuse(what)
		_ = req.Reply(false, nil)
		return
	}
	if req.Type == "window-change" {
		f.windowChange(req)
		return
	}
	if f.running() {
		// pty-req, env, shell, exec: one of each, before the start;
		// signal and break: the dashboard takes neither.
		_ = req.Reply(false, nil)
		return
	}
	switch req.Type {
	case "pty-req":
		win, ok := ptyWindow(req.Payload)
		if !ok || f.ptyPassed {
			_ = req.Reply(false, nil)
			return
		}
		clampWindow(win)
		f.ptyPassed = f.pass(req)
	case "env":
		if f.envVars+1 > maxEnvVars || f.envBytes+len(req.Payload) > maxEnvBytes {
			_ = req.Reply(false, nil)
			return
		}
		f.envVars, f.envBytes = f.envVars+1, f.envBytes+len(req.Payload)
		f.pass(req)
	case "shell", "exec":
		if f.pass(req) {
			close(f.started)
		}
	default:
		f.pass(req)
	}
}

// pass hands req to the session; false when the connection ended first.
// Before the shell starts, the session answers at once.
func (f *requestFilter) pass(req *gossh.Request) bool {
	select {
	case f.out <- req:
		return true
	case <-f.done:
		_ = req.Reply(false, nil)
		return false
	}
}

// windowChange answers a window change and leaves its size, bounded, for
// the session: a size before the PTY, or one too short to read, is refused
// (as gliderlabs would).
func (f *requestFilter) windowChange(req *gossh.Request) {
	if !f.ptyPassed || len(req.Payload) < windowSize {
		_ = req.Reply(false, nil)
		return
	}
	var win [windowSize]byte
	copy(win[:], req.Payload)
	clampWindow(win[:])
	f.win.put(win)
	_ = req.Reply(true, nil)
}

// forwardWindows hands the session the latest window size, once the shell
// runs, until stop or the connection's end. Only it writes to out once the
// shell runs.
func (f *requestFilter) forwardWindows(stop <-chan struct{}) {
	select {
	case <-f.started:
	case <-stop:
		return
	case <-f.done:
		return
	}
	for {
		select {
		case <-f.win.ready:
		case <-stop:
			return
		case <-f.done:
			return
		}
		win, ok := f.win.take()
		if !ok {
			continue
		}
		// No reply is wanted: the filter gave it.
		req := &gossh.Request{Type: "window-change", Payload: win[:]}
		select {
		case f.out <- req:
		case <-stop:
			return
		case <-f.done:
			return
		}
	}
}

// ptyWindow is the part of a pty-req payload from the window size on:
// after the TERM string (RFC 4254 6.2). ok is false when the payload ends
// before it.
func ptyWindow(payload []byte) (win []byte, ok bool) {
	if len(payload) < 4 {
		return nil, false
	}
	n := binary.BigEndian.Uint32(payload)
	if uint64(n)+4 > uint64(len(payload)) {
		return nil, false
	}
	return payload[4+n:], true
}

// clampWindow bounds, in place, the columns and rows that win starts with
// (RFC 4254 6.7: uint32 columns, uint32 rows, then the size in pixels) to
// ui.MaxWidth and ui.MaxHeight. A win too short for both is left as it is:
// gliderlabs refuses it.
func clampWindow(win []byte) {
	if len(win) < 8 {
		return
	}
	cols, rows := binary.BigEndian.Uint32(win), binary.BigEndian.Uint32(win[4:])
	binary.BigEndian.PutUint32(win, min(cols, ui.MaxWidth))
	binary.BigEndian.PutUint32(win[4:], min(rows, ui.MaxHeight))
}
