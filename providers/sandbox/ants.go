package sandbox

import (
	"net/http"
	"strings"
)

// antsToken is the ANTS token response: camelCase, an absolute expiry and
// neither expires_in nor token_type.
type antsToken struct {
	AccessToken          string `json:"accessToken"`
	AccessTokenExpiresAt string `json:"accessTokenExpiresAt"`
	Scope                string `json:"scope"`
}

// antsTimeLayout is how ANTS writes accessTokenExpiresAt:
// "2023-08-10T12:41:57.643Z".
const antsTimeLayout = "2006-01-02T15:04:05.000Z"

// handleANTS is the ANTS token endpoint (seed 004), which runs
// node-oauth2-server: body credentials, a required comma-separated scope
// and {"statusCode", "status", "code", "message", "name"} failures.
func (s *Server) handleANTS(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r) {
		return
	}
	req, oe := parseTokenRequest(w, r)
	if oe != nil {
		oe.Desc = antsMessage(oe.Code) + oe.Desc
		writeANTSError(w, oe)
		return
	}
	if req.source == credNone {
		writeANTSError(w, badRequest(errInvalidClient, "Invalid client: cannot retrieve client credentials"))
		return
	}
	c, ok := s.authenticate(StyleANTS, req.id, req.secret)
	if !ok {
		writeANTSError(w, &oauthError{Status: http.StatusUnauthorized, Code: errInvalidClient,
			Desc: "Invalid client: client is invalid"})
		return
	}
	requested := splitComma(req.form.Get("scope"))
	if len(requested) == 0 {
		writeANTSError(w, badRequest(errInvalidRequest, "Missing parameter: `scope`"))
		return
	}
	scopes, unknown := grantScopes(requested, c.Scopes)
	if len(unknown) > 0 {
		writeANTSError(w, badRequest(errInvalidScope, "Invalid scope: Requested scope is invalid"))
		return
	}
	tok, ok := s.issueJWT(w, r, c, scopes)
	if !ok {
		return
	}
	writeTokenJSON(w, http.StatusOK, antsToken{
		AccessToken:          tok.token,
		AccessTokenExpiresAt: tok.expiresAt.UTC().Format(antsTimeLayout),
		Scope:                strings.Join(scopes, ","),
	})
}

// antsMessage is node-oauth2-server's message prefix for an error code.
func antsMessage(code string) string {
	switch code {
	case errInvalidClient:
		return "Invalid client: "
	case errUnsupportedGrant:
		return "Unsupported grant type: "
	case errInvalidRequest:
		return "Invalid request: "
	}
	return ""
}
