package sandbox

import (
	"net/http"
	"slices"
)

// Paths of the endpoints every style shares.
const (
	pathJWKS       = "/.well-known/jwks.json"
	pathIntrospect = "/oauth2/introspect"
	pathRevoke     = "/oauth2/revoke"
)

// discovery is the subset of OpenID Connect Discovery 1.0 and RFC 8414
// metadata a client-credentials client needs.
type discovery struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	ScopesSupported                   []string `json:"scopes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	IntrospectionAuthMethods          []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	RevocationAuthMethods             []string `json:"revocation_endpoint_auth_methods_supported"`
	// The user style's login: its authorization endpoint and PKCE.
	AuthorizationEndpoint         string   `json:"authorization_endpoint,omitempty"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported,omitempty"`
	DeviceAuthorizationEndpoint   string   `json:"device_authorization_endpoint,omitempty"`
}

// discoverableStyles are the styles with a discovery document of their own.
// The Cognito style's is the root document.
func discoverableStyles() []string {
	return []string{StyleCognito, StyleBasicOnly, StyleAuth0, StyleANTS, StylePrivateKeyJWT, StyleMTLS, StyleUser}
}

// styleIssuerPath is a style's issuer below the server's origin: "" for
// Cognito (the root issuer, as before styles had their own), "/STYLE" for
// the others. Tokens of a style carry that issuer as iss.
func styleIssuerPath(style string) string {
	if style == StyleCognito {
		return ""
	}
	return "/" + style
}

// styleIssuer is the issuer of a style as seen by the request.
func styleIssuer(r *http.Request, style string) string {
	return issuer(r) + styleIssuerPath(style)
}

// styleAuthMethods is a style's token_endpoint_auth_methods_supported.
func styleAuthMethods(style string) []string {
	switch style {
	case StyleBasicOnly:
		return []string{"client_secret_basic"}
	case StylePrivateKeyJWT:
		return []string{"private_key_jwt"}
	case StyleMTLS:
		return []string{"tls_client_auth"}
	}
	return []string{"client_secret_basic", "client_secret_post"}
}

// discoveryRoutes registers each style's RFC 8414 document (the well-known
// segment between the host and the issuer's path, §3.1), its OIDC document
// (appended to the issuer) and the appended RFC 8414 form some servers
// serve. The root documents are the Cognito style's.
func (s *Server) discoveryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/openid-configuration", s.handleDiscovery)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.handleDiscovery)
	for _, style := range discoverableStyles() {
		path := styleIssuerPath(style)
		if path == "" {
			continue
		}
		h := func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.metadata(r, style)) }
		mux.HandleFunc("GET /.well-known/oauth-authorization-server"+path, h)
		mux.HandleFunc("GET "+path+"/.well-known/openid-configuration", h)
		mux.HandleFunc("GET "+path+"/.well-known/oauth-authorization-server", h)
	}
}

// handleDiscovery serves both /.well-known/openid-configuration and
// /.well-known/oauth-authorization-server. The token endpoint named is the
// Cognito one; the scopes are every client's.
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	md := s.metadata(r, StyleCognito)
	md.ScopesSupported = s.allScopes()
	md.DeviceAuthorizationEndpoint = issuer(r) + pathDeviceCode
	md.GrantTypesSupported = append(md.GrantTypesSupported, DeviceGrantType)
	writeJSON(w, http.StatusOK, md)
}

// metadata is the discovery document of a style's issuer.
func (s *Server) metadata(r *http.Request, style string) discovery {
	base := issuer(r)
	info, _ := styleInfo(style)
	grants, responses := []string{"client_credentials"}, []string{"token"}
	if style == StyleUser {
		grants, responses = []string{"authorization_code", "refresh_token"}, []string{"code"}
	}
	md := discovery{
		Issuer:                            styleIssuer(r, style),
		TokenEndpoint:                     base + info.path,
		JWKSURI:                           base + pathJWKS,
		ScopesSupported:                   s.styleScopes(style),
		GrantTypesSupported:               grants,
		TokenEndpointAuthMethodsSupported: styleAuthMethods(style),
		ResponseTypesSupported:            responses,
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		IntrospectionEndpoint:             base + pathIntrospect,
		IntrospectionAuthMethods:          endpointAuthMethods(),
		RevocationEndpoint:                base + pathRevoke,
		RevocationAuthMethods:             endpointAuthMethods(),
	}
	if style == StyleUser {
		md.AuthorizationEndpoint, md.CodeChallengeMethodsSupported = base+pathUserAuthorize, []string{"S256"}
	}
	return md
}

// allScopes is the sorted union of every registered client's scopes.
func (s *Server) allScopes() []string {
	return s.styleScopes("")
}

// styleScopes is the sorted union of the scopes of a style's clients (of
// every client but the user style's, whose issuer is its own, for "").
func (s *Server) styleScopes(style string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := []string{}
	for _, c := range s.clients {
		if (style == "" && c.Style != StyleUser) || c.Style == style {
			all = append(all, c.Scopes...)
		}
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// endpointAuthMethods are the client authentications the introspection
// and revocation endpoints take: every style's.
func endpointAuthMethods() []string {
	return []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth"}
}
