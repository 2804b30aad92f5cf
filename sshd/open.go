package sshd

import (
	"fmt"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// access decides what a session of key may do: ok says it may run at
// all, readOnly that it may change nothing. On an open server every key
// gets in, read-only, but a key listed in the admin keys file, which gets
// full access; on any other, the key files decide. The files are read
// again on every session, so a key removed stops working at once.
func (s *Server) access(key ssh.PublicKey) (ok, readOnly bool, err error) {
	if s.o.Open {
		if key == nil {
			return false, true, nil
		}
		if s.o.AdminKeys == "" {
			return true, true, nil
		}
		_, admin, err := s.keys.lookup(key)
		if err != nil {
			// The admin file went away: the key still gets in, read-only.
			s.log.Error("cannot read the admin keys: every session is read-only", "err", err)
		}
		return true, !admin, nil
	}
	ok, admin, err := s.keys.lookup(key)
	return ok, s.o.Demo && !admin, err
}

// openKey is allowKey on an open server: any public key gets in (logged
// at debug level; its session start says the rest).
func (s *Server) openKey(ctx ssh.Context, key ssh.PublicKey) bool {
	s.log.Debug("key let in: the server is open", "remote", ctx.RemoteAddr().String(),
		"key", key.Type(), "fingerprint", gossh.FingerprintSHA256(key))
	return true
}

// fullMessage tells a client the server runs its most sessions.
func (s *Server) fullMessage() string {
	if s.o.Open {
		return fmt.Sprintf("tokentop demo is full (%d viewers); try again in a minute", s.o.MaxSessions)
	}
	return fmt.Sprintf("the server already runs its %d sessions; try again later", s.o.MaxSessions)
}

// perAddressMessage tells a client its address holds its share of sessions.
func perAddressMessage(held int) string {
	return fmt.Sprintf("your address has as many sessions open as one address may (%d); close one and try again", held)
}
