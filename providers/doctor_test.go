package providers

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// doctorSandbox serves the embedded sandbox on loopback and returns its
// providers by name.
func doctorSandbox(t *testing.T) (*sandbox.Server, map[string]Provider) {
	t.Helper()
	noProxy(t)
	sb := sandbox.New(sandbox.Options{})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	ps, err := LoadConfig(strings.NewReader(sb.ProvidersYAML(srv.URL)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	byName := make(map[string]Provider, len(ps))
	for _, p := range ps {
		byName[p.Name] = p
	}
	return sb, byName
}

// directFetch is a DoctorOptions.Fetch without a store: every call asks
// the server, with the given style when set.
func directFetch(c *Client, p Provider) func(context.Context, AuthStyle) (DoctorToken, error) {
	return func(ctx context.Context, style AuthStyle) (DoctorToken, error) {
		q := p
		if style != "" {
			q.AuthStyle = style
		}
		res, err := c.Fetch(ctx, q, FetchOptions{})
		if err != nil {
			return DoctorToken{Exchanges: res.Exchanges}, err
		}
		return DoctorToken{Token: res.Token, Exchanges: res.Exchanges}, nil
	}
}

func checkNamed(t *testing.T, d *Diagnosis, name string) Check {
	t.Helper()
	for _, c := range d.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %q step in %+v", name, d.Checks)
	return Check{}
}

func TestDoctorHealthyProvider(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &Client{}
	p := ps["cognito-dev"]
	var streamed []string
	d := c.Doctor(t.Context(), p, DoctorOptions{Fetch: directFetch(c, p), Progress: func(ch Check) { streamed = append(streamed, ch.Name) }})
	for _, ch := range d.Checks {
		if ch.Status == CheckFail {
			t.Errorf("%s failed: %s (%s)", ch.Name, ch.Detail, ch.Hint)
		}
	}
	if !d.OK() || d.Token == nil {
		t.Fatalf("a healthy provider did not pass: %+v", d.Checks)
	}
	want := []string{StepSettings, StepDNS, StepTCP, StepTLS, StepDiscovery, StepAuthMethods, StepToken, StepScopes}
	if len(streamed) < len(want) || strings.Join(streamed[:len(want)], ",") != strings.Join(want, ",") {
		t.Fatalf("steps streamed in the order %v, want %v first", streamed, want)
	}
	if len(streamed) != len(d.Checks) {
		t.Fatalf("%d steps streamed, %d in the report", len(streamed), len(d.Checks))
	}
	wantStatus(t, checkNamed(t, d, StepAuthMethods), CheckPass, "client_secret_basic")
	wantStatus(t, checkNamed(t, d, StepScopes), CheckPass, "asked api/write")
	wantStatus(t, checkNamed(t, d, StepTestCall), CheckPass, "200 OK")
	for _, ch := range d.Checks {
		if strings.Contains(ch.Detail+ch.Hint, d.Token.AccessToken) || strings.Contains(ch.Detail+ch.Hint, p.ClientSecret) {
			t.Fatalf("%s shows the token or the secret: %q", ch.Name, ch.Detail)
		}
	}
}

func TestDoctorBrokenSecret(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &Client{}
	p := ps["broken"]
	d := c.Doctor(t.Context(), p, DoctorOptions{Fetch: directFetch(c, p)})
	if d.OK() {
		t.Fatal("a provider with a wrong secret passed")
	}
	tok := checkNamed(t, d, StepToken)
	wantStatus(t, tok, CheckFail, "invalid_client")
	if !strings.Contains(tok.Detail, "with auth_style post too") || !strings.Contains(tok.Hint, "both secret styles were refused") {
		t.Fatalf("the retry with the other style is not reported: %q / %q", tok.Detail, tok.Hint)
	}
	wantStatus(t, checkNamed(t, d, StepScopes), CheckSkip, "no token")
	wantStatus(t, checkNamed(t, d, StepTestCall), CheckSkip, "no token")
}

func TestDoctorFindsTheStyleThatWorks(t *testing.T) {
	_, ps := doctorSandbox(t)
	c := &Client{}
	p := ps["basic-only"] // the server takes HTTP Basic only
	p.AuthStyle = AuthPost
	d := c.Doctor(t.Context(), p, DoctorOptions{Fetch: directFetch(c, p)})
	tok := checkNamed(t, d, StepToken)
	wantStatus(t, tok, CheckFail, "with basic it works")
	if !strings.Contains(tok.Hint, "auth_style: basic") {
		t.Fatalf("hint %q", tok.Hint)
	}
	if d.Token == nil {
		t.Fatal("the token the retry got is not kept for the later steps")
	}
	if ch := checkNamed(t, d, StepScopes); ch.Status == CheckSkip {
		t.Fatalf("the steps after the token did not run: %+v", ch)
	}
}

func TestDoctorUnreachable(t *testing.T) {
	noProxy(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := Provider{Name: "gone", TokenURL: "http://" + addr + "/oauth/token", ClientID: "id", ClientSecret: "s"}
	c := &Client{}
	d := c.Doctor(t.Context(), p, DoctorOptions{Fetch: directFetch(c, p)})
	wantStatus(t, checkNamed(t, d, StepTCP), CheckFail, "refused")
	wantStatus(t, checkNamed(t, d, StepToken), CheckSkip, "cannot be reached")
	if d.OK() {
		t.Fatal("an unreachable provider passed")
	}
}

func TestDoctorBadSettings(t *testing.T) {
	p := Provider{Name: "bad", TokenURL: "http://auth.example.com/token", ClientID: "id", ClientSecret: "s"}
	d := (&Client{}).Doctor(t.Context(), p, DoctorOptions{})
	wantStatus(t, checkNamed(t, d, StepSettings), CheckFail, "")
	for _, ch := range d.Checks[1:] {
		if ch.Status != CheckSkip {
			t.Fatalf("%s ran on unusable settings: %+v", ch.Name, ch)
		}
	}
}

func TestDoctorAuthMethods(t *testing.T) {
	for _, tt := range []struct {
		style   AuthStyle
		methods []string
		status  CheckStatus
		hint    string
	}{
		{AuthBasic, []string{"client_secret_basic", "client_secret_post"}, CheckPass, ""},
		{AuthBasic, nil, CheckPass, ""}, // RFC 8414's default
		{AuthPost, nil, CheckFail, "auth_style: basic"},
		{AuthBasic, []string{"client_secret_post"}, CheckFail, "auth_style: post"},
		{AuthAuto, []string{"client_secret_post"}, CheckPass, ""},
		{AuthAuto, []string{"private_key_jwt"}, CheckFail, "auth_style"},
		{AuthPost, []string{"private_key_jwt"}, CheckFail, "auth_style: private_key_jwt"},
		{AuthPrivateKeyJWT, []string{"client_secret_basic", "private_key_jwt"}, CheckPass, ""},
		{AuthTLSClient, []string{"client_secret_basic"}, CheckFail, "auth_style: basic` (client_secret_basic)"},
		{AuthBasic, []string{"none"}, CheckFail, "ask the vendor"},
	} {
		r := &doctorRun{c: &Client{}, p: Provider{Name: "p", AuthStyle: tt.style}, out: &Diagnosis{}}
		r.authMethods(&Metadata{TokenEndpointAuthMethodsSupported: tt.methods})
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
		status  CheckStatus
		detail  string
	}{
		{[]string{"a", "b"}, "a b", CheckPass, "granted a b"},
		{[]string{"a"}, "a,b", CheckPass, "also granted: b"},
		{[]string{"a", "b"}, "a", CheckFail, "not granted: b"},
		{[]string{"a"}, "", CheckPass, "RFC 6749 §5.1"},
		{nil, "", CheckPass, "none asked"},
	} {
		r := &doctorRun{c: &Client{}, p: Provider{Name: "p", Scopes: tt.asked}, out: &Diagnosis{}}
		r.scopes(&Token{AccessToken: "opaque", Scope: tt.granted})
		got := r.out.Checks[0]
		if got.Status != tt.status || !strings.Contains(got.Detail, tt.detail) {
			t.Errorf("asked %v granted %q: %s %q", tt.asked, tt.granted, got.Status, got.Detail)
		}
	}
}
