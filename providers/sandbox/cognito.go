package sandbox

import (
	"net/http"
	"strings"
)

// cognitoToken is Cognito's client-credentials token response.
type cognitoToken struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// handleCognito is the Cognito token endpoint (seeds 000 and 002): HTTP
// Basic or body credentials, space-separated scopes, JWT access tokens and
// bare {"error": code} failures, all with status 400.
func (s *Server) handleCognito(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r) {
		return
	}
	req, oe := parseTokenRequest(w, r)
	if oe != nil {
		writeCognitoError(w, oe)
		return
	}
	c, ok := s.authenticate(StyleCognito, req.id, req.secret)
	if !ok {
		writeCognitoError(w, badRequest(errInvalidClient, "bad client credentials"))
		return
	}
	scopes, unknown := grantScopes(strings.Fields(req.form.Get("scope")), c.Scopes)
	if len(unknown) > 0 && !s.currentFaults().DropUnknownScopes {
		writeCognitoError(w, badRequest(errInvalidScope, "unknown scope"))
		return
	}
	tok, ok := s.issueJWT(w, r, c, scopes)
	if !ok {
		return
	}
	writeTokenJSON(w, http.StatusOK, cognitoToken{
		AccessToken: tok.token,
		ExpiresIn:   int64(c.lifetime().Seconds()),
		TokenType:   "Bearer",
	})
}
