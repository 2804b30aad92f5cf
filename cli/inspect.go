package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// inspectJSON is the shape of `tokentop inspect --json`.
type inspectJSON struct {
	Provider     string                  `json:"provider,omitempty"`
	Source       string                  `json:"source"`
	Token        string                  `json:"token"`
	Verification *providers.Verification `json:"verification"`
	Notes        []string                `json:"notes,omitempty"`
}

type inspectFlags struct {
	markdown, asJSON, offline bool
	provider, jwksURI         string
}

func (a *App) inspectCommand() *cobra.Command {
	var f inspectFlags
	cmd := &cobra.Command{
		Use:   "inspect NAME|TOKEN|-",
		Short: "Decode a token and check its signature, alg, iss, aud and times",
		Long: `Decode a token and verify it: its signature against the JWKS (jwks_uri,
else discovery's, fetched again once when the token's kid is unknown), its
alg, iss and aud against what the provider expects, and exp, nbf and iat by
the server's clock (the skew comes from the token response's Date header).
An unsigned (alg: none) token, a bad signature, an encrypted token (JWE), an
opaque token and a malformed one are each labelled as such.

NAME inspects the provider's cached token (one is fetched only when none is
cached, and that is said). "-" reads a token from stdin, so it stays out of
the shell history; a token given as an argument works too. A raw token is
checked against the provider named by --provider, else against the issuer in
its iss claim (https only; --offline fetches nothing).

The full token is never printed: only its first and last characters.
--markdown writes a redacted report to paste into a ticket.
Exit code 0 when no check failed, 1 when one did (bad signature, alg: none,
unknown key, malformed, expired, not yet valid, wrong iss, aud or alg).`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error { return a.inspect(cmd.Context(), argv[0], f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.markdown, "markdown", false, "write a redacted Markdown report")
	fl.BoolVar(&f.asJSON, "json", false, "print the verification as JSON")
	fl.BoolVar(&f.offline, "offline", false, "decode and check claims only: no discovery, no JWKS")
	fl.StringVar(&f.provider, "provider", "", "check a raw token against this provider's settings")
	fl.StringVar(&f.jwksURI, "jwks-uri", "", "verify against this JWKS instead of the provider's")
	return cmd
}

func (a *App) inspect(ctx context.Context, arg string, f inspectFlags) error {
	if f.markdown && f.asJSON {
		return usagef("--markdown and --json: pick one")
	}
	var (
		token, source, title string
		p                    providers.Provider
		haveProvider         bool
		tok                  *providers.Token
	)
	switch {
	case arg == "-":
		b, err := io.ReadAll(io.LimitReader(a.Stdin, providers.MaxBodyBytes))
		if err != nil {
			return fmt.Errorf("reading the token from stdin: %w", err)
		}
		token, source = strings.TrimSpace(string(b)), "stdin"
	case providers.ValidName(arg):
		st, err := a.OpenStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		if p, err = st.Provider(ctx, arg); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w (to inspect a raw token, pipe it: tokentop inspect - < token.txt)", err)
			}
			return err
		}
		haveProvider = true
		var fetched bool
		if tok, fetched, err = a.cachedOrFetch(ctx, st, arg, true); err != nil {
			return err
		}
		token, source = tok.AccessToken, "cached token of "+arg
		if fetched {
			source = "new token of " + arg + " (none was cached)"
			fmt.Fprintf(a.errOut, "%s had no cached token: fetched one\n", arg)
		}
	default:
		token, source = strings.TrimSpace(arg), "argument"
	}
	if f.provider != "" && !haveProvider {
		st, err := a.OpenStore(ctx)
		if err != nil {
			return err
		}
		p, err = st.Provider(ctx, f.provider)
		st.Close()
		if err != nil {
			return err
		}
		haveProvider = true
	}
	title = "tokentop inspect: " + source

	c := a.client()
	defer c.CloseIdleConnections()
	now := a.now()
	var (
		keys  *providers.KeySet
		o     providers.VerifyOptions
		notes []string
	)
	switch {
	case haveProvider:
		if eff, err := p.Resolve(); err == nil {
			p = eff
		}
		if f.offline {
			o = providers.Expectations(p, nil)
			o.NoKeys = "--offline"
		} else {
			_, keys, o, notes = keysFor(ctx, c, p)
		}
	case f.offline:
		o.NoKeys = "--offline"
	default:
		p, o.NoKeys = rawTokenIssuer(token)
		if o.NoKeys == "" {
			var d *providers.Discovery
			d, keys, o, notes = keysFor(ctx, c, p)
			// Without a provider there is nothing to expect of iss: the
			// issuer came from the token itself.
			o.Issuer = ""
			if d != nil && d.Metadata != nil {
				o.Algs = d.Metadata.IDTokenSigningAlgValuesSupported
			}
		}
	}
	if f.jwksURI != "" {
		ks, err := c.FetchKeySet(ctx, p, f.jwksURI)
		if err != nil {
			return err
		}
		keys, o.NoKeys = ks, ""
	}
	o.Now = now
	if tok != nil && !tok.ServerDate.IsZero() {
		o.Skew, o.SkewKnown = tok.Skew, true
	}
	v := providers.Verify(ctx, token, keys, o)
	if haveProvider {
		nameHints(v, p.Name)
	}

	if f.asJSON {
		out := inspectJSON{Source: source, Token: TokenPreview(token), Verification: v, Notes: notes}
		if haveProvider {
			out.Provider = p.Name // not the stand-in made from a raw token's iss
		}
		if err := safetext.EncodeJSON(a.out, out); err != nil {
			return err
		}
		return inspectVerdict(v)
	}
	r := &Report{Title: title, Secrets: []string{token}}
	info := Section{Title: "Token", Rows: []Row{KV("token", TokenPreview(token)), KV("kind", string(v.Verdict))}}
	if haveProvider {
		info.Rows = append(info.Rows, KV("provider", p.Name))
	}
	if tok != nil {
		info.Rows = append(info.Rows,
			KV("token_type", tok.TokenType),
			KV("scope granted", orDash(tok.Scope)),
			KV("expires", timeValue(tok.ExpiresAt, now)+" (from "+orDash(tok.ExpirySource)+")"))
		if !tok.ServerDate.IsZero() {
			info.Rows = append(info.Rows, KV("clock skew", tok.Skew.String()+" (local minus the server's Date)"))
		}
	}
	r.Sections = append([]Section{info}, verificationSections(v, now)...)
	if len(notes) > 0 {
		r.Sections = append(r.Sections, Section{Title: "Sources", Notes: notes})
	}
	var err error
	if f.markdown {
		err = r.WriteMarkdown(a.out)
	} else {
		err = r.WriteText(a.out, 80)
	}
	if err != nil {
		return err
	}
	return inspectVerdict(v)
}

// inspectVerdict is inspect's exit: an error naming the failed checks.
func inspectVerdict(v *providers.Verification) error {
	failed := providers.FailedNames(v.Checks)
	if len(failed) == 0 {
		return nil
	}
	return &providers.Error{Kind: providers.KindResponse, Description: fmt.Sprintf("the token failed: %s (%s)", strings.Join(failed, ", "), v.Verdict), Hint: v.Hint}
}

// rawTokenIssuer is a provider for discovering from a raw token's iss, or
// why there is none.
func rawTokenIssuer(token string) (providers.Provider, string) {
	c, err := jwtclaims.Decode(token)
	if err != nil || c.Issuer == "" {
		return providers.Provider{}, "no provider given (--provider NAME), and the token names no issuer"
	}
	u, err := url.Parse(c.Issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && providers.IsLoopback(u.Hostname()))) {
		return providers.Provider{}, fmt.Sprintf("the token's issuer %q is not an https URL; give --provider NAME or --jwks-uri", c.Issuer)
	}
	return providers.Provider{Name: "token", Issuer: c.Issuer}, ""
}
