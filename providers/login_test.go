package providers

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// loginEnv is the sandbox on loopback and its user-style providers.
type loginEnv struct {
	sb *sandbox.Server
	ts *httptest.Server
	ps map[string]Provider
}

func newLoginEnv(t *testing.T) *loginEnv {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Key: testsupport.RSAKey(0)})
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	list, err := LoadConfig(strings.NewReader(sb.ProvidersYAML(ts.URL)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	e := &loginEnv{sb: sb, ts: ts, ps: map[string]Provider{}}
	for _, p := range list {
		e.ps[p.Name] = p
	}
	return e
}

// browser is an automated user: it follows the authorization URL through
// the sandbox's login to the loopback redirect, as a browser would.
// mustLogIn logs p in through c with a browser that follows the URL.
func mustLogIn(t *testing.T, c *Client, p Provider) *Result {
	t.Helper()
	res, err := c.Login(context.Background(), p, LoginOptions{Timeout: time.Minute, Open: browser(t)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func browser(t *testing.T) func(string) error {
	return func(link string) error {
		resp, err := http.Get(link)
		if err != nil {
			t.Errorf("the browser could not follow %s: %v", link, err)
			return err
		}
		return resp.Body.Close()
	}
}

func TestLoginAuthorizationCodeWithPKCE(t *testing.T) {
	e := newLoginEnv(t)
	p := e.ps["user-login"]
	var shown string
	c := &Client{}
	res, err := c.Login(context.Background(), p, LoginOptions{Timeout: time.Minute, Show: func(u string) { shown = u }, Open: browser(t)})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	u, err := url.Parse(shown)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": p.ClientID, "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Errorf("authorize URL %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("code_challenge")) != 43 || q.Get("state") == "" || q.Get("nonce") == "" || !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
		t.Errorf("authorize URL lacks a challenge, state, nonce or loopback redirect: %s", shown)
	}
	tok := res.Token
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == "" || tok.RefreshExpiresAt.IsZero() {
		t.Fatalf("token %+v: want access, refresh and ID tokens and the refresh expiry", tok)
	}
	if got := claimString(tok.IDToken, "nonce"); got != q.Get("nonce") {
		t.Errorf("ID token nonce %q, want the login's %q", got, q.Get("nonce"))
	}
	for _, ex := range res.Exchanges {
		rec := ex.RequestBody + ex.ResponseBody
		for _, secret := range []string{tok.AccessToken, tok.RefreshToken, tok.IDToken, p.ClientSecret} {
			if strings.Contains(rec, secret) {
				t.Errorf("the flight record holds a secret: %s", rec)
			}
		}
		if strings.Contains(rec, "code_verifier="+q.Get("code_challenge")) {
			t.Errorf("record %s", rec)
		}
	}
}

func TestLoginWithoutRefreshToken(t *testing.T) {
	e := newLoginEnv(t)
	res, err := (&Client{}).Login(context.Background(), e.ps["user-norefresh"], LoginOptions{Timeout: time.Minute, Open: browser(t)})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if res.Token.RefreshToken != "" || res.Token.IDToken != "" {
		t.Errorf("user-norefresh got a refresh or ID token: %+v", res.Token)
	}
}

// TestLoginPublicClient: a client without a secret sends its client_id
// alone; PKCE binds the code to it.
func TestLoginPublicClient(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Key: testsupport.RSAKey(0)})
	sb.AddClient(sandbox.PublicUserClient())
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	list, err := LoadConfig(strings.NewReader(sb.ProvidersYAML(ts.URL)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.Name != "user-public" {
			continue
		}
		if p.ClientSecret != "" {
			t.Fatalf("the public client has a secret in the YAML")
		}
		res, err := (&Client{}).Login(context.Background(), p, LoginOptions{Timeout: time.Minute, Open: browser(t)})
		if err != nil {
			t.Fatalf("public login: %v", err)
		}
		if body := res.Exchanges[0].RequestBody; strings.Contains(body, "client_secret") || res.Exchanges[0].Credential != "" {
			t.Errorf("a public client sent a secret: %s", body)
		}
		if _, err := (&Client{}).Refresh(context.Background(), p, res.Token.RefreshToken, FetchOptions{}); err != nil {
			t.Errorf("public refresh: %v", err)
		}
		return
	}
	t.Fatal("no user-public provider in the YAML")
}

func TestLoginDenied(t *testing.T) {
	e := newLoginEnv(t)
	e.sb.SetLoginSwitches(sandbox.LoginSwitches{Deny: true})
	_, err := (&Client{}).Login(context.Background(), e.ps["user-login"], LoginOptions{Timeout: time.Minute, Open: browser(t)})
	e2, ok := AsError(err)
	if !ok || e2.Code != "access_denied" || !strings.Contains(err.Error(), "refused the login") {
		t.Fatalf("err %v, want access_denied", err)
	}
}

// TestLoginStateMismatchKeepsWaiting sends the listener a redirect with
// another state: it is refused (400) and the login still ends with the
// real one.
func TestLoginStateMismatchKeepsWaiting(t *testing.T) {
	e := newLoginEnv(t)
	var forged int
	open := func(link string) error {
		u, _ := url.Parse(link)
		redirect := u.Query().Get("redirect_uri")
		resp, err := http.Get(redirect + "?code=forged&state=not-the-state")
		if err != nil {
			return err
		}
		forged = resp.StatusCode
		resp.Body.Close()
		return browser(t)(link)
	}
	res, err := (&Client{}).Login(context.Background(), e.ps["user-login"], LoginOptions{Timeout: time.Minute, Open: open})
	if err != nil || res.Token == nil {
		t.Fatalf("login after a forged redirect: %v", err)
	}
	if forged != http.StatusBadRequest {
		t.Errorf("a redirect with another state got %d, want 400", forged)
	}
}

// TestLoginTimeout: nobody finishes the login; it ends with a message and
// the listener is closed.
func TestLoginTimeout(t *testing.T) {
	e := newLoginEnv(t)
	var redirect string
	show := func(link string) {
		u, _ := url.Parse(link)
		redirect = u.Query().Get("redirect_uri")
	}
	_, err := (&Client{}).Login(context.Background(), e.ps["user-login"], LoginOptions{Timeout: 50 * time.Millisecond, Show: show})
	if err == nil || !strings.Contains(err.Error(), "no login came back within 50ms") || !strings.Contains(err.Error(), "is closed") {
		t.Fatalf("err %v, want the timeout's words", err)
	}
	u, _ := url.Parse(redirect)
	if conn, err := net.Dial("tcp", u.Host); err == nil {
		conn.Close()
		t.Errorf("the listener on %s still accepts connections", u.Host)
	}
}

func TestLoginPortInUse(t *testing.T) {
	e := newLoginEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	p := e.ps["user-login"]
	p.RedirectPort = port
	_, err = (&Client{}).Login(context.Background(), p, LoginOptions{Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) || !strings.Contains(err.Error(), "redirect_port") {
		t.Fatalf("err %v, want the port named", err)
	}
}

func TestLoginConfiguredPort(t *testing.T) {
	e := newLoginEnv(t)
	_, portText, _ := net.SplitHostPort(testsupport.ClosedAddr(t))
	port, _ := strconv.Atoi(portText)
	p := e.ps["user-login"]
	p.RedirectPort = port
	var shown string
	_, err := (&Client{}).Login(context.Background(), p, LoginOptions{Timeout: time.Minute, Show: func(u string) { shown = u }, Open: browser(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown, url.QueryEscape("http://127.0.0.1:"+strconv.Itoa(port)+"/callback")) {
		t.Errorf("authorize URL %s does not redirect to port %d", shown, port)
	}
}

// TestCodeExchangeVerifier: the token endpoint refuses a code exchanged
// with a wrong verifier or none (invalid_grant).
func TestCodeExchangeVerifier(t *testing.T) {
	e := newLoginEnv(t)
	p := e.ps["user-login"]
	for _, verifier := range []string{"", NewVerifier()} {
		rd, err := ListenRedirect(0, "s")
		if err != nil {
			t.Fatal(err)
		}
		req := NewAuthRequest(p, rd.URI())
		req.State = "s"
		link, _ := AuthorizeURL(p, req)
		if err := browser(t)(link); err != nil {
			t.Fatal(err)
		}
		code, err := rd.Wait(context.Background())
		rd.Close()
		if err != nil {
			t.Fatal(err)
		}
		bad := req
		bad.Verifier = verifier
		form := codeForm(p, code, bad)
		if verifier == "" {
			form.Del("code_verifier")
		}
		_, err = (&Client{}).fetchGrant(context.Background(), p, FetchOptions{}, grantRequest{form: form})
		if e, ok := AsError(err); !ok || e.Code != "invalid_grant" {
			t.Errorf("verifier %q: err %v, want invalid_grant", verifier, err)
		}
	}
}

func TestRefreshRotatesAndRefusesReuse(t *testing.T) {
	e := newLoginEnv(t)
	p := e.ps["user-login"]
	c := &Client{}
	res := mustLogIn(t, c, p)
	first := res.Token.RefreshToken
	r2, err := c.Refresh(context.Background(), p, first, FetchOptions{})
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if r2.Token.RefreshToken == "" || r2.Token.RefreshToken == first || r2.Token.IDToken == "" {
		t.Errorf("refresh gave refresh token %q (first %q), ID token %q: want a new one of each", r2.Token.RefreshToken, first, r2.Token.IDToken)
	}
	_, err = c.Refresh(context.Background(), p, first, FetchOptions{})
	if !NeedsLogin(err) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("reusing a rotated refresh token: %v, want invalid_grant", err)
	}
	if e, _ := AsError(err); !strings.Contains(e.Hint, "tokentop login user-login") {
		t.Errorf("hint %q does not say to log in again", e.Hint)
	}
	if n := e.sb.Refreshes(p.ClientID); n != 1 {
		t.Errorf("%d refreshes served, want 1", n)
	}
}

func TestRefreshRevokedAtTheServer(t *testing.T) {
	e := newLoginEnv(t)
	p := e.ps["user-login"]
	c := &Client{}
	res := mustLogIn(t, c, p)
	if _, err := c.Revoke(context.Background(), p, res.Token.RefreshToken, EndpointOptions{TokenTypeHint: "refresh_token"}); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, err := c.Refresh(context.Background(), p, res.Token.RefreshToken, FetchOptions{}); !NeedsLogin(err) {
		t.Fatalf("refresh after revocation: %v, want invalid_grant", err)
	}
}

func TestIDTokenVerification(t *testing.T) {
	e := newLoginEnv(t)
	p := e.ps["user-login"]
	c := &Client{}
	res := mustLogIn(t, c, p)
	id := res.Token.IDToken
	if _, err := c.VerifyIDToken(context.Background(), p, id, "another-nonce"); err == nil || !strings.Contains(err.Error(), "nonce") {
		t.Errorf("wrong nonce: %v", err)
	}
	other := p
	other.ClientID = "someone-else"
	if _, err := c.VerifyIDToken(context.Background(), other, id, ""); err == nil {
		t.Errorf("an ID token for another audience verified")
	}
	forged, err := e.sb.MintBadSignature(p.Issuer, p.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyIDToken(context.Background(), p, forged, ""); err == nil {
		t.Errorf("a forged ID token verified")
	}
	wrongIss := p
	wrongIss.Issuer = e.ts.URL + "/elsewhere"
	if _, err := c.VerifyIDToken(context.Background(), wrongIss, id, ""); err == nil {
		t.Errorf("an ID token of another issuer verified")
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// TestLoginWithAGivenRefreshToken: grant refresh_token logs in with the
// refresh token the user holds; it is used at once and rotated.
func TestLoginWithAGivenRefreshToken(t *testing.T) {
	e := newLoginEnv(t)
	p := e.ps["user-refresh"]
	if p.Grant != GrantRefreshToken {
		t.Fatalf("user-refresh has grant %q", p.Grant)
	}
	if _, err := (&Client{}).Login(context.Background(), p, LoginOptions{}); err == nil || !strings.Contains(err.Error(), "refresh token you were given") {
		t.Fatalf("login without a refresh token: %v", err)
	}
	given, err := e.sb.IssueRefreshToken(p.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&Client{}).Login(context.Background(), p, LoginOptions{RefreshToken: given})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if res.Token.AccessToken == "" || res.Token.RefreshToken == "" || res.Token.RefreshToken == given {
		t.Errorf("token %+v: want an access token and a rotated refresh token", res.Token)
	}
	if _, err := (&Client{}).Login(context.Background(), p, LoginOptions{RefreshToken: given}); !NeedsLogin(err) {
		t.Errorf("the given refresh token, once used, still works: %v", err)
	}
}
