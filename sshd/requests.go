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
	sessionOpening(ctx)
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
	return linkedChannel{Channel: ch, win: f.win}, out, nil
}

// linkedChannel is a session channel that leads its session to the
// filter's window mailbox (windowsOf). gliderlabs' session keeps the
// channel out of reach, and hands on only what its methods return; its
// SendRequest is the channel's own, so a request of the name linkRequest
// (the server's, never written: a client cannot send it) answers with the
// mailbox.
type linkedChannel struct {
	gossh.Channel
	win *windowMailbox
}

// linkRequest is the request name linkedChannel answers itself.
const linkRequest = "window-mailbox@tokentop.internal"

// windowLink is linkedChannel's answer to linkRequest.
type windowLink struct{ win *windowMailbox }

func (windowLink) Error() string { return "sshd: the window mailbox, not a request" }

// SendRequest implements gossh.Channel.
func (c linkedChannel) SendRequest(name string, wantReply bool, payload []byte) (bool, error) {
	if name == linkRequest {
		return false, windowLink{c.win}
	}
	return c.Channel.SendRequest(name, wantReply, payload)
}

// windowsOf is the window mailbox of sess's channel (nil for a channel that
// did not come through sessionChannel).
func windowsOf(sess ssh.Session) *windowMailbox {
	_, err := sess.SendRequest(linkRequest, false, nil)
	if l, ok := err.(windowLink); ok {
		return l.win
	}
	return nil
}

// requestFilter stands between a session channel's requests and
// gliderlabs' session, which reads them one at a time and, for a window
// change, waits until the dashboard takes the size. The filter reads every
// request as it comes and never waits on the dashboard: the connection's
// read loop hands it the requests, and a read loop that waits reads no
// more window adjustments, keepalives or keys, so a burst of window
// changes would freeze the connection for good.
//
// Window changes never reach gliderlabs: the filter answers them and
// leaves the latest size, bounded, in a one-slot mailbox that the session
// empties into its dashboard when the dashboard can take it. Before the
// shell starts, the other requests (pty-req, env, shell) are passed on in
// order, the sizes in a pty-req bounded first, and gliderlabs answers each
// at once; once the shell runs, gliderlabs would refuse or ignore them all,
// so the filter answers no itself.
type requestFilter struct {
	out    chan<- *gossh.Request
	done   <-chan struct{} // the connection's end
	refuse func(what string)
	win    *windowMailbox

	ptyPassed         bool
	started           bool // the shell (or exec) was passed on
	envVars, envBytes int
}

// newRequestFilter passes requests on to out until done; refuse is told of
// each refused request.
func newRequestFilter(out chan<- *gossh.Request, done <-chan struct{}, refuse func(what string)) *requestFilter {
	return &requestFilter{out: out, done: done, refuse: refuse, win: newWindowMailbox()}
}

// run filters in until the client closes the channel, then closes out.
func (f *requestFilter) run(in <-chan *gossh.Request) {
	defer close(f.out)
	for req := range in {
		f.handle(req)
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
	if f.started {
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
		f.started = f.pass(req)
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
	if !f.ptyPassed || len(req.Payload) < windowPayloadSize {
		_ = req.Reply(false, nil)
		return
	}
	cols, rows := binary.BigEndian.Uint32(req.Payload), binary.BigEndian.Uint32(req.Payload[4:])
	f.win.put(window{Width: int(min(cols, ui.MaxWidth)), Height: int(min(rows, ui.MaxHeight))})
	_ = req.Reply(true, nil)
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
