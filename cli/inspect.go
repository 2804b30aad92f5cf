package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/jwtverify"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// inspectJSON is the shape of `tokentop inspect --json`.
type inspectJSON struct {
	Provider     string                  `json:"provider,omitempty"`
	Source       string                  `json:"source"`
	Token        string                  `json:"token"`
	Verification *jwtverify.Verification `json:"verification"`
	Notes        []string                `json:"notes,omitempty"`
}

// inspectOptions are what `tokentop inspect` is asked.
type inspectOptions struct {
	// arg is a provider's name, a token, or "-" for a token on stdin.
	arg      string
	output   outputFormat
	offline  bool
	provider string
	jwksURI  string
}

// inspectSubject is the token inspect checks, where it came from, and the
// provider it is checked against, when there is one.
type inspectSubject struct {
	token, source string
	p             providers.Provider
	haveProvider  bool
	// tok is the token's record, when a provider's name was given.
	tok *providers.Token
	// byIssuer is set when the provider was found by the raw token's iss.
	byIssuer bool
	// unchecked says why a raw token's signature is not checked: no
	// configured provider has its issuer.
	unchecked string
}

func (a *App) inspectCommand() *cobra.Command {
	var o inspectOptions
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
checked against the provider named by --provider, else against the
configured provider whose issuer its iss claim names (said so). A token
whose issuer is no configured provider's is decoded and its claims checked,
but its signature is not: tokentop fetches no keys from a host a pasted
token names (a forged token names its own); --provider NAME or --jwks-uri
URL checks it. --offline fetches nothing.

The full token is never printed: only its first and last characters.
--markdown writes a redacted report to paste into a ticket.
Exit code 0 when no check failed, 1 when one did (bad signature, alg: none,
unknown key, malformed, expired, not yet valid, wrong iss, aud or alg).`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.arg = argv[0]
			return a.runInspect(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	o.output.Register(cmd, markdownFlag("write a redacted Markdown report"), jsonFlag("print the verification as JSON"))
	fl.BoolVar(&o.offline, "offline", false, "decode and check claims only: no discovery, no JWKS")
	fl.StringVar(&o.provider, "provider", "", "check a raw token against this provider's settings")
	fl.StringVar(&o.jwksURI, "jwks-uri", "", "verify against this JWKS instead of the provider's")
	return cmd
}

// runInspect decodes and verifies the token, prints what it found, and
// fails when a check did.
func (a *App) runInspect(ctx context.Context, o inspectOptions) error {
	s, err := a.inspectSubject(ctx, o)
	if err != nil {
		return err
	}
	c := a.client()
	defer c.CloseIdleConnections()
	now := a.now()
	keys, vo, notes, err := a.inspectKeys(ctx, c, &s, o)
	if err != nil {
		return err
	}
	vo.Now = now
	if s.tok != nil && !s.tok.ServerDate.IsZero() {
		vo.Skew, vo.SkewKnown = s.tok.Skew, true
	}
	v := jwtverify.Verify(ctx, s.token, keys, vo)
	if s.haveProvider {
		nameHints(v, s.p.Name)
	}
	if s.unchecked != "" && keys == nil && !o.offline {
		uncheckedHints(v)
	}
	if s.byIssuer {
		notes = append([]string{fmt.Sprintf("provider: %s, the configured provider whose issuer is the token's iss (--provider NAME chooses another)", s.p.Name)}, notes...)
	}
	if err := a.printInspection(o, s, v, notes, now); err != nil {
		return err
	}
	return inspectVerdict(v)
}

// inspectSubject reads the token: from stdin, from the argument, or the
// provider's cached one (fetched when none is); and the provider named by
// the argument or --provider.
func (a *App) inspectSubject(ctx context.Context, o inspectOptions) (inspectSubject, error) {
	var s inspectSubject
	switch {
	case o.arg == "-":
		b, err := io.ReadAll(io.LimitReader(a.Stdin, providers.MaxBodyBytes))
		if err != nil {
			return s, fmt.Errorf("reading the token from stdin: %w", err)
		}
		s.token, s.source = strings.TrimSpace(string(b)), "stdin"
	case providers.ValidName(o.arg):
		if err := a.inspectCached(ctx, o.arg, &s); err != nil {
			return s, err
		}
	default:
		s.token, s.source = strings.TrimSpace(o.arg), "argument"
	}
	switch {
	case o.provider != "" && !s.haveProvider:
		err := a.withProvider(ctx, o.provider, func(_ *store.Store, p providers.Provider) error {
			s.p, s.haveProvider = p, true
			return nil
		})
		if err != nil {
			return s, err
		}
	case !s.haveProvider:
		if err := a.providerForIssuer(ctx, &s); err != nil {
			return s, err
		}
	}
	return s, nil
}

// providerForIssuer finds the configured provider whose issuer the raw
// token in s names (the first by name when several do). A token's iss
// alone is never trusted: a forged token names its own issuer and serves
// keys that "verify" it, and fetching them would let a pasted token make
// tokentop call any host. Without a match s.unchecked says why the
// signature is not checked, and nothing is fetched.
func (a *App) providerForIssuer(ctx context.Context, s *inspectSubject) error {
	c, err := jwtclaims.Decode(s.token)
	if err != nil || c.Issuer == "" {
		s.unchecked = "the token names no issuer, and no provider was given"
		return nil
	}
	iss := strings.TrimSuffix(c.Issuer, "/")
	err = a.withStore(ctx, func(st *store.Store) error {
		ps, err := st.Providers(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			eff, err := p.Resolve()
			if err == nil && eff.Issuer != "" && strings.TrimSuffix(eff.Issuer, "/") == iss {
				s.p, s.haveProvider, s.byIssuer = p, true, true
				return nil
			}
		}
		return nil
	})
	var noDB *NoDatabaseError
	if err != nil && !errors.As(err, &noDB) {
		return err
	}
	if !s.haveProvider {
		s.unchecked = fmt.Sprintf("the token's issuer %s is not the issuer of any configured provider, and tokentop fetches no keys from a host a pasted token names (a forged token names its own)", safetext.Line(c.Issuer))
	}
	return nil
}

// uncheckedHint is the fix when a raw token's signature was not checked.
const uncheckedHint = "give --provider NAME to check it against a provider's keys and settings, or --jwks-uri URL to check it against a JWKS you trust"

// inspectCached fills s with the provider called name and its cached
// token, fetching one when none is cached (and saying so).
func (a *App) inspectCached(ctx context.Context, name string, s *inspectSubject) error {
	err := a.withProvider(ctx, name, func(st *store.Store, p providers.Provider) error {
		s.p, s.haveProvider = p, true
		tok, fetched, err := a.cachedOrFetch(ctx, st, name, true)
		if err != nil {
			return err
		}
		s.tok, s.token, s.source = tok, tok.AccessToken, "cached token of "+name
		if fetched {
			s.source = "new token of " + name + " (none was cached)"
			fmt.Fprintf(a.errOut, "%s had no cached token: fetched one\n", name)
		}
		return nil
	})
	if !s.haveProvider && errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w (to inspect a raw token, pipe it: tokentop inspect - < token.txt)", err)
	}
	return err
}

// inspectKeys finds the keys and expectations to verify against: the
// provider's (its effective settings: the one named, or the one whose
// issuer a raw token names), else none; --jwks-uri overrides the keys,
// --offline fetches nothing.
func (a *App) inspectKeys(ctx context.Context, c *providers.Client, s *inspectSubject, o inspectOptions) (*jwtverify.KeySet, jwtverify.Options, []string, error) {
	var (
		keys  *jwtverify.KeySet
		vo    jwtverify.Options
		notes []string
	)
	switch {
	case s.haveProvider:
		if eff, err := s.p.Resolve(); err == nil {
			s.p = eff
		}
		if o.offline {
			vo = providers.Expectations(s.p, nil)
			vo.NoKeys = "--offline"
		} else {
			_, keys, vo, notes = keysFor(ctx, c, s.p)
		}
	case o.offline:
		vo.NoKeys = "--offline"
	default:
		vo.NoKeys = s.unchecked
	}
	if o.jwksURI != "" {
		ks, err := c.FetchKeySet(ctx, s.p, o.jwksURI)
		if err != nil {
			return nil, vo, notes, err
		}
		keys, vo.NoKeys = ks, ""
	}
	return keys, vo, notes, nil
}

// printInspection writes the verification as JSON, or as a report in text
// or Markdown.
func (a *App) printInspection(o inspectOptions, s inspectSubject, v *jwtverify.Verification, notes []string, now time.Time) error {
	format := o.output.Format()
	if format == formatJSON {
		out := inspectJSON{Source: s.source, Token: TokenPreview(s.token), Verification: v, Notes: notes}
		if s.haveProvider {
			out.Provider = s.p.Name // not the stand-in made from a raw token's iss
		}
		return safetext.EncodeJSON(a.out, out)
	}
	r := &Report{Title: "tokentop inspect: " + s.source, Secrets: []string{s.token}}
	info := Section{Title: "Token", Rows: []Row{KV("token", TokenPreview(s.token)), KV("kind", string(v.Verdict))}}
	if s.haveProvider {
		info.Rows = append(info.Rows, KV("provider", s.p.Name))
	}
	if tok := s.tok; tok != nil {
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
	if format == formatMarkdown {
		return r.WriteMarkdown(a.out)
	}
	return r.WriteText(a.out, 80)
}

// inspectVerdict is inspect's exit: an error naming the failed checks.
func inspectVerdict(v *jwtverify.Verification) error {
	failed := check.FailedNames(v.Checks)
	if len(failed) == 0 {
		return nil
	}
	return &providers.Error{Kind: providers.KindResponse, Description: fmt.Sprintf("the token failed: %s (%s)", strings.Join(failed, ", "), v.Verdict), Hint: failedHint(v)}
}

// failedHint is the hint of the first check that failed (an exp far in
// the future says what is wrong with exp, not with the signature), else
// the verification's own.
func failedHint(v *jwtverify.Verification) string {
	for _, c := range v.Checks {
		if c.Status == check.Fail && c.Hint != "" {
			return c.Hint
		}
	}
	return v.Hint
}

// uncheckedHints gives the signature check of a raw token that was not
// checked the fix: which flag checks it.
func uncheckedHints(v *jwtverify.Verification) {
	v.Hint = uncheckedHint
	for i := range v.Checks {
		if v.Checks[i].Name == "signature" {
			v.Checks[i].Hint = uncheckedHint
		}
	}
}
