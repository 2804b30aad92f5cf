package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokentop/tokentop/store"
)

// tokenResult is the token `tokentop token` prints: from the bbolt file,
// or over a shared store through this machine's local cache (a copy still
// usable answers with no network round trip).
func (a *App) tokenResult(ctx context.Context, name string, o store.TokenOptions) (*store.TokenResult, error) {
	sh, err := a.sharedStore()
	if err != nil {
		return nil, err
	}
	if sh == nil {
		var res *store.TokenResult
		err := a.withStore(ctx, func(st *store.Store) error {
			res, err = st.Token(ctx, name, o)
			return err
		})
		return res, err
	}
	cache, err := a.openCache(ctx, sh)
	if err != nil {
		return nil, err
	}
	defer cache.Close()
	var shared *store.Store
	defer func() {
		if shared != nil {
			shared.Close()
		}
	}()
	res, err := store.ReadThrough(ctx, cache, func(ctx context.Context) (*store.Store, error) {
		var err error
		shared, err = a.openShared(ctx, sh, nil)
		return shared, err
	}, name, o)
	if err == nil || !errors.Is(err, store.ErrUnreachable) || !a.stores.offlineFallback {
		return res, err
	}
	return a.offlineToken(ctx, cache, sh, name, o, err)
}

// offlineToken is --offline-fallback's fetch: on this machine, into its
// local cache only, with the provider's definition last copied from the
// shared store. It is said on stderr every time.
func (a *App) offlineToken(ctx context.Context, cache *store.Store, sh *sharedStore, name string, o store.TokenOptions, cause error) (*store.TokenResult, error) {
	fmt.Fprintf(a.errOut, "warning: OFFLINE FALLBACK: %s cannot be reached; the token of %s comes from this machine's local cache, fetched here if needed. A fetch here spends the team's shared quota without the shared ledger seeing it, and other machines will fetch their own.\n", sh.where(), name)
	if ok, err := cache.Has(ctx, name); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("this machine's cache has no copy of provider %s to fetch with (it is copied on the first token taken through the shared store)", name)
		}
		return nil, fmt.Errorf("%w; offline fallback failed: %w", cause, err)
	}
	return cache.Token(ctx, name, o)
}
