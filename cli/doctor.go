package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/doctor"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// doctorJSON is the shape of `tokentop doctor --json`.
type doctorJSON struct {
	Provider    string        `json:"provider"`
	OK          bool          `json:"ok"`
	TokenCached bool          `json:"token_cached"`
	Token       string        `json:"token,omitempty"`
	Checks      []check.Check `json:"checks"`
}

// doctorOptions are what `tokentop doctor` is asked.
type doctorOptions struct {
	name     string
	output   outputFormat
	fetch    bool
	force    bool
	endpoint string
}

func (a *App) doctorCommand() *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor NAME",
		Short: "Diagnose a provider step by step, each step with a hint",
		Long: `Run the checks in order and say, for each, whether it passed and what to
try when it did not:

  settings       the effective settings can work
  DNS, TCP, TLS  the way to the token endpoint (the chain, its expiry and
                 the host name)
  discovery      RFC 8414 /.well-known/oauth-authorization-server and OIDC
                 /.well-known/openid-configuration, with the issuer check
                 of RFC 8414 §3.3
  auth methods   the server's token_endpoint_auth_methods_supported against
                 auth_style
  token request  a token; on invalid_client it tries the other secret style
                 (basic or post) and says which one works (a token got with
                 a setting you did not configure is never cached)
  scopes         granted against asked
  JWT …          the signature against the JWKS (a new key is fetched when
                 the kid is unknown), alg, iss and aud against what the
                 provider expects, exp, nbf and iat by the server's clock
                 (the skew from its Date header), the lifetime
  test-call      the first saved endpoint (or --endpoint), a 401 or 403
                 explained from its WWW-Authenticate (RFC 6750) and from
                 the words of common API frameworks in it or the body
  quota          tokentop's own ledger (used/limit, when the window
                 resets) and the vendor's rate-limit headers seen on the
                 token endpoint and the API; it always runs

A user's login (grant authorization_code, device_code or refresh_token)
has these in place of the token request:

  login endpoints  authorize_url (or discovery's device authorization
                 endpoint) and token_url, against discovery's, and the
                 grant in its grant_types_supported
  PKCE           S256 in code_challenge_methods_supported (a warning when
                 the server advertises only plain)
  session        never logged in, needs a login (and why), when the access
                 and refresh tokens expire
  refresh        a refresh, when the access token is inside its refresh
                 margin or --fetch asks: invalid_grant and invalid_client
                 explained
  ID token       signature, iss and aud, each failure named

The cached token is used while it is good, so a doctor costs no token of a
quota; --fetch asks for a new one to test the exchange itself. A step that
cannot run because an earlier one failed is skipped and says why.
--markdown writes a report to paste into a ticket: when it ran (UTC),
tokentop's version, the client_id and token URL, the checks, and the token
request that failed as the flight recorder keeps it (the first 2 KiB of its
answer); no secret and no full token. Exit code 0 only when no step failed (warnings and skipped steps do
not count), 1 otherwise.`,
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.name = argv[0]
			return a.runDoctor(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.fetch, "fetch", false, "ask for a new token even when the cached one is good (counts against the quota)")
	f.BoolVar(&o.force, "force", false, "fetch even when the provider's quota is used up")
	f.StringVar(&o.endpoint, "endpoint", "", "what the test-call calls: a saved endpoint's name or an http(s) URL (default: the first saved endpoint)")
	o.output.Register(cmd,
		markdownFlag("write a redacted Markdown report to paste into a ticket"),
		jsonFlag("write the steps as JSON"))
	return cmd
}

// runDoctor runs the checks (in text, each printed as it finishes), then
// prints the diagnosis; a failed step is an error naming the failures.
func (a *App) runDoctor(ctx context.Context, o doctorOptions) error {
	return a.withStore(ctx, func(st *store.Store) error {
		started := a.now()
		var progress func(check.Check)
		if o.output.Format() == formatText {
			fmt.Fprintf(a.out, "tokentop doctor %s\n\n", o.name)
			progress = a.writeDoctorStep
		}
		d, err := st.Diagnose(ctx, o.name, store.DiagnoseOptions{Fetch: o.fetch, IgnoreQuota: o.force, Endpoint: o.endpoint, Progress: progress})
		if err != nil {
			return err
		}
		p, err := st.ProviderWithSecret(ctx, o.name)
		if err != nil {
			return err
		}
		if err := a.printDiagnosis(ctx, st, o, d, p, started); err != nil {
			return err
		}
		if !d.OK() {
			return fmt.Errorf("doctor %s: %s failed", o.name, strings.Join(check.FailedNames(d.Checks), ", "))
		}
		return nil
	})
}

