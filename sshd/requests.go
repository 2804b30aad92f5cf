package sshd

import (
	"encoding/binary"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/ui"
)

// refused reports whether tokentop answers no to a channel request of
// type t: agent forwarding (gliderlabs' session says yes to it, and never
// uses it) and X11 (gliderlabs refuses it already; said here so that no
// library upgrade changes it).
func refused(t string) bool {
	switch t {
	case "auth-agent-req@openssh.com", "x11-req":
		return true
	}
	return false
}

// Bounds on what a client's env requests may store in its session: OpenSSH
// sends a handful (LANG, LC_*), and the dashboard reads two (NO_COLOR,
// COLORTERM).
const (
	maxEnvVars  = 64
	maxEnvBytes = 16 << 10
)

// sessionChannel is the handler of "session" channels: gliderlabs' own,
// behind filterRequests. It is the only channel type served: no port
// forwarding (direct-tcpip) and no other.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	ssh.DefaultSessionHandler(srv, conn, filteredChannel{NewChannel: newChan, s: s, ctx: ctx}, ctx)
}

// filteredChannel hands the session the channel's requests through
// filterRequests.
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
	go c.s.filterRequests(c.ctx, reqs, out)
	return ch, out, nil
}

// filterRequests passes a session channel's requests on to gliderlabs'
// session, in order, until the client closes the channel: the sizes in a
// pty-req and a window-change bounded to ui.MaxWidth×ui.MaxHeight first,
// so nothing after it (the log, the dashboard, Bubble Tea's renderer) sees
// a larger window; the requests refused answers no to; env
// requests past the budget answered no.
func (s *Server) filterRequests(ctx ssh.Context, in <-chan *gossh.Request, out chan<- *gossh.Request) {
	defer close(out)
	envVars, envBytes := 0, 0
	for req := range in {
		switch req.Type {
		case "pty-req":
			win, ok := ptyWindow(req.Payload)
			if !ok {
				_ = req.Reply(false, nil)
				continue
			}
			clampWindow(win)
		case "window-change":
			clampWindow(req.Payload)
		case "env":
			if envVars+1 > maxEnvVars || envBytes+len(req.Payload) > maxEnvBytes {
				_ = req.Reply(false, nil)
				continue
			}
			envVars, envBytes = envVars+1, envBytes+len(req.Payload)
		default:
			if refused(req.Type) {
				s.log.Debug("request refused", "type", req.Type, "session", shortID(ctx.SessionID()),
					"remote", ctx.RemoteAddr().String())
				_ = req.Reply(false, nil)
				continue
			}
		}
		out <- req
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
