package store

import (
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// BenchmarkTokenFetch is one forced fetch against a loopback token server:
// the request, the answer parsed, and the token, its exchange (the flight
// record, encrypted) and the quota count saved in one transaction.
func BenchmarkTokenFetch(b *testing.B) {
	ts := newTokenServer(b)
	s := openStore(b, Options{})
	must(b, s.PutProvider(b.Context(), ts.provider("svc")))
	ctx := b.Context()
	for b.Loop() {
		if _, err := s.Token(ctx, "svc", TokenOptions{ForceRefresh: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHistory is `tokentop history NAME`: read (and decrypt) a full
// flight recorder of MaxExchanges records.
func BenchmarkHistory(b *testing.B) {
	ts := newTokenServer(b)
	s := openStore(b, Options{})
	must(b, s.PutProvider(b.Context(), ts.provider("svc")))
	for range MaxExchanges {
		if _, err := s.Token(b.Context(), "svc", TokenOptions{ForceRefresh: true}); err != nil {
			b.Fatal(err)
		}
	}
	ctx := b.Context()
	for b.Loop() {
		exs, err := s.History(ctx, "svc")
		if err != nil || len(exs) != MaxExchanges {
			b.Fatal(len(exs), err)
		}
	}
}

// BenchmarkSealExchange is what encryption adds to a fetch: sealing one
// record of a typical size (2 KiB) to the database's key.
func BenchmarkSealExchange(b *testing.B) {
	s := openStore(b, Options{})
	must(b, s.PutProvider(b.Context(), providers.Provider{Name: "p", ClientSecret: "s"}))
	record := strings.Repeat("x", 2<<10)
	// The key exists (the secret was sealed), so sealing reads nothing of
	// the transaction.
	must(b, s.view(b.Context(), func(tx kv.Tx) error {
		for b.Loop() {
			if _, err := s.keys.seal(tx, record); err != nil {
				return err
			}
		}
		return nil
	}))
}
