package interop

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// TestLoginDeclinedAtFosite: the user declines; fosite redirects with
// error=access_denied, tokentop's login ends with it and its hint, and no
// code reaches the token endpoint. Through the store the refusal is the
// provider's last error and no session is saved.
func TestLoginDeclinedAtFosite(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	s.SetDeny(true)
	u := newUserStore(t, s.ProviderFor(t, userApp))
	st := u.open(t)
	_, err := st.Login(t.Context(), u.p.Name, browser(t, nil, nil))
	e, ok := providers.AsError(err)
	if !ok || e.Code != "access_denied" || !strings.Contains(e.Description, "The user declined the login") || !strings.Contains(e.Hint, "approve it") {
		t.Fatalf("a declined login: %v (hint %q)", err, providers.HintFor(err))
	}
	if n := s.Requests("authorization_code"); n != 0 {
		t.Fatalf("%d code exchanges after a declined login", n)
	}
	sm, err := st.Summary(t.Context(), u.p.Name)
	if err != nil {
		t.Fatal(err)
	}
	if sm.LastError == nil || !strings.Contains(sm.LastError.Message, "access_denied") || sm.Token != nil {
		t.Fatalf("summary after a declined login: %+v, token %v", sm.LastError, sm.Token != nil)
	}
}

// TestIDTokenFaultsAtFosite: an ID token fosite signs is refused when it
// does not answer this login (the nonce was changed on the way, so fosite
// signed another) or when the JWKS no longer holds its key; the login
// keeps no token.
func TestIDTokenFaultsAtFosite(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	p := s.ProviderFor(t, userApp)
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)

	res, err := c.Login(t.Context(), p, browser(t, nil, func(q url.Values) { q.Set("nonce", "a-nonce-of-another-login") }))
	if !isIDTokenError(err, "a-nonce-of-another-login") || res.Token != nil {
		t.Fatalf("an ID token with another login's nonce: %v, token kept %v", err, res.Token != nil)
	}

	s.PublishOtherKey(t)
	res, err = c.Login(t.Context(), p, browser(t, nil, nil))
	if !isIDTokenError(err, "signature") || res.Token != nil {
		t.Fatalf("an ID token whose key the JWKS no longer holds: %v, token kept %v", err, res.Token != nil)
	}
}

// TestNoRefreshTokenWithoutOfflineAccess: fosite issues a refresh token
// only for offline_access; a login without it gets none, and past the
// access token's expiry the store says to log in again without asking
// fosite.
func TestNoRefreshTokenWithoutOfflineAccess(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	p := s.ProviderFor(t, userApp)
	p.Scopes = []string{"openid", "read"}
	u := newUserStore(t, p)
	st := u.open(t)
	tok := u.login(t, st)
	if tok.RefreshToken != "" || tok.IDToken == "" {
		t.Fatalf("a login without offline_access: refresh token %v, ID token %v", tok.RefreshToken != "", tok.IDToken != "")
	}
	u.clock.Set(tok.ExpiresAt)
	_, err := st.Token(t.Context(), p.Name, store.TokenOptions{})
	if !providers.NeedsLogin(err) || !strings.Contains(err.Error(), "expired") || !strings.Contains(err.Error(), "log in again: tokentop login "+p.Name) {
		t.Fatalf("past expiry with no refresh token: %v", err)
	}
	if n := s.Requests("refresh_token"); n != 0 {
		t.Fatalf("%d refreshes sent with no refresh token", n)
	}
}

// TestRefreshTokenGrantAtFosite: grant refresh_token, a session given by
// hand: the login uses the refresh token the user holds, fosite rotates
// it, and the store then refreshes with the rotated one.
func TestRefreshTokenGrantAtFosite(t *testing.T) {
	t.Parallel()
	s := newUserServer(t, userOptions{})
	given := login(t, s.ProviderFor(t, userApp), nil).Token.RefreshToken
	p := s.ProviderFor(t, userApp)
	p.Name, p.Grant, p.AuthorizeURL = "fosite-offline", providers.GrantRefreshToken, ""
	u := newUserStore(t, p)
	st := u.open(t)
	res, err := st.Login(t.Context(), p.Name, providers.LoginOptions{RefreshToken: given})
	if err != nil {
		t.Fatalf("login with a given refresh token: %v (hint %q)", err, providers.HintFor(err))
	}
	first := res.Token
	if first.RefreshToken == "" || first.RefreshToken == given || first.IDToken == "" {
		t.Fatal("fosite's rotated refresh token or its ID token was not kept")
	}
	u.intoMargin(t, first)
	again, err := st.Token(t.Context(), p.Name, store.TokenOptions{})
	if err != nil || again.Cached || again.Token.AccessToken == first.AccessToken {
		t.Fatalf("refresh inside the margin: %v", err)
	}
	if n := s.Requests("refresh_token"); n != 2 {
		t.Fatalf("%d refreshes at fosite, want 2 (the login's and the margin's)", n)
	}
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	_, err = c.Refresh(t.Context(), p, given, providers.FetchOptions{})
	wantLoginAgain(t, err, p.Name)
}
