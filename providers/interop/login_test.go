package interop

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/jwtverify"
)

// browser is a user who approves: it follows the authorization URL
// through fosite's authorize endpoint to tokentop's loopback redirect, as
// a browser would, after edit (when set) has changed the URL's query. It
// keeps the URL it was given.
func browser(t *testing.T, seen *string, edit func(url.Values)) providers.LoginOptions {
	t.Helper()
	return providers.LoginOptions{Timeout: time.Minute, Open: func(link string) error {
		if seen != nil {
			*seen = link
		}
		u, err := url.Parse(link)
		if err != nil {
			t.Errorf("browser: %v", err)
			return err
		}
		if edit != nil {
			q := u.Query()
			edit(q)
			u.RawQuery = q.Encode()
		}
		resp, err := http.Get(u.String())
		if err != nil {
			t.Errorf("browser: %v", err)
			return err
		}
		return resp.Body.Close()
	}}
}

// login logs p in with a fresh client, as a user who approves.
func login(t *testing.T, p providers.Provider, seen *string) *providers.Result {
	t.Helper()
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	res, err := c.Login(t.Context(), p, browser(t, seen, nil))
	if err != nil {
		t.Fatalf("login: %v (hint %q)", err, providers.HintFor(err))
	}
	return res
}

// wantNoSecrets fails when an exchange, as stored and shown, holds any of
// secrets.
func wantNoSecrets(t *testing.T, exs []providers.Exchange, secrets ...string) {
	t.Helper()
	b, err := json.Marshal(exs)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range secrets {
		if sec != "" && strings.Contains(string(b), sec) {
			t.Fatalf("a flight record holds a secret %q: %s", sec, b)
		}
	}
}

// TestLoginCodePKCE: tokentop's login against fosite with PKCE enforced,
// for a confidential and a public native app: the code comes back to the
// loopback listener, the exchange brings access, refresh and ID tokens,
// the ID token verifies (signature against fosite's JWKS found by
// discovery, iss, aud = client_id, the login's nonce), and no record holds
// a token, the code, the verifier or the secret.
func TestLoginCodePKCE(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	for _, name := range []string{userApp, userPublic} {
		t.Run(name, func(t *testing.T) {
			p := s.ProviderFor(t, name)
			var link string
			res := login(t, p, &link)
			u, err := url.Parse(link)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" {
				t.Fatalf("authorize URL %s", link)
			}
			tok := res.Token
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == "" || tok.Scope != "openid offline_access read" {
				t.Fatalf("token: access %v, refresh %v, ID %v, scope %q", tok.AccessToken != "", tok.RefreshToken != "", tok.IDToken != "", tok.Scope)
			}
			if tok.ExpirySource != "expires_in" || tok.Lifetime() != expiresIn(t, res.Exchanges) || tok.Lifetime() > 10*time.Minute {
				t.Fatalf("expiry %s from %q", tok.Lifetime(), tok.ExpirySource)
			}
			if got := s.Introspect(t, tok.AccessToken); got["active"] != true || got["sub"] != userSubject || got["client_id"] != name {
				t.Fatalf("fosite's introspection of the access token: %v", got)
			}
			claims, err := jwtclaims.Decode(tok.IDToken)
			if err != nil {
				t.Fatal(err)
			}
			if claims.Issuer != s.Issuer || !slices.Equal(claims.Audience, []string{name}) || claims.Subject != userSubject || claims.KeyID != s.signing.KeyID {
				t.Fatalf("ID token claims %+v", claims)
			}
			wantIDTokenChecks(t, s, p, tok.IDToken, q.Get("nonce"))
			code := s.Codes()[len(s.Codes())-1]
			wantNoSecrets(t, res.Exchanges, tok.AccessToken, tok.RefreshToken, tok.IDToken, code, p.ClientSecret)
			if !strings.Contains(res.Exchanges[0].RequestBody, "code_verifier="+url.QueryEscape(providers.Redacted)) {
				t.Fatalf("the verifier is not redacted in %q", res.Exchanges[0].RequestBody)
			}
		})
	}
	if n := s.Requests("authorization_code"); n != 2 {
		t.Fatalf("%d code exchanges, want 2", n)
	}
	if errs, desc := s.TokenErrors(); len(errs) != 0 {
		t.Fatalf("fosite refused %v: %s", errs, desc)
	}
}

