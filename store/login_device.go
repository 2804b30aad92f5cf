package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// SaveLogin saves the token a user's login got for the provider name
// (the device grant's, and any other login's): the whole token sealed,
// its refresh and ID tokens included; the flight records of the login's
// requests; one token counted in the quota ledger; and the provider's
// last error cleared, all in one transaction. It returns the quota's
// warnings, if any.
func (s *Store) SaveLogin(ctx context.Context, name string, tok *providers.Token, exchanges []providers.Exchange) ([]string, error) {
	if tok == nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("saving the login of %s: no token to save", name)
	}
	out := &TokenResult{}
	err := s.update(ctx, func(tx kv.Tx) error {
		var p providers.Provider
		ok, err := s.getJSON(tx, bProviders, name, &p)
		if err != nil {
			return err
		}
		if !ok {
			return newError(ErrNotFound, nil, "no provider named %s", name)
		}
		if err := s.appendExchanges(tx, name, exchanges); err != nil {
			return err
		}
		if err := s.putToken(tx, name, tok); err != nil {
			return err
		}
		if err := countIssued(tx, name, p, s.now(), out); err != nil {
			return err
		}
		return s.updateState(tx, name, func(st *stateRecord) { st.LastError = nil })
	})
	if err != nil {
		return nil, fmt.Errorf("saving the login of %s: %w", name, err)
	}
	return out.Warnings, nil
}

// RecordLoginFailure keeps the flight records of a user's login that
// failed and, unless the user gave up (context.Canceled), the error as the
// provider's last one. Records without a request (a login refused before
// any) are left out.
func (s *Store) RecordLoginFailure(ctx context.Context, name string, exchanges []providers.Exchange, loginErr error) error {
	kept := make([]providers.Exchange, 0, len(exchanges))
	for _, ex := range exchanges {
		if ex.URL != "" && !ex.Started.IsZero() {
			kept = append(kept, ex)
		}
	}
	now := s.now()
	return s.update(ctx, func(tx kv.Tx) error {
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		if err := s.appendExchanges(tx, name, kept); err != nil {
			return err
		}
		if loginErr == nil || errors.Is(loginErr, context.Canceled) {
			return nil
		}
		return s.updateState(tx, name, func(st *stateRecord) { st.LastError = errorRecord(loginErr, now) })
	})
}

// userMark starts the sealed plaintext of a token that has a refresh or
// an ID token: a byte no access token holds (they are printable ASCII),
// so a record of an access token alone reads as it always did.
const userMark = "\x00"

// userSecrets is the sealed plaintext after userMark: the access token
// and the user's refresh and ID tokens, one ciphertext (resealed, cached
// and re-keyed like any access token).
type userSecrets struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// sealedPlaintext is what a token record seals: the access token alone,
// or userMark and the three tokens as JSON.
func sealedPlaintext(tok *providers.Token) (string, error) {
	if tok.RefreshToken == "" && tok.IDToken == "" {
		return tok.AccessToken, nil
	}
	raw, err := json.Marshal(userSecrets{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, IDToken: tok.IDToken})
	if err != nil {
		return "", fmt.Errorf("encoding the tokens to seal: %w", err)
	}
	return userMark + string(raw), nil
}

// openPlaintext fills tok's tokens from a record's opened plaintext.
func openPlaintext(name, plain string, tok *providers.Token) error {
	rest, ok := strings.CutPrefix(plain, userMark)
	if !ok {
		tok.AccessToken = plain
		return nil
	}
	var us userSecrets
	if err := json.Unmarshal([]byte(rest), &us); err != nil {
		return fmt.Errorf("reading the sealed tokens of %s: %w", name, err)
	}
	tok.AccessToken, tok.RefreshToken, tok.IDToken = us.AccessToken, us.RefreshToken, us.IDToken
	return nil
}
