package doctor

import (
	"cmp"
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
	"github.com/tokentop/tokentop/providers/jwtclaims"
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
	// noSecret: the style sends a client secret and none is set.
	noSecret bool
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
	order := stepOrder()
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
// run.
// c makes every request of its own (discovery, the JWKS, the test-call)
// and is the clock.
func Run(ctx context.Context, c *providers.Client, p providers.Provider, o Options) *Diagnosis {
	r := &doctorRun{c: c, o: o, out: &Diagnosis{Provider: p.Name}}
	r.run(ctx, p)
	r.quota(ctx)
	return r.out
}

// run is every step but the quota's.
func (r *doctorRun) run(ctx context.Context, p providers.Provider) {
	eff, ok := r.settings(p)
	if !ok {
		r.skipFrom(netcheck.StepDNS, "fix the settings first")
		return
	}
	r.p = eff

	net := netcheck.Run(ctx, eff.TokenURL, netcheck.Options{Timeout: eff.EffectiveTimeout(), Now: r.now, TLS: tlsSetup(eff)})
	r.add(net...)
	reachable := !check.AnyFailed(net)

	disc := r.discovery(ctx)
	var meta *discovery.Metadata
	if disc != nil {
		meta = disc.Metadata
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
	r.scopes(tok, meta)
	r.jwt(ctx, tok, disc)
	r.testCall(ctx, tok)
	r.add(clockskew.Check(StepClock, r.issuerClock, r.apiClock))
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

// token gets a token; on invalid_client it asks once more with the other
// secret style and says which one works.
func (r *doctorRun) token(ctx context.Context) *providers.Token {
	if r.o.Fetch == nil {
		r.add(check.Skipped(StepToken, "no way to fetch a token was given"))
		return nil
	}
	start := time.Now()
	got, err := r.o.Fetch(ctx, Retry{})
	took := time.Since(start)
	r.noteTokenAnswer(got, err)
	if err == nil && got.Token != nil {
		ch := check.Passed(StepToken, tokenDetail(got, r.now()))
		ch.Took = took
		if len(got.Token.Warnings) > 0 {
			ch.Status, ch.Hint = check.Warn, safetext.Line(strings.Join(got.Token.Warnings, "; "))
		}
		r.add(ch)
		r.out.TokenCached = got.Cached
		r.issuerClock = issuerSkew(got)
		return got.Token
	}
	e, _ := providers.AsError(err)
	detail, hint := r.errText(err), safetext.Line(providers.HintFor(err))
	style := r.p.Style()
	if style == providers.AuthPrivateKeyJWT && e != nil && assertionRefused(e) && ctx.Err() == nil {
		return r.retryAudience(ctx, start, detail, hint)
	}
	rawNote := ""
	if e != nil && e.ClientRefused() && ctx.Err() == nil && r.rawBasicMatters(ctx) {
		tok, note := r.retryRawBasic(ctx, start, detail)
		if tok != nil {
			return tok
		}
		rawNote = note
	}
	other := style.OtherSecretStyle()
	if r.noSecret && e != nil {
		// No secret was sent: the other style would not send one either.
		ch := check.Failed(StepToken, detail, providers.NoSecretHint(r.p.Name))
		ch.Took = took
		r.add(ch)
		return nil
	}
	if e == nil || !(e.Code == "invalid_client" || e.Status == 401) || other == "" || ctx.Err() != nil {
		ch := check.Failed(StepToken, detail+rawNote, cmp.Or(hint, "see the exchange: `tokentop history "+r.p.Name+" -v`"))
		if rawNote != "" {
			ch.Hint = bothRefused()
		}
		ch.Took = took
		r.add(ch)
		return nil
	}
	retry, rerr := r.o.Fetch(ctx, Retry{AuthStyle: other})
	if rerr != nil || retry.Token == nil {
		ch := check.Failed(StepToken, fmt.Sprintf("%s%s; with auth_style %s too: %s", detail, rawNote, other, r.errText(rerr)), bothRefused())
		ch.Took = time.Since(start)
		r.add(ch)
		return nil
	}
	ch := check.Failed(StepToken, fmt.Sprintf("%s with auth_style %s; with %s it works (%s)", detail, style, other, tokenDetail(retry, r.now())),
		fmt.Sprintf("set `auth_style: %s` (or auto, which tries both and remembers)", other))
	ch.Took = time.Since(start)
	r.add(ch)
	r.issuerClock = issuerSkew(retry)
	return retry.Token
}

// issuerSkew compares our clock with the token endpoint's: by the last
// exchange's Date and its start and end, else by the cached token's skew
// (to a second); nil when the server sent no Date.
func issuerSkew(got Fetched) *clockskew.Measure {
	if n := len(got.Exchanges); n > 0 && !got.Exchanges[n-1].ServerDate.IsZero() {
		x := got.Exchanges[n-1]
		m := clockskew.Of(x.Started, x.Started.Add(x.Timings.Total), x.ServerDate)
		return &m
	}
	if t := got.Token; t != nil && !t.ServerDate.IsZero() {
		return &clockskew.Measure{Offset: t.Skew, Bound: clockskew.DateResolution}
	}
	return nil
}

// bothRefused is the hint when every way of sending the secret failed.
func bothRefused() string {
	return "both secret styles were refused: check client_id and the secret (a rotated secret, or the sandbox's credentials in prod?)"
}

// rawBasicMatters reports whether a refused request sent HTTP Basic
// form-encoded (basic or auto, basic_encoding form) for an id or secret
// that form-encoding changes: a server that does not decode sees other
// credentials than were configured.
func (r *doctorRun) rawBasicMatters(ctx context.Context) bool {
	if s := r.p.Style(); (s != providers.AuthBasic && s != providers.AuthAuto) || r.p.BasicEncodingOf() != providers.BasicForm {
		return false
	}
	secret, err := providers.ResolveSecret(ctx, r.p, r.c.LookupEnv)
	return err == nil && providers.FormEncodingChanges(r.p.ClientID, secret)
}

// retryRawBasic asks once more with HTTP Basic sent raw. It returns the
// token when that works (and reports the step), else a note for the
// step's detail.
func (r *doctorRun) retryRawBasic(ctx context.Context, start time.Time, detail string) (*providers.Token, string) {
	retry, err := r.o.Fetch(ctx, Retry{AuthStyle: providers.AuthBasic, BasicEncoding: providers.BasicRaw})
	if err != nil || retry.Token == nil {
		return nil, "; with HTTP Basic sent raw (basic_encoding: raw) too: " + r.errText(err)
	}
	ch := check.Failed(StepToken, fmt.Sprintf("%s with HTTP Basic form-encoded (RFC 6749 §2.3.1); sent raw it works (%s)", detail, tokenDetail(retry, r.now())),
		rawBasicWorks())
	ch.Took = time.Since(start)
	r.add(ch)
	return retry.Token, ""
}

// noteTokenAnswer keeps the token endpoint's last answer's headers, for
// the quota step, or says why there are none.
func (r *doctorRun) noteTokenAnswer(got Fetched, err error) {
	switch e, _ := providers.AsError(err); {
	case len(got.Exchanges) > 0:
		r.tokenHeaders = http.Header{}
		for k, v := range got.Exchanges[len(got.Exchanges)-1].ResponseHeaders {
			r.tokenHeaders[k] = v
		}
	case got.Cached:
		r.tokenNote = "not asked (the cached token was used)"
	case e != nil && e.Kind == providers.KindQuota:
		r.tokenNote = "not asked (tokentop's own ledger refused)"
	case err != nil:
		r.tokenNote = "refused (its headers: `tokentop history " + r.p.Name + " -v`)"
	}
}

// errText words err for a step of this provider's report (without the
// provider's name in front, which the report already shows).
func (r *doctorRun) errText(err error) string {
	if err == nil {
		return "no token"
	}
	return safetext.Line(strings.TrimPrefix(err.Error(), r.p.Name+": "))
}

// assertionRefused is a refusal a private_key_jwt assertion's aud may
// explain: invalid_client, a 401, or invalid_request (fosite answers so).
func assertionRefused(e *providers.Error) bool {
	return e.Code == "invalid_client" || e.Code == "invalid_request" || e.Status == 401
}

// retryAudience asks once more with the assertion's other usual aud: the
// token URL when the issuer was sent, the issuer when the token URL was.
// RFC 7523 §3 lets a server want either, and servers differ (fosite and
// Hydra want the token URL; Keycloak takes both).
func (r *doctorRun) retryAudience(ctx context.Context, start time.Time, detail, hint string) *providers.Token {
	sent := r.p.AssertionAudience
	other := r.p.TokenURL
	if sent == r.p.TokenURL {
		other = r.p.Issuer
	}
	if other == "" || other == sent {
		ch := check.Failed(StepToken, detail, hint)
		ch.Took = time.Since(start)
		r.add(ch)
		return nil
	}
	retry, err := r.o.Fetch(ctx, Retry{AssertionAudience: other})
	if err != nil || retry.Token == nil {
		ch := check.Failed(StepToken, fmt.Sprintf("%s; with the assertion's aud %s too: %s", detail, safetext.Line(other), r.errText(err)), hint)
		ch.Took = time.Since(start)
		r.add(ch)
		return nil
	}
	ch := check.Failed(StepToken, fmt.Sprintf("%s with the assertion's aud %s; with aud %s it works (%s)", detail, safetext.Line(sent), safetext.Line(other), tokenDetail(retry, r.now())),
		fmt.Sprintf("set `assertion_audience: %s`", safetext.Line(other)))
	ch.Took = time.Since(start)
	r.add(ch)
	return retry.Token
}

// tokenDetail describes the token a fetch gave.
func tokenDetail(got Fetched, now time.Time) string {
	t := got.Token
	kind := "opaque"
	if jwtclaims.LooksLikeJWT(t.AccessToken) {
		kind = "JWT"
	}
	typ := cmp.Or(safetext.Line(t.TokenType), "Bearer")
	left := t.ExpiresAt.Sub(now).Round(time.Second)
	d := fmt.Sprintf("%s %s token, expires in %s (%s)", typ, kind, left, cmp.Or(t.ExpirySource, "expiry"))
	if t.ExpiryAssumed {
		d += ", assumed"
	}
	if got.Cached {
		return d + "; the cached token, no request made (ask for a new one to test the exchange)"
	}
	if n := len(got.Exchanges); n > 0 {
		x := got.Exchanges[n-1]
		d = fmt.Sprintf("%d from %s with %s in %s: %s", x.Status, safetext.Line(x.URL), x.AuthStyle, x.Timings.Total.Round(time.Millisecond), d)
	}
	return d
}

// grantedScopes is what the server says it granted: the response's scope,
// else the JWT's scope or scp claim; ok is false when neither says.
func grantedScopes(t *providers.Token) (scopes []string, source string, ok bool) {
	scope, source := t.GrantedScope()
	if source == "" {
		return nil, "", false
	}
	return strings.FieldsFunc(scope, func(r rune) bool { return r == ' ' || r == ',' }), source, true
}

// scopes compares the scopes granted with those asked for and those the
// server supports (see scopeCheck); meta may be nil.
func (r *doctorRun) scopes(t *providers.Token, meta *discovery.Metadata) {
	var supported []string
	if meta != nil {
		supported = meta.ScopesSupported
	}
	r.add(scopeCheck(r.p, t, supported))
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
