package store

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// One fetch per expiry window: a flight (obtain) looks for a fresh token,
// takes the provider's fetch lock (waiting for another holder's fetch, or
// taking over a dead holder's lock), looks again under the lock, checks
// the quota, fetches with no transaction open, and saves the token, its
// exchanges, the quota count and the state in one transaction that also
// releases the lock. The lock is named after the provider: a flight with
// an override takes the same lock, so one fetch of a provider runs at a
// time, from any flight, process or machine.

// staleToken remembers the token a call set out to replace: for a forced
// refresh, the one present at its first look; for a call asking for more
// life left (MinTTL), the one its fast path found too short.
type staleToken struct {
	known bool
	gen   uint64
}

// fresh reports whether rec can be handed out: usable, and for a forced
// refresh not the token it set out to replace (the one present at its
// first look, usable or not). With MinTTL, a token with that much life
// left will do, and so will one saved since the call began, however long
// it lives: it is as new as a fetch of this call's own would be. An
// override wants a token fetched with it, so no token another fetch saved
// will do.
func (s *Store) fresh(rec *tokenRecord, o TokenOptions, stale *staleToken) bool {
	if o.override() {
		return false
	}
	if !stale.known {
		stale.known = true
		if rec != nil {
			stale.gen = rec.Gen
		}
		if o.ForceRefresh {
			return false
		}
	}
	now := s.now()
	if !usable(rec, now) {
		return false
	}
	if rec.Gen != stale.gen {
		return true // saved since this call began
	}
	return !o.ForceRefresh && lasts(rec, now, o.MinTTL)
}

// freshToken is the cached token when it can be handed out (see fresh),
// else nil.
func (s *Store) freshToken(tx kv.Tx, name string, o TokenOptions, stale *staleToken) (*tokenRecord, error) {
	rec, err := s.getToken(tx, name)
	if err != nil || !s.fresh(rec, o, stale) {
		return nil, err
	}
	return rec, nil
}

// grant is what the holder of the fetch lock needs for the fetch.
type grant struct {
	lock        kv.Lock
	p           providers.Provider
	secret      []byte // sealed client secret, nil when none is stored
	learned     providers.AuthStyle
	fingerprint [32]byte
	// tokenGen is the Gen of the token cached when the fetch began (0 for
	// none), to tell whether another fetch saved one meanwhile.
	tokenGen uint64
	// override is true for a fetch with a setting other than the
	// configured one (the doctor's retry): a diagnosis, not a fix.
	override bool
	// prev is the token record cached when the fetch began (nil for
	// none): a user grant refreshes with its refresh token.
	prev *tokenRecord
}

// obtain runs in a flight: a fresh token, or the fetch lock and a fetch.
// stale is the token the caller's fast path saw (none for a forced
// refresh, whose first look here records it).
func (s *Store) obtain(ctx context.Context, name string, o TokenOptions, stale staleToken) (*flightResult, error) {
	p, rec, err := s.look(ctx, name, o, &stale)
	switch {
	case err != nil:
		return nil, err
	case rec != nil:
		return s.cachedFlight(name, rec, o)
	case s.readOnly != nil:
		return nil, s.readOnly
	}
	l, err := s.b.Lock(ctx, name, lockOptions(name, p.EffectiveTimeout()+s.leaseSlack, o))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for another process to fetch the token of %s: %w", name, ctx.Err())
		}
		return nil, storeErr(err)
	}
	g, rec, refusal, err := s.prepare(ctx, l, name, o, &stale)
	switch {
	case err != nil || rec != nil:
		s.unlock(ctx, l)
		if err != nil {
			return nil, err
		}
		return s.cachedFlight(name, rec, o)
	case refusal != nil:
		return nil, s.refuse(ctx, l, name, refusal)
	}
	res, err := s.fetchAndSave(ctx, name, g)
	if err != nil {
		return nil, err
	}
	return &flightResult{res: res, o: o}, nil
}