// wantIDTokenChecks verifies raw again through tokentop's verifier and
// checks each part: the signature with fosite's key, the issuer, the
// audience; the login's nonce, and that another nonce or another
// signature is refused.
func wantIDTokenChecks(t *testing.T, s *userServer, p providers.Provider, raw, nonce string) {
	t.Helper()
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	v, err := c.VerifyIDToken(t.Context(), p, raw, nonce)
	if err != nil {
		t.Fatalf("the ID token does not verify: %v", err)
	}
	if v.Verdict != jwtverify.VerdictValid || len(v.Checks) == 0 {
		t.Fatalf("verification %+v", v)
	}
	if _, err := c.VerifyIDToken(t.Context(), p, raw, nonce+"x"); !isIDTokenError(err, "nonce") {
		t.Fatalf("an ID token checked against another nonce: %v", err)
	}
	forged := raw[:strings.LastIndex(raw, ".")+1] + strings.Repeat("A", len(raw)-strings.LastIndex(raw, ".")-1)
	if _, err := c.VerifyIDToken(t.Context(), p, forged, nonce); !isIDTokenError(err, "") {
		t.Fatalf("an ID token with another signature: %v", err)
	}
	other := p
	other.ClientID = "someone-else"
	if _, err := c.VerifyIDToken(t.Context(), other, raw, nonce); !isIDTokenError(err, "") {
		t.Fatalf("an ID token for another client: %v", err)
	}
}

// isIDTokenError reports whether err is tokentop's refusal of an ID
// token, its words holding words.
func isIDTokenError(err error, words string) bool {
	e, ok := providers.AsError(err)
	return ok && e.Code == "invalid_id_token" && strings.Contains(e.Error(), words)
}

// TestRefreshRotatesAtFosite: a refresh brings a new access token, a new
// refresh token and a new ID token (verified); the rotated-out refresh
// token is refused by fosite with invalid_grant, which tokentop turns into
// "log in again". fosite then revokes the whole family (reuse detection),
// the new refresh token too, and tokentop says the same.
func TestRefreshRotatesAtFosite(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	p := s.ProviderFor(t, userApp)
	first := login(t, p, nil).Token
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	res, err := c.Refresh(t.Context(), p, first.RefreshToken, providers.FetchOptions{})
	if err != nil {
		t.Fatalf("refresh: %v (hint %q)", err, providers.HintFor(err))
	}
	tok := res.Token
	if tok.AccessToken == first.AccessToken || tok.RefreshToken == "" || tok.RefreshToken == first.RefreshToken || tok.IDToken == "" || tok.IDToken == first.IDToken {
		t.Fatal("the refresh did not bring new access, refresh and ID tokens")
	}
	if got := s.Introspect(t, first.AccessToken); got["active"] != false {
		t.Fatalf("fosite still takes the first access token: %v", got)
	}
	wantNoSecrets(t, res.Exchanges, first.RefreshToken, tok.AccessToken, tok.RefreshToken, tok.IDToken, p.ClientSecret)

	for _, rt := range []string{first.RefreshToken, tok.RefreshToken} {
		res, err := c.Refresh(t.Context(), p, rt, providers.FetchOptions{})
		wantLoginAgain(t, err, p.Name)
		if res.Token != nil || res.Exchanges[len(res.Exchanges)-1].Hint != providers.HintFor(err) {
			t.Fatalf("a refused refresh: token %v, record hint %q", res.Token != nil, res.Exchanges[len(res.Exchanges)-1].Hint)
		}
	}
	if n := s.Requests("refresh_token"); n != 3 {
		t.Fatalf("%d refreshes at fosite, want 3", n)
	}
}

// wantLoginAgain fails unless err is the server's invalid_grant with the
// hint to log in again as name.
func wantLoginAgain(t *testing.T, err error, name string) {
	t.Helper()
	e, ok := providers.AsError(err)
	if !ok || e.Code != "invalid_grant" || !providers.NeedsLogin(err) {
		t.Fatalf("err %v, want invalid_grant", err)
	}
	if !strings.Contains(e.Hint, "log in again: tokentop login "+name) {
		t.Fatalf("hint %q does not say to log in again", e.Hint)
	}
}

