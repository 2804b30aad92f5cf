package interop

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
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
			claims, err := providers.DecodeJWT(tok.AccessToken)
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
		claims, err := providers.DecodeJWT(res.Token.AccessToken)
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
		a, err := providers.DecodeJWT(r.Form.Get("client_assertion"))
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
	if providers.LooksLikeJWT(tok.AccessToken) {
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
			400, "invalid_scope", []string{"read admin", "the server offers: read write"}},
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
