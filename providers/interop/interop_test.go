package interop

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/doctor"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/netcheck"
	"github.com/tokentop/tokentop/store"
)

// fetch gets a token for p with a fresh client.
func fetch(t *testing.T, p providers.Provider) (*providers.Result, error) {
	t.Helper()
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	return c.Fetch(t.Context(), p, providers.FetchOptions{})
}

// wantRedacted fails when an exchange, as stored and shown, holds the
// access token or any of secrets.
func wantRedacted(t *testing.T, exs []providers.Exchange, token string, secrets []string) {
	t.Helper()
	if len(exs) == 0 {
		t.Fatal("no exchange recorded")
	}
	b, err := json.Marshal(exs)
	if err != nil {
		t.Fatal(err)
	}
	rec := string(b)
	if token != "" && strings.Contains(rec, token) {
		t.Fatalf("a flight record holds the access token: %s", rec)
	}
	// Nor its signature, the part of a JWT no one else can make.
	if i := strings.LastIndex(token, "."); i > 0 && strings.Contains(rec, token[i+1:]) {
		t.Fatalf("a flight record holds the token's signature: %s", rec)
	}
	for _, sec := range secrets {
		if strings.Contains(rec, sec) {
			t.Fatalf("a flight record holds a secret or assertion %q: %s", sec, rec)
		}
	}
	// Form bodies hold it URL-encoded (%5Bredacted%5D).
	if !strings.Contains(rec, strings.Trim(providers.Redacted, "[]")) {
		t.Fatalf("nothing is marked redacted: %s", rec)
	}
}

// expiresIn is the expires_in of the last exchange's (redacted) answer.
func expiresIn(t *testing.T, exs []providers.Exchange) time.Duration {
	t.Helper()
	var body struct {
		ExpiresIn int64 `json:"expires_in"`
	}
	if err := json.Unmarshal([]byte(exs[len(exs)-1].ResponseBody), &body); err != nil || body.ExpiresIn <= 0 {
		t.Fatalf("no expires_in in the recorded answer %q: %v", exs[len(exs)-1].ResponseBody, err)
	}
	return time.Duration(body.ExpiresIn) * time.Second
}

// stylesTried are the auth styles of exs, in order.
func stylesTried(exs []providers.Exchange) []providers.AuthStyle {
	var out []providers.AuthStyle
	for _, ex := range exs {
		out = append(out, ex.AuthStyle)
	}
	return out
}

func TestFetchEveryAuthStyle(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	for _, tt := range []struct {
		client string
		style  providers.AuthStyle
		// styles are the styles tokentop tried, in order.
		styles []providers.AuthStyle
	}{
		{clientBasic, providers.AuthBasic, []providers.AuthStyle{providers.AuthBasic}},
		{clientPost, providers.AuthPost, []providers.AuthStyle{providers.AuthPost}},
		{clientBasic, providers.AuthAuto, []providers.AuthStyle{providers.AuthBasic}},
		// fosite refuses Basic for a client_secret_post client with
		// invalid_client: auto turns to the body.
		{clientPost, providers.AuthAuto, []providers.AuthStyle{providers.AuthBasic, providers.AuthPost}},
		{clientJWT, providers.AuthPrivateKeyJWT, []providers.AuthStyle{providers.AuthPrivateKeyJWT}},
	} {
		t.Run(tt.client+"/"+string(tt.style), func(t *testing.T) {
			p := s.ProviderFor(t, tt.client)
			p.AuthStyle = tt.style
			res, err := fetch(t, p)
			if err != nil {
				t.Fatalf("fetch: %v (hint %q)", err, providers.HintFor(err))
			}
			tried := stylesTried(res.Exchanges)
			if !slices.Equal(tried, tt.styles) || res.AuthStyle != tt.styles[len(tt.styles)-1] {
				t.Fatalf("tried %v ending with %s, want %v", tried, res.AuthStyle, tt.styles)
			}
			tok := res.Token
			if tok.Scope != "read write" {
				t.Fatalf("granted scope %q, want the scopes asked, read write", tok.Scope)
			}
			if !strings.EqualFold(tok.TokenType, "bearer") {
				t.Fatalf("token type %q", tok.TokenType)
			}
			if tok.ExpirySource != "expires_in" || tok.ExpiryAssumed {
				t.Fatalf("expiry from %q (assumed %v), want expires_in", tok.ExpirySource, tok.ExpiryAssumed)
			}
			if got, want := tok.Lifetime(), expiresIn(t, res.Exchanges); got != want {
				t.Fatalf("lifetime %s, but the server said expires_in %s", got, want)
			}
			claims, err := jwtclaims.Decode(tok.AccessToken)
			if err != nil {
				t.Fatalf("fosite's JWT access token does not decode: %v", err)
			}
			if claims.Issuer != s.Issuer || claims.ClientID != tt.client || claims.Subject != tt.client || claims.Scope != "read write" || claims.KeyID != s.KeyID {
				t.Fatalf("claims %+v", claims)
			}
			wantRedacted(t, res.Exchanges, tok.AccessToken, s.Secrets())
		})
	}
}

