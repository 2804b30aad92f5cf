package store

import (
	"context"
	"fmt"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/tokenrec"
)

// tokenRecord is a cached token: its metadata readable (listing needs no
// decryption), the access token sealed with age (tokenrec's layout, which
// the fast path of `tokentop token` reads too).
type tokenRecord = tokenrec.Record[providers.Token]

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
func usable(r *tokenRecord, now time.Time) bool {
	return r != nil && tokenrec.Usable(r.Sealed, r.Token.IssuedAt, r.Token.ExpiresAt, now)
}

// lasts reports whether the record's token has at least d of life left
// at now.
func lasts(r *tokenRecord, now time.Time, d time.Duration) bool {
	return r != nil && tokenrec.Lasts(r.Token.ExpiresAt, now, d)
}

// putToken seals tok's access token (and its refresh and ID tokens) and
// saves the record.
func (s *Store) putToken(tx kv.Tx, name string, tok *providers.Token) error {
	text, err := tokenPlaintext(tok)
	if err != nil {
		return err
	}
	sealed, err := s.keys.seal(tx, text)
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
	return putJSON(tx, bTokens, name, tokenRecord{Token: meta, Sealed: sealed, Gen: gen,
		Refreshable: tok.RefreshToken != "", HasIDToken: tok.IDToken != ""})
}

// unseal returns the record's token with the access token decrypted.
func (s *Store) unseal(name string, rec *tokenRecord) (*providers.Token, error) {
	text, err := s.keys.open(rec.Sealed, "the access token of "+name)
	if err != nil {
		return nil, err
	}
	tok := rec.Token
	if err := fromPlaintext(text, &tok); err != nil {
		return nil, fmt.Errorf("the token of %s: %w", name, err)
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
