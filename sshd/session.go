package sshd

import (
	"context"
	"fmt"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/theme"
	"github.com/tokentop/tokentop/ui"
)

// session is one client's dashboard: its keyboard, its output and its
// program, and why the server ended it.
type session struct {
	id          string // short, for the log
	fingerprint string
	readOnly    bool // Options.Demo or Open, and not an admin key
	out         *syncWriter
	in          *input
	win         *windowMailbox  // the sizes the client asks for; nil: none come
	ctx         context.Context // the dashboard's: ends with the session
	cancel      context.CancelFunc

	start     time.Time
	remote    string
	addr      string        // what the limits count the client under
	frames    *frameWriter  // the dashboard's output; nil before it starts
	grace     time.Duration // how long an ended session has to finish before closeConn
	closeConn func()        // closes the session's connection: for a session that cannot finish
	done      chan struct{} // closed once track is through with the session

	mu        sync.Mutex
	prog      *tea.Program
	reason    string // set when the server (not the user) ends the session
	ended     bool
	stopped   bool
	endLogged bool
	idle      *time.Timer
	stall     *time.Timer
	force     *time.Timer
}

// sessionOf is the state of sess. It is kept by the server, not in the
// ssh.Context: that is the connection's, shared by every session on it
// (OpenSSH's ControlMaster opens several).
func (s *Server) sessionOf(sess ssh.Session) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bound[sess]
}

// bind keeps se as the state of sess until the returned func is called.
func (s *Server) bind(sess ssh.Session, se *session) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bound[sess] = se
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.bound, sess)
	}
}

// end quits the session's program, with reason shown to the client once
// the dashboard is gone ("" for none: the client went away). The first
// reason stays. A session that has not finished grace later (its program
// waits on a client that reads nothing, so the quit never lands) has its
// connection closed: every write then fails, and the session ends.
func (se *session) end(reason string) {
	se.mu.Lock()
	defer se.mu.Unlock()
	if se.ended {
		return
	}
	se.ended, se.reason = true, reason
	if p := se.prog; p != nil {
		go p.Quit()
	}
	if se.closeConn != nil && !se.stopped {
		se.force = time.AfterFunc(se.grace, se.closeConn)
	}
}

// setProgram records the program; one ended before it existed quits at
// once.
func (se *session) setProgram(p *tea.Program) {
	se.mu.Lock()
	defer se.mu.Unlock()
	se.prog = p
	if se.ended {
		go p.Quit()
	}
}

// clientGone reports whether the client hung up or closed the channel.
func (se *session) clientGone() bool {
	return se.ctx.Err() != nil || se.out.broken()
}

func (se *session) endReason() string {
	se.mu.Lock()
	defer se.mu.Unlock()
	return se.reason
}

// stop cancels what the session's dashboard still has in flight, its
// timers, and ends its reads.
func (se *session) stop() {
	se.cancel()
	se.mu.Lock()
	se.stopped = true
	for _, t := range []*time.Timer{se.idle, se.stall, se.force} {
		if t != nil {
			t.Stop()
		}
	}
	se.mu.Unlock()
	if se.in != nil {
		se.in.close()
	}
}

// track is the outermost middleware: it decides the session's access,
// counts it against the limit, logs its start and end, and cleans up.
func (s *Server) track(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		key := sess.PublicKey()
		se := &session{
			id: shortID(sess.Context().SessionID()), start: time.Now(), remote: sess.RemoteAddr().String(),
			addr:  addrKey(sess.RemoteAddr()),
			grace: s.o.ShutdownGrace, done: make(chan struct{}),
		}
		defer close(se.done)
		if conn, ok := sess.Context().Value(ssh.ContextKeyConn).(*gossh.ServerConn); ok {
			se.closeConn = func() { _ = conn.Close() }
		}
		se.out = &syncWriter{w: sess, onFail: func() { se.end("") }}
		se.ctx, se.cancel = context.WithCancel(sess.Context())
		defer se.cancel()
		if key != nil {
			se.fingerprint = gossh.FingerprintSHA256(key)
		}
		remote := se.remote
		ok, readOnly, err := s.access(key)
		if err != nil || !ok {
			// The key left the files between the handshake and now.
			s.log.Warn("session refused: key no longer authorized", "session", se.id, "remote", remote, "fingerprint", se.fingerprint)
			wish.Fatalln(sess, "tokentop: your key is no longer authorized")
			return
		}
		se.readOnly = readOnly
		if why, ok := s.register(se); !ok {
			s.log.Warn("session refused", "session", se.id, "remote", remote, "fingerprint", se.fingerprint, "why", why)
			wish.Fatalln(sess, "tokentop: "+why)
			return
		}
		defer s.unregister(se)
		defer se.stop()
		defer s.bind(sess, se)()
		se.win = windowsOf(sess)

		pty, _, _ := sess.Pty()
		access := "full"
		if se.readOnly {
			access = "read-only"
		}
		s.log.Info("session start", "session", se.id, "user", clean(sess.User()), "remote", remote,
			"fingerprint", se.fingerprint, "access", access, "term", clean(pty.Term),
			"size", fmt.Sprintf("%dx%d", pty.Window.Width, pty.Window.Height),
			"client", clean(sess.Context().ClientVersion()), "sessions", s.Sessions())
		next(sess)
		reason := se.endReason()
		switch {
		case reason != "":
		case se.clientGone():
			reason = "the client went away"
		default:
			reason = "quit"
		}
		s.logEnd(se, reason)
	}
}

