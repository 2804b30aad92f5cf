package sandbox

import (
	"net/http"
	"strings"
)

// deviceAuthorization is the device authorization response (RFC 8628
// §3.2).
type deviceAuthorization struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// deviceRoutes registers the device authorization endpoint and the
// verification page.
func (s *Server) deviceRoutes(mux *http.ServeMux) {
	mux.HandleFunc(pathDeviceCode, s.handleDeviceCode)
	mux.HandleFunc("GET "+pathDeviceVerify, s.handleVerifyPage)
	mux.HandleFunc("POST "+pathDeviceVerify, s.handleVerifyDecision)
}

// deviceTokenHook sends the token requests of the device_code grant, and
// the refresh_token grants of device clients, to the device grant's
// handlers and every other one to next (the Cognito-style token
// endpoint, the root issuer's).
func (s *Server) deviceTokenHook(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			// An unreadable form is the next handler's to refuse: its
			// ParseForm says so again.
			if err := r.ParseForm(); err == nil {
				switch gt := r.PostForm.Get("grant_type"); {
				case gt == DeviceGrantType:
					s.handleDeviceToken(w, r)
					return
				case gt == "refresh_token" && s.namesDeviceClient(r):
					s.handleDeviceRefresh(w, r)
					return
				}
			}
		}
		next(w, r)
	}
}

// namesDeviceClient reports whether a token request names a device
// client (by HTTP Basic or client_id), whatever its credentials.
func (s *Server) namesDeviceClient(r *http.Request) bool {
	id := r.PostForm.Get("client_id")
	if bid, _, err := parseBasic(r.Header.Get("Authorization")); err == nil {
		id = bid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[id]
	return ok && s.clients[i].Grant == GrantDevice
}

// handleDeviceCode is the device authorization endpoint (RFC 8628 §3.1):
// a client of grant device_code, public (client_id alone) or proving
// itself with its secret, asks for a device code and a user code.
func (s *Server) handleDeviceCode(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeRFCError(w, &oauthError{Status: http.StatusMethodNotAllowed, Code: errInvalidRequest, Desc: "the device authorization endpoint accepts only POST"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeRFCError(w, badRequest(errInvalidRequest, "the form body could not be read"))
		return
	}
	c, oe := s.deviceClient(r)
	if oe != nil {
		writeRFCError(w, oe)
		return
	}
	scopes, unknown := grantScopes(strings.Fields(r.PostForm.Get("scope")), c.Scopes)
	if len(unknown) > 0 {
		writeRFCError(w, badRequest(errInvalidScope, "unknown scope: "+strings.Join(unknown, " ")))
		return
	}
	now := s.now()
	s.dev.mu.Lock()
	b := s.dev.behaviour
	life, interval := orDefault(b.ExpiresIn, defaultDeviceLife), orDefault(b.Interval, defaultDeviceInterval)
	dc := &deviceCode{client: c, scopes: scopes, expires: now.Add(life), interval: interval, lastPoll: now}
	code, ok := s.dev.add(dc, now)
	s.dev.mu.Unlock()
	if !ok {
		writeRFCError(w, &oauthError{Status: http.StatusServiceUnavailable, Code: "slow_down", Desc: "too many device logins are pending"})
		return
	}
	verify := issuer(r) + pathDeviceVerify
	writeTokenJSON(w, http.StatusOK, deviceAuthorization{
		DeviceCode: code, UserCode: dc.userCode,
		VerificationURI: verify, VerificationURIComplete: verify + "?user_code=" + dc.userCode,
		ExpiresIn: int64(life.Seconds()), Interval: int64(interval.Seconds()),
	})
}

// deviceClient is the device client a request names: public clients by
// client_id alone, confidential ones by their secret (HTTP Basic or the
// body). Clients of other grants are refused.
func (s *Server) deviceClient(r *http.Request) (Client, *oauthError) {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if bid, bsecret, err := parseBasic(r.Header.Get("Authorization")); err == nil {
		id, secret = bid, bsecret
	}
	unauthorized := &oauthError{Status: http.StatusUnauthorized, Code: errInvalidClient, Desc: "unknown client or bad client credentials"}
	s.mu.Lock()
	i, ok := s.index[id]
	var c Client
	if ok {
		c = s.clients[i].clone()
	}
	s.mu.Unlock()
	if !ok || id == "" || c.Grant != GrantDevice || !secretMatches(c.ClientSecret, secret) {
		return Client{}, unauthorized
	}
	return c, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
