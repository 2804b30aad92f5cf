package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tokentop/tokentop/providers"
)

// TokenOptions tune Store.Token.
type TokenOptions struct {
	// ForceRefresh fetches a new token even when the cached one is usable.
	ForceRefresh bool
	// IgnoreQuota fetches even when the provider's quota is used up.
	IgnoreQuota bool
	// AuthStyle, when set, fetches with this client authentication style
	// instead of the configured one, once (the doctor's retry with the
	// other style). It implies ForceRefresh, and such a fetch never joins
	// one made with the configured style. Its token is returned, counted
	// and its exchanges recorded, but it is not cached and changes no
	// state: it is a diagnosis, not a fix.
	AuthStyle providers.AuthStyle
	// AssertionAudience, when set, is a private_key_jwt assertion's aud
	// instead of the configured one, once, as AuthStyle is.
	AssertionAudience string
	// BasicEncoding, when set, is HTTP Basic's encoding instead of the
	// configured one, once, as AuthStyle is.
	BasicEncoding providers.BasicEncoding
	// MinTTL asks for a token with at least this much life left: a cached
	// token with less is replaced early, by one fetch across processes as
	// any other (the lease), and the callers that asked meanwhile take
	// that new token. A new token that lives less than MinTTL is still
	// the best there is: it is handed out with a warning, never fetched
	// again in the same call.
	MinTTL time.Duration
	// OnLease, when set, hears of another process's lease on the fetch:
	// once when this call starts waiting for its holder, and when the
	// holder is found dead and its lease taken over. It is called from
	// the fetching goroutine, with no lock held; a caller that joins a
	// fetch already under way hears nothing.
	OnLease func(LeaseEvent)
}

// override reports whether o replaces a setting for one fetch.
func (o TokenOptions) override() bool {
	return o.AuthStyle != "" || o.AssertionAudience != "" || o.BasicEncoding != ""
}

// overrideKey names o's override, for its flight and its lease.
func (o TokenOptions) overrideKey() string {
	return "\x00" + string(o.AuthStyle) + "\x00" + o.AssertionAudience + "\x00" + string(o.BasicEncoding)
}

// flightKey names the flight o joins: one per provider, and one per
// override beside it.
func (o TokenOptions) flightKey(name string) string {
	if !o.override() {
		return name
	}
	return name + o.overrideKey()
}

// leaseOwner is who the lease names while a flight with options o fetches:
// this Store, or for an override flight this Store and that override, so
// that it and the usual flight of this Store never both fetch, and neither
// releases the other's lease.
func (s *Store) leaseOwner(o TokenOptions) string {
	if !o.override() {
		return s.owner
	}
	return s.owner + o.overrideKey()
}

// TokenResult is a token and how it was obtained.
type TokenResult struct {
	Token *providers.Token
	// Cached is true when no request was made for this call: the token was
	// in the cache, or another process or goroutine fetched it meanwhile.
	Cached bool
	// Warnings are for the user: the token's own warnings and the quota's
	// (at 80 %), on a fetch.
	Warnings []string
	// Exchanges are this call's requests to the token endpoint (none when
	// cached).
	Exchanges []providers.Exchange
}

func (r *TokenResult) clone() *TokenResult {
	c := *r
	tok := *r.Token
	tok.Warnings = slices.Clone(tok.Warnings)
	c.Token = &tok
	c.Warnings = slices.Clone(r.Warnings)
	c.Exchanges = slices.Clone(r.Exchanges)
	return &c
}

// Polling for another process's fetch.
const (
	pollMin = 10 * time.Millisecond
	pollMax = 200 * time.Millisecond
	// joinRetries bounds how often a caller starts over after a shared
	// flight gave an answer that does not fit its options.
	joinRetries = 3
)

