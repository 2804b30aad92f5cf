package sandbox

import (
	"net/http"
	"slices"
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
}

// handleDiscovery serves both /.well-known/openid-configuration and
// /.well-known/oauth-authorization-server. The token endpoint named is the
// Cognito one.
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	iss := issuer(r)
	writeJSON(w, http.StatusOK, discovery{
		Issuer:                            iss,
		TokenEndpoint:                     iss + pathCognito,
		JWKSURI:                           iss + "/.well-known/jwks.json",
		ScopesSupported:                   s.allScopes(),
		GrantTypesSupported:               []string{"client_credentials"},
		TokenEndpointAuthMethodsSupported: s.authMethods(),
		ResponseTypesSupported:            []string{"token"},
	})
}

// allScopes is the sorted union of every registered client's scopes.
func (s *Server) allScopes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := []string{}
	for _, c := range s.clients {
		all = append(all, c.Scopes...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}
