package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/netcheck"
)

// The steps of a user grant's report (authorization_code, device_code,
// refresh_token), in place of the token request.
const (
	// StepLoginEndpoints checks the endpoints a login needs: the
	// authorization endpoint (or the device authorization endpoint) and
	// the token endpoint, against discovery's.
	StepLoginEndpoints = "login endpoints"
	// StepPKCE checks that the server takes PKCE's S256 challenge.
	StepPKCE = "PKCE"
	// StepSession reads the session the store keeps: logged in, the
	// access and refresh tokens' expiries, "needs login".
	StepSession = "session"
	// StepRefresh renews the access token with the refresh token, when
	// the doctor's rule says to spend one.
	StepRefresh = "refresh"
	// StepIDToken verifies the session's ID token: signature, iss, aud.
	StepIDToken = "ID token"
)

// userStepOrder is the order of a user grant's steps, for skipping the
// rest.
func userStepOrder() []string {
	return []string{StepSettings, netcheck.StepDNS, netcheck.StepTCP, netcheck.StepTLS, StepDiscovery, StepLoginEndpoints, StepPKCE,
		StepAuthMethods, StepSession, StepRefresh, StepIDToken, StepScopes, StepJWT, StepTestCall, StepClock}
}

// Session is a user grant's session as the store keeps it, for the
// session step. Its tokens are read, never reported.
type Session struct {
	// Token is the cached token with its refresh and ID tokens; nil
	// when nobody has logged in.
	Token *providers.Token
	// NeedsLogin: the store marked the session over (the server refused
	// its refresh token, or none was left when the access token died).
	NeedsLogin bool
	// LastError and LastHint are the last failure's words, when it came
	// after the token.
	LastError, LastHint string
}

// runUser diagnoses a user grant: settings, the way to the token
// endpoint, discovery, the login's endpoints and PKCE, the auth methods,
// the session in the store, a refresh when the doctor's rule spends one,
// the ID token, then the access token as for any grant.
func (r *doctorRun) runUser(ctx context.Context, p providers.Provider) {
	r.order = userStepOrder()
	disc, meta, reachable, ok := r.reach(ctx, p)
	if !ok {
		return
	}
	r.loginEndpoints(meta)
	r.pkce(meta)
	r.authMethods(meta)
	sess, ok := r.session(ctx)
	if !ok {
		r.skipFrom(StepRefresh, "no session: "+providers.LoginAgain(r.p.Name))
		return
	}
	if ctx.Err() != nil {
		r.skipFrom(StepRefresh, "canceled")
		return
	}
	tok := r.refresh(ctx, sess, reachable)
	if tok == nil {
		r.skipFrom(StepIDToken, "no usable access token")
		return
	}
	r.out.Token = withoutSessionSecrets(tok)
	r.idToken(ctx, tok)
	r.tokenSteps(ctx, tok, disc, meta)
}

// withoutSessionSecrets is a copy of t without its refresh and ID tokens:
// what the diagnosis hands back holds the access token alone.
func withoutSessionSecrets(t *providers.Token) *providers.Token {
	c := *t
	c.RefreshToken, c.IDToken = "", ""
	return &c
}

// keep notes the session's secrets, for the reports' redaction.
func (r *doctorRun) keep(t *providers.Token) {
	if t == nil {
		return
	}
	for _, s := range []string{t.RefreshToken, t.IDToken} {
		if s != "" && !slices.Contains(r.out.Secrets, s) {
			r.out.Secrets = append(r.out.Secrets, s)
		}
	}
}

// deviceCodeGrant is the grant_type of RFC 8628 §3.4, as discovery's
// grant_types_supported lists it.
const deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"

// grantTypeOf is the grant_type a grant's exchange sends.
func grantTypeOf(g providers.Grant) string {
	if g == providers.GrantDeviceCode {
		return deviceCodeGrant
	}
	return string(g.Of())
}

