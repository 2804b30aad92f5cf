package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
)

func (a *App) showCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME",
		Short: "Print a provider's effective settings, and where each came from",
		Long: `Print every setting the token request will use, with its source: the
config, a preset, or a default. A preset never hides anything. The client
secret is never printed, nor any key: for private_key_jwt and
tls_client_auth the key's type and the certificate's subject, issuer,
expiry and fingerprint are.`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			ctx := cmd.Context()
			st, err := a.OpenStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			sum, err := st.Summary(ctx, argv[0])
			if err != nil {
				return err
			}
			p := sum.Provider
			if sum.HasSecret {
				p.ClientSecret = "(stored)"
			}
			settings, err := p.Describe()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "SETTING\tVALUE\tFROM\n")
			for _, s := range settings {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Key, safetext.Line(s.Value), s.Source)
			}
			if sum.AuthStyleLearned != "" && p.Style() == providers.AuthAuto {
				fmt.Fprintf(tw, "auth_style (learned)\t%s\tlast exchange\n", sum.AuthStyleLearned)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			now := a.now()
			fmt.Fprintln(a.out)
			for _, f := range providers.KeyFacts(p) {
				fmt.Fprintf(a.out, "%-8s %s\n", f[0]+":", safetext.Line(f[1]))
			}
			fmt.Fprintf(a.out, "status:  %s\n", sum.Status(now))
			switch t := sum.Token; {
			case t.IsAPIKey():
				fmt.Fprintf(a.out, "key:     %s, %s\n", p.Placement(), providers.KeyCountdown(t, now))
				if w := p.KeyWarning(now); w != "" {
					fmt.Fprintf(a.out, "warning: %s\n", safetext.Line(w))
				}
			case t != nil:
				assumed := ""
				if t.ExpiryAssumed {
					assumed = " (assumed: " + t.ExpirySource + ")"
				}
				fmt.Fprintf(a.out, "token:   %s, scope %q, expires %s (%s)%s\n", t.TokenType, t.Scope,
					t.ExpiresAt.UTC().Format(time.RFC3339), humanUntil(t.ExpiresAt.Sub(now)), assumed)
			}
			if q := sum.Quota; q.Limit > 0 {
				fmt.Fprintf(a.out, "quota:   %d/%d this %s (hour %d, day %d, month %d)\n", q.Used, q.Limit, q.Per, q.Hour, q.Day, q.Month)
			} else {
				fmt.Fprintf(a.out, "issued:  hour %d, day %d, month %d\n", sum.Quota.Hour, sum.Quota.Day, sum.Quota.Month)
			}
			if e := sum.LastError; e != nil {
				fmt.Fprintf(a.out, "error:   %s (%s)\n", safetext.Line(e.Message), e.At.UTC().Format(time.RFC3339))
				if e.Hint != "" {
					fmt.Fprintf(a.out, "hint:    %s\n", safetext.Line(e.Hint))
				}
			}
			return nil
		},
	}
}

// humanUntil renders a remaining duration: "in 59m12s", "expired 3m ago".
func humanUntil(d time.Duration) string {
	if d < 0 {
		return "expired " + (-d).Round(time.Second).String() + " ago"
	}
	return "in " + d.Round(time.Second).String()
}
