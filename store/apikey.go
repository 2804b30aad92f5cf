package store

import (
	"context"
	"fmt"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// An API key (grant: api_key) is never fetched: Token hands out the
// provider's sealed secret (or what its client_secret_ref names) as a
// token of type api-key, expiring at the key's expires or rotate_by date.
// No token record is written, so nothing is cached twice; no exchange
// happens, so none is recorded in the flight recorder and no quota is
// counted (the calls made with the key are recorded as every call is).

// apiKeyResult is Token for an api_key provider; ok is false (and
// nothing read but the provider) for any other grant.
func (s *Store) apiKeyResult(ctx context.Context, name string) (res *TokenResult, ok bool, err error) {
	var p providers.Provider
	var sealed []byte
	err = s.view(ctx, func(tx kv.Tx) error {
		var err error
		if p, err = s.getProvider(tx, name); err != nil || !p.IsAPIKey() {
			return err
		}
		sealed, err = getBytes(tx, bSecrets, name)
		return err
	})
	if err != nil || !p.IsAPIKey() {
		return nil, false, err
	}
	tok, err := s.openKey(ctx, p, sealed)
	if err != nil {
		return nil, true, err
	}
	res = &TokenResult{Token: tok, Cached: true}
	if w := p.KeyWarning(s.now()); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	return res, true, nil
}

// openKey is p's key as a token: the sealed secret opened, or the
// client_secret_ref resolved; an error when the key is missing or past
// its expires date.
func (s *Store) openKey(ctx context.Context, p providers.Provider, sealed []byte) (*providers.Token, error) {
	if err := p.KeyProblem(s.now()); err != nil {
		return nil, err
	}
	if sealed != nil {
		var err error
		if p.ClientSecret, err = s.keys.open(sealed, "the API key of "+p.Name); err != nil {
			return nil, err
		}
	}
	key, err := providers.ResolveSecret(ctx, p, s.client.LookupEnv)
	if err != nil {
		return nil, &providers.Error{Kind: providers.KindConfig, Provider: p.Name, Description: "reading the API key", Err: err,
			Hint: "fix client_secret_ref, or store the key with `tokentop add " + p.Name + " --client-secret-stdin`"}
	}
	if key == "" {
		return nil, &providers.Error{Kind: providers.KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("no API key is set for %s", p.Name),
			Hint:        "give it one with `tokentop add " + p.Name + " --client-secret-stdin` (the key is sealed as a client secret is), or `client_secret_ref: env:VAR`"}
	}
	return p.KeyToken(key), nil
}

// keyStatus is an API key's state: none without a key, else its dates'.
func (sm Summary) keyStatus(now time.Time) providers.Status {
	if !sm.HasSecret && sm.Provider.ClientSecretRef == "" {
		return providers.StatusNone
	}
	return sm.Provider.KeyStatus(now)
}
