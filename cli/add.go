package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// addFlags are the settings `tokentop add` takes.
type addFlags struct {
	p            providers.Provider
	secretStdin  bool
	quota        string
	timeout      time.Duration
	params       []string
	endpoints    []string
	replace      bool
	auth, scopes string
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
				if p.ClientSecret, err = readSecret(a, p.Name); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			st, err := a.OpenStore(ctx)
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
	fl.StringVar(&f.p.TokenURL, "token-url", "", "the token endpoint (optional with --preset and --issuer)")
	fl.StringVar(&f.p.ClientID, "client-id", "", "the client id")
	fl.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret from standard input (asked for without echo at a terminal)")
	fl.StringVar(&f.p.ClientSecretRef, "client-secret-ref", "", "resolve the secret at fetch time: env:VAR, file:PATH or cmd:COMMAND")
	fl.StringVar(&f.scopes, "scope", "", "scopes, separated by spaces or commas")
	fl.StringVar(&f.p.ScopeSeparator, "scope-separator", "", `how scopes are joined in the request (default " "; "," for some providers)`)
	fl.StringVar(&f.p.Audience, "audience", "", "sent as audience (Auth0 and others)")
	fl.StringVar(&f.p.Resource, "resource", "", "sent as resource (RFC 8707)")
	fl.StringVar(&f.auth, "auth", "", "client authentication: basic, post, auto (default), private_key_jwt or tls_client_auth")
	fl.StringVar((*string)(&f.p.BasicEncoding), "basic-encoding", "", "how HTTP Basic writes the id and secret: form (RFC 6749, default) or raw (for servers that do not decode)")
	fl.StringVar(&f.p.PrivateKeyFile, "private-key-file", "", "PEM private key that signs the client assertion (--auth private_key_jwt)")
	fl.StringVar(&f.p.PrivateKeyKID, "private-key-kid", "", "kid header of the client assertion")
	fl.StringVar(&f.p.AssertionAlg, "assertion-alg", "", "signing algorithm of the assertion (default: from the key: RS256, ES256, EdDSA)")
	fl.StringVar(&f.p.AssertionAudience, "assertion-audience", "", "aud of the assertion (default: the issuer, else the token URL)")
	fl.StringVar(&f.p.TLSCertFile, "tls-cert", "", "PEM client certificate presented in the TLS handshake (--auth tls_client_auth)")
	fl.StringVar(&f.p.TLSKeyFile, "tls-key", "", "PEM private key of --tls-cert")
	fl.StringVar(&f.p.CAFile, "ca-file", "", "PEM CA certificates to trust besides the system's")
	fl.StringVar(&f.p.Preset, "preset", "", "fill defaults for a known provider: "+strings.Join(presetNames(), ", "))
	fl.StringVar(&f.quota, "quota", "", "token quota, for example 1000/month, 50/day, 10/hour")
	fl.StringVar(&f.p.Env, "env", "", "an environment label: sandbox, prod, …")
	fl.StringVar(&f.p.Issuer, "issuer", "", "the issuer (for presets and discovery)")
	fl.DurationVar(&f.timeout, "timeout", 0, "timeout of one exchange (default 15s)")
	fl.StringArrayVar(&f.params, "param", nil, "an extra form field KEY=VALUE (repeatable)")
	fl.StringArrayVar(&f.endpoints, "endpoint", nil, "a saved API endpoint NAME=URL or NAME=METHOD:URL (repeatable)")
	fl.StringVar(&f.p.Notes, "notes", "", "free text")
	fl.BoolVar(&f.replace, "replace", false, "overwrite a provider of the same name")
	return cmd
}

// provider builds and validates the provider the flags describe.
func (f *addFlags) provider(name string, cmd *cobra.Command) (providers.Provider, error) {
	p := f.p
	p.Name = name
	p.AuthStyle = providers.AuthStyle(strings.ToLower(f.auth))
	p.Scopes = splitScopes(f.scopes)
	p.Timeout = providers.Duration(f.timeout)
	if f.quota != "" {
		q, err := providers.ParseQuota(f.quota)
		if err != nil {
			return p, usageError{err}
		}
		p.Quota = &q
	}
	for _, kv := range f.params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return p, usagef("--param %q: want KEY=VALUE", kv)
		}
		if p.Params == nil {
			p.Params = map[string]string{}
		}
		p.Params[k] = v
	}
	for _, e := range f.endpoints {
		ep, err := parseEndpointFlag(e)
		if err != nil {
			return p, err
		}
		p.Endpoints = append(p.Endpoints, ep)
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

func parseEndpointFlag(s string) (providers.Endpoint, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || name == "" || rest == "" {
		return providers.Endpoint{}, usagef("--endpoint %q: want NAME=URL or NAME=METHOD:URL", s)
	}
	ep := providers.Endpoint{Name: name, Method: "GET", URL: rest}
	if m, u, ok := strings.Cut(rest, ":"); ok && m != "" && strings.ToUpper(m) == m && !strings.HasPrefix(u, "//") {
		ep.Method, ep.URL = m, u
	}
	return ep, nil
}

// splitScopes splits on spaces and commas.
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

func presetNames() []string {
	var names []string
	for _, p := range providers.Presets() {
		names = append(names, p.Name)
	}
	return names
}