// printDiagnosis writes the diagnosis in the format asked for: JSON, the
// ticket's Markdown report (with the run's failing exchange), or the
// verdict after the steps already printed.
func (a *App) printDiagnosis(ctx context.Context, st *store.Store, o doctorOptions, d *doctor.Diagnosis, p providers.Provider, started time.Time) error {
	var secrets []string
	if d.Token != nil {
		secrets = append(secrets, d.Token.AccessToken)
	}
	if p.ClientSecret != "" {
		secrets = append(secrets, p.ClientSecret)
	}
	secrets = append(secrets, d.Secrets...) // a session's refresh and ID tokens
	switch o.output.Format() {
	case formatJSON:
		out := doctorJSON{Provider: d.Provider, OK: d.OK(), TokenCached: d.TokenCached, Checks: redactChecks(d.Checks, secrets)}
		if d.Token != nil {
			out.Token = TokenPreview(d.Token.AccessToken)
		}
		return safetext.EncodeJSON(a.out, out)
	case formatMarkdown:
		r := doctorReport(d, secrets)
		t := ticket{at: started, version: Version(), provider: p}
		if h, err := st.History(ctx, o.name); err == nil {
			t.failed = failingExchange(h, started)
		}
		t.add(r)
		return r.WriteMarkdown(a.out)
	}
	fmt.Fprintf(a.out, "\n%s\n", doctorVerdict(d))
	if d.TokenCached {
		fmt.Fprintf(a.out, "The cached token was checked; --fetch also tests the token request.\n")
	}
	return nil
}

// doctorNameWidth fits the doctor's step names ("JWT signature").
const doctorNameWidth = 14

// writeDoctorStep prints one step as it finishes, as a Report would.
func (a *App) writeDoctorStep(c check.Check) {
	r := Report{Sections: []Section{{Checks: []check.Check{c}, NameWidth: doctorNameWidth}}}
	var b strings.Builder
	_ = r.WriteText(&b, 100)
	// A one-check report is a blank line, then the check: keep the check.
	fmt.Fprint(a.out, strings.TrimPrefix(b.String(), "\n"))
}

// doctorReport is the diagnosis as a report, for --markdown.
func doctorReport(d *doctor.Diagnosis, secrets []string) *Report {
	r := &Report{Title: "tokentop doctor " + d.Provider, Secrets: secrets}
	info := Section{Rows: []Row{KV("verdict", doctorVerdict(d))}}
	if d.Token != nil {
		src := "fetched for this report"
		if d.TokenCached {
			src = "the cached token"
		}
		info.Rows = append(info.Rows, KV("token", TokenPreview(d.Token.AccessToken)+", "+src))
	}
	r.Sections = []Section{info, {Title: "Checks", Checks: d.Checks, NameWidth: doctorNameWidth}}
	return r
}

// doctorVerdict sums a diagnosis up in one line.
func doctorVerdict(d *doctor.Diagnosis) string {
	n := check.CountStatuses(d.Checks)
	counts := fmt.Sprintf("%d passed, %d warnings, %d skipped", n[check.Pass], n[check.Warn], n[check.Skip])
	if d.OK() {
		return "no step failed (" + counts + ")"
	}
	return fmt.Sprintf("%d failed: %s (%s)", n[check.Fail], strings.Join(check.FailedNames(d.Checks), ", "), counts)
}

// redactChecks takes secrets out of the checks' texts (they never should
// hold any; this is the belt to the braces).
func redactChecks(checks []check.Check, secrets []string) []check.Check {
	r := Report{Secrets: secrets}
	out := make([]check.Check, len(checks))
	for i, c := range checks {
		c.Detail, c.Hint = r.clean(c.Detail), r.clean(c.Hint)
		out[i] = c
	}
	return out
}
