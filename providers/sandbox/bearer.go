package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// principal is who an API request acts for.
type principal struct {
	subject string
	scopes  []string
}

// bearerError is an RFC 6750 failure of the protected API.
type bearerError struct {
	status int
	code   string // empty when the request carried no token at all
	desc   string
	scope  string // for insufficient_scope
	// resourceMetadata is the API's RFC 9728 document, when it has one.
	resourceMetadata string
}

// write sends the error with its WWW-Authenticate challenge (RFC 6750 §3).
func (e *bearerError) write(w http.ResponseWriter) {
	challenge := `Bearer realm="sandbox"`
	if e.code != "" {
		challenge += fmt.Sprintf(`, error=%q`, e.code)
	}
	if e.code == "invalid_token" && e.desc != "" {
		challenge += fmt.Sprintf(`, error_description=%q`, e.desc)
	}
	if e.scope != "" {
		challenge += fmt.Sprintf(`, scope=%q`, e.scope)
	}
	if e.resourceMetadata != "" {
		challenge += fmt.Sprintf(`, resource_metadata=%q`, e.resourceMetadata)
	}
	w.Header().Set("WWW-Authenticate", challenge)
	code := e.code
	if code == "" {
		code = "unauthorized"
	}
	writeJSON(w, e.status, errorBody{Error: code, Description: e.desc})
}

// invalidToken is a 401 invalid_token error.
func invalidToken(desc string) *bearerError {
	return &bearerError{status: http.StatusUnauthorized, code: "invalid_token", desc: desc}
}

// authorize validates the request's bearer token: a JWT signed with the
// server key and within its exp and nbf by the server clock, or a known,
// unexpired opaque token.
func (s *Server) authorize(r *http.Request) (principal, *bearerError) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return principal{}, &bearerError{status: http.StatusUnauthorized, desc: "A bearer token is required"}
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return principal{}, invalidToken("The access token is empty")
	}
	if strings.Count(tok, ".") == 2 {
		return s.authorizeJWT(tok)
	}
	if s.isRevoked("opaque:" + tok) {
		return principal{}, invalidToken("The access token was revoked")
	}
	ot, ok := s.lookupOpaque(tok, s.now())
	if !ok {
		return principal{}, invalidToken("The access token is unknown or expired")
	}
	return principal{subject: ot.subject, scopes: ot.scopes}, nil
}

// authorizeJWT verifies a JWT access token.
func (s *Server) authorizeJWT(tok string) (principal, *bearerError) {
	claims, err := s.parseJWT(tok, s.apiNow)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return principal{}, invalidToken("The access token expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return principal{}, invalidToken("The access token is not valid yet")
	case err != nil:
		return principal{}, invalidToken("The access token signature or format is invalid")
	}
	if jti, _ := claims["jti"].(string); jti != "" && s.isRevoked("jti:"+jti) {
		return principal{}, invalidToken("The access token was revoked")
	}
	sub, _ := claims["sub"].(string)
	scope, _ := claims["scope"].(string)
	return principal{subject: sub, scopes: strings.Fields(scope)}, nil
}
