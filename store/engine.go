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

// overrideKey names o's override, for its flight.
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

// joinRetries bounds how often a caller starts over after a shared
// flight gave an answer that does not fit its options.
const joinRetries = 3

// Token returns the provider's access token: the cached one while it is
// usable (outside its refresh margin), else a new one. A new token is
// fetched once however many goroutines and processes ask at the same time;
// the others get that token. A fetch that fails returns the
// *providers.Error, after recording the exchanges and the error. A fetch
// the quota forbids returns a *providers.Error of kind KindQuota, unless
// o.IgnoreQuota.
//
// The cached path is one read-only transaction and one decryption.
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
	if res, ok, err := s.apiKeyResult(ctx, name); ok || err != nil {
		return res, err // an API key: nothing to fetch
	}
	for attempt := 0; ; attempt++ {
		v, _, err := s.flights.do(ctx, key, func(fctx context.Context) (any, error) {
			return s.obtain(fctx, name, o, stale)
		})
		if attempt < joinRetries && ctx.Err() == nil && !s.fits(v, err, o) {
			continue // joined a flight that asked for less, or that was abandoned
		}
		if err != nil {
			if res := s.lastLife(ctx, name, err); res != nil {
				return res, nil
			}
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

// cachedResult is the fast path: one read-only transaction (over bbolt,
// one read-only open), then decryption outside it. It returns a nil result when there is no usable token
// with minTTL left, and then the token it saw, so that a token saved after
// this look is known to be new.
func (s *Store) cachedResult(ctx context.Context, name string, minTTL time.Duration) (*TokenResult, staleToken, error) {
	var rec *tokenRecord
	err := s.view(ctx, func(tx kv.Tx) error {
		var err error
		rec, err = s.getToken(tx, name)
		return err
	})
	seen := staleToken{known: true}
	if rec != nil {
		seen.gen = rec.Gen
	}
	if err != nil || !usable(rec, s.now()) || !lasts(rec, s.now(), minTTL) {
		return nil, seen, err
	}
	tok, err := s.unseal(name, rec)
	if err != nil {
		return nil, seen, err
	}
	return &TokenResult{Token: tok, Cached: true}, seen, nil
}
