package doctor

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/netcheck"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// doctorSandbox serves the embedded sandbox on loopback and returns its
// providers by name.
func doctorSandbox(t *testing.T) (*sandbox.Server, map[string]providers.Provider) {
	t.Helper()
	sb, ps, _ := doctorSandboxWith(t, nil)
	return sb, ps
}

// doctorSandboxWith is doctorSandbox with more routes in front of the
// sandbox's (nil: none); it also returns the base URL.
func doctorSandboxWith(t *testing.T, extra func(mux *http.ServeMux)) (*sandbox.Server, map[string]providers.Provider, string) {
	t.Helper()
	noProxy(t)
	sb := sandbox.New(sandbox.Options{})
	mux := http.NewServeMux()
	mux.Handle("/", sb)
	if extra != nil {
		extra(mux)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ps, err := providers.LoadConfig(strings.NewReader(sb.ProvidersYAML(srv.URL)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	byName := make(map[string]providers.Provider, len(ps))
	for _, p := range ps {
		byName[p.Name] = p
	}
	return sb, byName, srv.URL
}

// directFetch is an Options.Fetch without a store: every call asks
// the server, with the given style when set.
func directFetch(c *providers.Client, p providers.Provider) func(context.Context, Retry) (Fetched, error) {
	return func(ctx context.Context, retry Retry) (Fetched, error) {
		q := p
		if retry.AuthStyle != "" {
			q.AuthStyle = retry.AuthStyle
		}
		if retry.AssertionAudience != "" {
			q.AssertionAudience = retry.AssertionAudience
		}
		if retry.BasicEncoding != "" {
			q.BasicEncoding = retry.BasicEncoding
		}
		res, err := c.Fetch(ctx, q, providers.FetchOptions{})
		if err != nil {
			return Fetched{Exchanges: res.Exchanges}, err
		}
		return Fetched{Token: res.Token, Exchanges: res.Exchanges}, nil
	}
}

func checkNamed(t *testing.T, d *Diagnosis, name string) check.Check {
	t.Helper()
	for _, c := range d.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %q step in %+v", name, d.Checks)
	return check.Check{}
}

func TestDoctorHealthyProvider(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["cognito-dev"]
	var streamed []string
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p), Progress: func(ch check.Check) { streamed = append(streamed, ch.Name) }})
	for _, ch := range d.Checks {
		if ch.Status == check.Fail {
			t.Errorf("%s failed: %s (%s)", ch.Name, ch.Detail, ch.Hint)
		}
	}
	if !d.OK() || d.Token == nil {
		t.Fatalf("a healthy provider did not pass: %+v", d.Checks)
	}
	want := []string{StepSettings, netcheck.StepDNS, netcheck.StepTCP, netcheck.StepTLS, StepDiscovery, StepAuthMethods, StepToken, StepScopes}
	if len(streamed) < len(want) || strings.Join(streamed[:len(want)], ",") != strings.Join(want, ",") {
		t.Fatalf("steps streamed in the order %v, want %v first", streamed, want)
	}
	if len(streamed) != len(d.Checks) {
		t.Fatalf("%d steps streamed, %d in the report", len(streamed), len(d.Checks))
	}
	wantStatus(t, checkNamed(t, d, StepDiscovery), check.Pass, "issuer")
	wantStatus(t, checkNamed(t, d, StepAuthMethods), check.Pass, "client_secret_basic")
	wantStatus(t, checkNamed(t, d, StepScopes), check.Pass, "asked api/write")
	wantStatus(t, checkNamed(t, d, "JWT signature"), check.Pass, "")
	for _, name := range []string{"JWT alg", "JWT iss", "JWT exp", "JWT lifetime"} {
		if ch := checkNamed(t, d, name); ch.Status != check.Pass {
			t.Errorf("%s: %s %q", name, ch.Status, ch.Detail)
		}
	}
	wantStatus(t, checkNamed(t, d, StepTestCall), check.Pass, "200 OK")
	for _, ch := range d.Checks {
		if strings.Contains(ch.Detail+ch.Hint, d.Token.AccessToken) || strings.Contains(ch.Detail+ch.Hint, p.ClientSecret) {
			t.Fatalf("%s shows the token or the secret: %q", ch.Name, ch.Detail)
		}
	}
}

