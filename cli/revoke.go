package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// revokeOptions are what `tokentop revoke` is asked.
type revokeOptions struct {
	name  string
	local bool
}

func (a *App) revokeCommand() *cobra.Command {
	var o revokeOptions
	cmd := &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke the provider's cached token at the server (RFC 7009) and forget it",
		Long: `Send the provider's cached token to the server's revocation endpoint,
authenticated as the token request is, then drop it from the cache so the
next call fetches a new one. The endpoint is revocation_url, else
discovery's revocation_endpoint; a server that offers none is said so, and
--local only forgets the cached token. A token the server does not know is
revoked all the same (RFC 7009 §2.2 answers 200). The exchange goes into the
flight recorder, the token redacted. Nothing is fetched.

For a user's login with a refresh token, the refresh token is revoked too
(first, with token_type_hint=refresh_token), then the access token, and the
session is forgotten: the provider needs tokentop login again.`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.name = argv[0]
			return a.runRevoke(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.local, "local", false, "only forget the cached token, without asking the server")
	return cmd
}

// runRevoke revokes the cached token at the server (or, with --local,
// only forgets it) and drops it from the cache.
func (a *App) runRevoke(ctx context.Context, o revokeOptions) error {
	name := o.name
	return a.withProviderSecret(ctx, name, func(st *store.Store, p providers.Provider) error {
		tok, err := st.CachedToken(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(a.out, "%s has no cached token: nothing to revoke\n", name)
			return nil
		}
		if err != nil {
			return err
		}
		if o.local {
			if _, err := st.ForgetToken(ctx, name, store.ForgetOptions{Only: tok, EndSession: p.Grant.UserLogin()}); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "forgot the cached token of %s (%s); it was not revoked at the server\n", name, TokenPreview(tok.AccessToken))
			return nil
		}
		sum, err := st.Summary(ctx, name)
		if err != nil {
			return err
		}
		if p.Grant.UserLogin() && tok.RefreshToken != "" {
			return a.revokeSession(ctx, st, p, tok, sum.AuthStyleLearned)
		}
		c := a.client()
		defer c.CloseIdleConnections()
		res, rerr := c.Revoke(ctx, p, tok.AccessToken, providers.EndpointOptions{Learned: sum.AuthStyleLearned})
		if rerr != nil {
			if err := st.RecordExchanges(ctx, name, res.Exchanges); err != nil {
				fmt.Fprintf(a.errOut, "warning: could not record the exchange: %v\n", err)
			}
			return withLocalHint(rerr, name)
		}
		if _, err := st.ForgetToken(ctx, name, store.ForgetOptions{Only: tok, Exchanges: res.Exchanges}); err != nil {
			return fmt.Errorf("the server revoked the token, but the cache could not be cleared: %w", err)
		}
		fmt.Fprintf(a.out, "revoked the token of %s (%s) at %s (from %s) and forgot it; the next call fetches a new one\n",
			name, TokenPreview(tok.AccessToken), res.Endpoint, res.Source)
		return nil
	})
}

// withLocalHint adds to a "no revocation endpoint" error the way out:
// forget the token without asking the server.
func withLocalHint(err error, name string) error {
	if e, ok := providers.AsError(err); ok && errors.Is(err, providers.ErrNoEndpoint) {
		e.Hint += "; or forget the cached token only: tokentop revoke " + name + " --local"
	}
	return err
}
