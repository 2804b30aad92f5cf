package doctor

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/clockskew"
	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/netcheck"
	"github.com/tokentop/tokentop/providers/safetext"
)

// The names of the doctor's steps after the network ones, in their order.
const (
	StepSettings    = "settings"
	StepDiscovery   = "discovery"
	StepAuthMethods = "auth methods"
	StepToken       = "token request"
	StepScopes      = "scopes"
	// StepJWT names the JWT's steps: "JWT signature", "JWT alg", "JWT
	// iss"… (one per check of [jwtverify.Verify]), or "JWT" alone when skipped.
	StepJWT      = "JWT"
	StepTestCall = "test-call"
)

// stepOrder is the order of the steps, for skipping the rest.
func stepOrder() []string {
	return []string{StepSettings, netcheck.StepDNS, netcheck.StepTCP, netcheck.StepTLS, StepDiscovery, StepAuthMethods, StepToken, StepScopes, StepJWT, StepTestCall, StepClock}
}

// Fetched is a token the doctor got through Options.Fetch.
type Fetched struct {
	Token *providers.Token
	// Cached is true when no request was made (the cached token was still
	// good).
	Cached bool
	// Exchanges are the requests made, when any.
	Exchanges []providers.Exchange
}

// Retry is a setting the doctor tries instead of the configured one
// after the token request was refused. The zero value means the settings
// as configured.
type Retry struct {
	// AuthStyle replaces auth_style (basic for post, post for basic).
	AuthStyle providers.AuthStyle
	// AssertionAudience replaces a private_key_jwt assertion's aud (the
	// token URL for the issuer, or the reverse).
	AssertionAudience string
	// Fresh asks the server for a new token with the settings as
	// configured, though the cached one is still good (to tell a key
	// rotated under the cached token from one the issuer does not
	// publish).
	Fresh bool
	// BasicEncoding replaces basic_encoding (raw for form).
	BasicEncoding providers.BasicEncoding
}

// Options say how the doctor gets a token and what it test-calls.
type Options struct {
	// Fetch gets the provider's token. The zero Retry means the
	// settings as configured (the cached token is fine); a retry always
	// asks the server. The store provides it, so that tokens are counted
	// against the quota and exchanges are recorded.
	Fetch func(ctx context.Context, retry Retry) (Fetched, error)
	// Endpoint is what the test-call calls: a saved endpoint's name, an
	// http(s) URL (GET), or "" for the provider's first saved endpoint.
	Endpoint string
	// Progress, when set, gets each check as soon as it is known, in order.
	Progress func(check.Check)
	// Quota, when set, reads tokentop's own ledger of the provider (the
	// store keeps it) for the last step; it is read after the token
	// request, so it counts the doctor's own fetches.
	Quota func(ctx context.Context) (providers.QuotaState, error)
	// Session, when set, reads a user grant's session from the store (see
	// [Session]); a user grant's report has no session step without it.
	Session func(ctx context.Context) (Session, error)
	// SecretStored says that a client secret is kept apart from the
	// provider given (the store keeps it encrypted), so an empty
	// ClientSecret is not a missing one.
	SecretStored bool
}

// Diagnosis is the doctor's report on one provider.
type Diagnosis struct {
	Provider string        `json:"provider"`
	Checks   []check.Check `json:"checks"`
	// Token is the token the checks looked at (nil when none came); its
	// access token is for the caller's own use and is never in Checks.
	Token *providers.Token `json:"-"`
	// TokenCached is true when that token came from the cache, so the
	// exchange itself was not tried.
	TokenCached bool `json:"token_cached"`
	// Secrets are the values of a user grant's session the run saw (its
	// refresh and ID tokens, old and new): no check holds them, and a
	// report that prints anything else of the run redacts them.
	Secrets []string `json:"-"`
}

// OK reports whether no step failed (warnings and skipped steps do not
// count against it).
func (d *Diagnosis) OK() bool { return !check.AnyFailed(d.Checks) }

// doctorRun is one diagnosis under way.
type doctorRun struct {
	c   *providers.Client
	o   Options
	p   providers.Provider // effective settings
	out *Diagnosis
	// issuerClock and apiClock compare our clock with the token
	// endpoint's and the API's, by their Date headers (nil: unknown).
	issuerClock, apiClock *clockskew.Measure
	// sigOK is true once the JWT's signature checked out against its
	// issuer's keys.
	sigOK bool
	// The headers of the token endpoint's and the API's answers in this
	// run, for their rate limits; a note says why there are none.
	tokenHeaders, apiHeaders http.Header
	tokenNote, apiNote       string
	// tokenOutcome says what a failed token request met (tokenOutcome).
	tokenOutcome string
	// noSecret: the style sends a client secret and none is set.
	noSecret bool
	// order is the steps' order, for skipping the rest (stepOrder when
	// nil).
	order []string
}

