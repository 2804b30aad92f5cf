package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tokentop/tokentop/providers/safetext"
)

// Metadata is the part of an RFC 8414 / OIDC discovery document tokentop
// reads. Every string in it is sanitised.
type Metadata struct {
	Issuer                                    string   `json:"issuer"`
	TokenEndpoint                             string   `json:"token_endpoint"`
	JWKSURI                                   string   `json:"jwks_uri"`
	ScopesSupported                           []string `json:"scopes_supported"`
	GrantTypesSupported                       []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported         []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgValues         []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	IntrospectionEndpoint                     string   `json:"introspection_endpoint"`
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported,omitempty"`
	RevocationEndpoint                        string   `json:"revocation_endpoint"`
	RevocationEndpointAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	// IDTokenSigningAlgValuesSupported is OIDC's list of signing algs; the
	// access tokens of most servers are signed the same way.
	IDTokenSigningAlgValuesSupported []string          `json:"id_token_signing_alg_values_supported,omitempty"`
	MTLSEndpointAliases              map[string]string `json:"mtls_endpoint_aliases,omitempty"`
}

// The well-known documents tokentop looks for.
const (
	// DocRFC8414 is RFC 8414's /.well-known/oauth-authorization-server,
	// inserted between the host and the issuer's path (§3.1).
	DocRFC8414 = "oauth-authorization-server"
	// DocOIDC is OpenID Connect Discovery's openid-configuration, appended
	// to the issuer.
	DocOIDC = "openid-configuration"
	// DocRFC8414Appended is oauth-authorization-server appended to the
	// issuer, as Okta and Keycloak also serve it (not RFC 8414's form).
	DocRFC8414Appended = "oauth-authorization-server (appended)"
)

// WellKnown is one place a discovery document may be.
type WellKnown struct {
	Doc string // DocRFC8414, DocOIDC or DocRFC8414Appended
	URL string
}

// WellKnownURLs lists where the metadata of issuer may be, in the order
// tried: RFC 8414 §3.1 (https://h/.well-known/oauth-authorization-server/PATH),
// OIDC (ISSUER/.well-known/openid-configuration), then the appended form of
// RFC 8414 when it differs from the first. A bad issuer gives nil.
func WellKnownURLs(issuer string) []WellKnown {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	origin := u.Scheme + "://" + u.Host
	out := []WellKnown{
		{DocRFC8414, origin + "/.well-known/oauth-authorization-server" + path},
		{DocOIDC, origin + path + "/.well-known/openid-configuration"},
	}
	if path != "" {
		out = append(out, WellKnown{DocRFC8414Appended, origin + path + "/.well-known/oauth-authorization-server"})
	}
	return out
}

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

// DiscoveryAttempt is one well-known URL tried, and what came of it.
type DiscoveryAttempt struct {
	WellKnown
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// Problem is what was wrong ("" for the document used).
	Problem string
}

// Discovery is the outcome of discovery: the document used, where it was,
// and every place tried (for a report).
type Discovery struct {
	Metadata *Metadata
	// Doc and URL name the document used.
	Doc, URL string
	// Issuer is the issuer discovery started from: p.Issuer exactly, else
	// the token URL's origin.
	Issuer string
	// IssuerGuessed is true when p.Issuer was empty and the token URL's
	// origin stood in for it.
	IssuerGuessed bool
	Attempts      []DiscoveryAttempt
	// Warnings are worth telling (an issuer that differs only by a
	// trailing slash).
	Warnings []string
}

// IssuerMismatchError is RFC 8414 §3.3 (and OIDC Discovery §4.3): the issuer
// a document names must be the issuer it was fetched for, else its metadata
// must not be used.
type IssuerMismatchError struct {
	// Want is the issuer used to build the URL; Got is the document's
	// (empty when it names none).
	Want, Got, URL string
	// Guessed is true when Want is the token URL's origin, not a
	// configured issuer.
	Guessed bool
}

func (e *IssuerMismatchError) Error() string {
	if e.Got == "" {
		return fmt.Sprintf("the discovery document at %s names no issuer (RFC 8414 §3.3 requires it to be %s)", e.URL, e.Want)
	}
	return fmt.Sprintf("the discovery document at %s is for issuer %s, not %s; its metadata must not be used (RFC 8414 §3.3)", e.URL, e.Got, e.Want)
}

