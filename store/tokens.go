package store

import (
	"context"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// tokenRecord is a cached token: its metadata readable (listing needs no
// decryption), the access token sealed with age.
type tokenRecord struct {
	// Token is the token with AccessToken empty.
	Token providers.Token `json:"token"`
	// Sealed is the age ciphertext of the access token.
	Sealed []byte `json:"sealed"`
	// Gen is the change counter when the token was saved: a forced refresh
	// takes a token only when its Gen differs from the one it set out to
	// replace.
	Gen uint64 `json:"gen"`
}

func (s *Store) getToken(tx kv.Tx, name string) (*tokenRecord, error) {
	var rec tokenRecord
	ok, err := s.getJSON(tx, bTokens, name, &rec)
	if !ok || err != nil {
		return nil, err
	}
	return &rec, nil
}

// usable reports whether the record's token may be handed out at now, as
// providers.Token.Usable does for a token in hand.
func (r *tokenRecord) usable(now time.Time) bool {
	return r != nil && len(r.Sealed) > 0 && now.Before(r.Token.ExpiresAt.Add(-r.Token.RefreshMargin()))
}

// lasts reports whether the record's token has at least d of life left
// at now.
func (r *tokenRecord) lasts(now time.Time, d time.Duration) bool {
	return r != nil && !r.Token.ExpiresAt.Before(now.Add(d))
}

// putToken seals tok's access token (with a user's refresh and ID
// tokens: sealedPlaintext) and saves the record.
func (s *Store) putToken(tx kv.Tx, name string, tok *providers.Token) error {
	plain, err := sealedPlaintext(tok)
	if err != nil {
		return err
	}
	sealed, err := s.keys.seal(tx, plain)
	if err != nil {
		return err
	}
	meta := *tok
	meta.AccessToken, meta.RefreshToken, meta.IDToken = "", "", ""
	// The counter reads its value before this transaction: +1 is the
	// generation it commits.
	changes, err := tx.Get(kv.P(bMeta), []byte(kChanges))
	if err != nil {
		return err
	}
	gen := kv.GetU64(changes) + 1
	return putJSON(tx, bTokens, name, tokenRecord{Token: meta, Sealed: sealed, Gen: gen})
}

// unseal returns the record's token with the access token decrypted.
func (s *Store) unseal(name string, rec *tokenRecord) (*providers.Token, error) {
	at, err := s.keys.open(rec.Sealed, "the access token of "+name)
	if err != nil {
		return nil, err
	}
	tok := rec.Token
	if err := openPlaintext(name, at, &tok); err != nil {
		return nil, err
	}
	return &tok, nil
}

// CachedToken is the provider's cached token, decrypted, whatever its
// expiry; it never fetches. It returns an error wrapping ErrNotFound when
// the provider or its token is missing.
func (s *Store) CachedToken(ctx context.Context, name string) (*providers.Token, error) {
	var rec *tokenRecord
	err := s.view(ctx, func(tx kv.Tx) error {
		var err error
		if rec, err = s.getToken(tx, name); err != nil || rec != nil {
			return err
		}
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		return newError(ErrNotFound, nil, "%s has no cached token", name)
	})
	if err != nil {
		return nil, err
	}
	return s.unseal(name, rec)
}
