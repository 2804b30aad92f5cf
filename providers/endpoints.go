package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/safetext"
)

// ServerEndpoint names an endpoint of the authorization server other than
// the token endpoint.
type ServerEndpoint string

// The endpoints tokentop calls besides the token endpoint.
const (
	// EndpointIntrospection is RFC 7662's introspection_endpoint
	// (introspection_url in the config).
	EndpointIntrospection ServerEndpoint = "introspection"
	// EndpointRevocation is RFC 7009's revocation_endpoint (revocation_url
	// in the config).
	EndpointRevocation ServerEndpoint = "revocation"
)

// configKey is the provider setting that overrides discovery.
func (k ServerEndpoint) configKey() string {
	if k == EndpointIntrospection {
		return "introspection_url"
	}
	return "revocation_url"
}

// ErrNoEndpoint is wrapped by the error of an endpoint the server does not
// offer (neither the config nor discovery names it).
var ErrNoEndpoint = errors.New("no such endpoint")

// EndpointOptions tune a call to an introspection or revocation endpoint.
type EndpointOptions struct {
	// Learned is the auth style that worked last under auth_style auto.
	Learned AuthStyle
	// Discovery, when set, is used instead of discovering again.
	Discovery *discovery.Result
	// TokenTypeHint is sent as token_type_hint (default access_token).
	TokenTypeHint string
}

// ResolveEndpoint finds p's introspection or revocation endpoint: the
// config's URL, else discovery's (d, or a discovery made now when d is
// nil), its mtls_endpoint_aliases entry when p presents a client
// certificate (RFC 8705 §5). source is "config", "discovery" or
// "discovery's mtls_endpoint_aliases". When none has one the error
// wraps ErrNoEndpoint and says what to set.
func (c *Client) ResolveEndpoint(ctx context.Context, p Provider, kind ServerEndpoint, d *discovery.Result) (endpoint, source string, err error) {
	endpoint, source, _, err = c.resolveEndpoint(ctx, p, kind, d)
	return endpoint, source, err
}

// resolveEndpoint is ResolveEndpoint that also returns the discovery it
// used (nil when the config named the endpoint or discovery failed).
func (c *Client) resolveEndpoint(ctx context.Context, p Provider, kind ServerEndpoint, d *discovery.Result) (endpoint, source string, used *discovery.Result, err error) {
	configured := p.IntrospectURL
	if kind == EndpointRevocation {
		configured = p.RevokeURL
	}
	if configured != "" {
		return configured, SourceConfig, nil, nil
	}
	why := ""
	if d == nil {
		var derr error
		d, derr = c.DiscoverDetail(ctx, p)
		if derr != nil {
			why = "discovery failed: " + errText(derr)
		}
	}
	if d != nil && d.Metadata != nil {
		u := d.Metadata.IntrospectionEndpoint
		if kind == EndpointRevocation {
			u = d.Metadata.RevocationEndpoint
		}
		// RFC 8705 §5: a client that presents a certificate uses the
		// mTLS alias of an endpoint when the server lists one (the plain
		// endpoint may not ask for a certificate at all).
		if alias := d.Metadata.MTLSEndpointAliases[string(kind)+"_endpoint"]; alias != "" && presentsCert(p) {
			return alias, "discovery's mtls_endpoint_aliases", d, nil
		}
		if u != "" {
			return u, "discovery", d, nil
		}
		why = "discovery had none"
	}
	return "", "", nil, &Error{Kind: KindConfig, Provider: p.Name,
		Description: fmt.Sprintf("this server offers no %s endpoint (%s); set %s", kind, safetext.Line(why), kind.configKey()),
		Hint:        fmt.Sprintf("set `%s` on the provider if the server has one (its documentation names it)", kind.configKey()),
		Err:         ErrNoEndpoint}
}

// presentsCert reports whether requests for p carry a client certificate
// (tls_client_auth, or a certificate configured beside a secret).
func presentsCert(p Provider) bool {
	return p.Style() == AuthTLSClient || p.TLSCertFile != ""
}

// serverAnswer is the last answer of postForm.
type serverAnswer struct {
	status int
	header http.Header
	body   []byte
}

// endpointStyles are the client authentication styles to try at an
// introspection or revocation endpoint, in order: those of the token
// request (under auto the learned one first, then the other), except that
// when discovery lists the endpoint's auth methods a secret style it does
// not list gives way to the other secret style it does (fosite takes only
// Basic at introspection, whatever the token endpoint takes).
func endpointStyles(configured, learned AuthStyle, methods []string) []AuthStyle {
	styles := stylesToTry(configured, learned)
	if len(methods) == 0 {
		return styles
	}
	listed := func(s AuthStyle) bool { return slices.Contains(methods, AuthMethodFor(s)) }
	var out []AuthStyle
	for _, s := range styles {
		other := s.OtherSecretStyle()
		switch {
		case listed(s) || other == "":
			out = append(out, s)
		case listed(other):
			out = append(out, other)
		default:
			out = append(out, s) // nothing better to try: let the server say
		}
	}
	return slices.Compact(out)
}