func TestDoctorBrokenSecret(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["broken"]
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	if d.OK() {
		t.Fatal("a provider with a wrong secret passed")
	}
	tok := checkNamed(t, d, StepToken)
	wantStatus(t, tok, check.Fail, "invalid_client")
	if !strings.Contains(tok.Detail, "with auth_style post too") || !strings.Contains(tok.Hint, "both secret styles were refused") {
		t.Fatalf("the retry with the other style is not reported: %q / %q", tok.Detail, tok.Hint)
	}
	wantStatus(t, checkNamed(t, d, StepScopes), check.Skip, "no token")
	wantStatus(t, checkNamed(t, d, StepTestCall), check.Skip, "no token")
}

func TestDoctorFindsTheStyleThatWorks(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["basic-only"] // the server takes HTTP Basic only
	p.AuthStyle = providers.AuthPost
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	tok := checkNamed(t, d, StepToken)
	wantStatus(t, tok, check.Fail, "with basic it works")
	if !strings.Contains(tok.Hint, "auth_style: basic") {
		t.Fatalf("hint %q", tok.Hint)
	}
	if d.Token == nil {
		t.Fatal("the token the retry got is not kept for the later steps")
	}
	if ch := checkNamed(t, d, StepScopes); ch.Status == check.Skip {
		t.Fatalf("the steps after the token did not run: %+v", ch)
	}
}

func TestDoctorUnreachable(t *testing.T) {
	noProxy(t)
	addr := testsupport.ClosedAddr(t)
	p := providers.Provider{Name: "gone", TokenURL: "http://" + addr + "/oauth/token", ClientID: "id", ClientSecret: "s"}
	c := &providers.Client{}
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	wantStatus(t, checkNamed(t, d, netcheck.StepTCP), check.Fail, "refused")
	wantStatus(t, checkNamed(t, d, StepToken), check.Skip, "cannot be reached")
	if d.OK() {
		t.Fatal("an unreachable provider passed")
	}
}

func TestDoctorBadSettings(t *testing.T) {
	p := providers.Provider{Name: "bad", TokenURL: "http://auth.example.com/token", ClientID: "id", ClientSecret: "s"}
	d := Run(t.Context(), &providers.Client{}, p, Options{})
	wantStatus(t, checkNamed(t, d, StepSettings), check.Fail, "")
	for _, ch := range d.Checks[1:] {
		if ch.Status != check.Skip {
			t.Fatalf("%s ran on unusable settings: %+v", ch.Name, ch)
		}
	}
}

func TestDoctorAuthMethods(t *testing.T) {
	for _, tt := range []struct {
		style   providers.AuthStyle
		methods []string
		status  check.Status
		hint    string
	}{
		{providers.AuthBasic, []string{"client_secret_basic", "client_secret_post"}, check.Pass, ""},
		{providers.AuthBasic, nil, check.Pass, ""}, // RFC 8414's default
		{providers.AuthPost, nil, check.Fail, "auth_style: basic"},
		{providers.AuthBasic, []string{"client_secret_post"}, check.Fail, "auth_style: post"},
		{providers.AuthAuto, []string{"client_secret_post"}, check.Pass, ""},
		{providers.AuthAuto, []string{"private_key_jwt"}, check.Fail, "auth_style"},
		{providers.AuthPost, []string{"private_key_jwt"}, check.Fail, "auth_style: private_key_jwt"},
		{providers.AuthPrivateKeyJWT, []string{"client_secret_basic", "private_key_jwt"}, check.Pass, ""},
		{providers.AuthTLSClient, []string{"client_secret_basic"}, check.Fail, "auth_style: basic` (client_secret_basic)"},
		{providers.AuthBasic, []string{"none"}, check.Fail, "ask the vendor"},
	} {
		r := &doctorRun{c: &providers.Client{}, p: providers.Provider{Name: "p", AuthStyle: tt.style}, out: &Diagnosis{}}
		r.authMethods(&discovery.Metadata{TokenEndpointAuthMethodsSupported: tt.methods})
		got := r.out.Checks[0]
		if got.Status != tt.status || !strings.Contains(got.Hint, tt.hint) {
			t.Errorf("%s with %v: %s %q hint %q", tt.style, tt.methods, got.Status, got.Detail, got.Hint)
		}
	}
}