// loginEndpoints checks what the login needs: authorization_code an
// authorization endpoint, device_code a device authorization endpoint,
// every grant the token endpoint; and the grant in the server's
// grant_types_supported when it lists them.
func (r *doctorRun) loginEndpoints(meta *discovery.Metadata) {
	g := r.p.Grant.Of()
	parts := []string{"token_url " + r.p.TokenURL}
	var warns []string
	switch g {
	case providers.GrantAuthorizationCode:
		parts = append(parts, "authorize_url "+r.p.AuthorizeURL)
		if meta != nil && meta.AuthorizationEndpoint != "" && meta.AuthorizationEndpoint != r.p.AuthorizeURL {
			warns = append(warns, fmt.Sprintf("discovery's authorization_endpoint is %s: set `authorize_url: %s` unless the vendor says otherwise", meta.AuthorizationEndpoint, meta.AuthorizationEndpoint))
		}
	case providers.GrantDeviceCode:
		if meta == nil || meta.DeviceAuthorizationEndpoint == "" {
			r.add(check.Failed(StepLoginEndpoints, "no device_authorization_endpoint: discovery names none",
				"a device login starts at the server's device authorization endpoint (RFC 8628 §3.1): set the issuer so discovery finds it, or ask the vendor whether it offers the device grant"))
			return
		}
		parts = append(parts, "device_authorization_endpoint "+meta.DeviceAuthorizationEndpoint)
	}
	if meta != nil && meta.TokenEndpoint != "" && meta.TokenEndpoint != r.p.TokenURL {
		warns = append(warns, fmt.Sprintf("discovery's token_endpoint is %s: set `token_url: %s` unless the vendor says otherwise", meta.TokenEndpoint, meta.TokenEndpoint))
	}
	if meta != nil && len(meta.GrantTypesSupported) > 0 && !slices.Contains(meta.GrantTypesSupported, grantTypeOf(g)) {
		warns = append(warns, fmt.Sprintf("the server's grant_types_supported (%s) does not list %s: ask the vendor to enable it for this client", strings.Join(meta.GrantTypesSupported, ", "), grantTypeOf(g)))
	}
	ch := check.Passed(StepLoginEndpoints, "grant "+string(g)+" · "+strings.Join(parts, " · "))
	if len(warns) > 0 {
		ch = check.Warned(StepLoginEndpoints, ch.Detail, strings.Join(warns, "; "))
	}
	r.add(clean(ch))
}

// pkce checks the server's code_challenge_methods_supported, when it
// lists them, for the S256 every login of tokentop's sends.
func (r *doctorRun) pkce(meta *discovery.Metadata) {
	if r.p.Grant.Of() != providers.GrantAuthorizationCode {
		r.add(check.Skipped(StepPKCE, "grant "+string(r.p.Grant.Of())+" sends no code challenge"))
		return
	}
	if meta == nil || len(meta.CodeChallengeMethodsSupported) == 0 {
		r.add(check.Passed(StepPKCE, "tokentop sends S256; the server lists no code_challenge_methods_supported (most take S256 all the same)"))
		return
	}
	methods := strings.Join(meta.CodeChallengeMethodsSupported, ", ")
	if slices.Contains(meta.CodeChallengeMethodsSupported, providers.PKCEMethod) {
		r.add(clean(check.Passed(StepPKCE, "S256 (advertised: "+methods+")")))
		return
	}
	if slices.Contains(meta.CodeChallengeMethodsSupported, "plain") {
		r.add(clean(check.Warned(StepPKCE, "the server advertises only plain (advertised: "+methods+"); tokentop sends S256",
			"plain sends the verifier itself, which protects nothing (RFC 7636 §7.2): ask the vendor to enable S256; a login may be refused until then")))
		return
	}
	r.add(clean(check.Warned(StepPKCE, "the server does not advertise S256 (advertised: "+methods+"); tokentop sends S256",
		"ask the vendor to enable PKCE with S256 for this client; a login may be refused until then")))
}
