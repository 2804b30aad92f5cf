package providers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/jwtverify"
	"github.com/tokentop/tokentop/providers/safetext"
)

// FetchKeySet fetches the JWKS at jwksURL for p, with p's HTTP client
// (ca_file, timeout, no redirects, a body of at most MaxBodyBytes). An
// http:// URL is refused for a host that is not loopback, unless p allows
// insecure_http: keys fetched in the clear prove nothing.
func (c *Client) FetchKeySet(ctx context.Context, p Provider, jwksURL string) (*jwtverify.KeySet, error) {
	u, err := url.Parse(jwksURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &Error{Kind: KindConfig, Provider: p.Name, Description: fmt.Sprintf("jwks_uri %q is not an absolute http(s) URL", safetext.Line(jwksURL))}
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) && !p.InsecureHTTP {
		return nil, &Error{Kind: KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("refusing to trust keys fetched over plain http from %s", u.Host),
			Hint:        "use an https jwks_uri, or set `insecure_http: true` on the provider if you really mean it"}
	}
	hc, err := c.httpClient(p)
	if err != nil {
		return nil, withProvider(err, p.Name)
	}
	hc.Transport = limitedBody{hc.Transport}
	ks, err := jwtverify.NewKeySet(ctx, hc, jwksURL, p.EffectiveTimeout())
	var unusable *jwtverify.UnusableError
	var fetch *jwtverify.FetchError
	switch {
	case errors.As(err, &unusable):
		return nil, &Error{Kind: KindConfig, Provider: p.Name, Description: "cannot use the JWKS", Err: unusable.Err}
	case errors.As(err, &fetch):
		return nil, keySetError(ctx, p, jwksURL, fetch)
	case err != nil:
		return nil, &Error{Kind: KindResponse, Provider: p.Name, Description: "cannot fetch the JWKS", Err: err}
	}
	return ks, nil
}

// keySetError words a failed JWKS fetch.
func keySetError(ctx context.Context, p Provider, jwksURL string, fetch *jwtverify.FetchError) *Error {
	err := fetch.Err
	var ue *url.Error
	if errors.As(err, &ue) {
		e := transportError(ctx, err, Provider{Name: p.Name, TokenURL: jwksURL, Timeout: p.Timeout})
		e.peer = "the JWKS endpoint"
		return e
	}
	e := &Error{Kind: KindResponse, Provider: p.Name, Description: "the JWKS at " + safetext.Line(jwksURL) + " is unusable", Err: err,
		Hint: "check jwks_uri (discovery's jwks_uri, or the provider's jwks_uri setting)"}
	if fetch.BadStatus {
		e.Kind = KindHTTP
	}
	return e
}

// limitedBody caps every response body at MaxBodyBytes (a JWKS is small).
type limitedBody struct{ rt http.RoundTripper }

func (l limitedBody) RoundTrip(r *http.Request) (*http.Response, error) {
	rt := l.rt
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, MaxBodyBytes), resp.Body}
	return resp, nil
}

// KeySetFor fetches p's JWKS from jwks_uri in the config, else the one
// discovery named (d may be nil). Without keys it says why in noKeys,
// worded for VerifyOptions.NoKeys; source is "config" or "discovery".
func (c *Client) KeySetFor(ctx context.Context, p Provider, d *discovery.Result) (ks *jwtverify.KeySet, source, noKeys string) {
	u, source := JWKSURL(p, d)
	if u == "" {
		return nil, "", "no jwks_uri (discovery had none); set jwks_uri"
	}
	ks, err := c.FetchKeySet(ctx, p, u)
	if err != nil {
		return nil, source, "the JWKS could not be fetched: " + safetext.Line(err.Error())
	}
	return ks, source, ""
}
