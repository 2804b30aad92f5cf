package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// tokenJSON is the shape of `tokentop token --json`.
type tokenJSON struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresAt   string `json:"expires_at"`
	Scope       string `json:"scope"`
	Cached      bool   `json:"cached"`
}

// tokenOptions are what `tokentop token` is asked.
type tokenOptions struct {
	name         string
	output       outputFormat
	forceRefresh bool
	force        bool
}

func (a *App) tokenCommand() *cobra.Command {
	var o tokenOptions
	cmd := &cobra.Command{
		Use:   "token NAME",
		Short: "Print a provider's access token (cached while valid)",
		Long: `Print only the access token, so scripts can write
  curl -H "Authorization: Bearer $(tokentop token NAME)" …

The cached token is reused until its refresh margin (the larger of 30 s and
10 % of its lifetime); only then is a new one fetched, once, however many
processes ask at the same moment. Warnings go to stderr.`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.name = argv[0]
			return a.runToken(cmd.Context(), o)
		},
	}
	o.output.Register(cmd, jsonFlag("print {access_token, token_type, expires_at, scope, cached}"))
	cmd.Flags().BoolVar(&o.forceRefresh, "force-refresh", false, "fetch a new token even if the cached one is valid")
	cmd.Flags().BoolVar(&o.force, "force", false, "fetch even past the provider's quota limit")
	return cmd
}

// runToken prints the provider's token, fetching one only when the cached
// one is not valid.
func (a *App) runToken(ctx context.Context, o tokenOptions) error {
	return a.withStore(ctx, func(st *store.Store) error {
		res, err := st.Token(ctx, o.name, store.TokenOptions{ForceRefresh: o.forceRefresh, IgnoreQuota: o.force, OnLease: a.tellLease})
		if err != nil {
			return err
		}
		a.warn(res.Warnings)
		if o.output.Format() == formatJSON {
			return safetext.EncodeJSON(a.out, tokenJSON{
				AccessToken: res.Token.AccessToken,
				TokenType:   res.Token.TokenType,
				ExpiresAt:   res.Token.ExpiresAt.UTC().Format(time.RFC3339),
				Scope:       res.Token.Scope,
				Cached:      res.Cached,
			})
		}
		_, err = fmt.Fprintln(a.out, res.Token.AccessToken)
		return err
	})
}
