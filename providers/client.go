package providers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// Client performs token requests. The zero value is ready to use; a Client
// is safe for concurrent use and reuses connections across fetches.
type Client struct {
	// Now is the clock; nil means time.Now. Tests inject a fixed clock.
	Now func() time.Time
	// Transport, when set, replaces the per-provider transports (tests).
	Transport http.RoundTripper
	// LookupEnv resolves env: secret references; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)

	transports transports
}

// FetchOptions tune one fetch.
type FetchOptions struct {
	// Learned is the auth style that worked last time under auth_style auto;
	// it is tried first.
	Learned AuthStyle
}

// Result is what a fetch produced: the token when it worked, and always the
// flight records of every request made (auto may make two).
type Result struct {
	Token     *Token
	Exchanges []Exchange
	// AuthStyle is the style of the last request (the one that worked, on
	// success).
	AuthStyle AuthStyle
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// CloseIdleConnections closes idle connections kept for reuse.
func (c *Client) CloseIdleConnections() { c.transports.closeIdle() }

// Fetch asks p's token endpoint for a token with the client credentials
// grant. It never returns a nil *Result: on failure the Result still holds
// the exchanges, for the flight recorder, and the error is an *Error.
func (c *Client) Fetch(ctx context.Context, p Provider, o FetchOptions) (*Result, error) {
	return c.fetchGrant(ctx, p, o, grantRequest{})
}

// grantRequest is what a grant other than client credentials sends at
// the token endpoint: its form fields (grant_type first among them) and
// the values of those that are secret without a secret field's name
// (the authorization code, the code verifier). The zero value is the
// client credentials grant.
type grantRequest struct {
	form   url.Values
	secret []string
}

// fetchGrant is Fetch with g's grant.
func (c *Client) fetchGrant(ctx context.Context, p Provider, o FetchOptions, g grantRequest) (*Result, error) {
	res := &Result{}
	// Presets fill token_url, auth style, separators and mappings: the
	// request always uses the effective settings that `show` prints.
	eff, err := p.Resolve()
	if err != nil {
		return res, &Error{Kind: KindConfig, Provider: p.Name, Description: "unusable settings", Err: err}
	}
	p = eff
	if err := CheckTokenURL(p); err != nil {
		return res, err
	}
	auth, err := c.credentials(ctx, p)
	if err != nil {
		return res, err
	}
	if auth.key != nil {
		// The hints name the algorithm the assertion was signed with,
		// derived from the key when not configured.
		p.AssertionAlg = auth.key.method.Alg()
	}
	hc, cc, err := c.httpClientCert(p)
	if err != nil {
		return res, withProvider(err, p.Name)
	}
	if cc != nil {
		auth.cert = cc.summary()
	}
	ctx, cancel := context.WithTimeout(ctx, p.EffectiveTimeout())
	defer cancel()

	for _, style := range c.styles(p, o, auth) {
		res.AuthStyle = style
		tok, ex, err := c.exchange(ctx, hc, p, auth, style, g)
		res.Exchanges = append(res.Exchanges, ex)
		if err == nil {
			res.Token = tok
			return res, nil
		}
		e, ok := AsError(err)
		if ok && p.Style() == AuthAuto && e.ClientRefused() && len(res.Exchanges) == 1 {
			continue
		}
		if ok && len(res.Exchanges) == 2 && e.ClientRefused() {
			// Both styles were refused: "try the other style" would send
			// the user round in a circle.
			e.Hint = hintFor(e, p, AuthAuto)
		}
		if ok && e.ClientRefused() && (style == AuthBasic || len(res.Exchanges) == 2) &&
			p.BasicEncodingOf() == BasicForm && FormEncodingChanges(p.ClientID, auth.secret) {
			// Basic was refused for credentials form-encoding changes:
			// the secret may be right, sent in a way the server does
			// not decode.
			e.Hint = basicEncodingHint(p.Name)
		}
		if ok {
			c.explain(ctx, hc, p, e)
			res.Exchanges[len(res.Exchanges)-1].Hint = e.Hint
		}
		return res, err
	}
	return res, errors.New("no auth style to try") // unreachable: stylesToTry is never empty
}

// clientAuth is what proves the client: the secret (basic, post), the
// assertion key (private_key_jwt), and a description of the client
// certificate the transport presents, for the flight record.
type clientAuth struct {
	secret string
	key    *assertionKey
	cert   string
}

// credentials loads what p's auth style proves the client with: the secret
// (resolved now: a ref may run a command) or the assertion key.
func (c *Client) credentials(ctx context.Context, p Provider) (clientAuth, error) {
	var auth clientAuth
	var err error
	if p.Style().UsesSecret() {
		if auth.secret, err = ResolveSecret(ctx, p, c.LookupEnv); err != nil {
			return auth, &Error{Kind: KindConfig, Provider: p.Name, Description: "cannot resolve the client secret", Err: err}
		}
	}
	if p.Style() == AuthPrivateKeyJWT {
		if auth.key, err = loadAssertionKey(p); err != nil {
			return auth, &Error{Kind: KindConfig, Provider: p.Name, Description: "unusable private key", Err: err}
		}
	}
	return auth, nil
}

// authenticate adds style's client authentication to a request's form and
// headers: the token request's, and the introspection and revocation
// endpoints' (RFC 7662 §2.1 and RFC 7009 §2.1 ask for the same). It
// returns the flight record's description of the assertion, if any.
func authenticate(form url.Values, h http.Header, p Provider, auth clientAuth, style AuthStyle, now time.Time) (string, error) {
	switch style {
	case AuthPost:
		form.Set("client_id", p.ClientID)
		if auth.secret != "" || !p.Grant.UserLogin() {
			// A user grant's public client (RFC 8252 §8.4) has no
			// secret: its client_id alone names it.
			form.Set("client_secret", auth.secret)
		}
	case AuthBasic:
		h.Set("Authorization", BasicAuthWith(p.BasicEncodingOf(), p.ClientID, auth.secret))
	case AuthPrivateKeyJWT:
		a, err := clientAssertion(p, auth.key, now)
		if err != nil {
			return "", &Error{Kind: KindConfig, Provider: p.Name, Description: "cannot sign the client assertion", Err: err}
		}
		form.Set("client_id", p.ClientID)
		form.Set("client_assertion_type", ClientAssertionType)
		form.Set("client_assertion", a.jwt)
		return a.summary, nil
	case AuthTLSClient:
		// The certificate in the handshake proves the client (RFC 8705).
		form.Set("client_id", p.ClientID)
	}
	return "", nil
}

// stylesToTry is the order of styles: the configured one, except that auto
// tries the learned style (or basic) first, then the other. Auto never
// turns to private_key_jwt or tls_client_auth: those need key files that
// only an explicit auth_style names.
func stylesToTry(configured, learned AuthStyle) []AuthStyle {
	switch configured {
	case AuthBasic, AuthPost, AuthPrivateKeyJWT, AuthTLSClient:
		return []AuthStyle{configured}
	}
	if learned == AuthPost {
		return []AuthStyle{AuthPost, AuthBasic}
	}
	return []AuthStyle{AuthBasic, AuthPost}
}

// ClientRefused reports a refusal of the client's credentials (a 401 or
// invalid_client), the only refusal that justifies a second try with
// other ones.
func (e *Error) ClientRefused() bool {
	return (e.Kind == KindOAuth || e.Kind == KindHTTP) && (e.Status == http.StatusUnauthorized || e.Code == "invalid_client")
}

// exchange makes one request with one auth style and records it. The
// record and the error are redacted: the secret, the assertion and the
// tokens of the answer by value, every secret field by name.
func (c *Client) exchange(ctx context.Context, hc *http.Client, p Provider, auth clientAuth, style AuthStyle, g grantRequest) (*Token, Exchange, error) {
	form := TokenForm(p)
	if g.form != nil {
		form = g.form
	}
	h := http.Header{}
	summary, err := authenticate(form, h, p, auth, style, c.now())
	if err != nil {
		return nil, Exchange{Provider: p.Name, AuthStyle: style}, err
	}
	ex := Exchange{Provider: p.Name, Started: c.now(), AuthStyle: style, URL: p.TokenURL, Grant: form.Get("grant_type"),
		Credential: joinNonEmpty("; ", summary, auth.cert)}
	if style == AuthBasic && p.BasicEncodingOf() == BasicRaw {
		ex.BasicEncoding = BasicRaw
	}
	rd := &secrets{}
	rd.learnRequest(p.ClientID, auth.secret, form, h)
	for _, v := range g.secret {
		rd.add(v)
	}
	tok, err := c.tokenRequest(ctx, hc, p, style, form, h, &ex, rd)
	err = rd.err(err)
	rd.exchange(&ex)
	return tok, ex, err
}

// tokenRequest is exchange's request and the reading of its answer.
func (c *Client) tokenRequest(ctx context.Context, hc *http.Client, p Provider, style AuthStyle, form url.Values, h http.Header, ex *Exchange, rd *secrets) (*Token, error) {
	ans, err := c.postRecorded(ctx, hc, p, target{url: p.TokenURL, setting: "token_url"}, form, h, ex, rd)
	if err != nil {
		return nil, err
	}
	body := ans.body
	fail := func(e *Error) (*Token, error) {
		e.Provider = p.Name
		rd.err(e)
		ex.ResponseBody = rd.body(body)
		ex.Error, ex.Hint = e.Summary(), e.Hint
		return nil, e
	}
	now := c.now()
	if ans.status < 200 || ans.status > 299 {
		return fail(ClassifyResponse(ans.status, ans.header, body, p, style, now))
	}
	tok, err := ParseResponse(body, ParseOptions{Mapping: p.Response, Now: now, ServerDate: ex.ServerDate, DefaultLifetime: p.EffectiveLifetime()})
	if err != nil {
		// The body may still hold a token (expired on arrival, a mapped
		// field, a bad expiry, a form-encoded answer): rd learnt it from
		// the answer, so neither the record nor the error quotes it.
		e, ok := AsError(err)
		if !ok {
			e = &Error{Kind: KindResponse, Description: "unreadable token response", Err: err}
		}
		e.Status = ans.status
		if e.Kind == KindOAuth && e.Hint == "" {
			e.Hint = hintFor(e, p, style)
		}
		return fail(e)
	}
	rd.add(tok.AccessToken)
	rd.add(tok.RefreshToken)
	rd.add(tok.IDToken)
	ex.ResponseBody = rd.body(body)
	return tok, nil
}

// TokenForm builds the form fields of a token request, without client
// credentials: grant_type, scope (joined by the separator, left out when
// empty), audience, resource and the provider's extra params.
func TokenForm(p Provider) url.Values {
	form := url.Values{}
	for k, v := range p.Params {
		form.Set(k, v)
	}
	form.Set("grant_type", "client_credentials")
	if len(p.Scopes) > 0 {
		form.Set("scope", strings.Join(p.Scopes, p.Separator()))
	}
	if p.Audience != "" {
		form.Set("audience", p.Audience)
	}
	if p.Resource != "" {
		form.Set("resource", p.Resource)
	}
	return form
}

// CheckTokenURL refuses a token URL that is not absolute http(s), and plain
// http:// to a host that is not loopback unless the provider allows it.
func CheckTokenURL(p Provider) error {
	u, err := url.Parse(p.TokenURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return &Error{Kind: KindConfig, Provider: p.Name, Description: fmt.Sprintf("token_url %q is not an absolute http(s) URL", safetext.Line(p.TokenURL))}
	}
	if u.Scheme == "http" && p.Style() == AuthTLSClient {
		return &Error{Kind: KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("auth_style %s needs an https token_url; %s is plain http, where no client certificate is presented", AuthTLSClient, safetext.Line(p.TokenURL)),
			Hint:        "use the server's https (mTLS) token endpoint: RFC 8705 client authentication happens in the TLS handshake"}
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) && !p.InsecureHTTP {
		return &Error{Kind: KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("refusing to send client credentials over plain http to %s", u.Host),
			Hint:        "use https, or set `insecure_http: true` on the provider if you really mean it"}
	}
	return nil
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// joinNonEmpty joins the parts that are not empty.
func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, s := range parts {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, sep)
}

func withProvider(err error, name string) error {
	if e, ok := AsError(err); ok {
		e.Provider = name
		return e
	}
	return err
}

// styles are the auth styles fetchGrant tries: stylesToTry's, except that
// a user grant's public client (no secret at all) sends its client_id in
// the body and nothing else.
func (c *Client) styles(p Provider, o FetchOptions, auth clientAuth) []AuthStyle {
	if p.Grant.UserLogin() && auth.secret == "" && p.Style().UsesSecret() && p.Style() != AuthBasic {
		return []AuthStyle{AuthPost}
	}
	return stylesToTry(p.Style(), o.Learned)
}
