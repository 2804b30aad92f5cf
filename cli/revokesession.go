package cli

import (
	"context"
	"fmt"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// revokeSession revokes a user grant's session: the refresh token first
// (RFC 7009 token_type_hint=refresh_token: most servers revoke the access
// tokens it brought with it), then the access token, then forgets the
// session, so the provider needs a login. Every exchange is recorded,
// whatever happened.
func (a *App) revokeSession(ctx context.Context, st *store.Store, p providers.Provider, tok *providers.Token, learned providers.AuthStyle) error {
	name := p.Name
	c := a.client()
	defer c.CloseIdleConnections()
	var exs []providers.Exchange
	res, err := c.Revoke(ctx, p, tok.RefreshToken, providers.EndpointOptions{Learned: learned, TokenTypeHint: "refresh_token"})
	exs = append(exs, res.Exchanges...)
	if err == nil {
		res, err = c.Revoke(ctx, p, tok.AccessToken, providers.EndpointOptions{Learned: learned})
		exs = append(exs, res.Exchanges...)
	}
	if err != nil {
		if rerr := st.RecordExchanges(ctx, name, exs); rerr != nil {
			fmt.Fprintf(a.errOut, "warning: could not record the exchange: %v\n", rerr)
		}
		if len(exs) > 1 {
			return fmt.Errorf("the refresh token of %s was revoked, the access token was not (the session is kept until it expires): %w", name, err)
		}
		return withLocalHint(err, name)
	}
	if _, err := st.ForgetToken(ctx, name, store.ForgetOptions{Only: tok, Exchanges: exs, EndSession: true}); err != nil {
		return fmt.Errorf("the server revoked the session, but the store could not forget it: %w", err)
	}
	fmt.Fprintf(a.out, "revoked the refresh token and the access token (%s) of %s at %s (from %s) and forgot the session; log in again: tokentop login %s\n",
		TokenPreview(tok.AccessToken), name, res.Endpoint, res.Source, name)
	return nil
}
