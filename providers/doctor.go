package providers

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The names of the doctor's steps after the network ones, in their order.
const (
	StepSettings    = "settings"
	StepDiscovery   = "discovery"
	StepAuthMethods = "auth methods"
	StepToken       = "token request"
	StepScopes      = "scopes"
	// StepJWT names the JWT's steps: "JWT signature", "JWT alg", "JWT
	// iss"… (one per check of [Verify]), or "JWT" alone when skipped.
	StepJWT      = "JWT"
	StepTestCall = "test-call"
)

// doctorOrder is the order of the steps, for skipping the rest.
var doctorOrder = [...]string{StepSettings, StepDNS, StepTCP, StepTLS, StepDiscovery, StepAuthMethods, StepToken, StepScopes, StepJWT, StepTestCall}

// DoctorToken is a token the doctor got through DoctorOptions.Fetch.
type DoctorToken struct {
	Token *Token
	// Cached is true when no request was made (the cached token was still
	// good).
	Cached bool
	// Exchanges are the requests made, when any.
	Exchanges []Exchange
}

// DoctorRetry is a setting the doctor tries instead of the configured one
// after the token request was refused. The zero value means the settings
// as configured.
type DoctorRetry struct {
	// AuthStyle replaces auth_style (basic for post, post for basic).
	AuthStyle AuthStyle
	// AssertionAudience replaces a private_key_jwt assertion's aud (the
	// token URL for the issuer, or the reverse).
	AssertionAudience string
}

// DoctorOptions say how the doctor gets a token and what it test-calls.
type DoctorOptions struct {
	// Fetch gets the provider's token. The zero DoctorRetry means the
	// settings as configured (the cached token is fine); a retry always
	// asks the server. The store provides it, so that tokens are counted
	// against the quota and exchanges are recorded.
	Fetch func(ctx context.Context, retry DoctorRetry) (DoctorToken, error)
	// Endpoint is what the test-call calls: a saved endpoint's name, an
	// http(s) URL (GET), or "" for the provider's first saved endpoint.
	Endpoint string
	// Progress, when set, gets each check as soon as it is known, in order.
	Progress func(Check)
	// SecretStored says that a client secret is kept apart from the
	// provider given (the store keeps it encrypted), so an empty
	// ClientSecret is not a missing one.
	SecretStored bool
}

// Diagnosis is the doctor's report on one provider.
type Diagnosis struct {
	Provider string  `json:"provider"`
	Checks   []Check `json:"checks"`
	// Token is the token the checks looked at (nil when none came); its
	// access token is for the caller's own use and is never in Checks.
	Token *Token `json:"-"`
	// TokenCached is true when that token came from the cache, so the
	// exchange itself was not tried.
	TokenCached bool `json:"token_cached"`
}

// OK reports whether no step failed (warnings and skipped steps do not
// count against it).
func (d *Diagnosis) OK() bool { return !AnyFailed(d.Checks) }

// doctorRun is one diagnosis under way.
type doctorRun struct {
	c   *Client
	o   DoctorOptions
	p   Provider // effective settings
	out *Diagnosis
	// noSecret: the style sends a client secret and none is set.
	noSecret bool
}

func (r *doctorRun) add(cs ...Check) {
	for _, c := range cs {
		r.out.Checks = append(r.out.Checks, c)
		if r.o.Progress != nil {
			r.o.Progress(c)
		}
	}
}

// skipFrom marks step and every step after it as skipped, why.
func (r *doctorRun) skipFrom(step, why string) {
	for _, s := range doctorOrder[slices.Index(doctorOrder[:], step):] {
		r.add(skip(s, why))
	}
}

// Doctor diagnoses p step by step: its settings; DNS, TCP and TLS to the
// token endpoint; discovery and the issuer check; the server's auth
// methods against the configured style; the token request (retrying with
// the other style on invalid_client); the scopes granted; the JWT's claims
// and signature; a test-call. A step that cannot run for an earlier
// failure is skipped with the reason. ctx bounds the whole run.
func (c *Client) Doctor(ctx context.Context, p Provider, o DoctorOptions) *Diagnosis {
	r := &doctorRun{c: c, o: o, out: &Diagnosis{Provider: p.Name}}
	eff, ok := r.settings(p)
	if !ok {
		r.skipFrom(StepDNS, "fix the settings first")
		return r.out
	}
	r.p = eff

	net := c.CheckNetwork(ctx, eff, eff.TokenURL)
	r.add(net...)
	reachable := !AnyFailed(net)

	disc := r.discovery(ctx)
	var meta *Metadata
	if disc != nil {
		meta = disc.Metadata
	}
	r.authMethods(meta)
	if ctx.Err() != nil {
		r.skipFrom(StepToken, "canceled")
		return r.out
	}
	if !reachable {
		r.skipFrom(StepToken, "the token endpoint cannot be reached (see above)")
		return r.out
	}
	tok := r.token(ctx)
	if tok == nil {
		r.skipFrom(StepScopes, "no token")
		return r.out
	}
	r.out.Token = tok
	r.scopes(tok)
	r.jwt(ctx, tok, disc)
	r.testCall(ctx, tok)
	return r.out
}