// TestFetchSendsWhatFositeReads checks the requests themselves: Basic
// credentials form-encoded, the scopes space-separated, an audience
// granted, and an assertion that fosite accepts twice in a row (a fresh
// jti each time).
func TestFetchSendsWhatFositeReads(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	p := s.ProviderFor(t, clientJWT)
	p.Audience = s.Audience
	p.Scopes = []string{"write"}
	var jtis []string
	for range 2 {
		res, err := fetch(t, p)
		if err != nil {
			t.Fatalf("fetch: %v (hint %q)", err, providers.HintFor(err))
		}
		claims, err := jwtclaims.Decode(res.Token.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(claims.Audience, []string{s.Audience}) || claims.Scope != "write" || res.Token.Scope != "write" {
			t.Fatalf("audience %v, scope %q / %q", claims.Audience, claims.Scope, res.Token.Scope)
		}
		if !strings.Contains(res.Exchanges[0].Credential, "aud="+s.TokenURL) {
			t.Fatalf("the flight record does not say the assertion's aud: %q", res.Exchanges[0].Credential)
		}
	}
	for _, r := range s.Seen() {
		a, err := jwtclaims.Decode(r.Form.Get("client_assertion"))
		if err != nil {
			t.Fatal(err)
		}
		jtis = append(jtis, a.ID)
	}
	if len(jtis) != 2 || jtis[0] == jtis[1] {
		t.Fatalf("assertion ids %v", jtis)
	}
}

func TestFetchOpaqueToken(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{Opaque: true, Lifespan: 20 * time.Minute})
	res, err := fetch(t, s.ProviderFor(t, clientBasic))
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	tok := res.Token
	if jwtclaims.LooksLikeJWT(tok.AccessToken) {
		t.Fatalf("an HMAC token looks like a JWT: %q", tok.AccessToken)
	}
	if tok.ExpirySource != "expires_in" || tok.ExpiryAssumed || tok.Lifetime() != expiresIn(t, res.Exchanges) || tok.Lifetime() > 20*time.Minute {
		t.Fatalf("expiry %s from %q (assumed %v)", tok.Lifetime(), tok.ExpirySource, tok.ExpiryAssumed)
	}
	if got := s.Introspect(t, tok.AccessToken); got["active"] != true || got["client_id"] != clientBasic || got["scope"] != "read write" {
		t.Fatalf("fosite's introspection of the token: %v", got)
	}
	wantRedacted(t, res.Exchanges, tok.AccessToken, s.Secrets())
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	for _, tt := range []struct {
		name   string
		client string
		edit   func(*providers.Provider)
		status int
		code   string
		hint   []string
	}{
		{"wrong secret, basic", clientBasic, func(p *providers.Provider) { p.ClientSecret = "wrong-" + rand.Text() },
			401, "invalid_client", []string{"check the client id and secret", "auth_style: post"}},
		{"wrong secret, post", clientPost, func(p *providers.Provider) { p.ClientSecret = "wrong-" + rand.Text() },
			401, "invalid_client", []string{"check the client id and secret", "auth_style: basic"}},
		{"wrong secret, auto", clientBasic, func(p *providers.Provider) { p.ClientSecret, p.AuthStyle = "wrong-"+rand.Text(), providers.AuthAuto },
			401, "invalid_client", []string{"both auth styles were refused"}},
		{"unknown client", clientBasic, func(p *providers.Provider) { p.ClientID = "nobody" },
			401, "invalid_client", []string{"check the client id and secret"}},
		{"scope not allowed", clientBasic, func(p *providers.Provider) { p.Scopes = []string{"read", "admin"} },
			400, "invalid_scope", []string{"the server does not support scope admin (its discovery document lists read write): remove it, set `scopes: [read]`"}},
		{"no client credentials grant", clientNoGrant, nil,
			400, "unauthorized_client", []string{"client credentials grant"}},
		{"audience not allowed", clientBasic, func(p *providers.Provider) { p.Audience = "https://elsewhere.example" },
			400, "invalid_request", []string{"audience"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := s.ProviderFor(t, tt.client)
			if tt.edit != nil {
				tt.edit(&p)
			}
			res, err := fetch(t, p)
			e, ok := providers.AsError(err)
			if !ok {
				t.Fatalf("got %v, want a *providers.Error", err)
			}
			if e.Kind != providers.KindOAuth || e.Status != tt.status || e.Code != tt.code {
				t.Fatalf("got %s %d %q (%v), want %d %s", e.Kind, e.Status, e.Code, err, tt.status, tt.code)
			}
			if e.Description == "" {
				t.Fatal("fosite's error_description is lost")
			}
			for _, h := range tt.hint {
				if !strings.Contains(e.Hint, h) {
					t.Fatalf("hint %q lacks %q", e.Hint, h)
				}
			}
			last := res.Exchanges[len(res.Exchanges)-1]
			if last.Hint != e.Hint || last.Status != tt.status {
				t.Fatalf("the flight record says %d %q, the error %q", last.Status, last.Hint, e.Hint)
			}
			wantRedacted(t, res.Exchanges, "", append(s.Secrets(), p.ClientSecret))
		})
	}
}

