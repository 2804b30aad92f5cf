package sandbox

import (
	"crypto"
	"crypto/subtle"
	"slices"
	"time"
)

// Client is a client registered with the sandbox.
type Client struct {
	// Name is the provider name ProvidersYAML gives the client.
	Name string
	// ClientID and ClientSecret are the client's (fake) credentials.
	ClientID, ClientSecret string
	// Style is the vendor the client belongs to: StyleCognito,
	// StyleBasicOnly, StyleAuth0 or StyleANTS. A client can get tokens only
	// at its own style's token endpoint.
	Style string
	// Scopes are the scopes the client may ask for.
	Scopes []string
	// Audience is, for the auth0 style, the one audience accepted.
	Audience string
	// Lifetime is how long its tokens live; zero means the style's default
	// (24h for auth0, 1h for the others).
	Lifetime time.Duration
	// MonthlyQuota is, for the auth0 style, how many tokens the client may
	// get per calendar month (UTC) before it gets 429; 0 means no limit.
	MonthlyQuota int
	// Broken makes ProvidersYAML write a wrong secret for the client, so
	// tokentop fails with invalid_client (for the demo).
	Broken bool
	// RequestScopes are the scopes ProvidersYAML configures tokentop to ask
	// for; nil means all of Scopes.
	RequestScopes []string
	// AuthStyle is the auth_style ProvidersYAML writes ("basic" or "post");
	// empty means the style's usual one (basic for cognito and basic-only,
	// post for auth0 and ants, private_key_jwt and tls_client_auth for the
	// key styles).
	AuthStyle string
	// RawBasic makes the client's credentials match only when HTTP Basic
	// sends them raw, not form-encoded: the server does not decode them
	// (go-oauth2 and some gateways do so). ProvidersYAML writes
	// basic_encoding: raw for it.
	RawBasic bool

	// PublicKey is, for StylePrivateKeyJWT, the key the client's
	// assertions must verify with; KeyID is its kid (an assertion that
	// names another kid is refused).
	PublicKey crypto.PublicKey
	KeyID     string
	// CertSubject is, for StyleMTLS, the subject its certificate must
	// have (as x509's Name.String writes it), besides chaining to the
	// sandbox CA.
	CertSubject string
	// PrivateKeyFile, TLSCertFile, TLSKeyFile and CAFile are the files
	// ProvidersYAML points tokentop at for the key styles.
	PrivateKeyFile, TLSCertFile, TLSKeyFile, CAFile string

	// Grant is the grant ProvidersYAML writes: for StyleUser,
	// authorization_code when empty, or refresh_token; for a client of
	// another style, empty (client credentials) or GrantDevice. A device
	// client gets tokens only by the device grant and refreshes them
	// (never client credentials or introspection). An empty ClientSecret
	// makes a StyleUser or device client public: it sends only its
	// client_id.
	Grant string
	// RefreshLifetime is, for StyleUser, how long its refresh tokens
	// live (24h when zero); NoRefreshToken makes the server return none.
	RefreshLifetime time.Duration
	NoRefreshToken  bool
}

// The client styles, one per vendor behaviour the sandbox mimics.
const (
	// StyleCognito mimics Amazon Cognito (seeds 000 and 002).
	StyleCognito = "cognito"
	// StyleBasicOnly mimics a server that takes only HTTP Basic and issues
	// opaque tokens (seed 001).
	StyleBasicOnly = "basic-only"
	// StyleAuth0 mimics Auth0 with a monthly token quota (seed 003).
	StyleAuth0 = "auth0"
	// StyleANTS mimics the ANTS node-oauth2-server (seed 004).
	StyleANTS = "ants"
	// StylePrivateKeyJWT authenticates clients by a JWT signed with their
	// private key (RFC 7523, private_key_jwt).
	StylePrivateKeyJWT = "private-key-jwt"
	// StyleMTLS authenticates clients by their TLS client certificate
	// (RFC 8705 tls_client_auth).
	StyleMTLS = "mtls"
)

// GrantDevice is the Grant of a device client (RFC 8628).
const GrantDevice = "device_code"

// clone returns a copy of c that shares no slices with it.
func (c Client) clone() Client {
	c.Scopes = slices.Clone(c.Scopes)
	c.RequestScopes = slices.Clone(c.RequestScopes)
	return c
}

// lifetime is the client's token lifetime, or its style's default.
func (c Client) lifetime() time.Duration {
	if c.Lifetime > 0 {
		return c.Lifetime
	}
	if info, ok := styleInfo(c.Style); ok {
		return info.lifetime
	}
	return time.Hour
}

// AddClient registers c, replacing any client with the same ClientID.
func (s *Server) AddClient(c Client) {
	c = c.clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[c.ClientID]; ok {
		s.clients[i] = c
		return
	}
	s.index[c.ClientID] = len(s.clients)
	s.clients = append(s.clients, c)
}

// Clients returns copies of the registered clients in registration order.
func (s *Server) Clients() []Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Client, len(s.clients))
	for i, c := range s.clients {
		out[i] = c.clone()
	}
	return out
}

// authenticateBasic is authenticate for a request that may carry HTTP
// Basic credentials: a RawBasic client matches only the undecoded ones.
func (s *Server) authenticateBasic(style string, req tokenRequest) (Client, bool) {
	if req.source == credBasic {
		if c, ok := s.authenticate(style, req.rawID, req.rawSecret); ok && c.RawBasic {
			return c, true
		}
	}
	c, ok := s.authenticate(style, req.id, req.secret)
	if ok && c.RawBasic && req.source == credBasic {
		return Client{}, false // it matched only once decoded
	}
	return c, ok
}

// authenticateAny finds the client with those credentials, of any style.
func (s *Server) authenticateAny(id, secret string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[id]
	if !ok || id == "" {
		return Client{}, false
	}
	c := s.clients[i]
	if c.Grant == GrantDevice {
		return Client{}, false // a device client proves itself only at the device endpoints
	}
	if subtle.ConstantTimeCompare([]byte(c.ClientSecret), []byte(secret)) != 1 {
		return Client{}, false
	}
	return c.clone(), true
}

// authenticate returns the client of the given style with those
// credentials. The secret is compared in constant time.
func (s *Server) authenticate(style, id, secret string) (Client, bool) {
	c, ok := s.authenticateAny(id, secret)
	if !ok || c.Style != style {
		return Client{}, false
	}
	return c, true
}