// settings checks that p's effective settings can work.
func (r *doctorRun) settings(p Provider) (Provider, bool) {
	eff, _, err := p.Effective()
	if err == nil {
		err = eff.Validate()
	}
	if err != nil {
		r.add(fail(StepSettings, SanitizeLine(err.Error()), "fix the provider: `tokentop show "+p.Name+"` prints every setting and where it came from"))
		return eff, false
	}
	if err := CheckTokenURL(eff); err != nil {
		r.add(fail(StepSettings, SanitizeLine(err.Error()), HintFor(err)))
		return eff, false
	}
	r.noSecret = NoSecret(eff) && !r.o.SecretStored
	parts := []string{"token_url " + SanitizeLine(eff.TokenURL), "auth " + string(eff.Style())}
	if len(eff.Scopes) > 0 {
		parts = append(parts, "scopes "+strings.Join(eff.Scopes, " "))
	}
	if eff.Audience != "" {
		parts = append(parts, "audience "+SanitizeLine(eff.Audience))
	}
	if eff.Preset != "" {
		parts = append(parts, "preset "+eff.Preset)
	}
	if r.noSecret {
		// Said first: it explains any refusal that follows.
		r.add(warn(StepSettings, "no client secret is set for "+p.Name+" · "+strings.Join(parts, " · "), NoSecretHint(p.Name)))
		return eff, true
	}
	r.add(pass(StepSettings, strings.Join(parts, " · ")))
	return eff, true
}

// styleForMethod is the auth_style that uses a server's method, "" when
// tokentop has none for it.
func styleForMethod(m string) AuthStyle {
	switch m {
	case "client_secret_basic":
		return AuthBasic
	case "client_secret_post":
		return AuthPost
	case "private_key_jwt":
		return AuthPrivateKeyJWT
	case "tls_client_auth":
		return AuthTLSClient
	}
	return ""
}

