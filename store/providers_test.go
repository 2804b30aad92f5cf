package store

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

func TestProviderRoundTrip(t *testing.T) {
	ctx := t.Context()
	s := openStore(t, Options{})
	full := providers.Provider{
		Name: "full", Env: "prod", Preset: "auth0", TokenURL: "https://idp.example.com/oauth/token",
		Issuer: "https://idp.example.com/", ClientID: "abc", ClientSecret: "s3cret-full",
		AuthStyle: providers.AuthPost, Scopes: []string{"a", "b"}, ScopeSeparator: ",",
		Audience: "https://api.example.com", Resource: "urn:r", Params: map[string]string{"x": "1"},
		Response: &providers.ResponseMapping{AccessToken: "data.token"},
		Quota:    &providers.Quota{Limit: 1000, Per: providers.PerMonth},
		Endpoints: []providers.Endpoint{{Name: "me", URL: "https://api.example.com/me",
			Headers: map[string]string{"X-A": "b"}}},
		Timeout: providers.Duration(5e9), DefaultLifetime: providers.Duration(6e10),
		CAFile: "/etc/ca.pem", InsecureHTTP: true, Notes: "hello",
		PrivateKeyFile: "/keys/k.pem", PrivateKeyKID: "kid-1", AssertionAlg: "ES256", AssertionAudience: "https://idp.example.com/",
		TLSCertFile: "/keys/c.pem", TLSKeyFile: "/keys/c.key",
	}
	ref := providers.Provider{Name: "ref", TokenURL: "https://idp.example.com/t", ClientID: "r", ClientSecretRef: "env:REF_SECRET"}
	must(t, s.PutProviders(ctx, []providers.Provider{ref, full}))

	got, err := s.Provider(ctx, "full")
	must(t, err)
	want := full
	want.ClientSecret = ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Provider:\n got %+v\nwant %+v", got, want)
	}
	withSecret, err := s.ProviderWithSecret(ctx, "full")
	must(t, err)
	if !reflect.DeepEqual(withSecret, full) {
		t.Errorf("ProviderWithSecret:\n got %+v\nwant %+v", withSecret, full)
	}
	r, err := s.ProviderWithSecret(ctx, "ref")
	must(t, err)
	if r.ClientSecret != "" || r.ClientSecretRef != "env:REF_SECRET" {
		t.Errorf("ref provider = %+v", r)
	}
	if has, _ := s.HasSecret(ctx, "full"); !has {
		t.Error("HasSecret(full) = false")
	}
	if has, _ := s.HasSecret(ctx, "ref"); has {
		t.Error("HasSecret(ref) = true")
	}

	all, err := s.Providers(ctx)
	must(t, err)
	if len(all) != 2 || all[0].Name != "full" || all[1].Name != "ref" || all[0].ClientSecret != "" {
		t.Errorf("Providers = %+v", all)
	}

	must(t, s.DeleteProvider(ctx, "full"))
	for name, err := range map[string]error{
		"Provider":   second(s.Provider(ctx, "full")),
		"HasSecret":  second(s.HasSecret(ctx, "full")),
		"Summary":    second(s.Summary(ctx, "full")),
		"History":    second(s.History(ctx, "full")),
		"Delete":     s.DeleteProvider(ctx, "full"),
		"RecordCall": s.RecordCall(ctx, "full", CallRecord{}),
	} {
		if !errors.Is(err, ErrNotFound) || err.Error() != "no provider named full" {
			t.Errorf("%s after delete: %v", name, err)
		}
	}
	// Nothing of it is left: not even the sealed secret.
	must(t, s.view(ctx, func(tx kv.Tx) error {
		if found, err := has(tx, bSecrets, "full"); err != nil || found {
			t.Errorf("secret left behind (%v)", err)
		}
		return nil
	}))
}

func second[T any](_ T, err error) error { return err }

