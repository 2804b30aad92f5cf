package store

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// loginEnv is the sandbox on loopback and a store holding its user-style
// providers, on one settable clock.
type loginEnv struct {
	sb    *sandbox.Server
	url   string
	clock *testsupport.Clock
	s     *Store
	path  string
	ps    map[string]providers.Provider
}

func newLoginEnv(t *testing.T) *loginEnv {
	t.Helper()
	clock := testsupport.NewClock(time.Now())
	sb := sandbox.New(sandbox.Options{Key: testsupport.RSAKey(0), Now: clock.Now})
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	list, err := providers.LoadConfig(strings.NewReader(sb.ProvidersYAML(ts.URL)), func(string) (string, bool) { return "", false })
	must(t, err)
	e := &loginEnv{sb: sb, url: ts.URL, clock: clock, path: testDB(t), ps: map[string]providers.Provider{}}
	e.s = openStore(t, Options{Path: e.path, Now: clock.Now, Client: &providers.Client{Now: clock.Now}})
	for _, p := range list {
		if p.Grant.UserLogin() {
			e.ps[p.Name] = p
			must(t, e.s.PutProvider(t.Context(), p))
		}
	}
	return e
}

// browser follows the authorization URL to the loopback redirect, as a
// user who approves would.
func browser(t *testing.T) providers.LoginOptions {
	return providers.LoginOptions{Timeout: time.Minute, Open: func(link string) error {
		resp, err := http.Get(link)
		if err != nil {
			t.Errorf("browser: %v", err)
			return err
		}
		return resp.Body.Close()
	}}
}

func (e *loginEnv) login(t *testing.T, name string) *TokenResult {
	t.Helper()
	res, err := e.s.Login(t.Context(), name, browser(t))
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	return res
}

func TestLoginSavesTheSessionSealed(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	res := e.login(t, "user-login")
	tok := res.Token
	if tok.RefreshToken == "" || tok.IDToken == "" {
		t.Fatalf("login token %+v: want refresh and ID tokens", tok)
	}
	got, err := e.s.Token(ctx, "user-login", TokenOptions{})
	must(t, err)
	if !got.Cached || got.Token.AccessToken != tok.AccessToken || got.Token.IDToken != tok.IDToken || got.Token.RefreshToken != tok.RefreshToken {
		t.Errorf("Token after login: cached %v, a different session", got.Cached)
	}
	sm, err := e.s.Summary(ctx, "user-login")
	must(t, err)
	if !sm.Refreshable || !sm.HasIDToken || sm.NeedsLogin || sm.Token.RefreshToken != "" || sm.Token.IDToken != "" || sm.Token.RefreshExpiresAt.IsZero() {
		t.Errorf("summary: refreshable %v id %v needs login %v token %+v", sm.Refreshable, sm.HasIDToken, sm.NeedsLogin, sm.Token)
	}
	hist, err := e.s.History(ctx, "user-login")
	must(t, err)
	if len(hist) == 0 {
		t.Fatal("the login left no flight record")
	}
	e.s.Close()
	raw, err := os.ReadFile(e.path)
	must(t, err)
	for what, secret := range map[string]string{"access": tok.AccessToken, "refresh": tok.RefreshToken, "ID": tok.IDToken} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the database file holds the %s token in the clear", what)
		}
		for _, ex := range hist {
			if strings.Contains(ex.RequestBody+ex.ResponseBody+ex.Error, secret) {
				t.Errorf("the flight record holds the %s token", what)
			}
		}
	}
}

func TestRefreshRotatesInTheStore(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	first := e.login(t, "user-login").Token
	e.clock.Add(9*time.Minute + 30*time.Second) // a 10-minute token, inside its margin
	res, err := e.s.Token(ctx, "user-login", TokenOptions{})
	must(t, err)
	if res.Cached || res.Token.AccessToken == first.AccessToken {
		t.Fatal("the token inside its margin was handed out, not refreshed")
	}
	if n := e.sb.Refreshes(e.ps["user-login"].ClientID); n != 1 {
		t.Errorf("%d refreshes at the server, want 1", n)
	}
	kept, err := e.s.CachedToken(ctx, "user-login")
	must(t, err)
	if kept.RefreshToken == "" || kept.RefreshToken == first.RefreshToken || kept.AccessToken != res.Token.AccessToken {
		t.Errorf("the rotated refresh token was not saved with the new access token")
	}
	if kept.IDToken == "" {
		t.Errorf("the ID token was lost on refresh")
	}
}