// logEnd logs the session's end, once: when its handler returns, or at
// shutdown for one that never finished.
func (s *Server) logEnd(se *session, why string) {
	se.mu.Lock()
	logged := se.endLogged
	se.endLogged = true
	se.mu.Unlock()
	if logged {
		return
	}
	s.log.Info("session end", "session", se.id, "remote", se.remote, "fingerprint", se.fingerprint,
		"duration", time.Since(se.start).Round(time.Millisecond), "why", why)
}

// program builds the session's dashboard: its own renderer and styles for
// the client's terminal, OSC52 to the client, the shared store, and the
// session's context, so what is in flight stops when the client goes.
func (s *Server) program(sess ssh.Session) *tea.Program {
	se := s.sessionOf(sess)
	if se == nil {
		return nil
	}
	pty, _, ok := sess.Pty()
	if !ok {
		return nil // activeterm already said so
	}
	se.in = newInput(sess)
	r := newRenderer(se.out, se.in, sess.Environ(), pty.Term)

	cfg := s.o.Dashboard
	cfg.Styles = theme.New(r, s.o.Palette)
	cfg.Renderer = r
	cfg.Output = se.out
	cfg.SystemClipboard = false
	// The user is elsewhere: no browser opens here, and a browser login
	// is refused (the device code login is the one that works).
	cfg.Remote, cfg.OpenBrowser, cfg.DemoFollow = true, nil, nil
	cfg.ReadOnly = se.readOnly
	cfg.ViewOnly = s.o.ViewOnly && se.readOnly // an admin key of an open server has full access
	cfg.Context = se.ctx
	firstSize := newSizeGate()
	frames := newFrameWriter(se.out, s.o.FrameBuffer)
	se.mu.Lock()
	se.frames = frames
	se.mu.Unlock()
	opts := []tea.ProgramOption{
		tea.WithInput(se.in),
		tea.WithOutput(frames),
		tea.WithEnvironment(sess.Environ()),
		tea.WithAltScreen(),
		tea.WithoutSignalHandler(),
		tea.WithFilter(firstSize.filter),
	}
	if s.o.Mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	fl := s.follow.join(s.keys.displayName(sess.PublicKey()), !se.readOnly)
	cfg.Follow = fl
	p := tea.NewProgram(ui.New(cfg), opts...)
	frames.setRepaint(func() { p.Send(tea.ClearScreen()) })
	se.setProgram(p)
	go fl.deliver(se.ctx, p.Send)
	go se.deliverWindows(p, firstSize.seen)
	se.watchIdle(s.o.IdleTimeout)
	se.watchStall(s.o.stallAfter)
	return p
}

// farewell is the innermost handler: after the dashboard, it tells the
// client why the server ended the session.
func (s *Server) farewell(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if se := s.sessionOf(sess); se != nil {
			se.flushFrames()
			if r := se.endReason(); r != "" {
				fmt.Fprintf(se.out, "tokentop: %s\n", r)
			}
		}
		next(sess)
	}
}

// flushFrames waits for the dashboard's last output (leaving the
// alternate screen) to reach the client, so what follows is not drawn
// over; a client that reads nothing has its connection closed by the
// stall watch, which ends the wait.
func (se *session) flushFrames() {
	if f := se.frameWriter(); f != nil {
		f.close()
		<-f.finished
	}
}

// frameWriter is the dashboard's output; nil before it starts.
func (se *session) frameWriter() *frameWriter {
	se.mu.Lock()
	defer se.mu.Unlock()
	return se.frames
}

func shortID(id string) string {
	if len(id) > 10 {
		return id[:10]
	}
	return id
}
