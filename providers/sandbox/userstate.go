package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"slices"
	"sync"
	"time"
)

// What the sandbox remembers of its users' logins: the authorization
// codes not yet exchanged (single use, a minute each) and the refresh
// tokens in force (each used once: a use rotates it), with the switches
// that make the server refuse logins or keep refresh tokens to itself.

// StyleUser is the style of the clients users log in with: the
// authorization code grant with PKCE at /user/authorize, and the
// authorization_code and refresh_token grants at /user/oauth2/token.
const StyleUser = "user"

// errInvalidGrant is RFC 6749 §5.2's code for a grant the server does
// not take (a code, a verifier or a refresh token).
const errInvalidGrant = "invalid_grant"

// Paths of the user style.
const (
	pathUserAuthorize = "/user/authorize"
	pathUserToken     = "/user/oauth2/token"
)

// The bounds of what the sandbox remembers, whatever clients send.
const (
	codeLifetime       = time.Minute
	maxPendingCodes    = 1024
	maxRefreshTokens   = 16384
	defaultRefreshLife = 24 * time.Hour
	// userSubject is the sub of every user the sandbox logs in.
	userSubject = "sandbox-user"
)

// LoginSwitches change how the user style answers, for tests and the
// demo. The zero value logs users in and rotates refresh tokens.
type LoginSwitches struct {
	// Deny makes the authorization endpoint refuse every login: the
	// redirect carries error=access_denied.
	Deny bool
	// NoRefreshTokens makes the token endpoint return no refresh token,
	// ever; without it one comes with every answer (rotation).
	NoRefreshTokens bool
	// NoRotation makes refresh tokens reusable: a refresh answers with
	// no new one, and the one used stays in force (servers that do not
	// rotate).
	NoRotation bool
}

// authCode is an authorization code not yet exchanged.
type authCode struct {
	clientID, redirectURI, challenge, nonce string
	scopes                                  []string
	expires                                 time.Time
}

// refreshGrant is a refresh token in force.
type refreshGrant struct {
	clientID, nonce string
	scopes          []string
	expires         time.Time
}

// userState is the sandbox's memory of logins; it has its own lock.
type userState struct {
	mu        sync.Mutex
	codes     map[string]authCode
	refresh   map[string]refreshGrant
	refreshes map[string]int // ClientID → refresh grants served
	sw        LoginSwitches
}

func newUserState() *userState {
	return &userState{codes: map[string]authCode{}, refresh: map[string]refreshGrant{}, refreshes: map[string]int{}}
}

// SetLoginSwitches switches the user style's behaviour (the zero value
// switches everything off).
func (s *Server) SetLoginSwitches(sw LoginSwitches) {
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	s.users.sw = sw
}

func (u *userState) switches() LoginSwitches {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.sw
}

// Refreshes reports how many refresh grants clientID was served.
func (s *Server) Refreshes(clientID string) int {
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	return s.users.refreshes[clientID]
}

// RevokeRefreshTokens revokes every refresh token of clientID, as an
// administrator ending a user's sessions would.
func (s *Server) RevokeRefreshTokens(clientID string) {
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	for k, g := range s.users.refresh {
		if g.clientID == clientID {
			delete(s.users.refresh, k)
		}
	}
}

// putCode remembers a new code, forgetting the expired ones; a full table
// refuses (false).
func (u *userState) putCode(code string, c authCode, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return putBounded(u.codes, code, c, maxPendingCodes, now, func(c authCode) time.Time { return c.expires })
}

// takeCode removes and returns a code: it is good once.
func (u *userState) takeCode(code string, now time.Time) (authCode, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	c, ok := u.codes[code]
	delete(u.codes, code)
	return c, ok && now.Before(c.expires)
}

// putRefresh remembers a new refresh token, forgetting the expired ones.
func (u *userState) putRefresh(tok string, g refreshGrant, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return putBounded(u.refresh, tok, g, maxRefreshTokens, now, func(g refreshGrant) time.Time { return g.expires })
}

// putBounded puts v under k in m after forgetting the entries expired at
// now; a map that still holds max entries refuses (false).
func putBounded[V any](m map[string]V, k string, v V, max int, now time.Time, expires func(V) time.Time) bool {
	for key, old := range m {
		if !now.Before(expires(old)) {
			delete(m, key)
		}
	}
	if len(m) >= max {
		return false
	}
	m[k] = v
	return true
}

// takeRefresh uses a refresh token of clientID: it is removed (rotation,
// unless NoRotation) and counted. An unknown, expired, already used or revoked one, or
// another client's, is refused.
func (u *userState) takeRefresh(tok, clientID string, now time.Time) (refreshGrant, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	g, ok := u.refresh[tok]
	if !ok || g.clientID != clientID || !now.Before(g.expires) {
		return refreshGrant{}, false
	}
	if !u.sw.NoRotation {
		delete(u.refresh, tok)
	}
	u.refreshes[clientID]++
	return g, true
}

// revokeRefresh revokes tok if it is a refresh token of clientID
// (RFC 7009 §2.1); it reports whether it was one.
func (u *userState) revokeRefresh(tok, clientID string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	g, ok := u.refresh[tok]
	if ok && g.clientID == clientID {
		delete(u.refresh, tok)
	}
	return ok
}

// pkceMatches reports whether verifier's S256 challenge is challenge.
func pkceMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false // RFC 7636 §4.1
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// containsScope reports whether scopes hold s.
func containsScope(scopes []string, s string) bool { return slices.Contains(scopes, s) }