func TestRevokedRefreshTokenNeedsLogin(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	e.login(t, "user-login")
	e.sb.RevokeRefreshTokens(e.ps["user-login"].ClientID)
	e.clock.Add(11 * time.Minute)
	_, err := e.s.Token(ctx, "user-login", TokenOptions{})
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("refresh with a revoked refresh token: %v, want invalid_grant", err)
	}
	if e2, ok := providers.AsError(err); !ok || !strings.Contains(e2.Hint, "log in again: tokentop login user-login") {
		t.Errorf("hint of %v does not say to log in again", err)
	}
	sm, err := e.s.Summary(ctx, "user-login")
	must(t, err)
	if !sm.NeedsLogin || sm.Refreshable || sm.LastError == nil || !strings.Contains(sm.LastError.Hint, "tokentop login user-login") {
		t.Errorf("summary after the refusal: needs login %v, refreshable %v, last error %+v", sm.NeedsLogin, sm.Refreshable, sm.LastError)
	}
	// The refused refresh token is forgotten: the next call says so
	// without asking the server.
	_, err = e.s.Token(ctx, "user-login", TokenOptions{})
	if !providers.NeedsLogin(err) || !strings.Contains(err.Error(), "no refresh token") {
		t.Fatalf("second call: %v", err)
	}
	e.login(t, "user-login")
	sm, err = e.s.Summary(ctx, "user-login")
	must(t, err)
	if sm.NeedsLogin || sm.LastError != nil {
		t.Errorf("after a new login: needs login %v, last error %+v", sm.NeedsLogin, sm.LastError)
	}
}

// TestNoRefreshTokenNeedsLoginAtExpiry: a server that never returns a
// refresh token; once the access token is spent, only a login helps.
func TestNoRefreshTokenNeedsLoginAtExpiry(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	if tok := e.login(t, "user-norefresh").Token; tok.RefreshToken != "" {
		t.Fatalf("user-norefresh got a refresh token")
	}
	e.clock.Add(59*time.Minute + 30*time.Second) // inside the margin, alive
	res, err := e.s.Token(ctx, "user-norefresh", TokenOptions{})
	if err != nil || len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "dies in 30s") || !strings.Contains(res.Warnings[0], "log in again") {
		t.Fatalf("a live token that cannot be renewed: %v, warnings %q", err, res.Warnings)
	}
	e.clock.Add(time.Minute)
	_, err = e.s.Token(ctx, "user-norefresh", TokenOptions{})
	if !providers.NeedsLogin(err) || !strings.Contains(err.Error(), "expired") || !strings.Contains(err.Error(), "log in again: tokentop login user-norefresh") {
		t.Fatalf("err %v, want: expired, log in again", err)
	}
	sm, err := e.s.Summary(ctx, "user-norefresh")
	must(t, err)
	if !sm.NeedsLogin {
		t.Error("the summary does not say it needs a login")
	}
}

func TestLoginNeverDoneNeedsLogin(t *testing.T) {
	e := newLoginEnv(t)
	_, err := e.s.Token(t.Context(), "user-login", TokenOptions{})
	if !providers.NeedsLogin(err) || !strings.Contains(err.Error(), "nobody has logged in yet") || !strings.Contains(err.Error(), "tokentop login user-login") {
		t.Fatalf("err %v", err)
	}
}

func TestLoginDeniedIsRecorded(t *testing.T) {
	e := newLoginEnv(t)
	e.sb.SetLoginSwitches(sandbox.LoginSwitches{Deny: true})
	_, err := e.s.Login(t.Context(), "user-login", browser(t))
	if err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Fatalf("err %v", err)
	}
	sm, err := e.s.Summary(context.Background(), "user-login")
	must(t, err)
	if sm.LastError == nil || !strings.Contains(sm.LastError.Message, "access_denied") || sm.Token != nil {
		t.Errorf("summary after a refused login: %+v token %v", sm.LastError, sm.Token)
	}
}

// TestRefreshWithoutRotationKeepsTheRefreshToken: a server that answers a
// refresh with no new refresh token leaves the old one in force; it is
// kept and used again.
func TestRefreshWithoutRotationKeepsTheRefreshToken(t *testing.T) {
	e := newLoginEnv(t)
	ctx := t.Context()
	first := e.login(t, "user-login").Token
	e.sb.SetLoginSwitches(sandbox.LoginSwitches{NoRotation: true})
	for i := range 2 {
		e.clock.Add(10 * time.Minute)
		res, err := e.s.Token(ctx, "user-login", TokenOptions{})
		must(t, err)
		kept, err := e.s.CachedToken(ctx, "user-login")
		must(t, err)
		if res.Cached || kept.RefreshToken != first.RefreshToken || !kept.RefreshExpiresAt.Equal(first.RefreshExpiresAt) || kept.IDToken == "" {
			t.Fatalf("refresh %d: cached %v, the refresh token or its expiry or the ID token was not kept", i+1, res.Cached)
		}
	}
	if n := e.sb.Refreshes(e.ps["user-login"].ClientID); n != 2 {
		t.Errorf("%d refreshes, want 2", n)
	}
}
