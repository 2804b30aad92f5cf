package sandbox

import (
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// userToken is the user style's token response (RFC 6749 §5.1 with a
// refresh token's lifetime and an OIDC ID token).
type userToken struct {
	AccessToken           string `json:"access_token"`
	TokenType             string `json:"token_type"`
	ExpiresIn             int64  `json:"expires_in"`
	Scope                 string `json:"scope,omitempty"`
	RefreshToken          string `json:"refresh_token,omitempty"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in,omitempty"`
	IDToken               string `json:"id_token,omitempty"`
}

// session is what a token answer is issued for: a code's or a refresh
// token's grant.
type session struct {
	client Client
	scopes []string
	nonce  string
	// refreshed: the answer to a refresh grant.
	refreshed bool
}

// handleUserToken is the user style's token endpoint: the
// authorization_code grant (the code once, its redirect_uri, the PKCE
// verifier) and the refresh_token grant (each refresh token once: a use
// returns a new one and the old is dead). Clients authenticate with HTTP
// Basic or the body; a client registered without a secret is public and
// sends only its client_id.
func (s *Server) handleUserToken(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r) {
		return
	}
	fail := func(status int, code, desc string) {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
		}
		writeTokenJSON(w, status, errorBody{Error: code, Description: desc})
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		fail(http.StatusMethodNotAllowed, errInvalidRequest, "use POST")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		fail(http.StatusBadRequest, errInvalidRequest, "Content-Type must be application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, errInvalidRequest, "the form body could not be read")
		return
	}
	c, ok := s.userTokenClient(r)
	if !ok {
		fail(http.StatusUnauthorized, errInvalidClient, "client authentication failed")
		return
	}
	var sess session
	var oe *oauthError
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		sess, oe = s.redeemCode(c, r)
	case "refresh_token":
		sess, oe = s.redeemRefresh(c, r)
	default:
		oe = badRequest(errUnsupportedGrant, "grant_type "+gt+" is not supported here: authorization_code or refresh_token")
	}
	if oe != nil {
		fail(oe.Status, oe.Code, oe.Desc)
		return
	}
	ans, err := s.issueSession(r, sess)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeTokenJSON(w, http.StatusOK, ans)
}

// userTokenClient authenticates the token request's client: Basic or
// body credentials of a user-style client, or a public client's bare
// client_id.
func (s *Server) userTokenClient(r *http.Request) (Client, bool) {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if h := r.Header.Get("Authorization"); h != "" {
		var err error
		if id, secret, err = parseBasic(h); err != nil {
			return Client{}, false
		}
	}
	c, ok := s.authenticateAny(id, secret)
	return c, ok && c.Style == StyleUser
}

// redeemCode checks an authorization_code grant (RFC 6749 §4.1.3, RFC
// 7636 §4.6). The code is spent whatever the outcome.
func (s *Server) redeemCode(c Client, r *http.Request) (session, *oauthError) {
	f := r.PostForm
	ac, ok := s.users.takeCode(f.Get("code"), s.now())
	switch {
	case !ok || ac.clientID != c.ClientID:
		return session{}, badRequest(errInvalidGrant, "the code is unknown, expired, spent or another client's")
	case f.Get("redirect_uri") != ac.redirectURI:
		return session{}, badRequest(errInvalidGrant, "redirect_uri differs from the authorization request's")
	case f.Get("code_verifier") == "":
		return session{}, badRequest(errInvalidGrant, "code_verifier is missing (PKCE)")
	case !pkceMatches(f.Get("code_verifier"), ac.challenge):
		return session{}, badRequest(errInvalidGrant, "code_verifier does not match the code_challenge")
	}
	return session{client: c, scopes: ac.scopes, nonce: ac.nonce}, nil
}

// redeemRefresh checks a refresh_token grant (RFC 6749 §6): the refresh
// token is spent (rotation) and a narrower scope may be asked.
func (s *Server) redeemRefresh(c Client, r *http.Request) (session, *oauthError) {
	g, ok := s.users.takeRefresh(r.PostForm.Get("refresh_token"), c.ClientID, s.now())
	if !ok {
		return session{}, badRequest(errInvalidGrant, "the refresh token is unknown, expired, revoked or already used")
	}
	scopes := g.scopes
	if asked := strings.Fields(r.PostForm.Get("scope")); len(asked) > 0 {
		granted, unknown := grantScopes(asked, g.scopes)
		if len(unknown) > 0 {
			return session{}, badRequest(errInvalidScope, "a refresh cannot widen the scope")
		}
		scopes = granted
	}
	return session{client: c, scopes: scopes, nonce: g.nonce, refreshed: true}, nil
}

// issueSession mints the access token, a new refresh token (unless the
// client or the switches say none) and, for openid, an ID token.
func (s *Server) issueSession(r *http.Request, sess session) (userToken, error) {
	now := s.now()
	c := sess.client
	at, err := s.mintJWT(newGrant(r, c, sess.scopes), now)
	if err != nil {
		return userToken{}, err
	}
	if err := s.record(c.ClientID, now, 0); err != nil {
		return userToken{}, err
	}
	ans := userToken{AccessToken: at.token, TokenType: "Bearer", ExpiresIn: int64(c.lifetime().Seconds()), Scope: strings.Join(sess.scopes, " ")}
	sw := s.users.switches()
	if !c.NoRefreshToken && !sw.NoRefreshTokens && !(sess.refreshed && sw.NoRotation) {
		life := c.RefreshLifetime
		if life <= 0 {
			life = defaultRefreshLife
		}
		rt := "rt." + randomString(32, base64.RawURLEncoding)
		if !s.users.putRefresh(rt, refreshGrant{clientID: c.ClientID, nonce: sess.nonce, scopes: sess.scopes, expires: now.Add(life)}, now) {
			return userToken{}, fmt.Errorf("too many refresh tokens in force")
		}
		ans.RefreshToken, ans.RefreshTokenExpiresIn = rt, int64(life.Seconds())
	}
	if containsScope(sess.scopes, "openid") {
		if ans.IDToken, err = s.mintIDToken(r, sess, now); err != nil {
			return userToken{}, err
		}
	}
	return ans, nil
}

// mintIDToken signs an OIDC ID token with the JWKS's current key.
func (s *Server) mintIDToken(r *http.Request, sess session, now time.Time) (string, error) {
	claims := jwt.MapClaims{
		"iss": styleIssuer(r, sess.client.Style), "sub": userSubject, "aud": sess.client.ClientID,
		"iat": now.Unix(), "auth_time": now.Unix(), "exp": now.Add(sess.client.lifetime()).Unix(),
		"name": "Sandbox User", "email": "user@sandbox.test",
	}
	if sess.nonce != "" {
		claims["nonce"] = sess.nonce
	}
	return s.signRS256(claims, nil)
}
