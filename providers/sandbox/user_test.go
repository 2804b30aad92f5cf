package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The user style's endpoints as a client sees them. The providers
// package's login tests drive them with tokentop's own client.

const testVerifier = "dBjftJeZ4CVP-mJ92K9Hd1kNLXvIxvLQXyrzVEWzZmQ0123"

func testChallenge() string {
	sum := sha256.Sum256([]byte(testVerifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize asks /user/authorize with params (defaults filled) and does
// not follow the redirect.
func (e *env) authorize(t *testing.T, params url.Values) (int, *url.URL) {
	t.Helper()
	c := e.client(t, "user-login")
	q := url.Values{"response_type": {"code"}, "client_id": {c.ClientID}, "redirect_uri": {"http://127.0.0.1:5555/callback"},
		"code_challenge": {testChallenge()}, "code_challenge_method": {"S256"}, "state": {"st"}, "scope": {"openid api/read"}, "nonce": {"n-1"}}
	for k, v := range params {
		if v == nil {
			q.Del(k)
		} else {
			q[k] = v
		}
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(e.ts.URL + pathUserAuthorize + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return resp.StatusCode, loc
}

func TestAuthorizeRefusesWithoutRedirecting(t *testing.T) {
	e := newEnv(t)
	for name, p := range map[string]url.Values{
		"unknown client":      {"client_id": {"nobody"}},
		"a client of no user": {"client_id": {e.client(t, "cognito-dev").ClientID}},
		"a remote redirect":   {"redirect_uri": {"http://evil.example:5555/callback"}},
		"https redirect":      {"redirect_uri": {"https://127.0.0.1:5555/callback"}},
		"another path":        {"redirect_uri": {"http://127.0.0.1:5555/elsewhere"}},
		"no port":             {"redirect_uri": {"http://127.0.0.1/callback"}},
		"localhost by name":   {"redirect_uri": {"http://localhost:5555/callback"}},
		"no redirect_uri":     {"redirect_uri": nil},
	} {
		if status, loc := e.authorize(t, p); status != http.StatusBadRequest || loc.String() != "" {
			t.Errorf("%s: %d to %q, want 400 and no redirect", name, status, loc)
		}
	}
}

func TestAuthorizeErrorsGoBackToTheRedirect(t *testing.T) {
	e := newEnv(t)
	for name, tc := range map[string]struct {
		p    url.Values
		code string
	}{
		"plain PKCE":      {url.Values{"code_challenge_method": {"plain"}}, "invalid_request"},
		"no PKCE":         {url.Values{"code_challenge": nil, "code_challenge_method": nil}, "invalid_request"},
		"short challenge": {url.Values{"code_challenge": {"abc"}}, "invalid_request"},
		"implicit":        {url.Values{"response_type": {"token"}}, "unsupported_response_type"},
		"unknown scope":   {url.Values{"scope": {"admin"}}, "invalid_scope"},
	} {
		status, loc := e.authorize(t, tc.p)
		if status != http.StatusFound || loc.Query().Get("error") != tc.code || loc.Query().Get("state") != "st" || loc.Query().Get("code") != "" {
			t.Errorf("%s: %d to %s, want an error %s with the state", name, status, loc, tc.code)
		}
	}
	e.s.SetLoginSwitches(LoginSwitches{Deny: true})
	if _, loc := e.authorize(t, nil); loc.Query().Get("error") != "access_denied" {
		t.Errorf("denied login redirected to %s", loc)
	}
}

// exchange posts a code exchange as user-login.
func (e *env) exchange(t *testing.T, form url.Values) (int, map[string]any) {
	t.Helper()
	c := e.client(t, "user-login")
	r := e.token(t, tokenCall{path: pathUserToken, form: form, basic: &[2]string{c.ClientID, c.ClientSecret}})
	var m map[string]any
	_ = json.Unmarshal(r.body, &m)
	return r.status, m
}

func TestCodeExchangeChecks(t *testing.T) {
	e := newEnv(t)
	code := func() string {
		_, loc := e.authorize(t, nil)
		return loc.Query().Get("code")
	}
	good := func(c string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {"http://127.0.0.1:5555/callback"}, "code_verifier": {testVerifier}}
	}
	for name, mutate := range map[string]func(url.Values){
		"no verifier":      func(f url.Values) { f.Del("code_verifier") },
		"wrong verifier":   func(f url.Values) { f.Set("code_verifier", strings.Repeat("x", 43)) },
		"another redirect": func(f url.Values) { f.Set("redirect_uri", "http://127.0.0.1:6666/callback") },
		"an unknown code":  func(f url.Values) { f.Set("code", "made-up") },
	} {
		f := good(code())
		mutate(f)
		if status, m := e.exchange(t, f); status != http.StatusBadRequest || m["error"] != "invalid_grant" {
			t.Errorf("%s: %d %v, want invalid_grant", name, status, m)
		}
	}
	c := code()
	status, m := e.exchange(t, good(c))
	if status != http.StatusOK || m["refresh_token"] == nil || m["id_token"] == nil {
		t.Fatalf("exchange: %d %v", status, m)
	}
	if status, m := e.exchange(t, good(c)); status != http.StatusBadRequest || m["error"] != "invalid_grant" {
		t.Errorf("a code used twice: %d %v", status, m)
	}
	stale := code()
	e.clk.Add(2 * time.Minute)
	if status, m := e.exchange(t, good(stale)); status != http.StatusBadRequest || m["error"] != "invalid_grant" {
		t.Errorf("an expired code: %d %v", status, m)
	}
}

func TestRefreshRotationAndSwitches(t *testing.T) {
	e := newEnv(t)
	_, loc := e.authorize(t, nil)
	_, m := e.exchange(t, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"http://127.0.0.1:5555/callback"}, "code_verifier": {testVerifier}})
	rt, _ := m["refresh_token"].(string)
	refresh := func(tok string) (int, map[string]any) {
		return e.exchange(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}})
	}
	status, m := refresh(rt)
	next, _ := m["refresh_token"].(string)
	if status != http.StatusOK || next == "" || next == rt {
		t.Fatalf("refresh: %d %v, want a new refresh token", status, m)
	}
	if status, m := refresh(rt); status != http.StatusBadRequest || m["error"] != "invalid_grant" {
		t.Errorf("a rotated-out refresh token: %d %v", status, m)
	}
	e.s.SetLoginSwitches(LoginSwitches{NoRefreshTokens: true})
	status, m = refresh(next)
	if status != http.StatusOK || m["refresh_token"] != nil {
		t.Errorf("with NoRefreshTokens: %d %v", status, m)
	}
	if n := e.s.Refreshes(e.client(t, "user-login").ClientID); n != 2 {
		t.Errorf("%d refreshes counted, want 2", n)
	}
}
