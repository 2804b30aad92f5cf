package store

import (
	"context"
	"fmt"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// A machine's local read-through cache of a shared store is an ordinary
// bbolt Store sealed with the shared store's key file, or, when the shared
// store has a recipient list, to this machine's members of it: Keep copies into
// it each token the shared store hands out, with the provider it belongs
// to, and Usable answers from it without a network round trip while the
// copy is still good. A forced refresh elsewhere does not revoke the old
// token, so a copy is served until its own refresh margin.

// Usable is the provider's cached token when it is usable at the store's
// clock (before its refresh margin) with at least minTTL of life left;
// nil, with no error, when there is none such. It never fetches.
func (s *Store) Usable(ctx context.Context, name string, minTTL time.Duration) (*TokenResult, error) {
	res, _, err := s.cachedResult(ctx, name, minTTL)
	return res, err
}

// Keep saves p (its secret included, sealed) and tok in one transaction,
// as a local cache keeps what the shared store handed out. tok replaces
// any copy held; a p whose settings differ from the copy's replaces it.
// Nothing is counted in the ledger: the shared store counted the token.
func (s *Store) Keep(ctx context.Context, p providers.Provider, tok *providers.Token) error {
	if !providers.ValidName(p.Name) {
		return fmt.Errorf("provider name %q is not valid", p.Name)
	}
	if tok == nil || tok.AccessToken == "" {
		return fmt.Errorf("keeping the token of %s: no token", p.Name)
	}
	return s.update(ctx, func(tx kv.Tx) error {
		if err := s.putProvider(tx, p); err != nil {
			return err
		}
		return s.putToken(tx, p.Name, tok)
	})
}

// Has reports whether s has the provider called name.
func (s *Store) Has(ctx context.Context, name string) (bool, error) {
	var ok bool
	err := s.view(ctx, func(tx kv.Tx) error {
		v, err := tx.Get(kv.P(bProviders), []byte(name))
		ok = v != nil
		return err
	})
	return ok, err
}

// ReadThrough is Token over a shared store with cache as its local copy:
// a token usable in cache (and lasting o.MinTTL) is the answer, with no
// call to shared at all; otherwise shared() is opened and asked, and its
// token kept in cache (with the provider's definition, when cache lacks it
// or the token is new), so the next call answers locally. o.ForceRefresh
// bypasses the copy. A copy that cannot be kept is a warning, not an
// error: the token is good. The caller closes the store shared returned.
func ReadThrough(ctx context.Context, cache *Store, shared func(context.Context) (*Store, error), name string, o TokenOptions) (*TokenResult, error) {
	if !o.ForceRefresh && !o.override() {
		res, err := cache.Usable(ctx, name, o.MinTTL)
		if res != nil || err != nil {
			return res, err
		}
	}
	st, err := shared(ctx)
	if err != nil {
		return nil, err
	}
	res, err := st.Token(ctx, name, o)
	if err != nil || o.override() {
		return res, err // a diagnosis is not cached, here as there
	}
	if err := keepCopy(ctx, cache, st, name, res); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the local copy of %s's token was not kept: %v", name, err))
	}
	return res, nil
}

// keepCopy keeps res's token in cache, and the provider's definition from
// st when cache lacks it or the token is new (its settings may have
// changed), in one transaction. When st has a recipient list, the cache is
// sealed to this machine's own members of it (cacheseal.go).
func keepCopy(ctx context.Context, cache, st *Store, name string, res *TokenResult) error {
	members, err := cache.keys.ownMembers(st.keys.teamMembers())
	if err != nil {
		return err
	}
	have, err := cache.Has(ctx, name)
	if err != nil {
		return err
	}
	var p *providers.Provider
	if !have || !res.Cached {
		def, err := st.ProviderWithSecret(ctx, name)
		if err != nil {
			return err
		}
		p = &def
	}
	return cache.update(ctx, func(tx kv.Tx) error {
		if err := cache.sealTo(tx, members); err != nil {
			return err
		}
		if p != nil {
			if err := cache.putProvider(tx, *p); err != nil {
				return err
			}
		}
		return cache.putToken(tx, name, res.Token)
	})
}
