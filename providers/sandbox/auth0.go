package sandbox

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// auth0Token is Auth0's client-credentials token response.
type auth0Token struct {
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// handleAuth0 is the Auth0 token endpoint (seed 003): body (or Basic)
// credentials, a required audience, a monthly token quota and
// {"error", "error_description"} failures.
func (s *Server) handleAuth0(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r) {
		return
	}
	req, oe := parseTokenRequest(w, r)
	if oe != nil {
		if oe.Code == errInvalidClient {
			oe = &oauthError{Status: http.StatusUnauthorized, Code: errAccessDenied, Desc: "Unauthorized"}
		}
		writeRFCError(w, oe)
		return
	}
	c, ok := s.authenticate(StyleAuth0, req.id, req.secret)
	if !ok {
		writeRFCError(w, &oauthError{Status: http.StatusUnauthorized, Code: errAccessDenied, Desc: "Unauthorized"})
		return
	}
	aud := req.form.Get("audience")
	switch {
	case aud == "":
		writeRFCError(w, &oauthError{Status: http.StatusForbidden, Code: errAccessDenied,
			Desc: "No audience parameter was provided, and no default audience has been configured"})
		return
	case aud != c.Audience:
		writeRFCError(w, &oauthError{Status: http.StatusForbidden, Code: errAccessDenied,
			Desc: "Service not found: " + aud})
		return
	}
	scopes, unknown := grantScopes(strings.Fields(req.form.Get("scope")), c.Scopes)
	if len(unknown) > 0 {
		writeRFCError(w, &oauthError{Status: http.StatusForbidden, Code: errAccessDenied,
			Desc: "Client has not been granted scopes: " + strings.Join(unknown, " ")})
		return
	}
	now := s.now()
	g := newGrant(r, c, scopes)
	g.audience = aud
	tok, err := s.mintJWT(g, now)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := s.record(c.ClientID, now, c.MonthlyQuota); err != nil {
		var qe *quotaError
		if !errors.As(err, &qe) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(qe.retryAfter.Seconds())), 10))
		writeRFCError(w, &oauthError{Status: http.StatusTooManyRequests, Code: errTooManyRequests, Desc: qe.Error()})
		return
	}
	writeTokenJSON(w, http.StatusOK, auth0Token{
		AccessToken: tok.token,
		Scope:       strings.Join(scopes, " "),
		ExpiresIn:   int64(c.lifetime().Seconds()),
		TokenType:   "Bearer",
	})
}
