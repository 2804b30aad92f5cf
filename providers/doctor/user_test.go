package doctor

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/discovery"
)

// userSession logs the user of p in at the sandbox (a browser that
// approves follows the URL) and returns the session's token.
func userSession(t *testing.T, c *providers.Client, p providers.Provider) *providers.Token {
	t.Helper()
	res, err := c.Login(t.Context(), p, providers.LoginOptions{Timeout: time.Minute, Open: func(link string) error {
		resp, err := http.Get(link)
		if err != nil {
			t.Errorf("browser: %v", err)
			return err
		}
		return resp.Body.Close()
	}})
	if err != nil {
		t.Fatalf("login %s: %v", p.Name, err)
	}
	return res.Token
}

// refreshFetch is an Options.Fetch without a store: a refresh with the
// session's refresh token, always.
func refreshFetch(c *providers.Client, p providers.Provider, tok *providers.Token) func(context.Context, Retry) (Fetched, error) {
	return func(ctx context.Context, _ Retry) (Fetched, error) {
		res, err := c.Refresh(ctx, p, tok.RefreshToken, providers.FetchOptions{})
		if err != nil {
			return Fetched{Exchanges: res.Exchanges}, err
		}
		return Fetched{Token: res.Token, Exchanges: res.Exchanges}, nil
	}
}

func staticSession(s Session) func(context.Context) (Session, error) {
	return func(context.Context) (Session, error) { return s, nil }
}

func TestUserDoctorHealthySession(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["user-login"]
	tok := userSession(t, c, p)
	d := Run(t.Context(), c, p, Options{Fetch: refreshFetch(c, p, tok), Session: staticSession(Session{Token: tok})})
	var names []string
	for _, ch := range d.Checks {
		names = append(names, ch.Name)
		if ch.Status == check.Fail {
			t.Errorf("%s failed: %s (%s)", ch.Name, ch.Detail, ch.Hint)
		}
	}
	want := strings.Join([]string{StepDiscovery, StepLoginEndpoints, StepPKCE, StepAuthMethods, StepSession, StepRefresh, StepIDToken, StepScopes}, ",")
	if !strings.Contains(strings.Join(names, ","), want) {
		t.Fatalf("steps %v, want %s in that order", names, want)
	}
	wantStatus(t, checkNamed(t, d, StepLoginEndpoints), check.Pass, "authorize_url "+p.AuthorizeURL)
	wantStatus(t, checkNamed(t, d, StepPKCE), check.Pass, "S256 (advertised: S256)")
	wantStatus(t, checkNamed(t, d, StepSession), check.Pass, "the refresh token expires in")
	wantStatus(t, checkNamed(t, d, StepRefresh), check.Pass, "the refresh token rotated")
	wantStatus(t, checkNamed(t, d, StepIDToken), check.Pass, "verified: signature, iss, aud · sub sandbox-user")
	wantStatus(t, checkNamed(t, d, firstJWTStep(d)), check.Pass, "")
	if d.Token == nil || d.Token.RefreshToken != "" || d.Token.IDToken != "" {
		t.Fatalf("the diagnosis's token %+v: want the access token alone", d.Token)
	}
	if len(d.Secrets) < 3 {
		t.Errorf("the run kept %d session secrets, want the old and new refresh tokens and the ID tokens", len(d.Secrets))
	}
	for _, ch := range d.Checks {
		for _, s := range append(d.Secrets, tok.AccessToken, d.Token.AccessToken, p.ClientSecret) {
			if strings.Contains(ch.Detail+ch.Hint, s) {
				t.Fatalf("%s shows a secret: %q", ch.Name, ch.Detail)
			}
		}
	}
}

// firstJWTStep is the first JWT step of d, whatever its name.
func firstJWTStep(d *Diagnosis) string {
	for _, ch := range d.Checks {
		if strings.HasPrefix(ch.Name, StepJWT) {
			return ch.Name
		}
	}
	return StepJWT
}

// TestUserDoctorIDTokenSaysWhichCheckFailed: a tampered signature, then an
// ID token for another client, each failure named.
func TestUserDoctorIDTokenSaysWhichCheckFailed(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["user-login"]
	tok := userSession(t, c, p)
	// No refresh token: nothing is spent, the session's tokens are checked.
	bad := *tok
	bad.RefreshToken = ""
	parts := strings.Split(bad.IDToken, ".")
	sig := []byte(parts[2])
	if sig[10] == 'A' {
		sig[10] = 'B'
	} else {
		sig[10] = 'A'
	}
	bad.IDToken = parts[0] + "." + parts[1] + "." + string(sig)
	d := Run(t.Context(), c, p, Options{Session: staticSession(Session{Token: &bad})})
	wantStatus(t, checkNamed(t, d, StepSession), check.Warn, "no refresh token: the session ends then")
	wantStatus(t, checkNamed(t, d, StepRefresh), check.Skip, "no refresh token to try")
	wantStatus(t, checkNamed(t, d, StepIDToken), check.Fail, "does not verify: signature")

	other := p
	other.ClientID = "someone-else"
	d = Run(t.Context(), c, other, Options{Session: staticSession(Session{Token: &providers.Token{AccessToken: tok.AccessToken, ExpiresAt: tok.ExpiresAt, IDToken: tok.IDToken}})})
	ch := checkNamed(t, d, StepIDToken)
	wantStatus(t, ch, check.Fail, "aud (")
	if strings.Contains(ch.Detail, "signature (") || !strings.Contains(ch.Detail, "someone-else") {
		t.Errorf("the ID token step does not say aud alone failed: %q", ch.Detail)
	}
}