// cachedFlight is a flight's answer with a token another fetch saved.
func (s *Store) cachedFlight(name string, rec *tokenRecord, o TokenOptions) (*flightResult, error) {
	tok, err := s.unseal(name, rec)
	if err != nil {
		return nil, err
	}
	return &flightResult{res: &TokenResult{Token: tok, Cached: true}, o: o}, nil
}

// look is the read before the lock: the provider, and a fresh token.
func (s *Store) look(ctx context.Context, name string, o TokenOptions, stale *staleToken) (p providers.Provider, rec *tokenRecord, err error) {
	err = s.view(ctx, func(tx kv.Tx) error {
		if p, err = s.getProvider(tx, name); err != nil {
			return err
		}
		rec, err = s.freshToken(tx, name, o, stale)
		return err
	})
	return p, rec, err
}

// prepare re-checks, holding the lock, the cache and the quota, and reads
// what the fetch needs. Another fetch may have saved a token while this
// one waited for the lock: then rec is that token.
func (s *Store) prepare(ctx context.Context, l kv.Lock, name string, o TokenOptions, stale *staleToken) (g *grant, rec *tokenRecord, refusal error, err error) {
	err = s.view(ctx, func(tx kv.Tx) error {
		p, err := s.getProvider(tx, name)
		if err != nil {
			return err
		}
		if rec, err = s.freshToken(tx, name, o, stale); err != nil || rec != nil {
			return err
		}
		now := s.now()
		u, err := usage(tx, p, now)
		if err != nil {
			return err
		}
		if u.Limit > 0 && u.Used >= u.Limit && !o.IgnoreQuota {
			refusal = quotaRefusal(name, u, now)
			return nil
		}
		var st stateRecord
		if _, err := s.getJSON(tx, bState, name, &st); err != nil {
			return err
		}
		secret, err := getBytes(tx, bSecrets, name)
		if err != nil {
			return err
		}
		cur, err := s.getToken(tx, name)
		if err != nil {
			return err
		}
		g = &grant{lock: l, p: p, secret: secret, learned: st.AuthStyleLearned, fingerprint: fingerprint(p, secret), override: o.override()}
		if cur != nil {
			g.tokenGen, g.prev = cur.Gen, cur
		}
		if o.AuthStyle != "" {
			g.p.AuthStyle, g.learned = o.AuthStyle, ""
		}
		if o.AssertionAudience != "" {
			g.p.AssertionAudience = o.AssertionAudience
		}
		if o.BasicEncoding != "" {
			g.p.BasicEncoding = o.BasicEncoding
		}
		return nil
	})
	return g, rec, refusal, err
}

// refuse records a quota refusal as the provider's last error and releases
// the lock in one transaction; it returns the refusal.
func (s *Store) refuse(ctx context.Context, l kv.Lock, name string, refusal error) error {
	sctx, cancel := s.saveContext(ctx)
	defer cancel()
	now := s.now()
	err := s.update(sctx, func(tx kv.Tx) error {
		if err := tx.Release(l); err != nil {
			return err
		}
		return s.updateState(tx, name, func(st *stateRecord) { st.LastError = errorRecord(refusal, now) })
	})
	if err != nil {
		s.unlock(ctx, l)
		return err
	}
	return refusal
}

// saveContext bounds the writes after a fetch, which run even when the
// caller has gone: the lock must go and the exchanges happened.
func (s *Store) saveContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.saveTimeout)
}

// unlock releases l when a flight ends without saving; a failure leaves
// the lock to its TTL.
func (s *Store) unlock(ctx context.Context, l kv.Lock) {
	sctx, cancel := s.saveContext(ctx)
	defer cancel()
	_ = l.Unlock(sctx)
}

// fingerprint identifies the settings a token is fetched with, secret
// included, to notice a change made while a fetch was under way.
func fingerprint(p providers.Provider, sealedSecret []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(settingsKey(p)))
	h.Write([]byte{0})
	h.Write(sealedSecret)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}