// Token returns the provider's access token: the cached one while it is
// usable (outside its refresh margin), else a new one. A new token is
// fetched once however many goroutines and processes ask at the same time;
// the others get that token. A fetch that fails returns the
// *providers.Error, after recording the exchanges and the error. A fetch
// the quota forbids returns a *providers.Error of kind KindQuota, unless
// o.IgnoreQuota.
//
// The cached path is one read-only open of the file and one decryption.
func (s *Store) Token(ctx context.Context, name string, o TokenOptions) (*TokenResult, error) {
	key := o.flightKey(name)
	if o.override() {
		o.ForceRefresh = true
	}
	var stale staleToken
	if !o.ForceRefresh {
		res, seen, err := s.cachedResult(ctx, name, o.MinTTL)
		if res != nil || err != nil {
			return res, err
		}
		stale = seen
	}
	for attempt := 0; ; attempt++ {
		v, _, err := s.flights.do(ctx, key, func(fctx context.Context) (any, error) {
			return s.obtain(fctx, name, o, stale)
		})
		if attempt < joinRetries && ctx.Err() == nil && !s.fits(v, err, o) {
			continue // joined a flight that asked for less, or that was abandoned
		}
		if err != nil {
			return nil, withoutAbandoned(err)
		}
		res := v.(*flightResult).res.clone()
		if w := s.shortWarning(name, res.Token, o.MinTTL); w != "" {
			res.Warnings = append(res.Warnings, w)
		}
		return res, nil
	}
}

// shortWarning words a token handed out with less life left than minTTL
// asked ("" when it has enough): it is the newest there is, so asking
// again would only fetch another that lives as long.
func (s *Store) shortWarning(name string, tok *providers.Token, minTTL time.Duration) string {
	left := tok.ExpiresAt.Sub(s.now())
	if minTTL <= 0 || left >= minTTL {
		return ""
	}
	return fmt.Sprintf("the token of %s has %s left, less than the %s asked: it is new, and %s gives tokens %s of life, so every call asking for %s fetches another; ask for less",
		name, max(left, 0).Round(time.Second), minTTL, name, tok.Lifetime().Round(time.Second), minTTL)
}

// withoutAbandoned strips errAbandoned from a flight's error.
func withoutAbandoned(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok && errors.Is(err, errAbandoned) {
		for _, e := range j.Unwrap() {
			if e != errAbandoned {
				return e
			}
		}
	}
	return err
}

// flightResult is a flight's answer with the options it ran with.
type flightResult struct {
	res *TokenResult
	o   TokenOptions
}

// fits reports whether a shared flight's answer serves a caller with
// options o: a forced refresh wants a token fetched after it asked, a
// caller ignoring the quota wants more than a quota refusal, and a caller
// asking for more life left than the flight did wants a token with that
// much, or a new one.
func (s *Store) fits(v any, err error, o TokenOptions) bool {
	if errors.Is(err, errAbandoned) {
		return false
	}
	if err != nil {
		e, ok := providers.AsError(err)
		return !(ok && e.Kind == providers.KindQuota && o.IgnoreQuota)
	}
	fr := v.(*flightResult)
	if o.MinTTL > fr.o.MinTTL && fr.res.Cached && fr.res.Token.ExpiresAt.Sub(s.now()) < o.MinTTL {
		return false
	}
	return !o.ForceRefresh || fr.o.ForceRefresh || !fr.res.Cached
}

// cachedResult is the fast path: one read-only open, then decryption
// outside the lock. It returns a nil result when there is no usable token
// with minTTL left, and then the token it saw, so that a token saved after
// this look is known to be new.
func (s *Store) cachedResult(ctx context.Context, name string, minTTL time.Duration) (*TokenResult, staleToken, error) {
	var rec *tokenRecord
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		rec, err = s.getToken(tx, name)
		return err
	})
	seen := staleToken{known: true}
	if rec != nil {
		seen.gen = rec.Gen
	}
	if err != nil || !rec.usable(s.now()) || !rec.lasts(s.now(), minTTL) {
		return nil, seen, err
	}
	tok, err := s.unseal(name, rec)
	if err != nil {
		return nil, seen, err
	}
	return &TokenResult{Token: tok, Cached: true}, seen, nil
}

// grant is what a Store that took the lease needs for the fetch.
type grant struct {
	p           providers.Provider
	secret      []byte // sealed client secret, nil when none is stored
	learned     providers.AuthStyle
	fingerprint [32]byte
	owner       string // the lease's owner
	// override is true for a fetch with a setting other than the
	// configured one (the doctor's retry): a diagnosis, not a fix.
	override bool
}

