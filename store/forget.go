package store

import (
	"context"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// ForgetOptions tune ForgetToken.
type ForgetOptions struct {
	// Only, when set, is the token meant: a cached token issued at another
	// time (fetched meanwhile by another process) is kept.
	Only *providers.Token
	// Exchanges are recorded in the same transaction (a revocation).
	Exchanges []providers.Exchange
	// EndSession marks a user grant's session over when its token is
	// dropped (a revoked session): the provider needs a login.
	EndSession bool
}

// ForgetToken drops the provider's cached token, so the next call fetches
// a new one (or, with o.EndSession, needs a login), and records
// o.Exchanges, in one transaction. The learned auth
// style and the last error stay: the settings did not change. It reports
// whether a token was dropped; a missing provider is an error wrapping
// ErrNotFound.
func (s *Store) ForgetToken(ctx context.Context, name string, o ForgetOptions) (bool, error) {
	var dropped bool
	err := s.update(ctx, func(tx kv.Tx) error {
		dropped = false // a backend may run fn again
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		if err := s.appendExchanges(tx, name, o.Exchanges); err != nil {
			return err
		}
		rec, err := s.getToken(tx, name)
		if err != nil || rec == nil {
			return err
		}
		if o.Only != nil && !(rec.Token.IssuedAt.Equal(o.Only.IssuedAt) && rec.Token.ExpiresAt.Equal(o.Only.ExpiresAt)) {
			return nil
		}
		dropped = true
		if err := del(tx, bTokens, name); err != nil || !o.EndSession {
			return err
		}
		return s.updateState(tx, name, func(st *stateRecord) { st.NeedsLogin = true })
	})
	return dropped, err
}

// RecordExchanges adds exchanges made outside a token fetch (introspection,
// revocation) to the provider's flight recorder, in one transaction.
func (s *Store) RecordExchanges(ctx context.Context, name string, exs []providers.Exchange) error {
	if len(exs) == 0 {
		return nil
	}
	return s.update(ctx, func(tx kv.Tx) error {
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		return s.appendExchanges(tx, name, exs)
	})
}
