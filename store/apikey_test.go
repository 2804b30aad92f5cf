package store

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
)

// TestAPIKeyToken: Token hands out an api_key provider's sealed key with
// no exchange and no token record; the key is sealed at rest (not in the
// file as plaintext); the summary counts to the key's date, warns inside
// the lead time, and an expired key is refused with its date.
func TestAPIKeyToken(t *testing.T) {
	ts, clk, s := clockedStore(t)
	ctx := context.Background()
	const key = "sk_test_51Hx9Zq2eZvKYlo2C0nlineKey"
	p := providers.Provider{Name: "stripe", Grant: providers.GrantAPIKey, ClientSecret: key, Expires: "2026-12-20", WarnBefore: providers.LeadTime(7 * 24 * time.Hour)}
	must(t, s.PutProvider(ctx, p))

	res, err := s.Token(ctx, "stripe", TokenOptions{ForceRefresh: true})
	if err != nil || res.Token.AccessToken != key || res.Token.TokenType != providers.TokenTypeAPIKey || !res.Cached || len(res.Exchanges) != 0 || len(res.Warnings) != 0 {
		t.Fatalf("Token = %+v, %v; want the key, no exchange, no warning", res, err)
	}
	if ts.Issued() != 0 {
		t.Fatalf("a key cost %d token requests", ts.Issued())
	}
	if _, err := s.CachedToken(ctx, "stripe"); err == nil {
		t.Error("a token record was written for an API key")
	}
	raw, err := os.ReadFile(s.where)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), key) {
		t.Fatal("the key is in the database file in plaintext")
	}
	sm, err := s.Summary(ctx, "stripe")
	if err != nil || sm.Status(clk.Now()) != providers.StatusValid || !sm.Token.IsAPIKey() || providers.KeyCountdown(sm.Token, clk.Now()) != "27d" {
		t.Fatalf("summary %+v, %v: want valid, 27d", sm.Token, err)
	}

	clk.Set(time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC))
	res, err = s.Token(ctx, "stripe", TokenOptions{})
	if err != nil || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "expires in 5d, on 2026-12-20") {
		t.Fatalf("inside the lead time: %+v, %v", res, err)
	}
	if sm, _ := s.Summary(ctx, "stripe"); sm.Status(clk.Now()) != providers.StatusExpiring {
		t.Errorf("inside the lead time: status %s", sm.Status(clk.Now()))
	}

	clk.Set(time.Date(2026, 12, 21, 0, 0, 0, 0, time.UTC))
	_, err = s.Token(ctx, "stripe", TokenOptions{})
	if err == nil || !strings.Contains(err.Error(), "expired on 2026-12-20") || !strings.Contains(providers.HintFor(err), "rotate it") {
		t.Fatalf("expired key: %v (hint %q)", err, providers.HintFor(err))
	}
	if sm, _ := s.Summary(ctx, "stripe"); sm.Status(clk.Now()) != providers.StatusExpired {
		t.Errorf("expired: status %s", sm.Status(clk.Now()))
	}
}

// TestAPIKeyFromRefAndMissing: a key named by client_secret_ref is read
// when asked; none at all is a clear error.
func TestAPIKeyFromRefAndMissing(t *testing.T) {
	_, _, s := clockedStore(t)
	ctx := context.Background()
	t.Setenv("TT_TEST_API_KEY", "from-the-environment-0123")
	must(t, s.PutProvider(ctx, providers.Provider{Name: "env", Grant: providers.GrantAPIKey, ClientSecretRef: "env:TT_TEST_API_KEY"}))
	must(t, s.PutProvider(ctx, providers.Provider{Name: "none", Grant: providers.GrantAPIKey}))
	if res, err := s.Token(ctx, "env", TokenOptions{}); err != nil || res.Token.AccessToken != "from-the-environment-0123" {
		t.Fatalf("Token(env) = %+v, %v", res, err)
	}
	if _, err := s.Token(ctx, "none", TokenOptions{}); err == nil || !strings.Contains(err.Error(), "no API key is set for none") {
		t.Fatalf("Token(none) = %v", err)
	}
	if sm, _ := s.Summary(ctx, "none"); sm.Status(time.Now()) != providers.StatusNone {
		t.Errorf("no key: status %s, want none", sm.Status(time.Now()))
	}
}

// TestGrantChangeForgetsTheToken: a provider turned into an API key does
// not hand out the token its client credentials got.
func TestGrantChangeForgetsTheToken(t *testing.T) {
	ts, _, s := clockedStore(t)
	ctx := context.Background()
	p := ts.provider("svc")
	must(t, s.PutProvider(ctx, p))
	if _, err := s.Token(ctx, "svc", TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	p.Grant, p.TokenURL, p.ClientSecret = providers.GrantAPIKey, "", "now-a-static-key-0123"
	must(t, s.PutProvider(ctx, p))
	res, err := s.Token(ctx, "svc", TokenOptions{})
	if err != nil || res.Token.AccessToken != "now-a-static-key-0123" {
		t.Fatalf("Token after the grant change = %+v, %v; want the key", res, err)
	}
}
