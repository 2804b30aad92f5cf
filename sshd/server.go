package sshd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/activeterm"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/providers/safetext"
)

// Server is the SSH server of tokentop serve. Build it with New, run it
// with Serve.
type Server struct {
	o          Options
	log        *log.Logger
	signer     gossh.Signer
	keyCreated bool
	keys       keyFiles
	limits     *limiter
	ssh        *ssh.Server

	mu       sync.Mutex
	sessions map[*session]struct{}
	bound    map[ssh.Session]*session // each session's state, by its ssh.Session
	closing  bool

	follow *followHub // follow mode: who presents, who follows
}

// New checks the options, reads (or makes) the host key and reads the key
// files. It does not listen yet.
func New(o Options) (*Server, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	signer, created, err := LoadOrCreateHostKey(o.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{
		o: o, log: o.Logger, signer: signer, keyCreated: created,
		keys:     o.keyFiles(),
		sessions: map[*session]struct{}{},
		follow:   newFollowHub(o.Follow),
		bound:    map[ssh.Session]*session{},
		limits:   newLimiter(o.Limits, o.now),
	}
	allow := s.openKey
	if !o.Open {
		allow = s.allowKey
	}
	if !o.Open || o.AdminKeys != "" {
		if err := s.checkKeyFiles(); err != nil {
			return nil, err
		}
	}
	s.ssh, err = wish.NewServer(
		ssh.PublicKeyAuth(allow),
		func(srv *ssh.Server) error {
			srv.AddHostKey(signer)
			srv.IdleTimeout = stallTimeout
			// Sessions only, their requests filtered; no global request
			// (tcpip-forward) and no subsystem (sftp) is served. What a
			// client asks for and is refused is logged.
			srv.ConnCallback = s.acceptConn
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{
				"session":                        s.sessionChannel,
				"direct-tcpip":                   s.refuseChannel("local port forwarding"),
				"direct-streamlocal@openssh.com": s.refuseChannel("local socket forwarding"),
			}
			srv.RequestHandlers = map[string]ssh.RequestHandler{
				"tcpip-forward":                   s.refuseRequest("remote port forwarding"),
				"streamlocal-forward@openssh.com": s.refuseRequest("remote socket forwarding"),
			}
			srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
			return nil
		},
		wish.WithMiddleware(
			s.farewell,
			bm.MiddlewareWithProgramHandler(s.program, termenv.Ascii),
			activeterm.Middleware(),
			s.track,
		),
	)
	if err != nil {
		return nil, fmt.Errorf("cannot set up the SSH server: %w", err)
	}
	return s, nil
}

// checkKeyFiles reads the key files once at start: a file that cannot be
// read, or one with no usable key, stops the server; a line left out is
// logged.
func (s *Server) checkKeyFiles() error {
	keys, problems, err := s.keys.load()
	if err != nil {
		return err
	}
	for _, p := range problems {
		s.log.Warn("authorized keys: line left out", "where", p.String())
	}
	switch {
	case len(keys) > 0:
	case s.o.Open:
		return fmt.Errorf("no usable key in the admin keys file %s: add the public key of each presenter, one a line (for example: cat ~/.ssh/id_ed25519.pub >> %s)", s.o.AdminKeys, s.o.AdminKeys)
	default:
		return fmt.Errorf("no usable key in %s: add the public key of each person to let in, one a line (for example: cat ~/.ssh/id_ed25519.pub >> %s)", s.o.AuthorizedKeys, s.o.AuthorizedKeys)
	}
	return nil
}

// Fingerprint is the host key's SHA256 fingerprint, as ssh prints it.
func (s *Server) Fingerprint() string { return gossh.FingerprintSHA256(s.signer.PublicKey()) }

// HostKeyCreated reports whether New made the host key.
func (s *Server) HostKeyCreated() bool { return s.keyCreated }

// Sessions is the number of sessions running.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Serve accepts connections on ln until ctx ends, then shuts down: no new
// session starts, every running one is told and closed, and the clients
// get Options.ShutdownGrace to hang up before their connections are closed. It
// returns nil after a shutdown asked for by ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	served := make(chan error, 1)
	wl := &watchedListener{Listener: ln, accepting: make(chan struct{})}
	go func() { served <- s.ssh.Serve(wl) }()
	select {
	case err := <-served:
		return fmt.Errorf("the SSH server stopped: %w", err)
	case <-ctx.Done():
	}
	// A shutdown must find the server serving, or it would not know of
	// the listener to close.
	select {
	case <-wl.accepting:
	case err := <-served:
		return fmt.Errorf("the SSH server stopped: %w", err)
	}

	s.mu.Lock()
	s.closing = true
	running := make([]*session, 0, len(s.sessions))
	for se := range s.sessions {
		running = append(running, se)
	}
	s.mu.Unlock()
	s.log.Info("shutting down", "sessions", len(running))
	for _, se := range running {
		se.end("the server is shutting down")
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.ShutdownGrace)
	defer cancel()
	if err := s.ssh.Shutdown(sctx); err != nil {
		_ = s.ssh.Close()
	}
	err := <-served
	s.awaitSessions(running, s.o.ShutdownGrace)
	if err != nil && !errors.Is(err, ssh.ErrServerClosed) {
		return fmt.Errorf("the SSH server stopped: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// awaitSessions waits up to d for the sessions to finish once their
// connections are closed. One still running then (its handler stuck where
// a closed connection does not reach) is logged as ended and counted out,
// so the log has an end for every start.
func (s *Server) awaitSessions(running []*session, d time.Duration) {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	expired := false
	for _, se := range running {
		if !expired {
			select {
			case <-se.done:
				continue
			case <-deadline.C:
				expired = true
			}
		}
		select {
		case <-se.done:
			continue
		default:
		}
		s.logEnd(se, "the server is shutting down; the session did not finish")
		s.unregister(se)
	}
}

// allowKey is the public key check: only keys in the files get in; any
// other is refused and logged with its fingerprint. It runs before the
// client proves it holds the key, so an accepted key is logged when its
// session starts.
func (s *Server) allowKey(ctx ssh.Context, key ssh.PublicKey) bool {
	ok, _, err := s.keys.lookup(key)
	if err != nil {
		s.log.Error("cannot read the authorized keys: refusing every key", "err", err)
		return false
	}
	if !ok {
		s.log.Warn("key refused", "user", clean(ctx.User()), "remote", ctx.RemoteAddr().String(),
			"key", key.Type(), "fingerprint", gossh.FingerprintSHA256(key))
	}
	return ok
}

// register counts a new session in, unless the server is full or
// closing, or the session's address holds its share.
func (s *Server) register(se *session) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing:
		return "the server is shutting down", false
	case len(s.sessions) >= s.o.MaxSessions:
		return s.fullMessage(), false
	}
	if held, ok := s.limits.admitSession(se.addr); !ok {
		return perAddressMessage(held), false
	}
	s.sessions[se] = struct{}{}
	return "", true
}

func (s *Server) unregister(se *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[se]; ok {
		delete(s.sessions, se)
		s.limits.releaseSession(se.addr)
	}
}

// clean makes a client-chosen string (user name, TERM, client version)
// safe for the log: no escape sequences reach the server's terminal.
func clean(s string) string { return safetext.Line(s) }

// watchedListener tells when the SSH server first waits for a connection:
// from then on, its Shutdown closes the listener.
type watchedListener struct {
	net.Listener
	once      sync.Once
	accepting chan struct{}
}

func (l *watchedListener) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.accepting) })
	return l.Listener.Accept()
}