// outcome is what a look at the database found.
type outcome struct {
	rec    *tokenRecord // a usable token
	holder *leaseRecord // another Store is fetching: its lease
	grant  *grant       // the lease is ours: fetch
	// tookOver is the lease of a dead holder that the grant replaced.
	tookOver *leaseRecord
}

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
	if !rec.usable(now) {
		return false
	}
	if rec.Gen != stale.gen {
		return true // saved since this call began
	}
	return !o.ForceRefresh && rec.lasts(now, o.MinTTL)
}

// freshToken is the cached token when it can be handed out (see fresh),
// else nil.
func (s *Store) freshToken(tx *bolt.Tx, name string, o TokenOptions, stale *staleToken) (*tokenRecord, error) {
	rec, err := s.getToken(tx, name)
	if err != nil || !s.fresh(rec, o, stale) {
		return nil, err
	}
	return rec, nil
}

// obtain runs in a flight: take the lease (or wait for the holder's
// token), fetch, save.
func (s *Store) obtain(ctx context.Context, name string, o TokenOptions, stale staleToken) (*flightResult, error) {
	wait := pollMin
	told := false // the caller heard that this call waits
	tell := func(l *leaseRecord, takenOver bool) {
		if o.OnLease != nil {
			o.OnLease(LeaseEvent{Provider: name, Holder: l.holder(), TakenOver: takenOver})
		}
	}
	for {
		out, err := s.acquire(ctx, name, o, &stale)
		switch {
		case err != nil:
			return nil, err
		case out.rec != nil:
			tok, err := s.unseal(name, out.rec)
			if err != nil {
				return nil, err
			}
			return &flightResult{res: &TokenResult{Token: tok, Cached: true}, o: o}, nil
		case out.grant != nil:
			if out.tookOver != nil {
				tell(out.tookOver, true)
			}
			res, err := s.fetchAndSave(ctx, name, out.grant)
			if err != nil {
				return nil, err
			}
			return &flightResult{res: res, o: o}, nil
		}
		// Another process is fetching: watch for its token or the end of
		// its lease (or of its holder) with read-only looks, then try again.
		if !told {
			tell(out.holder, false)
			told = true
		}
		for {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("waiting for another process to fetch the token of %s: %w", name, ctx.Err())
			case <-t.C:
			}
			wait = min(wait*2, pollMax)
			out, err := s.look(ctx, name, o, &stale)
			if err != nil {
				return nil, err
			}
			if out.rec != nil {
				tok, err := s.unseal(name, out.rec)
				if err != nil {
					return nil, err
				}
				return &flightResult{res: &TokenResult{Token: tok, Cached: true}, o: o}, nil
			}
			if out.holder == nil {
				break
			}
		}
	}
}

// look is a read-only check for a fresh token or the lease's end.
func (s *Store) look(ctx context.Context, name string, o TokenOptions, stale *staleToken) (outcome, error) {
	var out outcome
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if !has(tx, bProviders, name) {
			return notFoundProvider(name)
		}
		var err error
		if out.rec, err = s.freshToken(tx, name, o, stale); err != nil || out.rec != nil {
			return err
		}
		out.holder, _ = s.otherLease(tx, name, s.leaseOwner(o))
		return nil
	})
	return out, err
}

// acquire re-checks the cache, the lease and the quota in one write
// transaction and takes the lease when the fetch is this Store's to make.
func (s *Store) acquire(ctx context.Context, name string, o TokenOptions, stale *staleToken) (outcome, error) {
	var out outcome
	var refusal error
	err := s.update(ctx, func(tx *bolt.Tx) error {
		p, err := s.getProvider(tx, name)
		if err != nil {
			return err
		}
		if out.rec, err = s.freshToken(tx, name, o, stale); err != nil {
			return err
		}
		if out.rec != nil {
			return errNoWrite
		}
		owner := s.leaseOwner(o)
		live, dead := s.otherLease(tx, name, owner)
		if live != nil {
			out.holder = live
			return errNoWrite
		}
		now := s.now()
		if u := usage(tx, p, now); u.Limit > 0 && u.Used >= u.Limit && !o.IgnoreQuota {
			refusal = quotaRefusal(name, u, now)
			return s.updateState(tx, name, func(st *stateRecord) { st.LastError = errorRecord(refusal, now) })
		}
		var st stateRecord
		if _, err := s.getJSON(tx, bState, name, &st); err != nil {
			return err
		}
		if err := s.takeLease(tx, name, owner, p.EffectiveTimeout()+leaseSlack); err != nil {
			return err
		}
		out.grant = &grant{p: p, secret: getBytes(tx, bSecrets, name), learned: st.AuthStyleLearned, fingerprint: fingerprint(tx, p), owner: owner, override: o.override()}
		out.tookOver = dead
		if o.AuthStyle != "" {
			out.grant.p.AuthStyle, out.grant.learned = o.AuthStyle, ""
		}
		if o.AssertionAudience != "" {
			out.grant.p.AssertionAudience = o.AssertionAudience
		}
		if o.BasicEncoding != "" {
			out.grant.p.BasicEncoding = o.BasicEncoding
		}
		return nil
	})
	if err == nil && refusal != nil {
		return out, refusal
	}
	return out, err
}

