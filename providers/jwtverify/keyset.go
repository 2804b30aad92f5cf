package jwtverify

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"

	"github.com/tokentop/tokentop/providers/safetext"
)

// KeyRefreshInterval is how often, at most, a KeySet fetches its JWKS again
// for a token whose kid it does not know (key rotation).
const KeyRefreshInterval = 5 * time.Minute

// KeySet is an issuer's JSON Web Key Set. A token with an unknown kid
// makes it fetch the set again, at most once per KeyRefreshInterval, so a
// rotated key is found. It is safe for concurrent use.
type KeySet struct {
	// URL is where the set was fetched.
	URL     string
	kf      keyfunc.Keyfunc
	storage jwkset.Storage
}

// FetchError is a JWKS that could not be fetched or read. Its words are
// Err's.
type FetchError struct {
	Err error
	// BadStatus is true when the server answered with another status
	// than 200.
	BadStatus bool
}

func (e *FetchError) Error() string { return e.Err.Error() }
func (e *FetchError) Unwrap() error { return e.Err }

// UnusableError is a JWKS that was fetched and cannot be used. Its words
// are Err's.
type UnusableError struct{ Err error }

func (e *UnusableError) Error() string { return e.Err.Error() }
func (e *UnusableError) Unwrap() error { return e.Err }

// NewKeySet fetches the JWKS at jwksURL with hc, each request bounded by
// timeout; hc is used again for every later fetch. hc decides what is
// trusted (its roots, its redirects, a cap on the body): the caller checks
// that the URL may be trusted at all. The error is a *FetchError or an
// *UnusableError.
func NewKeySet(ctx context.Context, hc *http.Client, jwksURL string, timeout time.Duration) (*KeySet, error) {
	st, err := jwkset.NewStorageFromHTTP(jwksURL, jwkset.HTTPClientStorageOptions{
		Client:      hc,
		Ctx:         ctx,
		HTTPTimeout: timeout,
	})
	if err != nil {
		return nil, &FetchError{Err: err, BadStatus: errors.Is(err, jwkset.ErrInvalidHTTPStatusCode)}
	}
	storage, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{jwksURL: st},
		RefreshUnknownKID: rate.NewLimiter(rate.Every(KeyRefreshInterval), 1),
		// The limiter is never waited for: the next token is minutes away,
		// past this deadline, so Wait returns at once and the kid is
		// reported unknown. The deadline only has to outlast a loaded
		// machine's scheduling.
		RateLimitWaitMax: 5 * time.Second,
	})
	if err != nil {
		return nil, &UnusableError{Err: err}
	}
	kf, err := keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: storage})
	if err != nil {
		return nil, &UnusableError{Err: err}
	}
	return &KeySet{URL: safetext.Line(jwksURL), kf: kf, storage: storage}, nil
}

// KeyIDs lists the kids the set holds now.
func (k *KeySet) KeyIDs(ctx context.Context) []string {
	all, err := k.storage.KeyReadAll(ctx)
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(all))
	for _, j := range all {
		out = append(out, safetext.Line(j.Marshal().KID))
	}
	return out
}

// keyAlg is the alg the JWK with that kid declares ("" when none or
// unknown). It reads only what is held, never fetches.
func (k *KeySet) keyAlg(ctx context.Context, kid string) string {
	all, err := k.storage.KeyReadAll(ctx)
	if err != nil {
		return ""
	}
	for _, j := range all {
		if m := j.Marshal(); m.KID == kid {
			return m.ALG.String()
		}
	}
	return ""
}

// has reports whether the set holds a key with that kid (without fetching).
func (k *KeySet) has(ctx context.Context, kid string) bool {
	all, err := k.storage.KeyReadAll(ctx)
	if err != nil {
		return false
	}
	for _, j := range all {
		if j.Marshal().KID == kid {
			return true
		}
	}
	return false
}
