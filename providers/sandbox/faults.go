package sandbox

import (
	"crypto/rsa"
	"net/http"
	"strings"
	"time"
)

// Faults switch the sandbox into the misbehaviours of real servers that
// the doctor must explain. The zero value is a well-behaved server.
type Faults struct {
	// DropUnknownScopes makes the Cognito-style endpoint grant the
	// allowed scopes asked for and silently drop the others, answering
	// 200 instead of invalid_scope.
	DropUnknownScopes bool
	// ExpOffset shifts the exp claim of the JWTs the token endpoints issue
	// away from what their expires_in says: negative, the tokens die
	// sooner than announced (less than the lifetime: dead on arrival).
	ExpOffset time.Duration
	// IssuerClock shifts the token endpoints' clock: the iat, nbf and exp
	// of the tokens they issue, and their Date header.
	IssuerClock time.Duration
	// APIClock shifts the sample API's clock: the time it checks tokens'
	// exp and nbf by, and its Date header.
	APIClock time.Duration
	// UnpublishedKey, when set, signs the tokens the token endpoints issue
	// instead of the current key; the JWKS does not publish it.
	UnpublishedKey *rsa.PrivateKey
	// Resource, when set, is the resource identifier the sample API
	// publishes in RFC 9728 protected resource metadata, at
	// /.well-known/oauth-protected-resource/api, and names in its 401s'
	// WWW-Authenticate as resource_metadata. RFC 9728 §3.3 has a client
	// use the document only when it names the identifier its URL was
	// derived from, the server's origin + "/api" (the aud of the tokens
	// of the styles without an audience); any other value is a
	// misconfigured API, whose document clients ignore.
	Resource string
}

// pathResourceMetadata is where the API's RFC 9728 document is served: the
// well-known segment inserted before the API's path (RFC 9728 §3.1).
const pathResourceMetadata = "/.well-known/oauth-protected-resource/api"

// SetFaults switches the server to f (the zero Faults switches them off).
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// currentFaults is a copy of the faults in force.
func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// apiNow is the sample API's clock.
func (s *Server) apiNow() time.Time { return s.now().Add(s.currentFaults().APIClock) }

// isAPIPath reports a path of the sample API (or its metadata).
func isAPIPath(path string) bool { return strings.HasPrefix(path, "/api/") }

// setDate sends the Date header of a shifted clock; an unshifted server
// leaves it to net/http.
func (s *Server) setDate(w http.ResponseWriter, r *http.Request) {
	f := s.currentFaults()
	shift := f.IssuerClock
	if isAPIPath(r.URL.Path) {
		shift = f.APIClock
	}
	if shift != 0 {
		w.Header().Set("Date", s.now().Add(shift).UTC().Format(http.TimeFormat))
	}
}

// resourceMetadataURL is the API's RFC 9728 document as the request sees
// it, "" when none is published.
func (s *Server) resourceMetadataURL(r *http.Request) string {
	if s.currentFaults().Resource == "" {
		return ""
	}
	return issuer(r) + pathResourceMetadata
}

// handleResourceMetadata serves the API's RFC 9728 document, or 404.
func (s *Server) handleResourceMetadata(w http.ResponseWriter, r *http.Request) {
	res := s.currentFaults().Resource
	if res == "" {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"resource":                 res,
		"authorization_servers":    []string{issuer(r), issuer(r) + styleIssuerPath(StyleAuth0)},
		"bearer_methods_supported": []string{"header"},
	})
}

// issuerNow is the token endpoints' clock.
func (s *Server) issuerNow() time.Time { return s.now().Add(s.currentFaults().IssuerClock) }
