package sshd

import (
	"net"
	"sync"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// connKey finds a connection's connState in its ssh.Context.
type connKey struct{}

// connState is what the server keeps about one connection: what it was
// refused, so the log says it once at info level and the rest at debug.
// The kinds are tokentop's own few words, never a string the client
// chose, so the set stays small whatever the client asks.
type connState struct {
	mu      sync.Mutex
	refused map[string]bool
}

// trackConn gives every connection its connState, before the handshake.
func trackConn(ctx ssh.Context, conn net.Conn) net.Conn {
	ctx.SetValue(connKey{}, &connState{refused: map[string]bool{}})
	return conn
}

// first reports whether what is refused for the first time on the
// connection.
func (c *connState) first(what string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refused[what] {
		return false
	}
	c.refused[what] = true
	return true
}

// refused logs that the connection of ctx was refused what (agent
// forwarding, X11, a subsystem, port forwarding): at info level the first
// time, with the key's fingerprint; then at debug level. The request's
// payload (an X11 cookie, an address) is not logged.
func (s *Server) refused(ctx ssh.Context, what string) {
	c, _ := ctx.Value(connKey{}).(*connState)
	logf := s.log.Debug
	if c == nil || c.first(what) {
		logf = s.log.Info
	}
	fingerprint := ""
	if key, ok := ctx.Value(ssh.ContextKeyPublicKey).(ssh.PublicKey); ok && key != nil {
		fingerprint = gossh.FingerprintSHA256(key)
	}
	session, _ := ctx.Value(ssh.ContextKeySessionID).(string)
	logf("refused", "what", what, "session", shortID(session), "remote", ctx.RemoteAddr().String(),
		"fingerprint", fingerprint)
}

// refuseChannel is the handler of the channel types a client may ask for
// and never gets (port forwarding): refused, and logged.
func (s *Server) refuseChannel(what string) ssh.ChannelHandler {
	return func(_ *ssh.Server, _ *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
		s.refused(ctx, what)
		_ = newChan.Reject(gossh.Prohibited, what+" is not allowed")
	}
}

// refuseRequest is the handler of the global requests a client may make
// and never gets (remote port forwarding): refused, and logged.
func (s *Server) refuseRequest(what string) ssh.RequestHandler {
	return func(ctx ssh.Context, _ *ssh.Server, _ *gossh.Request) (bool, []byte) {
		s.refused(ctx, what)
		return false, nil
	}
}
