package sandbox

import (
	"crypto/subtle"
	"net/http"
	"time"
)

// Answers of the device token endpoint (RFC 8628 §3.5).
const (
	errAuthorizationPending = "authorization_pending"
	errSlowDown             = "slow_down"
	errExpiredToken         = "expired_token"
)

// secretMatches compares a client's secret with the one sent, in
// constant time; a public client (no secret) must send none.
func secretMatches(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// handleDeviceToken answers a device_code grant request at the token
// endpoint: authorization_pending until the user decides, slow_down to a
// client polling faster than its interval (which then grows by 5 s),
// access_denied, expired_token, or the tokens once, after approval.
func (s *Server) handleDeviceToken(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r) {
		return
	}
	c, oe := s.deviceClient(r)
	if oe != nil {
		writeRFCError(w, oe)
		return
	}
	now := s.now()
	s.dev.mu.Lock()
	dc := s.dev.codes[r.PostForm.Get("device_code")]
	if dc == nil || dc.client.ClientID != c.ClientID {
		s.dev.mu.Unlock()
		writeRFCError(w, badRequest(errInvalidGrant, "unknown device code"))
		return
	}
	answer := dc.poll(now, s.dev.behaviour)
	scopes := dc.scopes
	s.dev.mu.Unlock()
	if answer != "token" {
		writeRFCError(w, badRequest(answer, deviceAnswerText(answer)))
		return
	}
	s.issueDeviceToken(w, r, c, scopes)
}

// poll records one poll at now and decides its answer under b; the
// caller holds the grants' lock.
func (dc *deviceCode) poll(now time.Time, b DeviceBehaviour) string {
	n := len(dc.polls) + 1
	p := DevicePoll{At: now, Interval: dc.interval}
	tooSoon := now.Sub(dc.lastPoll) < dc.interval
	dc.lastPoll = now
	switch {
	case dc.state == deviceUsed:
		p.Answer = errInvalidGrant
	case !now.Before(dc.expires) || b.ExpireAfter > 0 && n >= b.ExpireAfter:
		dc.expires = now
		p.Answer = errExpiredToken
	case n <= b.SlowDown:
		dc.interval += slowDownStep
		p.Answer = errSlowDown
	case dc.state == deviceDenied || b.DenyAfter > 0 && n >= b.DenyAfter:
		dc.state = deviceDenied
		p.Answer = errAccessDenied
	case dc.state == deviceApproved || b.ApproveAfter > 0 && n >= b.ApproveAfter:
		dc.state = deviceUsed
		p.Answer = "token"
	case tooSoon:
		// Only a pending code is slowed down: the switches above end a
		// login at a given poll, whatever the client's pace.
		dc.interval += slowDownStep
		p.Answer = errSlowDown
	default:
		p.Answer = errAuthorizationPending
	}
	dc.polls = append(dc.polls, p)
	return p.Answer
}

// deviceAnswerText is the error_description of each answer.
func deviceAnswerText(code string) string {
	switch code {
	case errAuthorizationPending:
		return "the user has not finished at the verification page yet"
	case errSlowDown:
		return "polled faster than the interval; it is now 5 seconds longer"
	case errAccessDenied:
		return "the user denied the request"
	case errExpiredToken:
		return "the device code expired"
	}
	return "the device code was already used"
}

// issueDeviceToken mints and sends the tokens of an approved login as
// the user style issues a session: an access token, a refresh token
// registered with the user style's refresh tokens (so it rotates, is
// revoked and obeys the LoginSwitches as a code login's does) and, for
// openid, an ID token.
func (s *Server) issueDeviceToken(w http.ResponseWriter, r *http.Request, c Client, scopes []string) {
	ans, err := s.issueSession(r, session{client: c, scopes: scopes})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeTokenJSON(w, http.StatusOK, ans)
}

// handleDeviceRefresh answers a device client's refresh_token grant at
// the token endpoint: the refresh token is spent and a new session
// issued, exactly as at the user style's token endpoint.
func (s *Server) handleDeviceRefresh(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r) {
		return
	}
	c, oe := s.deviceClient(r)
	if oe == nil {
		var sess session
		if sess, oe = s.redeemRefresh(c, r); oe == nil {
			ans, err := s.issueSession(r, sess)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeTokenJSON(w, http.StatusOK, ans)
			return
		}
	}
	writeRFCError(w, oe)
}
