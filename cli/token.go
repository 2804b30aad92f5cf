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
	// IDToken is there only with --id-token.
	IDToken string `json:"id_token,omitempty"`
}

// tokenOptions are what `tokentop token` is asked.
type tokenOptions struct {
	name         string
	output       outputFormat
	forceRefresh bool
	force        bool
	minTTL       time.Duration
	idToken      bool
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
processes ask at the same moment. Warnings go to stderr.

--min-ttl D asks for a token with at least D of life left: a cached one with
less is replaced early (once, across processes, as any fetch). A token that
lives less than D when new is printed with a warning.`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.name = argv[0]
			return a.runToken(cmd.Context(), o)
		},
	}
	o.output.Register(cmd, jsonFlag("print {access_token, token_type, expires_at, scope, cached}"))
	cmd.Flags().BoolVar(&o.forceRefresh, "force-refresh", false, "fetch a new token even if the cached one is valid")
	cmd.Flags().BoolVar(&o.force, "force", false, "fetch even past the provider's quota limit")
	cmd.Flags().BoolVar(&o.idToken, "id-token", false, "print the OpenID Connect ID token of a user's login instead (refreshed first if needed)")
	cmd.Flags().DurationVar(&o.minTTL, "min-ttl", 0, "at least this much life left (e.g. 10m), else fetch a new token early")
	return cmd
}

// runToken prints the provider's token, fetching one only when the cached
// one is not valid.
func (a *App) runToken(ctx context.Context, o tokenOptions) error {
	if err := checkMinTTL(o.minTTL); err != nil {
		return err
	}
	res, err := a.tokenResult(ctx, o.name, store.TokenOptions{ForceRefresh: o.forceRefresh, IgnoreQuota: o.force, MinTTL: o.minTTL, OnLease: a.tellLease})
	if err != nil {
		return err
	}
	a.warn(res.Warnings)
	printed := res.Token.AccessToken
	if o.idToken {
		if res.Token.IDToken == "" {
			return fmt.Errorf("%s has no ID token: only a login whose scopes include openid brings one", o.name)
		}
		printed = res.Token.IDToken
	}
	if o.output.Format() == formatJSON {
		j := tokenJSON{
			AccessToken: res.Token.AccessToken,
			TokenType:   res.Token.TokenType,
			ExpiresAt:   expiresText(res.Token.ExpiresAt),
			Scope:       res.Token.Scope,
			Cached:      res.Cached,
		}
		if o.idToken {
			j.IDToken = res.Token.IDToken
		}
		return safetext.EncodeJSON(a.out, j)
	}
	_, err = fmt.Fprintln(a.out, printed)
	return err
}

// maxMinTTL bounds --min-ttl: tokentop keeps no token longer than the
// ten years of a default lifetime, so more could never be met.
const maxMinTTL = 10 * 365 * 24 * time.Hour

// checkMinTTL refuses a --min-ttl that cannot be meant, as a usage error.
func checkMinTTL(d time.Duration) error {
	switch {
	case d < 0:
		return usagef("--min-ttl %s is negative: give the life a token must have left, e.g. --min-ttl 10m", d)
	case d > maxMinTTL:
		return usagef("--min-ttl %s is longer than any token tokentop keeps (at most 10 years)", d)
	}
	return nil
}

// expiresText is an expiry in RFC 3339, or "" for none (an API key with
// no date).
func expiresText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