// authMethods compares the server's advertised token endpoint auth
// methods with the configured style.
func (r *doctorRun) authMethods(meta *Metadata) {
	if meta == nil {
		r.add(skip(StepAuthMethods, "no discovery document to compare with"))
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
	if style == AuthAuto {
		for _, m := range methods {
			if s := styleForMethod(m); s == AuthBasic || s == AuthPost {
				r.add(pass(StepAuthMethods, fmt.Sprintf("auth_style auto can use %s (%s)", m, listed)))
				return
			}
		}
		r.add(fail(StepAuthMethods, "auth_style auto sends a client secret, which the server does not take ("+listed+")",
			"the server wants another client authentication: set auth_style to one of its methods"))
		return
	}
	want := AuthMethodFor(style)
	if slices.Contains(methods, want) {
		r.add(pass(StepAuthMethods, fmt.Sprintf("auth_style %s is %s (%s)", style, want, listed)))
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
	r.add(fail(StepAuthMethods, fmt.Sprintf("auth_style %s is %s, which the server does not list (%s)", style, want, listed), hint))
}

// otherSecretStyle is the secret style to retry with after invalid_client:
// post for basic and basic for post; none for the others (auto already
// tried both).
func otherSecretStyle(s AuthStyle) AuthStyle {
	switch s {
	case AuthBasic:
		return AuthPost
	case AuthPost:
		return AuthBasic
	}
	return ""
}

// token gets a token; on invalid_client it asks once more with the other
// secret style and says which one works.
func (r *doctorRun) token(ctx context.Context) *Token {
	if r.o.Fetch == nil {
		r.add(skip(StepToken, "no way to fetch a token was given"))
		return nil
	}
	start := time.Now()
	got, err := r.o.Fetch(ctx, DoctorRetry{})
	took := time.Since(start)
	if err == nil && got.Token != nil {
		ch := pass(StepToken, tokenDetail(got, r.c.now()))
		ch.Took = took
		if len(got.Token.Warnings) > 0 {
			ch.Status, ch.Hint = CheckWarn, SanitizeLine(strings.Join(got.Token.Warnings, "; "))
		}
		r.add(ch)
		r.out.TokenCached = got.Cached
		return got.Token
	}
	e, _ := AsError(err)
	detail, hint := r.errText(err), SanitizeLine(HintFor(err))
	style := r.p.Style()
	if style == AuthPrivateKeyJWT && e != nil && assertionRefused(e) && ctx.Err() == nil {
		return r.retryAudience(ctx, start, detail, hint)
	}
	other := otherSecretStyle(style)
	if r.noSecret && e != nil {
		// No secret was sent: the other style would not send one either.
		ch := fail(StepToken, detail, NoSecretHint(r.p.Name))
		ch.Took = took
		r.add(ch)
		return nil
	}
	if e == nil || !(e.Code == "invalid_client" || e.Status == 401) || other == "" || ctx.Err() != nil {
		ch := fail(StepToken, detail, cmp.Or(hint, "see the exchange: `tokentop history "+r.p.Name+" -v`"))
		ch.Took = took
		r.add(ch)
		return nil
	}
	retry, rerr := r.o.Fetch(ctx, DoctorRetry{AuthStyle: other})
	if rerr != nil || retry.Token == nil {
		ch := fail(StepToken, fmt.Sprintf("%s; with auth_style %s too: %s", detail, other, r.errText(rerr)),
			"both secret styles were refused: check client_id and the secret (a rotated secret, or the sandbox's credentials in prod?)")
		ch.Took = time.Since(start)
		r.add(ch)
		return nil
	}
	ch := fail(StepToken, fmt.Sprintf("%s with auth_style %s; with %s it works (%s)", detail, style, other, tokenDetail(retry, r.c.now())),
		fmt.Sprintf("set `auth_style: %s` (or auto, which tries both and remembers)", other))
	ch.Took = time.Since(start)
	r.add(ch)
	return retry.Token
}

// errText words err for a step of this provider's report (without the
// provider's name in front, which the report already shows).
func (r *doctorRun) errText(err error) string {
	if err == nil {
		return "no token"
	}
	return SanitizeLine(strings.TrimPrefix(err.Error(), r.p.Name+": "))
}

// assertionRefused is a refusal a private_key_jwt assertion's aud may
// explain: invalid_client, a 401, or invalid_request (fosite answers so).
func assertionRefused(e *Error) bool {
	return e.Code == "invalid_client" || e.Code == "invalid_request" || e.Status == 401
}

// retryAudience asks once more with the assertion's other usual aud: the
// token URL when the issuer was sent, the issuer when the token URL was.
// RFC 7523 §3 lets a server want either, and servers differ (fosite and
// Hydra want the token URL; Keycloak takes both).
func (r *doctorRun) retryAudience(ctx context.Context, start time.Time, detail, hint string) *Token {
	sent := r.p.AssertionAudience
	other := r.p.TokenURL
	if sent == r.p.TokenURL {
		other = r.p.Issuer
	}
	if other == "" || other == sent {
		ch := fail(StepToken, detail, hint)
		ch.Took = time.Since(start)
		r.add(ch)
		return nil
	}
	retry, err := r.o.Fetch(ctx, DoctorRetry{AssertionAudience: other})
	if err != nil || retry.Token == nil {
		ch := fail(StepToken, fmt.Sprintf("%s; with the assertion's aud %s too: %s", detail, SanitizeLine(other), r.errText(err)), hint)
		ch.Took = time.Since(start)
		r.add(ch)
		return nil
	}
	ch := fail(StepToken, fmt.Sprintf("%s with the assertion's aud %s; with aud %s it works (%s)", detail, SanitizeLine(sent), SanitizeLine(other), tokenDetail(retry, r.c.now())),
		fmt.Sprintf("set `assertion_audience: %s`", SanitizeLine(other)))
	ch.Took = time.Since(start)
	r.add(ch)
	return retry.Token
}

// tokenDetail describes the token a fetch gave.
func tokenDetail(got DoctorToken, now time.Time) string {
	t := got.Token
	kind := "opaque"
	if LooksLikeJWT(t.AccessToken) {
		kind = "JWT"
	}
	typ := cmp.Or(SanitizeLine(t.TokenType), "Bearer")
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
		d = fmt.Sprintf("%d from %s with %s in %s: %s", x.Status, SanitizeLine(x.URL), x.AuthStyle, x.Timings.Total.Round(time.Millisecond), d)
	}
	return d
}

// grantedScopes is what the server says it granted: the response's scope,
// else the JWT's scope or scp claim; ok is false when neither says.
func grantedScopes(t *Token) (scopes []string, source string, ok bool) {
	scope, source := t.GrantedScope()
	if source == "" {
		return nil, "", false
	}
	return strings.FieldsFunc(scope, func(r rune) bool { return r == ' ' || r == ',' }), source, true
}

// scopes compares the scopes granted with those asked for.
func (r *doctorRun) scopes(t *Token) {
	asked := r.p.Scopes
	granted, source, ok := grantedScopes(t)
	switch {
	case !ok && len(asked) == 0:
		r.add(pass(StepScopes, "none asked for, none stated"))
		return
	case !ok:
		// RFC 6749 §5.1: scope may be left out when it is what was asked.
		r.add(pass(StepScopes, fmt.Sprintf("asked %s; the server did not say, which RFC 6749 §5.1 allows when it granted them all", strings.Join(asked, " "))))
		return
	}
	var missing, extra []string
	for _, s := range asked {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	for _, s := range granted {
		if !slices.Contains(asked, s) {
			extra = append(extra, s)
		}
	}
	detail := fmt.Sprintf("asked %s · granted %s (from %s)", orNone(asked), orNone(granted), source)
	if len(missing) > 0 {
		r.add(fail(StepScopes, SanitizeLine(detail+" · not granted: "+strings.Join(missing, " ")),
			"the client is not allowed those scopes: enable them for the client at the vendor, or stop asking for them"))
		return
	}
	if len(extra) > 0 {
		detail += " · also granted: " + strings.Join(extra, " ")
	}
	r.add(pass(StepScopes, SanitizeLine(detail)))
}