// now reads the client's clock.
func (r *doctorRun) now() time.Time {
	if r.c.Now != nil {
		return r.c.Now()
	}
	return time.Now()
}

func (r *doctorRun) add(cs ...check.Check) {
	for _, c := range cs {
		r.out.Checks = append(r.out.Checks, c)
		if r.o.Progress != nil {
			r.o.Progress(c)
		}
	}
}

// skipFrom marks step and every step after it as skipped, why.
func (r *doctorRun) skipFrom(step, why string) {
	order := r.order
	if order == nil {
		order = stepOrder()
	}
	for _, s := range order[slices.Index(order, step):] {
		r.add(check.Skipped(s, why))
	}
}

// Run diagnoses p step by step: its settings; DNS, TCP and TLS to the
// token endpoint; discovery and the issuer check; the server's auth
// methods against the configured style; the token request (retrying with
// the other style on invalid_client); the scopes granted; the JWT's claims
// and signature; a test-call; and, whatever happened before, the quota:
// tokentop's ledger and the vendor's rate limits. A step that cannot run
// for an earlier failure is skipped with the reason. ctx bounds the whole
// run; c makes every request of the doctor's own (discovery, the JWKS, the
// test-call) and is its clock.
func Run(ctx context.Context, c *providers.Client, p providers.Provider, o Options) *Diagnosis {
	r := &doctorRun{c: c, o: o, out: &Diagnosis{Provider: p.Name}}
	if p.IsAPIKey() {
		r.runAPIKey(ctx, p)
		r.quota(ctx)
		return r.out
	}
	if p.Grant.UserLogin() {
		r.runUser(ctx, p)
		r.quota(ctx)
		return r.out
	}
	r.run(ctx, p)
	r.quota(ctx)
	return r.out
}

// reach runs the steps every grant starts with: p's settings, the way to
// its token endpoint (DNS, TCP, TLS) and its discovery document. ok is
// false when the settings cannot work; the steps after are then skipped.
func (r *doctorRun) reach(ctx context.Context, p providers.Provider) (disc *discovery.Result, meta *discovery.Metadata, reachable, ok bool) {
	eff, ok := r.settings(p)
	if !ok {
		r.skipFrom(netcheck.StepDNS, "fix the settings first")
		return nil, nil, false, false
	}
	r.p = eff
	net := netcheck.Run(ctx, eff.TokenURL, netcheck.Options{Timeout: eff.EffectiveTimeout(), Now: r.now, TLS: tlsSetup(eff)})
	r.add(net...)
	if disc = r.discovery(ctx); disc != nil {
		meta = disc.Metadata
	}
	return disc, meta, !check.AnyFailed(net), true
}

// tokenSteps are the steps on an access token in hand, whatever the
// grant: its scopes, its JWT, a test-call with it and the clocks.
func (r *doctorRun) tokenSteps(ctx context.Context, tok *providers.Token, disc *discovery.Result, meta *discovery.Metadata) {
	r.scopes(tok, meta)
	r.jwt(ctx, tok, disc)
	r.testCall(ctx, tok)
	r.add(clockskew.Check(StepClock, r.issuerClock, r.apiClock))
}

// run is every step but the quota's.
func (r *doctorRun) run(ctx context.Context, p providers.Provider) {
	disc, meta, reachable, ok := r.reach(ctx, p)
	if !ok {
		return
	}
	r.authMethods(meta)
	if ctx.Err() != nil {
		r.skipFrom(StepToken, "canceled")
		return
	}
	if !reachable {
		r.skipFrom(StepToken, "the token endpoint cannot be reached (see above)")
		return
	}
	tok := r.token(ctx)
	if tok == nil {
		r.skipFrom(StepScopes, "no token")
		return
	}
	r.out.Token = tok
	r.tokenSteps(ctx, tok, disc, meta)
}

