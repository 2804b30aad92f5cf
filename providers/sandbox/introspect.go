package sandbox

import (
	"errors"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// introspection is an RFC 7662 §2.2 answer.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Nbf       int64  `json:"nbf,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Aud       string `json:"aud,omitempty"`
	Iss       string `json:"iss,omitempty"`
	Jti       string `json:"jti,omitempty"`
}

// tokenInfo is what the server knows of a token it issued and still
// honours.
type tokenInfo struct {
	introspection
	revokeKey string // the key of s.revoked for this token
	expiresAt time.Time
}

// endpointClient authenticates the caller of the introspection or
// revocation endpoint: any registered client, by HTTP Basic or in the body,
// as at its token endpoint. It answers the failure itself and reports
// false.
func (s *Server) endpointClient(w http.ResponseWriter, r *http.Request) (Client, string, bool) {
	fail := func(status int, code, desc string) (Client, string, bool) {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
		}
		writeTokenJSON(w, status, errorBody{Error: code, Description: desc})
		return Client{}, "", false
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return fail(http.StatusMethodNotAllowed, errInvalidRequest, "use POST")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return fail(http.StatusBadRequest, errInvalidRequest, "Content-Type must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return fail(http.StatusBadRequest, errInvalidRequest, "the form body could not be read")
	}
	tok := strings.TrimSpace(r.PostForm.Get("token"))
	if c, oe, keyStyle := s.endpointKeyClient(r); keyStyle {
		switch {
		case oe != nil:
			return fail(oe.Status, oe.Code, oe.Desc)
		case tok == "":
			return fail(http.StatusBadRequest, errInvalidRequest, "the token parameter is missing")
		}
		return c, tok, true
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if h := r.Header.Get("Authorization"); h != "" {
		var err error
		if id, secret, err = parseBasic(h); err != nil {
			return fail(http.StatusUnauthorized, errInvalidClient, err.Error())
		}
	}
	c, ok := s.authenticateAny(id, secret)
	if !ok {
		return fail(http.StatusUnauthorized, errInvalidClient, "client authentication failed")
	}
	if tok == "" {
		return fail(http.StatusBadRequest, errInvalidRequest, "the token parameter is missing")
	}
	return c, tok, true
}

// endpointKeyClient authenticates a key-style client at the introspection
// and revocation endpoints as its token endpoint does: by its assertion
// (private_key_jwt) or by its certificate (tls_client_auth, a client_id
// with no secret over the TLS listener). keyStyle is false when the
// request uses neither, and a secret style applies.
func (s *Server) endpointKeyClient(r *http.Request) (c Client, oe *oauthError, keyStyle bool) {
	req := tokenRequest{form: r.PostForm}
	if r.Header.Get("Authorization") != "" {
		req.source = credBasic
	}
	switch {
	case r.PostForm.Has("client_assertion") || r.PostForm.Has("client_assertion_type"):
		c, oe = s.verifyAssertion(r, req)
		return c, oe, true
	case r.TLS != nil && len(r.TLS.PeerCertificates) > 0 && !r.PostForm.Has("client_secret") && req.source == credNone:
		if _, ok := s.clientByID(StyleMTLS, r.PostForm.Get("client_id")); ok {
			c, oe = s.verifyClientCert(r, req)
			return c, oe, true
		}
	}
	return Client{}, nil, false
}

// handleIntrospect is the RFC 7662 introspection endpoint: active with the
// token's claims for a token the server issued, that has not expired and was
// not revoked; {"active": false} for anything else.
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	_, tok, ok := s.endpointClient(w, r)
	if !ok {
		return
	}
	info, ok := s.lookupToken(tok)
	if !ok {
		writeTokenJSON(w, http.StatusOK, introspection{Active: false})
		return
	}
	writeTokenJSON(w, http.StatusOK, info.introspection)
}

// handleRevoke is the RFC 7009 revocation endpoint. It answers 200 for a
// token it does not know (§2.2) and refuses, with invalid_request, a token
// issued to another client.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	c, tok, ok := s.endpointClient(w, r)
	if !ok {
		return
	}
	if s.users.revokeRefresh(tok, c.ClientID) {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK) // a refresh token (RFC 7009 §2.1)
		return
	}
	info, ok := s.lookupToken(tok)
	if ok && info.ClientID != c.ClientID {
		writeTokenJSON(w, http.StatusBadRequest, errorBody{Error: errInvalidRequest, Description: "the token was not issued to this client"})
		return
	}
	if ok {
		s.revoke(info.revokeKey, info.expiresAt)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// lookupToken validates a token as the API does and returns what the
// server knows of it.
func (s *Server) lookupToken(tok string) (tokenInfo, bool) {
	now := s.now()
	if strings.Count(tok, ".") == 2 {
		claims, err := s.parseJWT(tok, s.issuerNow)
		if err != nil {
			return tokenInfo{}, false
		}
		str := func(k string) string { v, _ := claims[k].(string); return v }
		num := func(k string) int64 { v, _ := claims[k].(float64); return int64(v) }
		info := tokenInfo{introspection: introspection{
			Active: true, Scope: str("scope"), ClientID: str("client_id"), TokenType: "Bearer",
			Exp: num("exp"), Iat: num("iat"), Nbf: num("nbf"), Sub: str("sub"), Aud: str("aud"), Iss: str("iss"), Jti: str("jti"),
		}, revokeKey: "jti:" + str("jti"), expiresAt: time.Unix(num("exp"), 0)}
		if s.isRevoked(info.revokeKey) {
			return tokenInfo{}, false
		}
		return info, true
	}
	ot, ok := s.lookupOpaque(tok, now)
	if !ok || s.isRevoked("opaque:"+tok) {
		return tokenInfo{}, false
	}
	return tokenInfo{introspection: introspection{
		Active: true, Scope: strings.Join(ot.scopes, " "), ClientID: ot.subject, TokenType: "Bearer",
		Exp: ot.expiresAt.Unix(), Iat: ot.issuedAt.Unix(), Sub: ot.subject, Iss: ot.issuer,
	}, revokeKey: "opaque:" + tok, expiresAt: ot.expiresAt}, true
}

// parseJWT verifies a JWT with the server's keys at the server's clock.
func (s *Server) parseJWT(tok string, now func() time.Time) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		pub, ok := s.verificationKey(kid)
		if !ok {
			return nil, errors.New("unknown key id")
		}
		return pub, nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithTimeFunc(now),
		jwt.WithExpirationRequired(),
	)
	return claims, err
}

// revoke remembers a revoked token until it would have expired anyway.
func (s *Server) revoke(key string, expiresAt time.Time) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, exp := range s.revoked {
		if !now.Before(exp) {
			delete(s.revoked, k)
		}
	}
	s.revoked[key] = expiresAt
}

func (s *Server) isRevoked(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.revoked[key]
	return ok
}
