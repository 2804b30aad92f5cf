package store

import (
	"context"
	"fmt"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// A user grant's token is renewed with its refresh token, under the same
// lease and "one fetch per window" as a client's (fetch.go): the holder
// of the lease reads the refresh token, as the last save left it, and
// saves the answer, a rotated refresh token included, in the one
// transaction that stores the new access token. A waiter then finds that
// token fresh and never sends the refresh token it would have read
// before: two processes never use one refresh token.

// refreshWith renews g's token with the refresh token sealed in the
// token record the fetch began with. With none, only a login helps; the
// error says so. A server that rotates answers with a new refresh token;
// one that does not leaves the old one in force, so it is kept, and so
// is the ID token when the answer brings none.
func (s *Store) refreshWith(ctx context.Context, name string, g *grant, p providers.Provider) (*providers.Result, error) {
	var prev *providers.Token
	if g.prev != nil && len(g.prev.Sealed) > 0 {
		var err error
		if prev, err = s.unseal(name, g.prev); err != nil {
			return nil, err
		}
	}
	if prev == nil || prev.RefreshToken == "" {
		e := providers.NoRefreshToken(name, prev != nil && !s.now().Before(prev.ExpiresAt))
		if prev == nil {
			e.Description = "nobody has logged in yet: " + providers.LoginAgain(name)
		}
		return nil, e
	}
	res, err := s.client.Refresh(ctx, p, prev.RefreshToken, providers.FetchOptions{Learned: g.learned})
	if err != nil {
		return res, err
	}
	if res.Token.RefreshToken == "" {
		res.Token.RefreshToken, res.Token.RefreshExpiresAt = prev.RefreshToken, prev.RefreshExpiresAt
	}
	if res.Token.IDToken == "" {
		res.Token.IDToken = prev.IDToken
	}
	return res, nil
}

// lastLife is the cached token of a session that cannot be renewed (no
// refresh token: err says so) while it is still alive, inside its refresh
// margin: it is the last there is, handed out with a warning that says
// when it dies and that only a login helps. Nil otherwise.
func (s *Store) lastLife(ctx context.Context, name string, err error) *TokenResult {
	e, ok := providers.AsError(err)
	if !ok || !providers.NeedsLogin(err) || e.Code == "invalid_grant" {
		return nil
	}
	tok, cerr := s.CachedToken(ctx, name)
	now := s.now()
	if cerr != nil || tok.AccessToken == "" || !now.Before(tok.ExpiresAt) {
		return nil
	}
	return &TokenResult{Token: tok, Cached: true, Warnings: []string{fmt.Sprintf("the token of %s dies in %s and cannot be renewed (no refresh token): %s",
		name, tok.ExpiresAt.Sub(now).Round(time.Second), providers.LoginAgain(name))}}
}

// forgetRefreshToken drops the refresh token the server refused from the
// token record, when it is still the one the fetch began with (gen): the
// next call says "log in again" without asking the server. The access
// token stays to its expiry.
func (s *Store) forgetRefreshToken(tx kv.Tx, name string, gen uint64) error {
	rec, err := s.getToken(tx, name)
	if err != nil || rec == nil || rec.Gen != gen || !rec.Refreshable {
		return err
	}
	tok, err := s.unseal(name, rec)
	if err != nil {
		return err
	}
	tok.RefreshToken, tok.RefreshExpiresAt = "", time.Time{}
	return s.putToken(tx, name, tok)
}