func TestPutProviderSecretSemantics(t *testing.T) {
	ctx := t.Context()
	s := openStore(t, Options{})
	p := providers.Provider{Name: "p", TokenURL: "https://x.example.com/t", ClientID: "id", ClientSecret: "first"}
	must(t, s.PutProvider(ctx, p))

	secret := func() string {
		t.Helper()
		got, err := s.ProviderWithSecret(ctx, "p")
		must(t, err)
		return got.ClientSecret
	}
	p.ClientSecret = ""
	p.Notes = "edited"
	must(t, s.PutProvider(ctx, p)) // empty, no ref: keep
	if got := secret(); got != "first" {
		t.Fatalf("after an edit without secret: %q, want kept", got)
	}
	p.ClientSecret = "second"
	must(t, s.PutProvider(ctx, p)) // non-empty: replace
	if got := secret(); got != "second" {
		t.Fatalf("after a new secret: %q", got)
	}
	p.ClientSecret, p.ClientSecretRef = "", "env:X"
	must(t, s.PutProvider(ctx, p)) // ref: delete
	if got := secret(); got != "" {
		t.Fatalf("after switching to a ref: %q, want none", got)
	}
	if has, _ := s.HasSecret(ctx, "p"); has {
		t.Fatal("HasSecret after switching to a ref")
	}
}

func TestPutProvidersIsAllOrNothing(t *testing.T) {
	ctx := t.Context()
	s := openStore(t, Options{})
	err := s.PutProviders(ctx, []providers.Provider{{Name: "good"}, {Name: "Bad Name"}})
	if err == nil {
		t.Fatal("an invalid name was accepted")
	}
	if ps, _ := s.Providers(ctx); len(ps) != 0 {
		t.Fatalf("partial import: %+v", ps)
	}
}

func TestTokenDroppedOnSettingsChange(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	s := openStore(t, Options{})
	p := ts.provider("svc")
	must(t, s.PutProvider(ctx, p))

	fetch := func() {
		t.Helper()
		if _, err := s.Token(ctx, "svc", TokenOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cached := func() bool {
		t.Helper()
		_, err := s.CachedToken(ctx, "svc")
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	fetch()
	// Changes that do not shape the token keep it, and so does saving the
	// same secret again.
	for _, edit := range []func(*providers.Provider){
		func(p *providers.Provider) { p.Notes = "n"; p.Env = "dev" },
		func(p *providers.Provider) { p.Timeout = providers.Duration(3e9) },
		func(p *providers.Provider) { p.AuthStyle = providers.AuthAuto }, // same as unset
		func(p *providers.Provider) { p.ClientSecret = "" },              // keep the stored one
	} {
		q := p
		edit(&q)
		must(t, s.PutProvider(ctx, q))
		if !cached() {
			t.Fatalf("an edit that does not shape the token dropped it: %+v", q)
		}
	}
	for name, edit := range map[string]func(*providers.Provider){
		"token_url": func(p *providers.Provider) { p.TokenURL += "?v=2" },
		"client_id": func(p *providers.Provider) { p.ClientID = "other" },
		"secret":    func(p *providers.Provider) { p.ClientSecret = "changed" },
		"secretref": func(p *providers.Provider) { p.ClientSecret = ""; p.ClientSecretRef = "env:S" },
		"scopes":    func(p *providers.Provider) { p.Scopes = []string{"read"} },
		"separator": func(p *providers.Provider) { p.ScopeSeparator = "," },
		"audience":  func(p *providers.Provider) { p.Audience = "a" },
		"resource":  func(p *providers.Provider) { p.Resource = "r" },
		"params":    func(p *providers.Provider) { p.Params = map[string]string{"k": "v"} },
		"style":     func(p *providers.Provider) { p.AuthStyle = providers.AuthPost },
		"preset":    func(p *providers.Provider) { p.Preset = "okta" },
		"issuer":    func(p *providers.Provider) { p.Issuer = "https://i.example.com" },
		"key file":  func(p *providers.Provider) { p.PrivateKeyFile = "/k.pem" },
		"kid":       func(p *providers.Provider) { p.PrivateKeyKID = "k2" },
		"aud":       func(p *providers.Provider) { p.AssertionAudience = "https://a" },
		"cert file": func(p *providers.Provider) { p.TLSCertFile = "/c.pem" },
	} {
		must(t, s.PutProvider(ctx, p)) // back to the original settings
		fetch()
		q := p
		edit(&q)
		must(t, s.PutProvider(ctx, q))
		if cached() {
			t.Errorf("changing %s kept the cached token", name)
		}
	}
}