func TestUserDoctorNeverLoggedIn(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["user-login"]
	fetched := false
	fetch := func(context.Context, Retry) (Fetched, error) { fetched = true; return Fetched{}, nil }
	d := Run(t.Context(), c, p, Options{Fetch: fetch, Session: staticSession(Session{})})
	ch := checkNamed(t, d, StepSession)
	wantStatus(t, ch, check.Fail, "nobody has logged in to user-login yet")
	if ch.Hint != "run tokentop login user-login" {
		t.Errorf("hint %q", ch.Hint)
	}
	for _, name := range []string{StepRefresh, StepIDToken, StepScopes, StepTestCall} {
		wantStatus(t, checkNamed(t, d, name), check.Skip, "no session")
	}
	if fetched {
		t.Error("the doctor fetched for a provider nobody logged in to")
	}
}

func TestUserDoctorRefreshRefused(t *testing.T) {
	sb, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["user-login"]
	tok := userSession(t, c, p)
	sb.RevokeRefreshTokens(p.ClientID)
	d := Run(t.Context(), c, p, Options{Fetch: refreshFetch(c, p, tok), Session: staticSession(Session{Token: tok})})
	ch := checkNamed(t, d, StepRefresh)
	wantStatus(t, ch, check.Fail, "invalid_grant")
	if ch.Hint != "the refresh token was revoked, expired or already used (rotation): log in again: tokentop login user-login" {
		t.Errorf("hint %q", ch.Hint)
	}
	// The client refused: explained as for client credentials.
	wrong := p
	wrong.ClientSecret = "not-the-secret-of-this-client"
	tok = userSession(t, c, p)
	d = Run(t.Context(), c, wrong, Options{Fetch: refreshFetch(c, wrong, tok), Session: staticSession(Session{Token: tok})})
	ch = checkNamed(t, d, StepRefresh)
	wantStatus(t, ch, check.Fail, "invalid_client")
	if !strings.Contains(ch.Hint, "secret") {
		t.Errorf("invalid_client hint %q does not name the secret", ch.Hint)
	}
}

func TestUserDoctorNeedsLogin(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["user-login"]
	expired := &providers.Token{AccessToken: "at", ExpiresAt: time.Now().Add(-time.Hour)}
	d := Run(t.Context(), c, p, Options{Session: staticSession(Session{Token: expired, NeedsLogin: true,
		LastError: "user-login: the token endpoint answered 400 invalid_grant", LastHint: "whatever the store said"})})
	ch := checkNamed(t, d, StepSession)
	wantStatus(t, ch, check.Fail, "the session needs a login: user-login: the token endpoint answered 400 invalid_grant · the access token expired 1h0m0s ago")
	if !strings.Contains(ch.Hint, "revoked, expired or already used (rotation)") {
		t.Errorf("hint %q", ch.Hint)
	}
	wantStatus(t, checkNamed(t, d, StepIDToken), check.Skip, "no session")
}

func TestUserDoctorPKCE(t *testing.T) {
	for _, tc := range []struct {
		grant   providers.Grant
		methods []string
		status  check.Status
		detail  string
	}{
		{providers.GrantAuthorizationCode, []string{"plain", "S256"}, check.Pass, "S256 (advertised: plain, S256)"},
		{providers.GrantAuthorizationCode, []string{"plain"}, check.Warn, "the server advertises only plain"},
		{providers.GrantAuthorizationCode, []string{"S512"}, check.Warn, "does not advertise S256"},
		{providers.GrantAuthorizationCode, nil, check.Pass, "lists no code_challenge_methods_supported"},
		{providers.GrantDeviceCode, []string{"plain"}, check.Skip, "sends no code challenge"},
	} {
		r := &doctorRun{out: &Diagnosis{}, p: providers.Provider{Name: "x", Grant: tc.grant}}
		r.pkce(&discovery.Metadata{CodeChallengeMethodsSupported: tc.methods})
		got := r.out.Checks[0]
		if got.Status != tc.status || !strings.Contains(got.Detail, tc.detail) || (got.Status == check.Warn && got.Hint == "") {
			t.Errorf("%s %v: %s %q (%q), want %s %q", tc.grant, tc.methods, got.Status, got.Detail, got.Hint, tc.status, tc.detail)
		}
	}
}

func TestUserDoctorLoginEndpoints(t *testing.T) {
	p := providers.Provider{Name: "x", Grant: providers.GrantDeviceCode, TokenURL: "https://as.example/token"}
	r := &doctorRun{out: &Diagnosis{}, p: p}
	r.loginEndpoints(&discovery.Metadata{TokenEndpoint: p.TokenURL})
	wantStatus(t, r.out.Checks[0], check.Fail, "no device_authorization_endpoint")

	r = &doctorRun{out: &Diagnosis{}, p: p}
	r.loginEndpoints(&discovery.Metadata{TokenEndpoint: p.TokenURL, DeviceAuthorizationEndpoint: "https://as.example/device\x1b[2J",
		GrantTypesSupported: []string{"authorization_code"}})
	ch := r.out.Checks[0]
	if ch.Status != check.Warn || !strings.Contains(ch.Detail, "device_authorization_endpoint https://as.example/device") ||
		!strings.Contains(ch.Hint, "does not list urn:ietf:params:oauth:grant-type:device_code") || strings.Contains(ch.Detail, "\x1b") {
		t.Errorf("%s %q (%q)", ch.Status, ch.Detail, ch.Hint)
	}
}