func TestDoctorScopes(t *testing.T) {
	for _, tt := range []struct {
		asked   []string
		granted string
		status  check.Status
		detail  string
	}{
		{[]string{"a", "b"}, "a b", check.Pass, "granted a b"},
		{[]string{"a"}, "a,b", check.Pass, "also granted: b"},
		{[]string{"a", "b"}, "a", check.Warn, "not granted: b"},
		{[]string{"a"}, "", check.Pass, "RFC 6749 §5.1"},
		{nil, "", check.Pass, "none asked"},
	} {
		r := &doctorRun{c: &providers.Client{}, p: providers.Provider{Name: "p", Scopes: tt.asked}, out: &Diagnosis{}}
		r.scopes(&providers.Token{AccessToken: "opaque", Scope: tt.granted}, nil)
		got := r.out.Checks[0]
		if got.Status != tt.status || !strings.Contains(got.Detail, tt.detail) {
			t.Errorf("asked %v granted %q: %s %q", tt.asked, tt.granted, got.Status, got.Detail)
		}
	}
}

// forgedFetch hands the doctor a token the sandbox did not sign.
func forgedFetch(tok string) func(context.Context, Retry) (Fetched, error) {
	return func(context.Context, Retry) (Fetched, error) {
		return Fetched{Token: &providers.Token{AccessToken: tok, TokenType: "Bearer", IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}}, nil
	}
}

func TestDoctorForgedTokens(t *testing.T) {
	sb, ps := doctorSandbox(t)
	p := ps["cognito-dev"]
	for _, tt := range []struct {
		name string
		mint func(issuer, clientID string) (string, error)
		want string
	}{
		{"bad signature", sb.MintBadSignature, "bad signature"},
		{"alg none", sb.MintAlgNone, "none"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := tt.mint(providers.DiscoveryBase(p), p.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			d := Run(t.Context(), &providers.Client{}, p, Options{Fetch: forgedFetch(tok)})
			wantStatus(t, checkNamed(t, d, "JWT signature"), check.Fail, tt.want)
			if d.OK() {
				t.Fatal("a forged token passed")
			}
		})
	}
}

func TestDoctorRotatedKeys(t *testing.T) {
	sb, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["cognito-dev"]
	sb.RotateKey()
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	wantStatus(t, checkNamed(t, d, "JWT signature"), check.Pass, "")
}

func TestDoctorIssuerMismatch(t *testing.T) {
	wrong := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"https://login.elsewhere.example","token_endpoint":"https://login.elsewhere.example/token"}`))
	}
	for _, docs := range [][]string{
		{"/.well-known/oauth-authorization-server"},
		{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"},
	} {
		_, ps, _ := doctorSandboxWith(t, func(mux *http.ServeMux) {
			for _, path := range docs {
				mux.HandleFunc("GET "+path, wrong)
			}
		})
		c := &providers.Client{}
		p := ps["cognito-dev"]
		if len(docs) == 2 {
			// With no issuer configured, the origin was only a guess: a
			// warning that says which issuer to set.
			p.Issuer = ""
			d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
			disc := checkNamed(t, d, StepDiscovery)
			if disc.Status != check.Warn || !strings.Contains(disc.Hint, "set `issuer: https://login.elsewhere.example`") {
				t.Fatalf("guessed issuer: %s %q hint %q", disc.Status, disc.Detail, disc.Hint)
			}
		}
		p.Issuer = providers.DiscoveryBase(p)
		d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
		disc := checkNamed(t, d, StepDiscovery)
		if len(docs) == 1 {
			// The OIDC document names the right issuer: it is used, and
			// the other is pointed out.
			if disc.Status != check.Warn || !strings.Contains(disc.Hint, "login.elsewhere.example") {
				t.Fatalf("one wrong document: %s %q hint %q", disc.Status, disc.Detail, disc.Hint)
			}
			continue
		}
		wantStatus(t, disc, check.Fail, "https://login.elsewhere.example")
		if !strings.Contains(disc.Detail, "RFC 8414 §3.3") {
			t.Fatalf("the issuer rule is not named: %q", disc.Detail)
		}
		wantStatus(t, checkNamed(t, d, StepAuthMethods), check.Skip, "no discovery document")
	}
}

