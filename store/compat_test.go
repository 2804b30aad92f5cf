package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
)

// fixtureAt is when testdata/v1.db was written: by the store as it was
// before the kv seam (bbolt reached directly), with providers svc (a
// stored secret, a token fetched then, a quota of 1000 a month with 5
// counted, a last call) and ref (a secret reference), one sealed exchange,
// and an expired lease left by a process on another host.
var fixtureAt = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// copyFixture copies the fixture database and its key file into a
// temporary directory and returns the database's path there.
func copyFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"v1.db", "v1.db.key"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
	}
	return filepath.Join(dir, "v1.db")
}

// TestOpensDatabaseOfThePreviousStore: a database written before the
// store went through kv reads as it was written, takes writes (a fetch
// over the lease an old process left), and opens again after them.
func TestOpensDatabaseOfThePreviousStore(t *testing.T) {
	ctx := t.Context()
	path := copyFixture(t)
	clk := testsupport.NewClock(fixtureAt.Add(time.Minute))
	s := openStore(t, Options{Path: path, Now: clk.Now})
	if s.ReadOnly() {
		t.Fatal("the fixture opened read-only")
	}

	ps, err := s.Providers(ctx)
	must(t, err)
	if len(ps) != 2 || ps[0].Name != "ref" || ps[1].Name != "svc" || ps[0].ClientSecretRef != "env:REF_SECRET" ||
		ps[1].Quota == nil || ps[1].Quota.Limit != 1000 {
		t.Fatalf("providers: %+v", ps)
	}
	p, err := s.ProviderWithSecret(ctx, "svc")
	must(t, err)
	if p.ClientSecret != "fixture-secret" || p.ClientID != "client-1" {
		t.Fatalf("svc with its secret: id %q secret %q", p.ClientID, p.ClientSecret)
	}
	res, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if !res.Cached || !strings.HasPrefix(res.Token.AccessToken, "at-1-") || !res.Token.IssuedAt.Equal(fixtureAt) {
		t.Fatalf("the cached token: cached %v, %q issued %v", res.Cached, res.Token.AccessToken, res.Token.IssuedAt)
	}
	hist, err := s.History(ctx, "svc")
	must(t, err)
	if len(hist) != 1 || hist[0].Status != 200 || !hist[0].Started.Equal(fixtureAt) {
		t.Fatalf("history: %+v", hist)
	}
	sm, err := s.Summary(ctx, "svc")
	must(t, err)
	if sm.Quota != (QuotaUsage{Hour: 5, Day: 5, Month: 5, Limit: 1000, Per: providers.PerMonth, Used: 5}) ||
		sm.LastCall == nil || sm.LastCall.Endpoint != "https://api.example.com/me" || sm.LastCall.RateLimit["remaining"] != "99" ||
		!sm.HasSecret || sm.AuthStyleLearned != providers.AuthBasic || sm.LastError != nil {
		t.Fatalf("summary: %+v", sm)
	}
	if l := leaseOf(t, s, "svc"); l == nil || l.Owner != "gone" || l.Host != "old-host" {
		t.Fatalf("the old process's lease: %+v", l)
	}
	n0, err := s.ChangeCounter(ctx)
	must(t, err)

	// Writes: point svc at a live server (which drops the old token) and
	// fetch, over the expired lease the old process left.
	ts := newTokenServer(t)
	ts.Secret = "fixture-secret"
	p.TokenURL = ts.URL + "/oauth2/token"
	p.ClientSecret = ""
	must(t, s.PutProvider(ctx, p))
	res, err = s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if res.Cached || ts.Issued() != 1 {
		t.Fatalf("the fetch: cached %v, issued %d", res.Cached, ts.Issued())
	}
	if l := leaseOf(t, s, "svc"); l != nil {
		t.Fatalf("a lease is left: %+v", l)
	}

	again := openStore(t, Options{Path: path, Now: clk.Now})
	got, err := again.CachedToken(ctx, "svc")
	must(t, err)
	if got.AccessToken != res.Token.AccessToken {
		t.Fatalf("reopened: token %q, want %q", got.AccessToken, res.Token.AccessToken)
	}
	u, err := again.Usage(ctx, "svc")
	must(t, err)
	if u.Month != 6 {
		t.Fatalf("reopened: %d tokens counted this month, want 6", u.Month)
	}
	if n1, err := again.ChangeCounter(ctx); err != nil || n1 <= n0 {
		t.Fatalf("the change counter went from %d to %d (%v)", n0, n1, err)
	}
	if hist, err := again.History(ctx, "svc"); err != nil || len(hist) != 2 {
		t.Fatalf("reopened: history %d records (%v), want 2", len(hist), err)
	}
}
