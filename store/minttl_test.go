package store

import (
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store/kv"

	"github.com/tokentop/tokentop/providers"
)

// putShortToken caches a token for name that expires after left, as if an
// earlier fetch had saved it.
func putShortToken(t *testing.T, s *Store, name, access string, left time.Duration) {
	t.Helper()
	now := s.now()
	tok := &providers.Token{AccessToken: access, TokenType: "Bearer", IssuedAt: now.Add(left - time.Hour), ExpiresAt: now.Add(left)}
	must(t, s.update(t.Context(), func(tx kv.Tx) error { return s.putToken(tx, name, tok) }))
}

// TestMinTTLFetchesEarly: a cached token with enough life left for MinTTL
// is handed out; one with less is replaced by one fetch, and the new one
// then serves the same MinTTL from the cache.
func TestMinTTLFetchesEarly(t *testing.T) {
	ctx := t.Context()
	ts, clk, s := clockedStore(t) // 1 h tokens, 6 min margin
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	first, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	clk.Add(40 * time.Minute) // 20 min left, well outside the margin

	res, err := s.Token(ctx, "svc", TokenOptions{MinTTL: 20 * time.Minute})
	must(t, err)
	if !res.Cached || res.Token.AccessToken != first.Token.AccessToken || ts.Issued() != 1 {
		t.Fatalf("MinTTL 20m with 20m left: cached=%v issued=%d, want the cached token", res.Cached, ts.Issued())
	}
	res, err = s.Token(ctx, "svc", TokenOptions{MinTTL: 20*time.Minute + time.Second})
	must(t, err)
	if res.Cached || res.Token.AccessToken == first.Token.AccessToken || ts.Issued() != 2 {
		t.Fatalf("MinTTL 20m1s with 20m left: cached=%v issued=%d, want one new token", res.Cached, ts.Issued())
	}
	if w := strings.Join(res.Warnings, "\n"); strings.Contains(w, "asked") {
		t.Fatalf("a new token with an hour left warns of MinTTL: %q", res.Warnings)
	}
	again, err := s.Token(ctx, "svc", TokenOptions{MinTTL: 30 * time.Minute})
	must(t, err)
	if !again.Cached || again.Token.AccessToken != res.Token.AccessToken || ts.Issued() != 2 {
		t.Fatalf("the new token serves MinTTL 30m: cached=%v issued=%d", again.Cached, ts.Issued())
	}
	// Without MinTTL the rule is the refresh margin alone, as before.
	clk.Add(50 * time.Minute) // 10 min left
	plain, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if !plain.Cached || ts.Issued() != 2 {
		t.Fatalf("no MinTTL with 10m left: cached=%v issued=%d", plain.Cached, ts.Issued())
	}
}

// TestMinTTLLongerThanALifetime: asking for more life than the issuer
// gives fetches once per call, never in a loop, and says so.
func TestMinTTLLongerThanALifetime(t *testing.T) {
	ctx := t.Context()
	ts, _, s := clockedStore(t) // 1 h tokens
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	for i := 1; i <= 2; i++ {
		res, err := s.Token(ctx, "svc", TokenOptions{MinTTL: 2 * time.Hour})
		must(t, err)
		if res.Cached || ts.Issued() != i {
			t.Fatalf("call %d: cached=%v issued=%d, want exactly one fetch per call", i, res.Cached, ts.Issued())
		}
		w := strings.Join(res.Warnings, "\n")
		for _, want := range []string{"the token of svc has 1h0m0s left, less than the 2h0m0s asked", "svc gives tokens 1h0m0s of life"} {
			if !strings.Contains(w, want) {
				t.Fatalf("call %d: warnings %q lack %q", i, res.Warnings, want)
			}
		}
	}
}

// TestMinTTLTakesATokenSavedMeanwhile: a token another Store (another
// process) saved after this call found the cache too short is taken, even
// when it too lives less than MinTTL: it is as new as a fetch would be.
func TestMinTTLTakesATokenSavedMeanwhile(t *testing.T) {
	ctx := t.Context()
	ts, _, s := clockedStore(t)
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	putShortToken(t, s, "svc", "old", 10*time.Minute)

	// The fast path found "old" too short; then another process saved
	// "theirs" before this call looked again.
	_, seen, err := s.cachedResult(ctx, "svc", 2*time.Hour)
	must(t, err)
	putShortToken(t, s, "svc", "theirs", 50*time.Minute)
	out, err := s.obtain(ctx, "svc", TokenOptions{MinTTL: 2 * time.Hour}, seen)
	must(t, err)
	if out.res.Token.AccessToken != "theirs" || !out.res.Cached || ts.Issued() != 0 {
		t.Fatalf("got %q (cached %v, issued %d), want the token saved meanwhile", out.res.Token.AccessToken, out.res.Cached, ts.Issued())
	}
}