// fingerprint identifies the settings a token is fetched with, secret
// included, to notice a change made while a fetch was under way.
func fingerprint(tx *bolt.Tx, p providers.Provider) [32]byte {
	h := sha256.New()
	h.Write([]byte(settingsKey(p)))
	h.Write([]byte{0})
	h.Write(bucket(tx, bSecrets).Get([]byte(p.Name)))
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// fetchAndSave asks the token endpoint with no lock held, then saves the
// token, exchanges, quota count and state and releases the lease in one
// transaction. A failed fetch records its exchanges and error and releases
// the lease the same way.
func (s *Store) fetchAndSave(ctx context.Context, name string, g *grant) (*TokenResult, error) {
	res, ferr := s.fetchWith(ctx, name, g)
	f := fetched{res: res, err: ferr, cancelled: ctx.Err() != nil}

	// Save even when ctx is cancelled: the lease must go and the exchanges
	// happened.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.lockTimeout+time.Second)
	defer cancel()
	f.now = s.now()
	out := &TokenResult{Token: res.Token, Exchanges: res.Exchanges}
	serr := s.update(sctx, func(tx *bolt.Tx) error { return s.saveFetched(tx, name, g, f, out) })
	if serr != nil {
		// The save rolled back, lease release included: release it alone,
		// so others need not wait for it to expire.
		_ = s.update(sctx, func(tx *bolt.Tx) error { return s.releaseLease(tx, name, g.owner) })
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
	if err == nil {
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

// saveFetched releases the lease and records f in tx: its exchanges, and
// either its error or its token, quota count and learned auth style. A
// provider deleted meanwhile keeps nothing. Warnings go to out.
func (s *Store) saveFetched(tx *bolt.Tx, name string, g *grant, f fetched, out *TokenResult) error {
	if err := s.releaseLease(tx, name, g.owner); err != nil {
		return err
	}
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
		return s.updateState(tx, name, func(st *stateRecord) { st.LastError = errorRecord(f.err, f.now) })
	}
	if g.override {
		// A token got with a setting other than the configured one
		// proves the setting, not the configuration: it is counted
		// (the server issued it) but neither cached nor learned, and
		// the last error stays, so `tokentop token` keeps failing
		// until the configuration is fixed.
		return countIssued(tx, name, cur, f.now, out)
	}
	if fingerprint(tx, cur) == g.fingerprint {
		if err := s.putToken(tx, name, f.res.Token); err != nil {
			return err
		}
	} else {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the settings of %s changed during the fetch; this token was not cached", name))
	}
	if err := countIssued(tx, name, cur, f.now, out); err != nil {
		return err
	}
	return s.updateState(tx, name, func(st *stateRecord) {
		st.LastError = nil
		if cur.Style() == providers.AuthAuto && f.res.AuthStyle != "" {
			st.AuthStyleLearned = f.res.AuthStyle
		}
	})
}

// countIssued counts an issued token in p's quota ledger and warns, in
// out, once 80 % of the quota is used.
func countIssued(tx *bolt.Tx, name string, p providers.Provider, now time.Time, out *TokenResult) error {
	if err := addQuota(tx, name, 1, now, true); err != nil {
		return err
	}
	if w := quotaWarning(usage(tx, p, now)); w != "" {
		out.Warnings = append(out.Warnings, w)
	}
	return nil
}
