package store

import "testing"

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
