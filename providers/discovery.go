package providers

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Metadata is the part of an RFC 8414 / OIDC discovery document tokentop
// reads.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ScopesSupported                   []string `json:"scopes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
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

// Discover fetches the provider's metadata: RFC 8414's
// /.well-known/oauth-authorization-server, then OIDC's
// /.well-known/openid-configuration.
func (c *Client) Discover(ctx context.Context, p Provider) (*Metadata, error) {
	hc, err := c.httpClient(p)
	if err != nil {
		return nil, err
	}
	return discover(ctx, hc, p)
}

func discover(ctx context.Context, hc *http.Client, p Provider) (*Metadata, error) {
	base := DiscoveryBase(p)
	if base == "" {
		return nil, &Error{Kind: KindConfig, Provider: p.Name, Description: "no issuer to discover from"}
	}
	var lastErr error
	for _, wk := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+wk, nil)
		if err != nil {
			return nil, &Error{Kind: KindConfig, Provider: p.Name, Description: "bad issuer", Err: err}
		}
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			lastErr = transportError(ctx, err, p)
			continue
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes))
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			lastErr = &Error{Kind: KindHTTP, Provider: p.Name, Status: resp.StatusCode, Description: "no discovery document at " + wk}
			continue
		}
		var md Metadata
		if err := json.Unmarshal(body, &md); err != nil {
			lastErr = &Error{Kind: KindResponse, Provider: p.Name, Description: "unreadable discovery document at " + wk, Err: err}
			continue
		}
		return &md, nil
	}
	return nil, lastErr
}

// discoverScopes lists the scopes the server offers, best effort, for the
// invalid_scope hint.
func (c *Client) discoverScopes(ctx context.Context, hc *http.Client, p Provider) string {
	md, err := discover(ctx, hc, p)
	if err != nil || len(md.ScopesSupported) == 0 {
		return ""
	}
	scopes := make([]string, 0, len(md.ScopesSupported))
	for _, s := range md.ScopesSupported {
		scopes = append(scopes, SanitizeLine(s))
	}
	return strings.Join(scopes, " ")
}
