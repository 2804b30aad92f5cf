package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tokentop/tokentop/store"
)

// Filled is what Fill put in a store, to find again in a copy.
type Filled struct {
	// Names are the providers, in name order.
	Names []string
	// Tokens are their access tokens, by name (one has none).
	Tokens map[string]string
	// Secret is every provider's client secret.
	Secret string
}

// Fill gives s three providers: two with a token (fetched from ts, so
// with exchange records and quota counts), one of them with a recorded
// test-call, and one never fetched.
func Fill(t *testing.T, s *store.Store, ts *TokenServer) Filled {
	t.Helper()
	ctx := t.Context()
	f := Filled{Names: []string{"alpha", "beta", "gamma"}, Tokens: map[string]string{}, Secret: ClientSecret}
	for _, n := range f.Names {
		must(t, s.PutProvider(ctx, ts.Provider(n)))
	}
	for _, n := range f.Names[:2] {
		res, err := s.Token(ctx, n, store.TokenOptions{})
		must(t, err)
		f.Tokens[n] = res.Token.AccessToken
	}
	_, err := s.Token(ctx, "alpha", store.TokenOptions{ForceRefresh: true})
	must(t, err)
	tok, err := s.CachedToken(ctx, "alpha")
	must(t, err)
	f.Tokens["alpha"] = tok.AccessToken
	must(t, s.RecordCall(ctx, "alpha", store.CallRecord{At: time.Now().UTC(), Endpoint: ts.URL + "/api", Status: 200}))
	return f
}

// CopyEverything: Copy moves f's data from one store to another (each
// with its own key), VerifyCopy finds it equal, and the target answers as
// the source did: providers with their secrets, tokens, records, quota
// counts and state. A second copy is refused (the target holds providers)
// unless forced.
func CopyEverything(t *testing.T, from, to *store.Store, f Filled) {
	t.Helper()
	ctx := t.Context()
	c, err := store.Copy(ctx, from, to, store.CopyOptions{})
	must(t, err)
	// alpha fetched twice and beta once: three records, and an hour, a day
	// and a month counted for each of the two.
	want := store.CopyCounts{Providers: 3, Secrets: 3, Tokens: 2, Records: 3, QuotaCounts: 6, States: c.States}
	if c != want || c.States < 2 {
		t.Fatalf("copied %+v, want %+v", c, want)
	}
	v, err := store.VerifyCopy(ctx, from, to)
	must(t, err)
	if v != c {
		t.Fatalf("verified %+v, copied %+v", v, c)
	}
	for _, n := range f.Names {
		p, err := to.ProviderWithSecret(ctx, n)
		must(t, err)
		if p.ClientSecret != f.Secret {
			t.Fatalf("%s: the copied secret differs", n)
		}
		hw, err := from.History(ctx, n)
		must(t, err)
		hg, err := to.History(ctx, n)
		must(t, err)
		if len(hw) != len(hg) {
			t.Fatalf("%s: %d records copied of %d", n, len(hg), len(hw))
		}
		uw, err := from.Usage(ctx, n)
		must(t, err)
		ug, err := to.Usage(ctx, n)
		must(t, err)
		if uw != ug {
			t.Fatalf("%s: usage %+v copied as %+v", n, uw, ug)
		}
		sw, err := from.Summary(ctx, n)
		must(t, err)
		sg, err := to.Summary(ctx, n)
		must(t, err)
		if fmt.Sprint(sw.LastCall) != fmt.Sprint(sg.LastCall) {
			t.Fatalf("%s: last call %v copied as %v", n, sw.LastCall, sg.LastCall)
		}
	}
	for n, want := range f.Tokens {
		tok, err := to.CachedToken(ctx, n)
		must(t, err)
		if tok.AccessToken != want {
			t.Fatalf("%s: the copied token differs", n)
		}
		// The copy is used as is: no fetch.
		res, err := to.Token(ctx, n, store.TokenOptions{})
		must(t, err)
		if !res.Cached || res.Token.AccessToken != want {
			t.Fatalf("%s: the target fetched instead of using the copied token", n)
		}
	}
	if _, err := to.CachedToken(ctx, "gamma"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("gamma had no token; the copy has one: %v", err)
	}

	if _, err := store.Copy(ctx, from, to, store.CopyOptions{}); !errors.Is(err, store.ErrTargetNotEmpty) {
		t.Fatalf("a second copy into a full target: %v, want ErrTargetNotEmpty", err)
	}
	c2, err := store.Copy(ctx, from, to, store.CopyOptions{Force: true})
	must(t, err)
	if c2 != c {
		t.Fatalf("forced copy %+v, first %+v", c2, c)
	}
	_, err = store.VerifyCopy(ctx, from, to)
	must(t, err)
	for n := range f.Tokens {
		h, err := to.History(ctx, n)
		must(t, err)
		hw, _ := from.History(ctx, n)
		if len(h) != len(hw) {
			t.Fatalf("%s: a forced copy left %d records, want %d (replaced, not added)", n, len(h), len(hw))
		}
	}
}
