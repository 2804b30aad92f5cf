package cli

import (
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

func (a *App) tokenCommand() *cobra.Command {
	var asJSON, forceRefresh, force bool
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
			ctx := cmd.Context()
			st, err := a.OpenStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			res, err := st.Token(ctx, argv[0], store.TokenOptions{ForceRefresh: forceRefresh, IgnoreQuota: force, OnLease: a.tellLease})
			if err != nil {
				return err
			}
			for _, w := range res.Warnings {
				fmt.Fprintf(a.errOut, "warning: %s\n", safetext.Line(w))
			}
			if asJSON {
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
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print {access_token, token_type, expires_at, scope, cached}")
	cmd.Flags().BoolVar(&forceRefresh, "force-refresh", false, "fetch a new token even if the cached one is valid")
	cmd.Flags().BoolVar(&force, "force", false, "fetch even past the provider's quota limit")
	return cmd
}
