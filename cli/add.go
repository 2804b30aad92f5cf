package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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
      --auth tls_client_auth --tls-cert client.pem --tls-key client.key

An API key (grant api_key) needs no token URL or client id; the key is its
secret:

  printf %s "$KEY" | tokentop add payments --grant api_key --client-secret-stdin \
      --key-header X-API-Key --expires 2027-03-01 --endpoint me=https://api.payments.example/v1/me

To set only the secret of a provider that exists (a rotated secret, or one
exported without it), give --client-secret-stdin and no other flag; its
other settings stay as they are:

  printf %s "$NEW_SECRET" | tokentop add cognito-dev --client-secret-stdin`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if done, err := a.setSecretOnly(cmd, f, argv[0]); done || err != nil {
				return err
			}
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
		case providers.FlagBool:
			fl.Bool(fs.Flag, false, fs.Usage)
		}
	}
	fl.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret from standard input (asked for without echo at a terminal)")
	fl.BoolVar(&f.replace, "replace", false, "overwrite a provider of the same name")
	return cmd
}

// setSecretOnly is `tokentop add NAME --client-secret-stdin` with no other
// flag, for a provider that exists: it reads the secret and stores it,
// the provider's other settings unchanged (a client_secret_ref gives way
// to the stored secret, and that is said). done is false when the command
// line is not that, or there is no such provider: add goes on as usual.
func (a *App) setSecretOnly(cmd *cobra.Command, f addFlags, name string) (done bool, err error) {
	if !f.secretStdin || f.replace || !onlySecretFlag(cmd) {
		return false, nil
	}
	ctx := cmd.Context()
	p, err := a.existingProvider(ctx, name)
	if err != nil || p == nil {
		return false, err
	}
	if !p.Style().UsesSecret() {
		return true, usagef("%s uses auth_style %s, which takes no secret", name, p.Style())
	}
	secret, err := readSecret(ctx, a, name)
	if err != nil {
		return true, err
	}
	return true, a.withStore(ctx, func(st *store.Store) error {
		cur, err := st.Provider(ctx, name) // again: it may have changed while the secret was typed
		if err != nil {
			return err
		}
		ref := cur.ClientSecretRef
		cur.ClientSecret, cur.ClientSecretRef = secret, ""
		if err := st.PutProvider(ctx, cur); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "set the client secret of %s; its other settings are unchanged", name)
		if ref != "" {
			fmt.Fprintf(a.out, " (the stored secret replaces client_secret_ref %s)", ref)
		}
		fmt.Fprintf(a.out, "; try: tokentop token %s\n", name)
		return nil
	})
}

// onlySecretFlag reports whether --client-secret-stdin is the only flag
// given (--db and the other global flags aside).
func onlySecretFlag(cmd *cobra.Command) bool {
	only := true
	inherited := cmd.InheritedFlags()
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		only = only && (fl.Name == "client-secret-stdin" || inherited.Lookup(fl.Name) != nil)
	})
	return only
}

// existingProvider is the provider called name, or nil when there is no
// such provider or no database.
func (a *App) existingProvider(ctx context.Context, name string) (*providers.Provider, error) {
	var found *providers.Provider
	err := a.withProvider(ctx, name, func(_ *store.Store, p providers.Provider) error {
		found = &p
		return nil
	})
	var noDB *NoDatabaseError
	if errors.Is(err, store.ErrNotFound) || errors.As(err, &noDB) {
		return nil, nil
	}
	return found, err
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
	if p.ClientID == "" && !p.IsAPIKey() {
		return p, usagef("--client-id is required (an API key, --grant api_key, needs none)")
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
