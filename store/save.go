package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// After the fetch: the token, its exchanges, the quota count and the
// provider's state are saved in one transaction that releases the lock.

// fetchAndSave asks the token endpoint with no transaction open, then
// saves the token, exchanges, quota count and state and releases the lock
// in one transaction. A failed fetch records its exchanges and error and
// releases the lock the same way. A fetch that outlived its lock (slower
// than its TTL) is still recorded and counted, without the lock; its
// token is cached only when no other was saved meanwhile.
func (s *Store) fetchAndSave(ctx context.Context, name string, g *grant) (*TokenResult, error) {
	res, ferr := s.fetchWith(ctx, name, g)
	f := fetched{res: res, err: ferr, cancelled: ctx.Err() != nil}

	sctx, cancel := s.saveContext(ctx)
	defer cancel()
	f.now = s.now()
	out := &TokenResult{Token: res.Token, Exchanges: res.Exchanges}
	serr := s.update(sctx, func(tx kv.Tx) error {
		out.Warnings = nil
		if err := tx.Release(g.lock); err != nil {
			return err
		}
		return s.saveFetched(tx, name, g, f, out, true)
	})
	if errors.Is(serr, kv.ErrLockLost) {
		serr = s.update(sctx, func(tx kv.Tx) error {
			out.Warnings = nil
			return s.saveFetched(tx, name, g, f, out, false)
		})
	}
	if serr != nil {
		// The save rolled back, lock release included: release it alone,
		// so others need not wait for its TTL.
		_ = g.lock.Unlock(sctx)
	}
	if ferr != nil {
		return nil, ferr
	}
	out.Warnings = append(slices.Clone(res.Token.Warnings), out.Warnings...)
	if serr != nil {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the token could not be saved, so the next call fetches again: %v", serr))
	}
	return out, nil
}

// fetchWith asks the token endpoint with the grant's settings, the stored
// secret opened first. The result is never nil, even with an error.
func (s *Store) fetchWith(ctx context.Context, name string, g *grant) (*providers.Result, error) {
	p := g.p
	var res *providers.Result
	var err error
	if g.secret != nil {
		p.ClientSecret, err = s.keys.open(g.secret, "the client secret of "+name)
	}
	switch {
	case err != nil:
	case p.Grant.UserLogin():
		res, err = s.refreshWith(ctx, name, g, p)
	default:
		res, err = s.client.Fetch(ctx, p, providers.FetchOptions{Learned: g.learned})
	}
	if res == nil {
		res = &providers.Result{}
	}
	return res, err
}

// fetched is one fetch's outcome, as saveFetched records it.
type fetched struct {
	res       *providers.Result // never nil
	err       error             // the fetch failed
	cancelled bool              // the caller gave up
	now       time.Time
}

// saveFetched records f in tx: its exchanges, and either its error or its
// token, quota count and learned auth style. A provider deleted meanwhile
// keeps nothing. Without the lock (locked false: the fetch outlived it)
// the token is cached only when no other was saved since the fetch began.
// Warnings go to out.
func (s *Store) saveFetched(tx kv.Tx, name string, g *grant, f fetched, out *TokenResult, locked bool) error {
	var cur providers.Provider
	ok, err := s.getJSON(tx, bProviders, name, &cur)
	if err != nil || !ok {
		return err // !ok: deleted meanwhile, keep nothing of it
	}
	if err := s.appendExchanges(tx, name, f.res.Exchanges); err != nil {
		return err
	}
	if f.err != nil {
		if f.cancelled || g.override {
			// The caller gave up, or a setting the provider does not
			// have failed: neither is the provider's last error.
			return nil
		}
		if providers.NeedsLogin(f.err) {
			if err := s.forgetRefreshToken(tx, name, g.tokenGen); err != nil {
				return err
			}
		}
		return s.updateState(tx, name, func(st *stateRecord) {
			st.LastError, st.NeedsLogin = errorRecord(f.err, f.now), providers.NeedsLogin(f.err)
		})
	}
	if g.override {
		// A token got with a setting other than the configured one
		// proves the setting, not the configuration: it is counted
		// (the server issued it) but neither cached nor learned, and
		// the last error stays, so `tokentop token` keeps failing
		// until the configuration is fixed.
		return countIssued(tx, name, cur, f.now, out)
	}
	if err := s.cacheFetched(tx, name, g, cur, f.res.Token, out, locked); err != nil {
		return err
	}
	if err := countIssued(tx, name, cur, f.now, out); err != nil {
		return err
	}
	return s.updateState(tx, name, func(st *stateRecord) {
		st.LastError, st.NeedsLogin = nil, false
		if cur.Style() == providers.AuthAuto && f.res.AuthStyle != "" {
			st.AuthStyleLearned = f.res.AuthStyle
		}
	})
}

// cacheFetched caches a fetched token unless the provider's settings
// changed during the fetch or, without the lock, another token was saved.
func (s *Store) cacheFetched(tx kv.Tx, name string, g *grant, cur providers.Provider, tok *providers.Token, out *TokenResult, locked bool) error {
	secret, err := getBytes(tx, bSecrets, name)
	if err != nil {
		return err
	}
	if fingerprint(cur, secret) != g.fingerprint {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the settings of %s changed during the fetch; this token was not cached", name))
		return nil
	}
	if !locked || cur.Grant.UserLogin() {
		// A user grant's token may have been replaced by a login
		// (which takes no lock while the user is at the browser):
		// the newer session wins.
		rec, err := s.getToken(tx, name)
		if err != nil {
			return err
		}
		if rec != nil && rec.Gen != g.tokenGen {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the fetch of %s outlived its lock and another token was saved meanwhile; this token was not cached", name))
			return nil
		}
	}
	return s.putToken(tx, name, tok)
}

// countIssued counts an issued token in p's quota ledger and warns, in
// out, once 80 % of the quota is used.
func countIssued(tx kv.Tx, name string, p providers.Provider, now time.Time, out *TokenResult) error {
	if err := addQuota(tx, name, 1, now, true); err != nil {
		return err
	}
	u, err := usage(tx, p, now)
	if err != nil {
		return err
	}
	if w := quotaWarning(u); w != "" {
		out.Warnings = append(out.Warnings, w)
	}
	return nil
}
