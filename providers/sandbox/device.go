package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"sync"
	"time"
)

// The device authorization grant (RFC 8628) on the root issuer: the
// device authorization endpoint, the verification page a user opens on
// another device, and the device_code grant type of the Cognito-style
// token endpoint (see deviceTokenHook).
const (
	pathDeviceCode   = "/oauth2/device/code"
	pathDeviceVerify = "/device"
	// DeviceGrantType is RFC 8628's grant_type at the token endpoint.
	DeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"
)

// Defaults of a device code's life and polling interval (RFC 8628 §3.2
// leaves both to the server; 5 s is its default interval).
const (
	defaultDeviceLife     = 10 * time.Minute
	defaultDeviceInterval = 5 * time.Second
	// slowDownStep is what slow_down adds to the interval (RFC 8628 §3.5).
	slowDownStep = 5 * time.Second
	// maxDeviceCodes bounds the codes remembered at once; the oldest
	// expired ones go first, then a start is refused.
	maxDeviceCodes = 1000
)

// DeviceBehaviour switches how the sandbox's device logins end, so tests
// and the demo need no human at the verification page. The zero value
// waits for the page (or [Server.ApproveDevice]).
type DeviceBehaviour struct {
	// ApproveAfter approves a code at its Nth poll, which gets the token.
	ApproveAfter int
	// DenyAfter denies a code at its Nth poll (access_denied).
	DenyAfter int
	// ExpireAfter expires a code at its Nth poll (expired_token),
	// whatever its expires_in said.
	ExpireAfter int
	// SlowDown answers slow_down to a code's first N polls, each adding
	// 5 s to its interval, however patiently the client polled.
	SlowDown int
	// ExpiresIn and Interval are what new codes are given (10 min and
	// 5 s when zero).
	ExpiresIn, Interval time.Duration
}

// DevicePoll is one poll of a device code as the sandbox saw it.
type DevicePoll struct {
	// At is the sandbox clock's time of the poll.
	At time.Time
	// Interval is the code's interval when the poll came (before any
	// slow_down it answered).
	Interval time.Duration
	// Answer is the error code answered, or "token".
	Answer string
}

// deviceState is what a device code is waiting for.
type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDenied
	deviceUsed
)

// deviceCode is one started device login.
type deviceCode struct {
	client   Client
	userCode string
	scopes   []string
	expires  time.Time
	interval time.Duration
	lastPoll time.Time // the start, then each poll
	state    deviceState
	polls    []DevicePoll
}

// deviceGrants holds the device codes; its zero value is ready.
type deviceGrants struct {
	mu        sync.Mutex
	behaviour DeviceBehaviour
	codes     map[string]*deviceCode // device_code → its login
	users     map[string]string      // user_code → device_code
}

// SetDeviceBehaviour changes how device logins started from now on (and
// those still pending) end.
func (s *Server) SetDeviceBehaviour(b DeviceBehaviour) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	s.dev.behaviour = b
}

// DevicePolls lists the polls of the device login with that user code, in
// order (nil for an unknown code).
func (s *Server) DevicePolls(userCode string) []DevicePoll {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	dc := s.dev.byUser(normaliseUserCode(userCode))
	if dc == nil {
		return nil
	}
	return append([]DevicePoll(nil), dc.polls...)
}

// ApproveDevice approves the pending device login with that user code, as
// the verification page's Approve button does; it reports whether there
// was one.
func (s *Server) ApproveDevice(userCode string) bool {
	return s.decideDevice(userCode, deviceApproved)
}

// DenyDevice denies the pending device login with that user code.
func (s *Server) DenyDevice(userCode string) bool {
	return s.decideDevice(userCode, deviceDenied)
}

func (s *Server) decideDevice(userCode string, to deviceState) bool {
	now := s.now()
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	dc := s.dev.byUser(normaliseUserCode(userCode))
	if dc == nil || dc.state != devicePending || !now.Before(dc.expires) {
		return false
	}
	dc.state = to
	return true
}

// byUser finds a login by its user code; the caller holds mu.
func (g *deviceGrants) byUser(userCode string) *deviceCode {
	return g.codes[g.users[userCode]]
}

// add remembers a new login under a fresh device code, forgetting the
// expired ones; the caller holds mu. It reports false when too many
// logins are pending.
func (g *deviceGrants) add(dc *deviceCode, now time.Time) (string, bool) {
	if g.codes == nil {
		g.codes, g.users = make(map[string]*deviceCode), make(map[string]string)
	}
	for k, v := range g.codes {
		if !now.Before(v.expires) {
			delete(g.users, v.userCode)
			delete(g.codes, k)
		}
	}
	if len(g.codes) >= maxDeviceCodes {
		return "", false
	}
	for {
		dc.userCode = newUserCode()
		if _, taken := g.users[dc.userCode]; !taken {
			break
		}
	}
	code := randomString(32, base64.RawURLEncoding)
	g.codes[code] = dc
	g.users[dc.userCode] = code
	return code, true
}

// userCodeAlphabet is RFC 8628 §6.1's example: consonants only, no
// vowels (no words) and nothing easily confused.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// newUserCode is eight letters of userCodeAlphabet as XXXX-XXXX.
func newUserCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	var out strings.Builder
	for i, x := range b {
		if i == 4 {
			out.WriteByte('-')
		}
		// 256 % 20 = 16: a bias too small to matter for a sandbox.
		out.WriteByte(userCodeAlphabet[int(x)%len(userCodeAlphabet)])
	}
	return out.String()
}

// normaliseUserCode is what a user typed, as stored: upper case, the
// dash and spaces ignored, then XXXX-XXXX.
func normaliseUserCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	if len(s) != 8 {
		return s
	}
	return s[:4] + "-" + s[4:]
}