// TestPKCEEnforcedByFosite: fosite refuses a code whose verifier does not
// match its challenge (the challenge was changed on the way, so tokentop's
// verifier is not the one), with a hint that names PKCE and says to log in
// again; a token request with no verifier at all; and an authorization
// request with no challenge or the plain method, which never gets to the
// token endpoint.
func TestPKCEEnforcedByFosite(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	p := s.ProviderFor(t, userApp)
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)

	res, err := c.Login(t.Context(), p, browser(t, nil, func(q url.Values) {
		q.Set("code_challenge", providers.Challenge(providers.NewVerifier()))
	}))
	e, ok := providers.AsError(err)
	if !ok || e.Code != "invalid_grant" || res.Token != nil || !strings.Contains(e.Description, "PKCE code challenge did not match") {
		t.Fatalf("a code with another challenge: %v", err)
	}
	for _, words := range []string{"code_verifier", "PKCE", "log in again: tokentop login " + p.Name} {
		if !strings.Contains(e.Hint, words) {
			t.Fatalf("hint %q does not say %q", e.Hint, words)
		}
	}

	code, redirectURI := authorizeOnly(t, s, p)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "client_id": {p.ClientID}}
	if status, answer := s.post(t, s.TokenURL, form); status != http.StatusBadRequest || answer["error"] != "invalid_grant" {
		t.Fatalf("a code exchanged with no verifier: %d %v", status, answer)
	}

	before := s.Requests("authorization_code")
	for what, edit := range map[string]func(url.Values){
		"code_challenge":       func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") },
		"plain is not allowed": func(q url.Values) { q.Set("code_challenge_method", "plain") },
	} {
		res, err := c.Login(t.Context(), p, browser(t, nil, edit))
		e, ok := providers.AsError(err)
		if !ok || e.Code != "invalid_request" || !strings.Contains(err.Error(), what) || res.Token != nil || len(res.Exchanges) != 0 {
			t.Fatalf("a login whose request lacks %s: %v", what, err)
		}
	}
	if n := s.Requests("authorization_code"); n != before {
		t.Fatalf("a refused authorization request reached the token endpoint (%d exchanges)", n-before)
	}
}

// authorizeOnly runs the browser half of a login by hand (tokentop's
// listener, request and URL): the code fosite issued and the redirect URI.
func authorizeOnly(t *testing.T, s *userServer, p providers.Provider) (string, string) {
	t.Helper()
	rd, err := providers.ListenRedirect(0, "state-of-this-login")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	req := providers.NewAuthRequest(p, rd.URI())
	req.State = "state-of-this-login"
	link, err := providers.AuthorizeURL(p, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := browser(t, nil, nil).Open(link); err != nil {
		t.Fatal(err)
	}
	code, err := rd.Wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return code, rd.URI()
}

// TestStateMismatchNeverReachesFosite: a redirect that carries a real
// fosite code but another login's state (a stale tab, or a forged link)
// is refused by tokentop's listener and its code is never sent to the
// token endpoint; the real redirect still ends the login. With no real
// redirect the login ends at its timeout, and nothing was exchanged.
func TestStateMismatchNeverReachesFosite(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	p := s.ProviderFor(t, userApp)
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// stale asks fosite for a code under another state, and takes the
	// redirect it gets to tokentop's listener.
	var staleCode string
	var staleStatus int
	stale := func(link string) error {
		u, _ := url.Parse(link)
		q := u.Query()
		q.Set("state", "another-login-state")
		u.RawQuery = q.Encode()
		resp, err := noFollow.Get(u.String())
		if err != nil {
			return err
		}
		resp.Body.Close()
		back, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			return err
		}
		staleCode = back.Query().Get("code")
		r2, err := http.Get(back.String())
		if err != nil {
			return err
		}
		staleStatus = r2.StatusCode
		return r2.Body.Close()
	}
	o := browser(t, nil, nil)
	real := o.Open
	o.Open = func(link string) error {
		if err := stale(link); err != nil {
			return err
		}
		return real(link)
	}
	res, err := c.Login(t.Context(), p, o)
	if err != nil || res.Token == nil {
		t.Fatalf("login after a stale redirect: %v", err)
	}
	if staleCode == "" || staleStatus != http.StatusBadRequest {
		t.Fatalf("the stale redirect: code %q, listener answered %d, want 400", staleCode, staleStatus)
	}
	if codes := s.Codes(); len(codes) != 1 || codes[0] == staleCode {
		t.Fatalf("fosite's token endpoint got codes %d (the stale one among them: %v)", len(codes), slices.Contains(codes, staleCode))
	}

	o = providers.LoginOptions{Timeout: time.Second, Open: stale}
	_, err = c.Login(t.Context(), p, o)
	if err == nil || !strings.Contains(err.Error(), "no login came back") {
		t.Fatalf("a login that only saw another state's redirect: %v", err)
	}
	if n := s.Requests("authorization_code"); n != 1 {
		t.Fatalf("%d code exchanges at fosite, want the first login's alone", n)
	}
}
