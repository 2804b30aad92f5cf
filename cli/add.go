package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// addFlags are the flags of `tokentop add` that are not settings; the
// settings' flags come from providers.Fields.
type addFlags struct {
	secretStdin bool
	replace     bool
}

func (a *App) addCommand() *cobra.Command {
	var f addFlags
	cmd := &cobra.Command{
		Use:   "add NAME --token-url URL --client-id ID [--client-secret-stdin | --auth private_key_jwt --private-key-file PATH | --auth tls_client_auth --tls-cert PATH --tls-key PATH]",
		Short: "Add a provider",
		Long: `Add a provider from flags. The secret is never a flag (it would land in
your shell history): pipe it with --client-secret-stdin (at a terminal it is
asked for, without echo), or point at it with
--client-secret-ref env:VAR | file:PATH | cmd:COMMAND.

  printf %s "$SECRET" | tokentop add cognito-dev --preset cognito \
      --token-url https://auth.example.com/oauth2/token \
      --client-id my-client --client-secret-stdin --scope api/write

Clients that prove themselves with a key need no secret:

  tokentop add okta-jwt --preset okta --issuer https://ORG.okta.com/oauth2/default \
      --client-id my-client --auth private_key_jwt --private-key-file ~/keys/okta.pem
  tokentop add bank --token-url https://mtls.bank.example/oauth2/token --client-id my-client \
      --auth tls_client_auth --tls-cert client.pem --tls-key client.key`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			p, err := f.provider(argv[0], cmd)
			if err != nil {
				return err
			}
			if f.secretStdin {
				if p.ClientSecret, err = readSecret(cmd.Context(), a, p.Name); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			st, err := a.CreateStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if !f.replace {
				if _, err := st.Provider(ctx, p.Name); err == nil {
					return fmt.Errorf("a provider named %s exists: use --replace to overwrite it, or `tokentop rm %s`", p.Name, p.Name)
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			if err := st.PutProvider(ctx, p); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "added %s; try: tokentop token %s\n", p.Name, p.Name)
			return a.warnNoSecret(ctx, st, []providers.Provider{p})
		},
	}
	fl := cmd.Flags()
	for _, fs := range providers.Fields() {
		switch fs.FlagKind {
		case providers.FlagText:
			fl.String(fs.Flag, "", fs.Usage)
		case providers.FlagList:
			fl.StringArray(fs.Flag, nil, fs.Usage)
		case providers.FlagDuration:
			fl.Duration(fs.Flag, 0, fs.Usage)
		}
	}
	fl.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret from standard input (asked for without echo at a terminal)")
	fl.BoolVar(&f.replace, "replace", false, "overwrite a provider of the same name")
	return cmd
}

// provider builds and validates the provider the flags describe: each
// setting's flag given is written by its providers.Fields entry.
func (f *addFlags) provider(name string, cmd *cobra.Command) (providers.Provider, error) {
	p := providers.Provider{Name: name}
	fl := cmd.Flags()
	for _, fs := range providers.Fields() {
		if fs.Flag == "" || !fl.Changed(fs.Flag) {
			continue
		}
		values := []string{fl.Lookup(fs.Flag).Value.String()}
		if fs.FlagKind == providers.FlagList {
			values, _ = fl.GetStringArray(fs.Flag)
		}
		for _, v := range values {
			if err := fs.Set(&p, v); err != nil {
				return p, usageError{err}
			}
		}
	}
	if p.ClientID == "" {
		return p, usagef("--client-id is required")
	}
	if f.secretStdin && p.ClientSecretRef != "" {
		return p, usagef("give the secret one way: --client-secret-stdin or --client-secret-ref")
	}
	if f.secretStdin && !p.Style().UsesSecret() {
		return p, usagef("--auth %s takes no secret: leave out --client-secret-stdin", p.Style())
	}
	if err := p.AbsFiles(); err != nil {
		return p, err
	}
	if err := p.Validate(); err != nil {
		return p, usageError{err}
	}
	return p, nil
}
