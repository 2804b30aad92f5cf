package storetest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/tokentop/tokentop/store"
)

// Member is a team member's machine: the key file beside their copy of
// the data (made when first needed) and their own age identity file.
type Member struct {
	Label    string
	KeyFile  string
	Identity string
	Pub      string
}

// NewMember writes a new age identity for label in a directory of its own
// and names a key file there that does not exist yet.
func NewMember(t testing.TB, label string) Member {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	must(t, err)
	dir := t.TempDir()
	path := filepath.Join(dir, "identity.txt")
	must(t, os.WriteFile(path, []byte("# "+label+"\n"+id.String()+"\n"), 0o600))
	return Member{Label: label, KeyFile: filepath.Join(dir, "tokentop.key"), Identity: path, Pub: id.Recipient().String()}
}

// Options are m's store options: their key file and identity file, and an
// empty home so the machine's own keys play no part.
func (m Member) Options(t testing.TB) store.Options {
	return store.Options{KeyFile: m.KeyFile, Identities: []string{m.Identity}, Home: t.TempDir()}
}

// TeamAcrossClients: alice, on her client, stores a provider and fetches
// its token (sealed to her key file), then puts herself and bob on the
// recipient list; bob, on another client with no key file of his, reads
// that token and fetches one alice reads; carol, not on the list, reads
// nothing; once alice removes bob, he cannot read what is fetched next,
// and the secret to rotate is named. open opens a Store on the shared data
// as the given member (each call a client of its own); it is closed when
// the test ends.
func TeamAcrossClients(t *testing.T, open func(t *testing.T, m Member) *store.Store) {
	t.Helper()
	ctx := t.Context()
	ts := NewTokenServer(t)
	alice, bob, carol := NewMember(t, "alice"), NewMember(t, "bob"), NewMember(t, "carol")
	as := open(t, alice)
	must(t, as.PutProvider(ctx, ts.Provider("svc")))
	res, err := as.Token(ctx, "svc", store.TokenOptions{})
	must(t, err)
	first := res.Token.AccessToken
	for _, m := range []Member{alice, bob} {
		ch, err := as.AddMember(ctx, store.Member{Key: m.Pub, Label: m.Label})
		must(t, err)
		if ch.Secrets != 1 || ch.Tokens != 1 || ch.Member.Label != m.Label {
			t.Fatalf("adding %s re-encrypted %+v", m.Label, ch)
		}
	}

	bs := open(t, bob)
	list, err := bs.Team(ctx)
	must(t, err)
	if len(list) != 2 || list[0].Label != "alice" || list[1].Label != "bob" {
		t.Fatalf("bob sees the list %+v", list)
	}
	if got := cached(t, bs); got != first {
		t.Fatalf("bob reads %q, alice fetched %q", got, first)
	}
	res, err = bs.Token(ctx, "svc", store.TokenOptions{ForceRefresh: true})
	must(t, err)
	byBob := res.Token.AccessToken
	if got := cached(t, as); got != byBob || got == first {
		t.Fatalf("alice reads %q, bob fetched %q", got, byBob)
	}
	p, err := bs.ProviderWithSecret(ctx, "svc")
	must(t, err)
	if p.ClientSecret != ClientSecret {
		t.Fatalf("bob reads the client secret %q", p.ClientSecret)
	}
	if _, err := os.Stat(bob.KeyFile); err == nil {
		t.Errorf("bob's key file %s was made: a member seals to the list", bob.KeyFile)
	}

	cs := open(t, carol)
	if _, err := cs.CachedToken(ctx, "svc"); !errors.Is(err, store.ErrIdentity) || !strings.Contains(err.Error(), "alice") {
		t.Fatalf("carol, not on the list, reads the token: %v", err)
	}

	ch, err := as.RemoveMember(ctx, "bob")
	must(t, err)
	if ch.Members != 1 || ch.Member.Label != "bob" || !slices.Equal(ch.SecretsOf, []string{"svc"}) || ch.SelfRemoved {
		t.Fatalf("removing bob: %+v", ch)
	}
	res, err = as.Token(ctx, "svc", store.TokenOptions{ForceRefresh: true})
	must(t, err)
	if _, err := bs.CachedToken(ctx, "svc"); !errors.Is(err, store.ErrIdentity) {
		t.Fatalf("bob reads the token fetched after his removal: %v", err)
	}
	if got := cached(t, as); got != res.Token.AccessToken {
		t.Fatalf("alice reads %q, she fetched %q", got, res.Token.AccessToken)
	}
}

// cached is the token of svc that s reads from the shared data.
func cached(t *testing.T, s *store.Store) string {
	t.Helper()
	tok, err := s.CachedToken(t.Context(), "svc")
	must(t, err)
	return tok.AccessToken
}