// TestPrivateKeyJWTAudience: fosite takes an assertion only when its aud
// is the token endpoint's URL. tokentop's aud is assertion_audience, else
// the issuer when one is set, else the token URL.
func TestPrivateKeyJWTAudience(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	for _, tt := range []struct {
		name     string
		issuer   string
		audience string
		ok       bool
		hint     []string
	}{
		{name: "no issuer: aud is the token URL", ok: true},
		{name: "issuer set: aud is the issuer", issuer: s.Issuer,
			hint: []string{"refused the client assertion", "aud was " + s.Issuer, "want the token URL " + s.TokenURL, "assertion_audience"}},
		{name: "issuer set, assertion_audience the token URL", issuer: s.Issuer, audience: s.TokenURL, ok: true},
		{name: "assertion_audience elsewhere", audience: "https://elsewhere.example/token",
			hint: []string{"aud was https://elsewhere.example/token", "assertion_audience"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := s.ProviderFor(t, clientJWT)
			p.Issuer, p.AssertionAudience = tt.issuer, tt.audience
			res, err := fetch(t, p)
			if len(res.Exchanges) != 1 {
				t.Fatalf("%d exchanges (%v)", len(res.Exchanges), err)
			}
			if !strings.Contains(res.Exchanges[0].Credential, "aud="+cmp.Or(tt.audience, tt.issuer, s.TokenURL)+" ") {
				t.Fatalf("the flight record's credential %q does not name the aud sent", res.Exchanges[0].Credential)
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("fetch: %v (hint %q)", err, providers.HintFor(err))
				}
				return
			}
			e, ok := providers.AsError(err)
			if !ok || e.Code != "invalid_client" || e.Status != 401 {
				t.Fatalf("got %v, want 401 invalid_client", err)
			}
			for _, h := range tt.hint {
				if !strings.Contains(e.Hint, h) {
					t.Fatalf("hint %q lacks %q", e.Hint, h)
				}
			}
		})
	}
}

