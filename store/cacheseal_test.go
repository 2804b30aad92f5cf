package store

import (
	"context"
	"errors"
	"os"
	"testing"
)

// TestReadThroughCacheSealedToOwnMembers: a local cache of a store without
// a recipient list is sealed to its key file; once the shared store has a
// list, the cache is re-encrypted to this machine's own members of it
// (alice, not bob), what it held before included.
func TestReadThroughCacheSealedToOwnMembers(t *testing.T) {
	ctx := t.Context()
	tm := newTeam(t)
	shared := func(s *Store) func(context.Context) (*Store, error) {
		return func(context.Context) (*Store, error) { return s, nil }
	}
	plain := openStore(t, Options{Path: testDB(t)})
	must(t, plain.PutProvider(ctx, tm.ts.provider("svc")))
	must(t, plain.PutProvider(ctx, tm.ts.provider("other")))
	cachePath := testDB(t)
	cache := storeAs(t, cachePath, tm.alice)
	before, err := ReadThrough(ctx, cache, shared(plain), "svc", TokenOptions{})
	must(t, err)
	other, err := ReadThrough(ctx, cache, shared(plain), "other", TokenOptions{})
	must(t, err)
	sealedToKeyFile(t, cachePath)

	res, err := ReadThrough(ctx, cache, shared(tm.as), "svc", TokenOptions{ForceRefresh: true})
	must(t, err)
	list, err := cache.Team(ctx)
	must(t, err)
	if len(list) != 1 || list[0].Key != tm.alice.pub || list[0].Label != "alice" {
		t.Fatalf("the cache's list is %+v, want alice alone", list)
	}
	if res.Token.AccessToken == before.Token.AccessToken {
		t.Fatal("the forced refresh gave the same token")
	}
	// Alice reads the copies with her identity alone, the key file gone:
	// the one kept before the list too, re-encrypted.
	must(t, os.Remove(cachePath+".key"))
	as := storeAs(t, cachePath, tm.alice)
	if got := token(t, as); got != res.Token.AccessToken {
		t.Errorf("alice reads %q from the cache, want %q", got, res.Token.AccessToken)
	}
	if tok, err := as.CachedToken(ctx, "other"); err != nil || tok.AccessToken != other.Token.AccessToken {
		t.Errorf("the copy kept before the list: %v", err)
	}
	if p, err := as.ProviderWithSecret(ctx, "other"); err != nil || p.ClientSecret != tm.ts.Secret {
		t.Errorf("the secret kept before the list: %v", err)
	}
	// Bob is on the shared list, not on this machine's: his identity does
	// not open alice's copy.
	bob := storeAs(t, cachePath, tm.bob)
	if _, err := bob.CachedToken(ctx, "svc"); !errors.Is(err, ErrIdentity) {
		t.Errorf("bob reads alice's cache: %v", err)
	}
	// The list unchanged, a new copy is kept under it.
	again, err := ReadThrough(ctx, cache, shared(tm.as), "svc", TokenOptions{ForceRefresh: true})
	must(t, err)
	if len(again.Warnings) > 0 {
		t.Errorf("keeping again: %v", again.Warnings)
	}
	if got := token(t, as); got != again.Token.AccessToken {
		t.Errorf("alice reads %q from the cache, want %q", got, again.Token.AccessToken)
	}
	if list, _ := cache.Team(ctx); len(list) != 1 {
		t.Errorf("the cache's list is now %+v", list)
	}
}
