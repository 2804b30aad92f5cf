package store

import (
	"fmt"
	"testing"
)

// teamStore is a database holding svc's token, sealed to members
// recipients (age keys, the reader's own first), and the reader's options:
// an age identity file and an empty home.
func teamStore(b *testing.B, members int) Options {
	b.Helper()
	ctx := b.Context()
	path := testDB(b)
	me := ageMember(b, "me")
	o := Options{Path: path, Identities: []string{me.identity}, Home: b.TempDir()}
	s := cachedStore(b, o)
	must(b, addMember(b, s, me)) // the first member is the caller
	for i := 1; i < members; i++ {
		must(b, addMember(b, s, ageMember(b, fmt.Sprintf("m%d", i))))
	}
	if _, err := s.Token(ctx, "svc", TokenOptions{ForceRefresh: true}); err != nil {
		b.Fatal(err)
	}
	s.Close()
	return o
}

func addMember(b *testing.B, s *Store, m member) error {
	_, err := s.AddMember(b.Context(), Member{Key: m.pub, Label: m.label})
	return err
}

// BenchmarkOpenTokenCachedTeam is a new process's cache hit on a team
// database: Open, the identity file read, the token opened among the
// list's stanzas, Close. Compare BenchmarkOpenTokenCached.
func BenchmarkOpenTokenCachedTeam(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			o := teamStore(b, n)
			ctx := b.Context()
			for b.Loop() {
				s, err := Open(ctx, o)
				if err != nil {
					b.Fatal(err)
				}
				if res, err := s.Token(ctx, "svc", TokenOptions{}); err != nil || !res.Cached {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

// BenchmarkTeamChange is one `team add` and one `team rm` on a database
// of 100 providers, each with a secret, a token and its flight records:
// every record re-encrypted twice in all.
func BenchmarkTeamChange(b *testing.B) {
	ctx := b.Context()
	ts := newTokenServer(b)
	me := ageMember(b, "me")
	s := openStore(b, Options{Identities: []string{me.identity}, Home: b.TempDir()})
	for i := range 100 {
		name := fmt.Sprintf("p%03d", i)
		must(b, s.PutProvider(ctx, ts.provider(name)))
		if _, err := s.Token(ctx, name, TokenOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	must(b, addMember(b, s, me))
	other := ageMember(b, "other")
	var records int
	for b.Loop() {
		ch, err := s.AddMember(ctx, Member{Key: other.pub, Label: other.label})
		must(b, err)
		if _, err := s.RemoveMember(ctx, other.label); err != nil {
			b.Fatal(err)
		}
		records = ch.Secrets + ch.Tokens + ch.Exchanges
	}
	b.ReportMetric(float64(records), "records")
}