// TestPrivateKeyJWTRefused: the ways fosite refuses a client assertion,
// and what tokentop says about each.
func TestPrivateKeyJWTRefused(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	other := t.TempDir() + "/other.pem"
	writeKey(t, other, newRSAKey(t))
	for _, tt := range []struct {
		name string
		edit func(*providers.Provider)
		code string
		hint []string
	}{
		{"unknown kid", func(p *providers.Provider) { p.PrivateKeyKID = "not-registered" },
			"invalid_request", []string{"client assertion", `kid "not-registered"`}},
		{"another key", func(p *providers.Provider) { p.PrivateKeyFile = other },
			"invalid_client", []string{"register the public key of private_key_file"}},
		{"no kid, another key", func(p *providers.Provider) { p.PrivateKeyFile, p.PrivateKeyKID = other, "" },
			"invalid_client", []string{"register the public key of private_key_file", "set private_key_kid"}},
		{"an algorithm the client is not registered for", func(p *providers.Provider) { p.AssertionAlg = "PS256" },
			"invalid_client", []string{"assertion_alg", "PS256"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := s.ProviderFor(t, clientJWT)
			tt.edit(&p)
			res, err := fetch(t, p)
			e, ok := providers.AsError(err)
			if !ok || e.Code != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
			for _, h := range tt.hint {
				if !strings.Contains(e.Hint, h) {
					t.Fatalf("hint %q lacks %q", e.Hint, h)
				}
			}
			wantRedacted(t, res.Exchanges, "", s.Secrets())
		})
	}
}

// directFetch is a doctor.Options.Fetch without a store: every call asks
// the server, with the given style when set.
func directFetch(c *providers.Client, p providers.Provider) func(context.Context, doctor.Retry) (doctor.Fetched, error) {
	return func(ctx context.Context, retry doctor.Retry) (doctor.Fetched, error) {
		q := p
		if retry.AuthStyle != "" {
			q.AuthStyle = retry.AuthStyle
		}
		if retry.AssertionAudience != "" {
			q.AssertionAudience = retry.AssertionAudience
		}
		res, err := c.Fetch(ctx, q, providers.FetchOptions{})
		if err != nil {
			return doctor.Fetched{Exchanges: res.Exchanges}, err
		}
		return doctor.Fetched{Token: res.Token, Exchanges: res.Exchanges}, nil
	}
}

// diagnose runs the doctor on p against the server directly.
func diagnose(t *testing.T, p providers.Provider) *doctor.Diagnosis {
	t.Helper()
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	return doctor.Run(t.Context(), c, p, doctor.Options{Fetch: directFetch(c, p)})
}

// step is the doctor's check called name.
func step(t *testing.T, d *doctor.Diagnosis, name string) check.Check {
	t.Helper()
	for _, c := range d.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %q step in %+v", name, d.Checks)
	return check.Check{}
}

// wantStep fails unless the step called name has status and its detail
// holds every one of details.
func wantStep(t *testing.T, d *doctor.Diagnosis, name string, status check.Status, details ...string) check.Check {
	t.Helper()
	c := step(t, d, name)
	if c.Status != status {
		t.Fatalf("%s: %s %q (hint %q), want %s", name, c.Status, c.Detail, c.Hint, status)
	}
	for _, s := range details {
		if !strings.Contains(c.Detail, s) {
			t.Fatalf("%s: detail %q lacks %q", name, c.Detail, s)
		}
	}
	if status == check.Fail && c.Hint == "" {
		t.Fatalf("%s failed without a hint: %q", name, c.Detail)
	}
	return c
}

