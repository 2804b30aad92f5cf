package sshd

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// limitConnKey finds a connection's limitedConn in its ssh.Context.
type limitConnKey struct{}

// limitedConn is a connection the limits counted in: it is counted out,
// and its end logged (address, key fingerprint, duration, why), when it
// closes; it is closed if no session opens on it within the handshake
// timeout.
type limitedConn struct {
	net.Conn
	s     *Server
	ctx   ssh.Context
	key   string // the address the limits count it under
	start time.Time

	sessionOpened atomic.Bool
	once          sync.Once
	mu            sync.Mutex
	timer         *time.Timer // the handshake timeout
	why           string      // set by whoever closes it for a reason
}

// acceptConn is the server's ConnCallback: it refuses a connection over
// the limits (closed at once, before any handshake work), and wraps any
// other for its count, its handshake timeout and its log line.
func (s *Server) acceptConn(ctx ssh.Context, conn net.Conn) net.Conn {
	remote := conn.RemoteAddr()
	key := addrKey(remote)
	if why, warn := s.limits.admitConn(key); why != "" {
		logf := s.log.Debug
		if warn {
			logf = s.log.Warn
		}
		logf("connection refused", "remote", remote.String(), "why", why)
		return nil
	}
	lc := &limitedConn{Conn: conn, s: s, ctx: ctx, key: key, start: time.Now()}
	lc.mu.Lock()
	lc.timer = time.AfterFunc(s.limits.l.HandshakeTimeout, func() {
		if !lc.sessionOpened.Load() {
			lc.closeFor(fmt.Sprintf("no session within %s of connecting", s.limits.l.HandshakeTimeout))
		}
	})
	lc.mu.Unlock()
	ctx.SetValue(limitConnKey{}, lc)
	return trackConn(ctx, lc)
}

// sessionOpening tells the connection of ctx that a session channel
// opened on it: the handshake timeout no longer applies.
func sessionOpening(ctx ssh.Context) {
	if lc, ok := ctx.Value(limitConnKey{}).(*limitedConn); ok {
		lc.sessionOpened.Store(true)
		lc.mu.Lock()
		lc.timer.Stop()
		lc.mu.Unlock()
	}
}

// closeFor closes the connection, logging why.
func (c *limitedConn) closeFor(why string) {
	c.mu.Lock()
	if c.why == "" {
		c.why = why
	}
	c.mu.Unlock()
	_ = c.Close()
}

// Close closes the connection once, counts it out and logs its end.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.mu.Lock()
		why := c.why
		c.timer.Stop()
		c.mu.Unlock()
		c.s.limits.releaseConn(c.key)
		if why == "" {
			why = "closed"
		}
		fingerprint := ""
		if key, ok := c.ctx.Value(ssh.ContextKeyPublicKey).(ssh.PublicKey); ok && key != nil {
			fingerprint = gossh.FingerprintSHA256(key)
		}
		c.s.log.Info("connection end", "remote", c.RemoteAddr().String(), "fingerprint", fingerprint,
			"duration", time.Since(c.start).Round(time.Millisecond), "why", why)
	})
	return err
}
