package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// cachedStore is a store on a real file holding a usable token for "svc".
func cachedStore(b *testing.B, o Options) *Store {
	b.Helper()
	ts := newTokenServer(b)
	s := openStore(b, o)
	must(b, s.PutProvider(b.Context(), ts.provider("svc")))
	if _, err := s.Token(b.Context(), "svc", TokenOptions{}); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkTokenCached is the hot path of `tokentop token`: one read-only
// open of the file, read the record, decrypt the access token.
func BenchmarkTokenCached(b *testing.B) {
	s := cachedStore(b, Options{})
	ctx := b.Context()
	for b.Loop() {
		res, err := s.Token(ctx, "svc", TokenOptions{})
		if err != nil || !res.Cached {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenTokenCached adds what a new process pays besides: Open
// (schema check, key file) and Close.
func BenchmarkOpenTokenCached(b *testing.B) {
	for _, pass := range []string{"", "passphrase"} {
		b.Run(map[string]string{"": "plain-key", "passphrase": "passphrase-key"}[pass], func(b *testing.B) {
			path := testDB(b)
			cachedStore(b, Options{Path: path, Passphrase: pass})
			ctx := b.Context()
			for b.Loop() {
				s, err := Open(ctx, Options{Path: path, Passphrase: pass})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Token(ctx, "svc", TokenOptions{}); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

// BenchmarkSummaries10k is `ls` (and a dashboard refresh) over 10,000
// providers, each with a token, quota counts and state.
func BenchmarkSummaries10k(b *testing.B) {
	const n = 10000
	ctx := b.Context()
	s := openStore(b, Options{})
	now := time.Now()
	must(b, s.update(ctx, func(tx kv.Tx) error {
		for i := range n {
			name := fmt.Sprintf("provider-%05d", i)
			p := providers.Provider{Name: name, Env: "prod", TokenURL: "https://idp.example.com/oauth2/token",
				ClientID: "client-" + name, Scopes: []string{"read", "write"},
				Quota: &providers.Quota{Limit: 1000, Per: providers.PerMonth}}
			if err := putJSON(tx, bProviders, name, p); err != nil {
				return err
			}
			tok := &providers.Token{AccessToken: "at-" + name, TokenType: "Bearer", Scope: "read write",
				IssuedAt: now, ExpiresAt: now.Add(time.Hour), ExpirySource: "expires_in"}
			if err := s.putToken(tx, name, tok); err != nil {
				return err
			}
			if err := addQuota(tx, name, i%50, now, false); err != nil {
				return err
			}
			if err := s.updateState(tx, name, func(st *stateRecord) {
				st.AuthStyleLearned = providers.AuthBasic
				st.LastCall = &CallRecord{At: now, Endpoint: "me", Status: 200, Latency: time.Millisecond}
			}); err != nil {
				return err
			}
		}
		return nil
	}))
	for b.Loop() {
		sums, err := s.Summaries(ctx)
		if err != nil || len(sums) != n {
			b.Fatal(len(sums), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/provider")
}
