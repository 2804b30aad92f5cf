package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// OneTokenAcrossClients: 10 goroutines on each Store ask at once for the
// token of a provider that has none; one token is fetched, every caller
// gets it, and it is counted once.
func OneTokenAcrossClients(t *testing.T, stores []*store.Store) {
	t.Helper()
	ctx := t.Context()
	ts := NewTokenServer(t)
	ts.Delay = 200 * time.Millisecond // so the callers overlap
	must(t, stores[0].PutProvider(ctx, ts.Provider("svc")))

	const per = 10
	var wg sync.WaitGroup
	tokens := make([]string, len(stores)*per)
	errs := make([]error, len(tokens))
	for i := range tokens {
		wg.Go(func() {
			res, err := stores[i%len(stores)].Token(ctx, "svc", store.TokenOptions{})
			if err == nil {
				tokens[i] = res.Token.AccessToken
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] == "" || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %q, %v (caller 0: %q)", i, tokens[i], errs[i], tokens[0])
		}
	}
	if ts.Issued() != 1 {
		t.Fatalf("issued %d tokens to %d callers, want 1", ts.Issued(), len(tokens))
	}
	for i, s := range stores {
		u, err := s.Usage(ctx, "svc")
		must(t, err)
		if u.Month != 1 {
			t.Fatalf("store %d counts %d tokens, want 1", i, u.Month)
		}
	}
}

// QuotaExactAcrossClients: 4 goroutines on each Store force refreshes
// until the quota (7 a day) refuses them; exactly the quota is issued and
// counted, every caller ends refused, and the refusal is the provider's
// last error.
func QuotaExactAcrossClients(t *testing.T, stores []*store.Store) {
	t.Helper()
	const limit = 7
	ctx := t.Context()
	ts := NewTokenServer(t)
	p := ts.Provider("svc")
	p.Quota = &providers.Quota{Limit: limit, Per: providers.PerDay}
	must(t, stores[0].PutProvider(ctx, p))

	var wg sync.WaitGroup
	errs := make([]error, 4*len(stores))
	for i := range errs {
		wg.Go(func() {
			for range 2 * limit {
				_, err := stores[i%len(stores)].Token(ctx, "svc", store.TokenOptions{ForceRefresh: true})
				if pe, ok := providers.AsError(err); ok && pe.Kind == providers.KindQuota {
					return
				}
				if err != nil {
					errs[i] = err
					return
				}
			}
			errs[i] = errors.New("never refused")
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if ts.Issued() != limit {
		t.Fatalf("issued %d tokens under a quota of %d", ts.Issued(), limit)
	}
	for i, s := range stores {
		sm, err := s.Summary(ctx, "svc")
		must(t, err)
		if sm.Quota.Day != limit || sm.Quota.Used != limit {
			t.Fatalf("store %d counts %+v, want %d", i, sm.Quota, limit)
		}
		if sm.LastError == nil || sm.LastError.Kind != string(providers.KindQuota) {
			t.Fatalf("store %d: the refusal is not the last error: %+v", i, sm.LastError)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
