package store

import (
	"context"
	"fmt"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// Login logs the user of provider name in (providers.Client.Login: the
// browser, the loopback redirect, the code exchange, the ID token
// checked) and saves the session: the token sealed with its refresh and
// ID tokens, the exchanges, the quota count, and the state (last error
// and "needs login" cleared), in one transaction. No lock is held while
// the user is at the browser; a refresh that was under way meanwhile
// does not overwrite the new session (cacheFetched). A failed login
// records its exchanges and error; a login abandoned by the caller
// records only its exchanges.
//
// This is the dashboard's way in as well as `tokentop login`'s: the
// options carry how the URL is shown and whether a browser opens.
func (s *Store) Login(ctx context.Context, name string, o providers.LoginOptions) (*TokenResult, error) {
	if s.readOnly != nil {
		return nil, s.readOnly
	}
	var p providers.Provider
	var secret []byte
	err := s.view(ctx, func(tx kv.Tx) error {
		var err error
		if p, err = s.getProvider(tx, name); err != nil {
			return err
		}
		secret, err = getBytes(tx, bSecrets, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !p.Grant.UserLogin() {
		return nil, fmt.Errorf("%s uses grant %s, which needs no login: tokentop token %s fetches its token", name, p.Grant.Of(), name)
	}
	g := &grant{p: p, fingerprint: fingerprint(p, secret)}
	if secret != nil {
		if p.ClientSecret, err = s.keys.open(secret, "the client secret of "+name); err != nil {
			return nil, err
		}
	}
	res, lerr := s.client.Login(ctx, p, o)
	if res == nil {
		res = &providers.Result{}
	}
	return s.saveLogin(ctx, name, g, fetched{res: res, err: lerr, cancelled: ctx.Err() != nil})
}

// saveLogin records a login's outcome as saveFetched records a fetch's,
// and returns it.
func (s *Store) saveLogin(ctx context.Context, name string, g *grant, f fetched) (*TokenResult, error) {
	sctx, cancel := s.saveContext(ctx)
	defer cancel()
	f.now = s.now()
	out := &TokenResult{Token: f.res.Token, Exchanges: f.res.Exchanges}
	serr := s.update(sctx, func(tx kv.Tx) error {
		out.Warnings = nil
		// The new session replaces whatever token was cached: that is
		// what logging in again means.
		rec, err := s.getToken(tx, name)
		if err != nil {
			return err
		}
		if rec != nil {
			g.tokenGen = rec.Gen
		}
		return s.saveFetched(tx, name, g, f, out, true)
	})
	if f.err != nil {
		return nil, f.err
	}
	out.Warnings = append(append([]string(nil), f.res.Token.Warnings...), out.Warnings...)
	if serr != nil {
		return out, fmt.Errorf("logged in, but the session could not be saved: %w", serr)
	}
	return out, nil
}
