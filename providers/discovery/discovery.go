// Package discovery is what RFC 8414 and OpenID Connect Discovery say of
// an authorization server's metadata: where the document may be
// ([WellKnownURLs]), what tokentop reads of it ([Metadata], [Decode]), and
// the issuer check of RFC 8414 §3.3 ([Result.CheckIssuer]), with what each
// place tried came to ([Result]). It fetches nothing: package providers
// asks with a provider's HTTP client, and words its failures as the token
// request's own.
package discovery

import (
	"encoding/json"
	"fmt"
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
	// AuthorizationEndpoint, DeviceAuthorizationEndpoint (RFC 8628 §4)
	// and CodeChallengeMethodsSupported (RFC 7636 §4.3's methods) are what
	// a user's login needs.
	AuthorizationEndpoint         string   `json:"authorization_endpoint,omitempty"`
	DeviceAuthorizationEndpoint   string   `json:"device_authorization_endpoint,omitempty"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported,omitempty"`
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

// Attempt is one well-known URL tried, and what came of it.
type Attempt struct {
	WellKnown
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// Problem is what was wrong ("" for the document used).
	Problem string
}

// Result is the outcome of discovery: the document used, where it was,
// and every place tried (for a report).
type Result struct {
	Metadata *Metadata
	// Doc and URL name the document used.
	Doc, URL string
	// Issuer is the issuer discovery started from: the configured issuer
	// exactly, else the token URL's origin.
	Issuer string
	// IssuerGuessed is true when no issuer was configured and the token
	// URL's origin stood in for it.
	IssuerGuessed bool
	Attempts      []Attempt
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

// CheckIssuer applies RFC 8414 §3.3 to md, fetched from wk for
// r.Issuer: nil, or an *IssuerMismatchError. An issuer that differs only by a
// trailing slash passes with a warning (Auth0's issuers end in "/").
func (r *Result) CheckIssuer(md *Metadata, wk WellKnown) error {
	want, got := r.Issuer, md.Issuer
	if got == want {
		return nil
	}
	if got != "" && strings.TrimRight(got, "/") == strings.TrimRight(want, "/") {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the server's issuer is %s (the trailing slash differs from the one configured); tokens carry it as iss", got))
		return nil
	}
	return &IssuerMismatchError{Want: want, Got: got, URL: wk.URL, Guessed: r.IssuerGuessed}
}

// Decode reads a discovery document, every string of it made safe for a
// terminal.
func Decode(body []byte) (*Metadata, error) {
	var md Metadata
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, err
	}
	md.sanitize()
	return &md, nil
}

// sanitize makes every string of md safe for a terminal.
func (md *Metadata) sanitize() {
	for _, s := range []*string{&md.Issuer, &md.TokenEndpoint, &md.JWKSURI, &md.IntrospectionEndpoint, &md.RevocationEndpoint, &md.DeviceAuthorizationEndpoint} {
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
