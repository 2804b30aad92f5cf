package sandbox

import (
	"net/http"
)

// basicOnlyToken is the basic-only style's token response.
type basicOnlyToken struct {
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	AccessToken string `json:"access_token"`
}

// handleBasicOnly is the basic-only token endpoint (seed 001): credentials
// only by HTTP Basic, 401 with a Basic challenge otherwise, and opaque
// access tokens that the server remembers.
func (s *Server) handleBasicOnly(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r) {
		return
	}
	req, oe := parseTokenRequest(w, r)
	if oe != nil && oe.Code != errInvalidClient {
		writeRFCError(w, oe)
		return
	}
	if oe != nil || req.source != credBasic {
		writeBasicChallenge(w)
		return
	}
	c, ok := s.authenticateBasic(StyleBasicOnly, req)
	if !ok {
		writeBasicChallenge(w)
		return
	}
	now := s.now()
	tok, ot := mintOpaque(newGrant(r, c, c.Scopes), now)
	if err := s.record(c.ClientID, now, 0); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.remember(tok.token, ot, now)
	writeTokenJSON(w, http.StatusOK, basicOnlyToken{
		TokenType:   "Bearer",
		ExpiresIn:   int64(c.lifetime().Seconds()),
		AccessToken: tok.token,
	})
}