// wantHealthy fails when a step failed or warned, or when one that can
// run against fosite over plain loopback http did not pass.
func wantHealthy(t *testing.T, d *doctor.Diagnosis, s *fositeServer, method string) {
	t.Helper()
	for _, c := range d.Checks {
		if c.Status == check.Fail || c.Status == check.Warn {
			t.Errorf("%s %s: %s (hint %q)", c.Name, c.Status, c.Detail, c.Hint)
		}
	}
	if !d.OK() || d.Token == nil {
		t.Fatalf("a healthy client did not pass: %+v", d.Checks)
	}
	wantStep(t, d, doctor.StepSettings, check.Pass, "token_url "+s.TokenURL)
	wantStep(t, d, netcheck.StepDNS, check.Pass, "IP address")
	wantStep(t, d, netcheck.StepTCP, check.Pass, "connected to "+strings.TrimPrefix(s.URL, "http://"))
	wantStep(t, d, netcheck.StepTLS, check.Skip, "plain http")
	wantStep(t, d, doctor.StepDiscovery, check.Pass, "issuer "+s.Issuer)
	wantStep(t, d, doctor.StepAuthMethods, check.Pass, method)
	wantStep(t, d, doctor.StepToken, check.Pass, "200 from "+s.TokenURL)
	wantStep(t, d, doctor.StepScopes, check.Pass, "asked read write · granted read write (from the response)")
	wantStep(t, d, doctor.StepTestCall, check.Pass, "items (GET "+s.APIURL+"): 200 OK")
	for _, c := range d.Checks {
		if strings.Contains(c.Detail+c.Hint, d.Token.AccessToken) {
			t.Fatalf("%s shows the access token: %q", c.Name, c.Detail)
		}
		for _, sec := range s.Secrets() {
			if strings.Contains(c.Detail+c.Hint, sec) {
				t.Fatalf("%s shows a secret: %q", c.Name, c.Detail)
			}
		}
	}
}

func TestDoctorHealthy(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	for _, tt := range []struct{ client, method string }{
		{clientBasic, "auth_style basic is client_secret_basic"},
		{clientPost, "auth_style post is client_secret_post"},
		{clientJWT, "auth_style private_key_jwt is private_key_jwt"},
	} {
		t.Run(tt.client, func(t *testing.T) {
			d := diagnose(t, s.ProviderFor(t, tt.client))
			wantHealthy(t, d, s, tt.method)
			wantStep(t, d, doctor.StepToken, check.Pass, "Bearer JWT token", "(expires_in)")
			// fosite's JWT strategy signs with the key its JWKS serves.
			wantStep(t, d, "JWT signature", check.Pass, "valid signature", s.KeyID)
			wantStep(t, d, "JWT iss", check.Pass, s.Issuer)
			wantStep(t, d, "JWT exp", check.Pass, "expires in")
		})
	}
	t.Run("opaque", func(t *testing.T) {
		s := newFositeServer(t, fositeOptions{Opaque: true})
		d := diagnose(t, s.ProviderFor(t, clientBasic))
		wantHealthy(t, d, s, "client_secret_basic")
		wantStep(t, d, doctor.StepToken, check.Pass, "opaque token")
		wantStep(t, d, doctor.StepJWT, check.Skip, "opaque")
	})
}

// TestDoctorFindsTheStyleThatWorks: fosite enforces one method per client,
// while its metadata lists every method the server has, so the auth
// methods step passes and the token step finds the style that works.
func TestDoctorFindsTheStyleThatWorks(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	for _, tt := range []struct {
		client     string
		configured providers.AuthStyle
		works      providers.AuthStyle
	}{
		{clientBasic, providers.AuthPost, providers.AuthBasic},
		{clientPost, providers.AuthBasic, providers.AuthPost},
	} {
		t.Run(tt.client, func(t *testing.T) {
			p := s.ProviderFor(t, tt.client)
			p.AuthStyle = tt.configured
			d := diagnose(t, p)
			wantStep(t, d, doctor.StepAuthMethods, check.Pass)
			tok := wantStep(t, d, doctor.StepToken, check.Fail, "invalid_client", "with auth_style "+string(tt.configured)+"; with "+string(tt.works)+" it works")
			if !strings.Contains(tok.Hint, "auth_style: "+string(tt.works)) {
				t.Fatalf("hint %q", tok.Hint)
			}
			if d.Token == nil {
				t.Fatal("the token the retry got is not kept for the later steps")
			}
			wantStep(t, d, doctor.StepScopes, check.Pass, "granted read write")
			wantStep(t, d, doctor.StepTestCall, check.Pass, "200 OK")
		})
	}
}