// settings checks that p's effective settings can work.
func (r *doctorRun) settings(p providers.Provider) (providers.Provider, bool) {
	eff, err := p.Resolve()
	if err == nil {
		err = eff.Validate()
	}
	if err != nil {
		r.add(check.Failed(StepSettings, safetext.Line(err.Error()), "fix the provider: `tokentop show "+p.Name+"` prints every setting and where it came from"))
		return eff, false
	}
	if err := providers.CheckTokenURL(eff); err != nil {
		r.add(check.Failed(StepSettings, safetext.Line(err.Error()), providers.HintFor(err)))
		return eff, false
	}
	r.noSecret = providers.NoSecret(eff) && !r.o.SecretStored
	parts := []string{"token_url " + safetext.Line(eff.TokenURL), "auth " + string(eff.Style())}
	if len(eff.Scopes) > 0 {
		parts = append(parts, "scopes "+strings.Join(eff.Scopes, " "))
	}
	if eff.Audience != "" {
		parts = append(parts, "audience "+safetext.Line(eff.Audience))
	}
	if eff.Preset != "" {
		parts = append(parts, "preset "+eff.Preset)
	}
	if r.noSecret {
		// Said first: it explains any refusal that follows.
		r.add(check.Warned(StepSettings, "no client secret is set for "+p.Name+" · "+strings.Join(parts, " · "), providers.NoSecretHint(p.Name)))
		return eff, true
	}
	r.add(check.Passed(StepSettings, strings.Join(parts, " · ")))
	return eff, true
}

// styleForMethod is the auth_style that uses a server's method, "" when
// tokentop has none for it.
func styleForMethod(m string) providers.AuthStyle {
	switch m {
	case "client_secret_basic":
		return providers.AuthBasic
	case "client_secret_post":
		return providers.AuthPost
	case "private_key_jwt":
		return providers.AuthPrivateKeyJWT
	case "tls_client_auth":
		return providers.AuthTLSClient
	}
	return ""
}

// authMethods compares the server's advertised token endpoint auth
// methods with the configured style.
func (r *doctorRun) authMethods(meta *discovery.Metadata) {
	if meta == nil {
		r.add(check.Skipped(StepAuthMethods, "no discovery document to compare with"))
		return
	}
	methods := meta.TokenEndpointAuthMethodsSupported
	listed := "advertised: " + strings.Join(methods, ", ")
	if len(methods) == 0 {
		// RFC 8414 §2: "If omitted, the default is client_secret_basic".
		methods = []string{"client_secret_basic"}
		listed = "none advertised, so client_secret_basic (RFC 8414's default)"
	}
	style := r.p.Style()
	if style == providers.AuthAuto {
		for _, m := range methods {
			if s := styleForMethod(m); s == providers.AuthBasic || s == providers.AuthPost {
				r.add(check.Passed(StepAuthMethods, fmt.Sprintf("auth_style auto can use %s (%s)", m, listed)))
				return
			}
		}
		r.add(check.Failed(StepAuthMethods, "auth_style auto sends a client secret, which the server does not take ("+listed+")",
			"the server wants another client authentication: set auth_style to one of its methods"))
		return
	}
	want := providers.AuthMethodFor(style)
	if slices.Contains(methods, want) {
		r.add(check.Passed(StepAuthMethods, fmt.Sprintf("auth_style %s is %s (%s)", style, want, listed)))
		return
	}
	hint := "the server lists no method tokentop has: ask the vendor which client authentication it wants"
	for _, m := range methods {
		if s := styleForMethod(m); s != "" {
			hint = fmt.Sprintf("set `auth_style: %s`", s)
			if string(s) != m {
				hint += " (" + m + ")"
			}
			break
		}
	}
	r.add(check.Failed(StepAuthMethods, fmt.Sprintf("auth_style %s is %s, which the server does not list (%s)", style, want, listed), hint))
}

// errText words err for a step of this provider's report (without the
// provider's name in front, which the report already shows).
func (r *doctorRun) errText(err error) string {
	if err == nil {
		return "no token"
	}
	return safetext.Line(strings.TrimPrefix(err.Error(), r.p.Name+": "))
}

// StepClock is the doctor's step that compares this machine's clock with
// the issuer's and the API's.
const StepClock = "clock"

// tlsSetup makes p's TLS client configuration for the network checks:
// its ca_file's roots and its client certificate, each failure worded
// with the setting to fix.
func tlsSetup(p providers.Provider) func() (*tls.Config, error) {
	return func() (*tls.Config, error) {
		conf, err := providers.TLSConfig(p.CAFile)
		if err != nil {
			return nil, &netcheck.SetupError{Detail: err.Error(), Hint: "fix ca_file: it must name a readable PEM file of CA certificates"}
		}
		conf = conf.Clone()
		if p.TLSCertFile != "" || p.TLSKeyFile != "" {
			cert, err := providers.ClientCertificate(p)
			if err != nil {
				return nil, &netcheck.SetupError{Detail: "unusable client certificate: " + err.Error(), Hint: "fix tls_cert_file and tls_key_file: a PEM certificate and its key"}
			}
			conf.Certificates = []tls.Certificate{cert}
		}
		return conf, nil
	}
}
