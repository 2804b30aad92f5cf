package store

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store/kv"
)

// TestSeveralProcessesRefreshOnce: processes asking at once for a user
// grant's token inside its refresh margin make one refresh at the server
// (which rotates the refresh token), and all print its access token; the
// database keeps the rotated refresh token with it.
func TestSeveralProcessesRefreshOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ctx := t.Context()
	sb := sandbox.New(sandbox.Options{Key: testsupport.RSAKey(0)})
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	list, err := providers.LoadConfig(strings.NewReader(sb.ProvidersYAML(ts.URL)), func(string) (string, bool) { return "", false })
	must(t, err)
	var p providers.Provider
	for _, q := range list {
		if q.Name == "user-login" {
			p = q
		}
	}
	p.Name = "svc" // the helper's provider
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	must(t, s.PutProvider(ctx, p))
	first, err := s.Login(ctx, "svc", browser(t))
	must(t, err)

	// Move the session inside its refresh margin: 20 s left of 10 min.
	tok := *first.Token
	now := time.Now()
	tok.IssuedAt, tok.ExpiresAt = now.Add(-9*time.Minute-40*time.Second), now.Add(20*time.Second)
	must(t, s.update(ctx, func(tx kv.Tx) error { return s.putToken(tx, "svc", &tok) }))

	sb.SetLatency(200 * time.Millisecond) // so the children overlap
	const n = 6
	outs := runHelpers(t, path, n)
	if got := sb.Refreshes(p.ClientID); got != 1 {
		t.Fatalf("the server served %d refreshes to %d processes, want 1", got, n)
	}
	if outs[0] == first.Token.AccessToken {
		t.Fatal("the children printed the token inside its margin")
	}
	kept, err := s.CachedToken(ctx, "svc")
	must(t, err)
	if kept.AccessToken != outs[0] || kept.RefreshToken == "" || kept.RefreshToken == first.Token.RefreshToken {
		t.Fatalf("the database does not hold the winner's access token with its rotated refresh token")
	}
	if l := leaseOf(t, s, "svc"); l != nil {
		t.Fatalf("a lease is left: %+v", l)
	}
	// The rotated-out refresh token is dead at the server: had a second
	// process used it, it would have failed.
	if _, err := (&providers.Client{}).Refresh(ctx, p, first.Token.RefreshToken, providers.FetchOptions{}); !providers.NeedsLogin(err) {
		t.Fatalf("the old refresh token still works: %v", err)
	}
}