func TestDoctorWrongSecret(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	p := s.ProviderFor(t, clientBasic)
	p.ClientSecret = "wrong-" + rand.Text()
	d := diagnose(t, p)
	if d.OK() || d.Token != nil {
		t.Fatal("a client with a wrong secret passed")
	}
	tok := wantStep(t, d, doctor.StepToken, check.Fail, "401 invalid_client", "with auth_style post too")
	if !strings.Contains(tok.Hint, "both secret styles were refused") {
		t.Fatalf("hint %q", tok.Hint)
	}
	wantStep(t, d, doctor.StepDiscovery, check.Pass, "issuer "+s.Issuer)
	wantStep(t, d, doctor.StepScopes, check.Skip, "no token")
	wantStep(t, d, doctor.StepTestCall, check.Skip, "no token")
	if n := s.TokenRequests(); n != 2 {
		t.Fatalf("%d token requests, want the configured style and the other one", n)
	}
}

// TestDoctorAssertionAudience: with an issuer set, tokentop's assertion
// goes to the issuer, which fosite refuses; the doctor asks once more with
// the token URL as aud, which fosite takes, and says what to set.
func TestDoctorAssertionAudience(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	p := s.ProviderFor(t, clientJWT)
	p.Issuer = s.Issuer
	d := diagnose(t, p)
	tok := wantStep(t, d, doctor.StepToken, check.Fail, "invalid_client", "must match the authorization server's token endpoint",
		"with aud "+s.TokenURL+" it works")
	if tok.Hint != "set `assertion_audience: "+s.TokenURL+"`" {
		t.Fatalf("hint %q", tok.Hint)
	}
	if d.Token == nil {
		t.Fatal("the token the retry got is not kept for the later steps")
	}
	wantStep(t, d, "JWT signature", check.Pass, "valid signature")
	p.AssertionAudience = s.TokenURL
	wantHealthy(t, diagnose(t, p), s, "private_key_jwt")

	// A key the server does not know: both auds are refused.
	otherKey := t.TempDir() + "/other.pem"
	writeKey(t, otherKey, newRSAKey(t))
	other := s.ProviderFor(t, clientJWT)
	other.Issuer, other.PrivateKeyFile = s.Issuer, otherKey
	d = diagnose(t, other)
	wantStep(t, d, doctor.StepToken, check.Fail, "with the assertion's aud "+s.TokenURL+" too")
}

