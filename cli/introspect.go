package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// introspectJSON is the shape of `tokentop introspect --json`.
type introspectJSON struct {
	Provider      string                   `json:"provider"`
	Endpoint      string                   `json:"endpoint"`
	Source        string                   `json:"source"`
	Token         string                   `json:"token"`
	Introspection *providers.Introspection `json:"introspection"`
}

// introspectOptions are what `tokentop introspect` is asked.
type introspectOptions struct {
	name   string
	output outputFormat
}

func (a *App) introspectCommand() *cobra.Command {
	var o introspectOptions
	cmd := &cobra.Command{
		Use:   "introspect NAME",
		Short: "Ask the server whether the provider's token is active (RFC 7662)",
		Long: `Send the provider's cached token (one is fetched only when none is
cached) to the server's introspection endpoint, authenticated as the token
request is, and print what the server says: active or not, scope, client_id,
sub, aud, iss and the times. The endpoint is introspection_url, else
discovery's introspection_endpoint. The exchange goes into the flight
recorder (tokentop history NAME), the token redacted.
Exit code 0 when the token is active, 1 when it is not or the call failed.`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.name = argv[0]
			return a.runIntrospect(cmd.Context(), o)
		},
	}
	o.output.Register(cmd, jsonFlag("print the answer as JSON"))
	return cmd
}

// runIntrospect asks the server about the provider's token, records the
// exchange and prints the answer; a token that is not active is an error.
func (a *App) runIntrospect(ctx context.Context, o introspectOptions) error {
	name := o.name
	return a.withProviderSecret(ctx, name, func(st *store.Store, p providers.Provider) error {
		tok, fetched, err := a.cachedOrFetch(ctx, st, name, true)
		if err != nil {
			return err
		}
		if fetched {
			fmt.Fprintf(a.errOut, "%s had no cached token: fetched one\n", name)
		}
		sum, err := st.Summary(ctx, name)
		if err != nil {
			return err
		}
		c := a.client()
		defer c.CloseIdleConnections()
		res, ierr := c.Introspect(ctx, p, tok.AccessToken, providers.EndpointOptions{Learned: sum.AuthStyleLearned})
		if err := st.RecordExchanges(ctx, name, res.Exchanges); err != nil {
			fmt.Fprintf(a.errOut, "warning: could not record the exchange: %v\n", err)
		}
		if ierr != nil {
			return ierr
		}
		if err := a.printIntrospection(o, p, tok, res); err != nil {
			return err
		}
		if !res.Introspection.Active {
			return providers.NotActiveError(name)
		}
		return nil
	})
}

// printIntrospection writes the server's answer as JSON or as a report.
func (a *App) printIntrospection(o introspectOptions, p providers.Provider, tok *providers.Token, res *providers.EndpointResult) error {
	in := res.Introspection
	if o.output.Format() == formatJSON {
		return safetext.EncodeJSON(a.out, introspectJSON{Provider: o.name, Endpoint: res.Endpoint, Source: res.Source, Token: TokenPreview(tok.AccessToken), Introspection: in})
	}
	rows := []Row{KV("token", TokenPreview(tok.AccessToken)), KV("endpoint", res.Endpoint+" (from "+res.Source+")"), KV("active", fmt.Sprint(in.Active))}
	var fields []jwtclaims.Field
	for _, f := range in.Fields {
		if f.Key != "active" {
			fields = append(fields, f)
		}
	}
	r := &Report{Title: "tokentop introspect " + o.name, Secrets: []string{tok.AccessToken, p.ClientSecret},
		Sections: []Section{{Rows: append(rows, claimRows(fields, a.now())...)}}}
	return r.WriteText(a.out, 80)
}