func TestDoctorTestCallRefused(t *testing.T) {
	sb, ps, base := doctorSandboxWith(t, nil)
	c := &providers.Client{}
	p := ps["cognito-dev"] // granted api/write, not admin
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p), Endpoint: base + "/api/v1/admin"})
	call := checkNamed(t, d, StepTestCall)
	wantStatus(t, call, check.Fail, "insufficient_scope")
	if !strings.Contains(call.Hint, "admin") {
		t.Fatalf("the scope wanted is not named: %q", call.Hint)
	}

	// A token the API does not accept: invalid_token.
	tok, err := sb.Mint(sandbox.MintOptions{Issuer: providers.DiscoveryBase(p), ClientID: p.ClientID, Audience: base + "/api",
		IssuedAt: time.Now().Add(-2 * time.Hour), Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	d = Run(t.Context(), c, p, Options{Fetch: forgedFetch(tok)})
	wantStatus(t, checkNamed(t, d, StepTestCall), check.Fail, "invalid_token")
	wantStatus(t, checkNamed(t, d, "JWT exp"), check.Fail, "")
}

// TestDoctorNoDiscovery: a server without metadata is a warning, never a
// failure, and the report does not blame the token endpoint for it.
func TestDoctorNoDiscovery(t *testing.T) {
	_, ps, _ := doctorSandboxWith(t, func(mux *http.ServeMux) {
		mux.Handle("GET /.well-known/oauth-authorization-server", http.NotFoundHandler())
		mux.Handle("GET /.well-known/openid-configuration", http.NotFoundHandler())
	})
	c := &providers.Client{}
	p := ps["cognito-dev"]
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	disc := checkNamed(t, d, StepDiscovery)
	wantStatus(t, disc, check.Warn, "the discovery endpoint answered 404: no discovery document at")
	if strings.Contains(disc.Detail, "token endpoint") || !strings.Contains(disc.Hint, "jwks_uri") {
		t.Fatalf("discovery: %q hint %q", disc.Detail, disc.Hint)
	}
	wantStatus(t, checkNamed(t, d, StepAuthMethods), check.Skip, "no discovery document")
	wantStatus(t, checkNamed(t, d, "JWT signature"), check.Skip, "")
	if !d.OK() {
		t.Fatalf("no discovery failed the diagnosis: %+v", d.Checks)
	}
}

// TestDoctorNoSecret: a provider whose style sends a secret but that has
// none (exported without secrets, then imported) is told so first: the
// settings step warns "no client secret is set", and the refused token
// request says the same, without a retry in the other style or a guess at
// a rotated secret.
func TestDoctorNoSecret(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["cognito-dev"]
	p.ClientSecret = ""
	fetches := 0
	fetch := directFetch(c, p)
	d := Run(t.Context(), c, p, Options{Fetch: func(ctx context.Context, r Retry) (Fetched, error) {
		fetches++
		return fetch(ctx, r)
	}})
	first := d.Checks[0]
	if first.Name != StepSettings || first.Status != check.Warn || !strings.HasPrefix(first.Detail, "no client secret is set for cognito-dev") ||
		first.Hint != providers.NoSecretHint("cognito-dev") {
		t.Fatalf("first step %+v, want the settings warning that no secret is set", first)
	}
	tok := checkNamed(t, d, StepToken)
	wantStatus(t, tok, check.Fail, "invalid_client")
	if tok.Hint != providers.NoSecretHint("cognito-dev") || fetches != 1 {
		t.Fatalf("token step hint %q after %d fetches, want the no-secret hint after one", tok.Hint, fetches)
	}
	for _, ch := range d.Checks {
		if strings.Contains(ch.Detail+ch.Hint, "rotated") || strings.Contains(ch.Detail+ch.Hint, "auth_style: post") {
			t.Errorf("%s guesses past the missing secret: %q / %q", ch.Name, ch.Detail, ch.Hint)
		}
	}

	// A secret the store keeps apart is no missing one.
	d = Run(t.Context(), c, p, Options{SecretStored: true})
	wantStatus(t, d.Checks[0], check.Pass, "token_url")
}

func wantStatus(t *testing.T, c check.Check, status check.Status, detail string) {
	t.Helper()
	if c.Status != status || !strings.Contains(c.Detail, detail) {
		t.Fatalf("%s: got %s %q (hint %q), want %s containing %q", c.Name, c.Status, c.Detail, c.Hint, status, detail)
	}
	if status == check.Fail && c.Hint == "" {
		t.Fatalf("%s failed without a hint: %q", c.Name, c.Detail)
	}
}

// noProxy keeps the environment's proxy out of these tests.
func noProxy(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, "")
	}
}
