package providers

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/safetext"
)

// DiscoveryBase is the issuer to discover from: p.Issuer, else the origin
// of the token URL.
func DiscoveryBase(p Provider) string {
	if p.Issuer != "" {
		return strings.TrimRight(p.Issuer, "/")
	}
	u, err := url.Parse(p.TokenURL)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// Discover fetches the provider's metadata (see [Client.DiscoverDetail]).
func (c *Client) Discover(ctx context.Context, p Provider) (*discovery.Metadata, error) {
	d, err := c.DiscoverDetail(ctx, p)
	if err != nil {
		return nil, err
	}
	return d.Metadata, nil
}

// DiscoverDetail fetches the provider's metadata from its issuer (p.Issuer,
// else the token URL's origin): RFC 8414's
// /.well-known/oauth-authorization-server (with an issuer's path after it),
// then OIDC's ISSUER/.well-known/openid-configuration, then the appended
// RFC 8414 form. A document whose issuer is not the one asked for is not
// used (RFC 8414 §3.3); when no document passes, the error is an *Error
// whose Err is the *discovery.IssuerMismatchError if there was one. On failure the
// Result is still returned, with its Attempts.
func (c *Client) DiscoverDetail(ctx context.Context, p Provider) (*discovery.Result, error) {
	hc, err := c.httpClient(p)
	if err != nil {
		return nil, withProvider(err, p.Name)
	}
	ctx, cancel := context.WithTimeout(ctx, p.EffectiveTimeout())
	defer cancel()
	return discover(ctx, hc, p, true)
}

// discover tries each well-known URL. With strict unset a document with a
// wrong issuer is still used (for hints only, never for a trust decision).
func discover(ctx context.Context, hc *http.Client, p Provider, strict bool) (*discovery.Result, error) {
	d := &discovery.Result{Issuer: p.Issuer, IssuerGuessed: p.Issuer == ""}
	if d.IssuerGuessed {
		d.Issuer = DiscoveryBase(p)
	}
	wks := discovery.WellKnownURLs(d.Issuer)
	if len(wks) == 0 {
		return d, &Error{Kind: KindConfig, Provider: p.Name, Description: "no issuer to discover from",
			Hint: "set `issuer` (the authorization server's issuer URL) or an absolute token_url"}
	}
	var lastErr error
	var mismatch *discovery.IssuerMismatchError
	for _, wk := range wks {
		at := discovery.Attempt{WellKnown: wk}
		md, status, err := fetchMetadata(ctx, hc, p, wk)
		at.Status = status
		if err == nil && strict {
			err = d.CheckIssuer(md, wk)
			// Report the first document that names another issuer
			// (more telling than one naming none).
			if mm, ok := err.(*discovery.IssuerMismatchError); ok && (mismatch == nil || mismatch.Got == "" && mm.Got != "") {
				mismatch = mm
			}
		}
		if err != nil {
			at.Problem = safetext.Line(errText(err))
			d.Attempts = append(d.Attempts, at)
			lastErr = err
			continue
		}
		d.Attempts = append(d.Attempts, at)
		d.Metadata, d.Doc, d.URL = md, wk.Doc, wk.URL
		return d, nil
	}
	if mismatch != nil {
		return d, &Error{Kind: KindResponse, Provider: p.Name, Description: "no usable discovery document", Err: mismatch, Hint: mismatch.Hint()}
	}
	if e, ok := AsError(lastErr); ok && e.Kind == KindHTTP {
		e.Description = "no discovery document at " + strings.Join(attemptURLs(d.Attempts), " or ")
		e.Hint = "the server may not publish metadata: set jwks_uri, introspection_url and revocation_url on the provider, or check `issuer`"
	}
	return d, withProvider(lastErr, p.Name)
}

func errText(err error) string {
	if e, ok := AsError(err); ok {
		return e.Summary()
	}
	return err.Error()
}

func attemptURLs(as []discovery.Attempt) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.URL
	}
	return out
}

// fetchMetadata GETs one well-known URL and decodes it.
func fetchMetadata(ctx context.Context, hc *http.Client, p Provider, wk discovery.WellKnown) (*discovery.Metadata, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wk.URL, nil)
	if err != nil {
		return nil, 0, &Error{Kind: KindConfig, Provider: p.Name, Description: "bad issuer", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tokentop")
	resp, err := hc.Do(req)
	if err != nil {
		e := transportError(ctx, err, Provider{Name: p.Name, TokenURL: wk.URL, Timeout: p.Timeout})
		e.peer = "the discovery endpoint"
		return nil, 0, e
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, &Error{Kind: KindHTTP, Provider: p.Name, Status: resp.StatusCode, Description: "no discovery document at " + wk.URL, peer: "the discovery endpoint"}
	}
	md, err := discovery.Decode(body)
	if err != nil {
		return nil, resp.StatusCode, &Error{Kind: KindResponse, Provider: p.Name, Status: resp.StatusCode, Description: "unreadable discovery document at " + wk.URL, Err: err}
	}
	return md, resp.StatusCode, nil
}

// AuthMethodFor is the RFC 8414 token_endpoint_auth_methods_supported name
// of an auth style ("" for auto, which is either).
func AuthMethodFor(s AuthStyle) string {
	switch s {
	case AuthBasic:
		return "client_secret_basic"
	case AuthPost:
		return "client_secret_post"
	}
	return string(s)
}

// discoverScopes lists the scopes the server offers, best effort, for the
// invalid_scope hint; nil when it does not say.
func (c *Client) discoverScopes(ctx context.Context, hc *http.Client, p Provider) []string {
	d, err := discover(ctx, hc, p, false)
	if err != nil {
		return nil
	}
	return d.Metadata.ScopesSupported
}