// TestRevokedTokenIsRefused: a token revoked at fosite's RFC 7009
// endpoint stops working at the API, and the doctor's test-call says so.
func TestRevokedTokenIsRefused(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	p := s.ProviderFor(t, clientPost)
	res, err := c.Fetch(t.Context(), p, providers.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok := res.Token
	s.Revoke(t, clientPost, tok.AccessToken)
	if got := s.Introspect(t, tok.AccessToken); got["active"] != false {
		t.Fatalf("introspection after revocation: %v", got)
	}
	cached := func(context.Context, doctor.Retry) (doctor.Fetched, error) {
		return doctor.Fetched{Token: tok, Cached: true}, nil
	}
	d := doctor.Run(t.Context(), c, p, doctor.Options{Fetch: cached})
	wantStep(t, d, doctor.StepToken, check.Pass, "the cached token")
	wantStep(t, d, doctor.StepTestCall, check.Fail, "401 Unauthorized", "(invalid_token)", "not active")
}

// TestStoreEndToEnd runs the store's token engine and doctor against
// fosite: a bbolt file, the secret encrypted, the token cached, the
// exchanges recorded and redacted.
func TestStoreEndToEnd(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	st, err := store.Open(t.Context(), store.Options{Path: filepath.Join(t.TempDir(), "tokentop.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, name := range []string{clientBasic, clientJWT} {
		if err := st.PutProvider(t.Context(), s.ProviderFor(t, name)); err != nil {
			t.Fatal(err)
		}
	}
	basic, jwt := s.ProviderFor(t, clientBasic).Name, s.ProviderFor(t, clientJWT).Name

	first, err := st.Token(t.Context(), basic, store.TokenOptions{})
	if err != nil {
		t.Fatalf("token: %v (hint %q)", err, providers.HintFor(err))
	}
	if first.Cached || len(first.Exchanges) != 1 || first.Token.Scope != "read write" {
		t.Fatalf("first token: cached %v, %d exchanges, scope %q", first.Cached, len(first.Exchanges), first.Token.Scope)
	}
	again, err := st.Token(t.Context(), basic, store.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cached || again.Token.AccessToken != first.Token.AccessToken || s.TokenRequests() != 1 {
		t.Fatalf("second token: cached %v, same %v, %d requests", again.Cached, again.Token.AccessToken == first.Token.AccessToken, s.TokenRequests())
	}
	if got := s.Introspect(t, again.Token.AccessToken); got["active"] != true {
		t.Fatalf("the cached token introspects as %v", got)
	}

	if _, err := st.Token(t.Context(), jwt, store.TokenOptions{}); err != nil {
		t.Fatalf("private_key_jwt token: %v (hint %q)", err, providers.HintFor(err))
	}

	// The doctor through the store uses the cached token by default, and
	// asks for a new one with Fetch.
	d, err := st.Diagnose(t.Context(), basic, store.DiagnoseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantStep(t, d, doctor.StepToken, check.Pass, "the cached token")
	wantStep(t, d, doctor.StepTestCall, check.Pass, "200 OK")
	d, err = st.Diagnose(t.Context(), jwt, store.DiagnoseOptions{Fetch: true})
	if err != nil {
		t.Fatal(err)
	}
	wantHealthy(t, d, s, "private_key_jwt")

	// A client configured for the body where fosite wants Basic: the
	// doctor's retry goes through the store too, and is recorded.
	post := s.ProviderFor(t, clientBasic)
	post.Name, post.AuthStyle = "fosite-basic-as-post", providers.AuthPost
	if err := st.PutProvider(t.Context(), post); err != nil {
		t.Fatal(err)
	}
	d, err = st.Diagnose(t.Context(), post.Name, store.DiagnoseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantStep(t, d, doctor.StepToken, check.Fail, "with basic it works")

	// The assertion's aud retry goes through the store too, and the token
	// it got is not cached: the configuration is still wrong, so a plain
	// fetch still fails, with the fix in its hint.
	aud := s.ProviderFor(t, clientJWT)
	aud.Name, aud.Issuer = "fosite-jwt-issuer-aud", s.Issuer
	if err := st.PutProvider(t.Context(), aud); err != nil {
		t.Fatal(err)
	}
	d, err = st.Diagnose(t.Context(), aud.Name, store.DiagnoseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantStep(t, d, doctor.StepToken, check.Fail, "with aud "+s.TokenURL+" it works")
	if _, err := st.CachedToken(t.Context(), aud.Name); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the retry's token was cached: %v", err)
	}
	if _, err := st.Token(t.Context(), aud.Name, store.TokenOptions{}); err == nil || !strings.Contains(providers.HintFor(err), "assertion_audience") {
		t.Fatalf("a plain fetch after the doctor's retry: %v (hint %q)", err, providers.HintFor(err))
	}

	// auto remembers the style that worked: fosite refuses Basic for the
	// post client once, and the next fetch goes straight to the body.
	auto := s.ProviderFor(t, clientPost)
	auto.AuthStyle = providers.AuthAuto
	if err := st.PutProvider(t.Context(), auto); err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]providers.AuthStyle{{providers.AuthBasic, providers.AuthPost}, {providers.AuthPost}} {
		res, err := st.Token(t.Context(), auto.Name, store.TokenOptions{ForceRefresh: true})
		if err != nil {
			t.Fatalf("auto, fetch %d: %v", i+1, err)
		}
		if tried := stylesTried(res.Exchanges); !slices.Equal(tried, want) {
			t.Fatalf("auto, fetch %d tried %v, want %v", i+1, tried, want)
		}
	}

	var tokens []string
	for _, name := range []string{basic, jwt, post.Name, auto.Name} {
		hist, err := st.History(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range hist {
			if ex.OK() {
				tokens = append(tokens, ex.ResponseBody)
			}
		}
		wantRedacted(t, hist, first.Token.AccessToken, s.Secrets())
	}
	if len(tokens) != 6 {
		t.Fatalf("%d successful exchanges recorded, want 6 (basic, jwt twice, the retry with basic, auto twice)", len(tokens))
	}
}

// TestDiscoveryPathIssuer: an issuer with a path (a tenant, a realm) has
// its RFC 8414 document at /.well-known/oauth-authorization-server/PATH
// (§3.1), where the harness serves it.
func TestDiscoveryPathIssuer(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{IssuerPath: "/tenants/acme"})
	if want := s.URL + "/.well-known/oauth-authorization-server/tenants/acme"; s.MetadataURL != want {
		t.Fatalf("metadata at %s, want %s", s.MetadataURL, want)
	}
	p := s.ProviderFor(t, clientBasic)
	if _, err := fetch(t, p); err != nil {
		t.Fatalf("fetch under a path issuer: %v", err)
	}
	p.Issuer = s.Issuer
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	md, err := c.Discover(t.Context(), p)
	if err != nil {
		t.Fatalf("RFC 8414 §3.1's document for a path issuer was not found: %v", err)
	}
	if md.Issuer != s.Issuer || md.TokenEndpoint != s.TokenURL {
		t.Fatalf("metadata %+v", md)
	}
	d := diagnose(t, p)
	wantStep(t, d, doctor.StepDiscovery, check.Pass, "oauth-authorization-server at "+s.MetadataURL, "issuer "+s.Issuer+" matches")
}

// TestIntrospectAndRevokeFollowDiscovery: fosite's introspection takes
// HTTP Basic only (its metadata says so), whatever the token endpoint
// takes: a client configured for the body still introspects, with Basic.
// A private_key_jwt client has no secret for Basic: fosite refuses it, and
// tokentop says so; its revocation (which fosite takes by assertion) works.
func TestIntrospectAndRevokeFollowDiscovery(t *testing.T) {
	t.Parallel()
	s := newFositeServer(t, fositeOptions{})
	c := &providers.Client{}
	t.Cleanup(c.CloseIdleConnections)
	for _, name := range []string{clientBasic, clientPost, clientJWT} {
		t.Run(name, func(t *testing.T) {
			p := s.ProviderFor(t, name)
			res, err := c.Fetch(t.Context(), p, providers.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tok := res.Token.AccessToken
			in, err := c.Introspect(t.Context(), p, tok, providers.EndpointOptions{})
			switch {
			case name == clientJWT:
				if err == nil || !strings.Contains(err.Error(), "introspection endpoint answered 401") {
					t.Fatalf("introspect with an assertion where fosite wants Basic: %v", err)
				}
			case err != nil:
				t.Fatalf("introspect: %v", err)
			case !in.Introspection.Active:
				t.Fatalf("introspection: %+v", in.Introspection)
			case in.Exchanges[0].AuthStyle != providers.AuthBasic:
				t.Fatalf("introspected with %s, not the Basic fosite lists", in.Exchanges[0].AuthStyle)
			}
			if _, err := c.Revoke(t.Context(), p, tok, providers.EndpointOptions{}); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			if got := s.Introspect(t, tok); got["active"] != false {
				t.Fatalf("after tokentop's revoke fosite says %v", got)
			}
		})
	}
}
