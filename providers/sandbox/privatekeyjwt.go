package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// assertionType is the client_assertion_type of RFC 7523 §2.2.
const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLeeway is the clock skew allowed on an assertion's exp and iat.
const assertionLeeway = 5 * time.Second

// keyToken is the token response of the key styles (RFC 6749 §5.1).
type keyToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

// handlePrivateKeyJWT is the private_key_jwt token endpoint (RFC 7523
// §2.2, RFC 7521 §4.2, OIDC Core §9): the client sends client_id,
// client_assertion_type and a client_assertion signed with its private
// key, and no secret. Every refusal is 401 invalid_client with a
// description that says which check failed.
func (s *Server) handlePrivateKeyJWT(w http.ResponseWriter, r *http.Request) {
	s.serveKeyStyle(w, r, s.verifyAssertion)
}

// serveKeyStyle is a key style's token endpoint: the shared request
// checks, then verify to find the client that proved itself, then a token
// for the scopes asked for (space-separated), which must be the client's.
// Failures are in the RFC 6749 §5.2 shape.
func (s *Server) serveKeyStyle(w http.ResponseWriter, r *http.Request, verify func(*http.Request, tokenRequest) (Client, *oauthError)) {
	if !s.delay(r) {
		return
	}
	req, oe := parseTokenRequest(w, r)
	if oe == nil {
		var c Client
		if c, oe = verify(r, req); oe == nil {
			s.issueKeyToken(w, r, c, req.form)
			return
		}
	}
	writeRFCError(w, oe)
}

// issueKeyToken answers a key-style client that proved itself.
func (s *Server) issueKeyToken(w http.ResponseWriter, r *http.Request, c Client, form url.Values) {
	scopes, unknown := grantScopes(strings.Fields(form.Get("scope")), c.Scopes)
	if len(unknown) > 0 {
		writeRFCError(w, badRequest(errInvalidScope, "scope "+strings.Join(unknown, " ")+" is not allowed for this client"))
		return
	}
	tok, ok := s.issueJWT(w, r, c, scopes)
	if !ok {
		return
	}
	writeTokenJSON(w, http.StatusOK, keyToken{
		AccessToken: tok.token, TokenType: "Bearer",
		ExpiresIn: int64(c.lifetime().Seconds()), Scope: strings.Join(scopes, " "),
	})
}

// refuseClient is a 401 invalid_client.
func refuseClient(desc string) *oauthError {
	return &oauthError{Status: http.StatusUnauthorized, Code: errInvalidClient, Desc: desc}
}

// verifyAssertion finds the client an assertion is for and checks it: no
// secret beside it, signed by the client's registered key with an
// algorithm that suits it (never alg none), the kid (when sent) the
// registered one, iss and sub the client id, aud the issuer or this token
// endpoint, exp not passed, iat not in the future, and a jti not seen
// before.
func (s *Server) verifyAssertion(r *http.Request, req tokenRequest) (Client, *oauthError) {
	if req.source == credBasic || req.form.Has("client_secret") {
		return Client{}, refuseClient("this endpoint authenticates clients by private_key_jwt: send client_assertion, not a client secret")
	}
	form := req.form
	for _, p := range []string{"client_assertion", "client_assertion_type"} {
		if len(form[p]) > 1 {
			return Client{}, badRequest(errInvalidRequest, "parameter "+p+" is repeated")
		}
	}
	switch t := form.Get("client_assertion_type"); {
	case !form.Has("client_assertion"):
		return Client{}, refuseClient("client_assertion is missing: this endpoint wants private_key_jwt")
	case t != assertionType:
		return Client{}, refuseClient(fmt.Sprintf("client_assertion_type must be %s", assertionType))
	}
	raw := form.Get("client_assertion")
	unverified := jwt.MapClaims{}
	head, _, err := jwt.NewParser().ParseUnverified(raw, unverified)
	if err != nil {
		return Client{}, refuseClient("client_assertion is not a JWT")
	}
	sub, _ := unverified.GetSubject()
	if id := form.Get("client_id"); id != "" && id != sub {
		return Client{}, refuseClient("client_id differs from the assertion's sub")
	}
	c, ok := s.clientByID(StylePrivateKeyJWT, sub)
	if !ok || c.PublicKey == nil {
		return Client{}, refuseClient(fmt.Sprintf("no private_key_jwt client %q is registered", sub))
	}
	if kid, _ := head.Header["kid"].(string); kid != "" && c.KeyID != "" && kid != c.KeyID {
		return Client{}, refuseClient(fmt.Sprintf("the assertion's kid %q is not the key registered for this client (kid %q)", kid, c.KeyID))
	}

	claims := jwt.MapClaims{}
	_, err = jwt.NewParser(
		jwt.WithValidMethods(algsFor(c.PublicKey)), jwt.WithTimeFunc(s.now), jwt.WithLeeway(assertionLeeway),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithIssuer(c.ClientID), jwt.WithSubject(c.ClientID),
	).ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return c.PublicKey, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return Client{}, refuseClient("the assertion's signature does not verify with the key registered for this client (or its alg does not suit it)")
	case errors.Is(err, jwt.ErrTokenExpired):
		return Client{}, refuseClient("the assertion has expired (exp is past)")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenInvalidSubject):
		return Client{}, refuseClient("iss and sub must both be the client id")
	case err != nil:
		return Client{}, refuseClient("the assertion is not valid: " + strings.TrimPrefix(err.Error(), "token has invalid claims: "))
	}
	iss := styleIssuer(r, StylePrivateKeyJWT)
	endpoint := issuer(r) + r.URL.Path
	aud, _ := claims.GetAudience()
	if !slices.ContainsFunc(aud, func(a string) bool { return a == iss || a == iss+"/" || a == endpoint }) {
		return Client{}, refuseClient(fmt.Sprintf("aud must be the issuer %s or the token endpoint %s", iss, endpoint))
	}
	jti, _ := claims["jti"].(string)
	if jti == "" {
		return Client{}, refuseClient("the assertion has no jti")
	}
	exp, _ := claims.GetExpirationTime()
	if !s.kc.useJTI(c.ClientID, jti, exp.Time, s.now()) {
		return Client{}, refuseClient("the assertion was used before (its jti is spent): sign a new one for every request")
	}
	return c, nil
}

// algsFor lists the signing algorithms a public key can verify.
func algsFor(pub crypto.PublicKey) []string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	case *ecdsa.PublicKey:
		switch k.Curve.Params().Name {
		case "P-256":
			return []string{"ES256"}
		case "P-384":
			return []string{"ES384"}
		case "P-521":
			return []string{"ES512"}
		}
	case ed25519.PublicKey:
		return []string{"EdDSA"}
	}
	return []string{}
}

// useJTI records that an assertion id was used, and reports false when it
// was used before (a replay). Ids are forgotten once their assertion
// expires, when it could not be replayed anyway.
func (kc *keyClients) useJTI(clientID, jti string, exp, now time.Time) bool {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	for k, until := range kc.jtis {
		if now.After(until.Add(assertionLeeway)) {
			delete(kc.jtis, k)
		}
	}
	key := clientID + " " + jti
	if _, seen := kc.jtis[key]; seen {
		return false
	}
	if kc.jtis == nil {
		kc.jtis = make(map[string]time.Time)
	}
	kc.jtis[key] = exp
	return true
}

// clientByID returns the registered client of the given style with id.
func (s *Server) clientByID(style, id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[id]
	if !ok || id == "" || s.clients[i].Style != style {
		return Client{}, false
	}
	return s.clients[i].clone(), true
}