// Hint says what to set.
func (e *IssuerMismatchError) Hint() string {
	switch {
	case e.Got == "":
		return "the server's metadata is incomplete: set jwks_uri, introspection_url and revocation_url on the provider instead"
	case e.Guessed:
		return fmt.Sprintf("no issuer is configured, so the token URL's origin was tried: if %s is the real issuer, set `issuer: %s`", e.Got, e.Got)
	}
	return fmt.Sprintf("check `issuer`: the server calls itself %s (a tenant, realm or a trailing slash?)", e.Got)
}

// Discover fetches the provider's metadata (see [Client.DiscoverDetail]).
func (c *Client) Discover(ctx context.Context, p Provider) (*Metadata, error) {
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
// whose Err is the *IssuerMismatchError if there was one. On failure the
// Discovery is still returned, with its Attempts.
func (c *Client) DiscoverDetail(ctx context.Context, p Provider) (*Discovery, error) {
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
func discover(ctx context.Context, hc *http.Client, p Provider, strict bool) (*Discovery, error) {
	d := &Discovery{Issuer: p.Issuer, IssuerGuessed: p.Issuer == ""}
	if d.IssuerGuessed {
		d.Issuer = DiscoveryBase(p)
	}
	wks := WellKnownURLs(d.Issuer)
	if len(wks) == 0 {
		return d, &Error{Kind: KindConfig, Provider: p.Name, Description: "no issuer to discover from",
			Hint: "set `issuer` (the authorization server's issuer URL) or an absolute token_url"}
	}
	var lastErr error
	var mismatch *IssuerMismatchError
	for _, wk := range wks {
		at := DiscoveryAttempt{WellKnown: wk}
		md, status, err := fetchMetadata(ctx, hc, p, wk)
		at.Status = status
		if err == nil && strict {
			err = checkIssuer(d, md, wk)
			// Report the first document that names another issuer
			// (more telling than one naming none).
			if mm, ok := err.(*IssuerMismatchError); ok && (mismatch == nil || mismatch.Got == "" && mm.Got != "") {
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

func attemptURLs(as []DiscoveryAttempt) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.URL
	}
	return out
}

// checkIssuer applies RFC 8414 §3.3. An issuer that differs only by a
// trailing slash passes with a warning (Auth0's issuers end in "/").
func checkIssuer(d *Discovery, md *Metadata, wk WellKnown) error {
	want, got := d.Issuer, md.Issuer
	if got == want {
		return nil
	}
	if got != "" && strings.TrimRight(got, "/") == strings.TrimRight(want, "/") {
		d.Warnings = append(d.Warnings, fmt.Sprintf("the server's issuer is %s (the trailing slash differs from the one configured); tokens carry it as iss", got))
		return nil
	}
	return &IssuerMismatchError{Want: want, Got: got, URL: wk.URL, Guessed: d.IssuerGuessed}
}

// fetchMetadata GETs one well-known URL and decodes it.
func fetchMetadata(ctx context.Context, hc *http.Client, p Provider, wk WellKnown) (*Metadata, int, error) {
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
	var md Metadata
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, resp.StatusCode, &Error{Kind: KindResponse, Provider: p.Name, Status: resp.StatusCode, Description: "unreadable discovery document at " + wk.URL, Err: err}
	}
	md.sanitize()
	return &md, resp.StatusCode, nil
}

// sanitize makes every string of md safe for a terminal.
func (md *Metadata) sanitize() {
	for _, s := range []*string{&md.Issuer, &md.TokenEndpoint, &md.JWKSURI, &md.IntrospectionEndpoint, &md.RevocationEndpoint} {
		*s = safetext.Line(*s)
	}
	for _, l := range []*[]string{&md.ScopesSupported, &md.GrantTypesSupported, &md.TokenEndpointAuthMethodsSupported,
		&md.TokenEndpointAuthSigningAlgValues, &md.IntrospectionEndpointAuthMethodsSupported,
		&md.RevocationEndpointAuthMethodsSupported, &md.IDTokenSigningAlgValuesSupported} {
		for i, s := range *l {
			(*l)[i] = safetext.Line(s)
		}
	}
	if len(md.MTLSEndpointAliases) > 0 {
		clean := make(map[string]string, len(md.MTLSEndpointAliases))
		for k, v := range md.MTLSEndpointAliases {
			clean[safetext.Line(k)] = safetext.Line(v)
		}
		md.MTLSEndpointAliases = clean
	}
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
// invalid_scope hint.
func (c *Client) discoverScopes(ctx context.Context, hc *http.Client, p Provider) string {
	d, err := discover(ctx, hc, p, false)
	if err != nil || len(d.Metadata.ScopesSupported) == 0 {
		return ""
	}
	return strings.Join(d.Metadata.ScopesSupported, " ")
}