// postForm POSTs form to an endpoint of p's server, authenticated with
// each of styles in turn (the next only after a 401 or invalid_client
// under auto), and records each request as an Exchange of that kind with
// token redacted. It returns the last answer, or an *Error worded for the
// endpoint.
func (c *Client) postForm(ctx context.Context, p Provider, kind ServerEndpoint, endpoint string, form url.Values, token string, styles []AuthStyle) (*serverAnswer, []Exchange, error) {
	peer := "the " + string(kind) + " endpoint"
	if err := checkEndpointURL(p, kind, endpoint); err != nil {
		return nil, nil, err
	}
	auth, err := c.credentials(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	hc, cc, err := c.httpClientCert(p)
	if err != nil {
		return nil, nil, withProvider(err, p.Name)
	}
	if cc != nil {
		auth.cert = cc.summary()
	}
	ctx, cancel := context.WithTimeout(ctx, p.EffectiveTimeout())
	defer cancel()
	var exs []Exchange
	for i, style := range styles {
		f := url.Values{}
		for k, v := range form {
			f[k] = append([]string(nil), v...)
		}
		h := http.Header{}
		summary, err := authenticate(f, h, p, auth, style, c.now())
		if err != nil {
			return nil, exs, err
		}
		rd := &secrets{}
		rd.learnRequest(p.ClientID, auth.secret, f, h)
		rd.add(token)
		ans, ex, err := c.postOnce(ctx, hc, p, kind, endpoint, f, h, style, rd)
		ex.Credential = joinNonEmpty("; ", summary, auth.cert)
		rd.exchange(&ex)
		exs = append(exs, ex)
		if err != nil {
			return nil, exs, err
		}
		if ans.status >= 200 && ans.status < 300 {
			return ans, exs, nil
		}
		e := ClassifyResponse(ans.status, ans.header, ans.body, p, style, c.now())
		e.peer = peer
		if e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed {
			e.Hint = fmt.Sprintf("check %s: the server has no %s endpoint at %s", kind.configKey(), kind, safetext.Line(endpoint))
		}
		rd.err(e)
		exs[len(exs)-1].Error, exs[len(exs)-1].Hint = cutText(e.Summary()), cutText(e.Hint)
		if p.Style() == AuthAuto && e.ClientRefused() && i+1 < len(styles) {
			continue
		}
		return nil, exs, e
	}
	return nil, exs, errors.New("no auth style to try") // unreachable: stylesToTry is never empty
}

// checkEndpointURL refuses what CheckTokenURL refuses, worded for kind.
func checkEndpointURL(p Provider, kind ServerEndpoint, endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return &Error{Kind: KindConfig, Provider: p.Name, Description: fmt.Sprintf("the %s endpoint %q is not an absolute http(s) URL", kind, safetext.Line(endpoint))}
	}
	if u.Scheme == "http" && p.Style() == AuthTLSClient {
		return &Error{Kind: KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("auth_style %s needs an https %s endpoint; %s is plain http, where no client certificate is presented", AuthTLSClient, kind, safetext.Line(endpoint)),
			Hint:        fmt.Sprintf("set %s to the server's https (mTLS) endpoint", kind.configKey())}
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) && !p.InsecureHTTP {
		return &Error{Kind: KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("refusing to send client credentials over plain http to %s", u.Host),
			Hint:        "use https, or set `insecure_http: true` on the provider if you really mean it"}
	}
	return nil
}

// postOnce makes one request and records it, redacted with rd (which
// knows the credentials and the token sent).
func (c *Client) postOnce(ctx context.Context, hc *http.Client, p Provider, kind ServerEndpoint, endpoint string, form url.Values, h http.Header, style AuthStyle, rd *secrets) (*serverAnswer, Exchange, error) {
	ex := Exchange{Provider: p.Name, Kind: string(kind), Started: c.now(), AuthStyle: style, URL: safetext.Line(endpoint)}
	t := target{url: endpoint, peer: "the " + string(kind) + " endpoint", setting: kind.configKey()}
	ans, err := c.postRecorded(ctx, hc, p, t, form, h, &ex, rd)
	if err != nil {
		return nil, ex, err
	}
	ex.ResponseBody = rd.body(ans.body)
	return ans, ex, nil
}
