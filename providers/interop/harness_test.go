package interop

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/storage"
	"github.com/ory/fosite/token/jwt"
	"golang.org/x/crypto/bcrypt"

	"github.com/tokentop/tokentop/providers"
)

// The client authentication methods of RFC 8414 / OIDC registration, as
// fosite names them.
const (
	methodBasic = "client_secret_basic"
	methodPost  = "client_secret_post"
	methodJWT   = "private_key_jwt"
)

// The clients every fositeServer registers, by name (the name is also the
// client id). Each may ask for the scopes read and write, and the audience
// of the server's API.
const (
	// clientBasic authenticates with HTTP Basic only: fosite refuses its
	// secret in the body.
	clientBasic = "basic"
	// clientPost sends its secret in the body only: fosite refuses HTTP
	// Basic for it.
	clientPost = "post"
	// clientJWT proves itself with a client assertion (RFC 7523) signed
	// by the key in its KeyFile, registered with fosite as a JWKS.
	clientJWT = "jwt"
	// clientNoGrant is a Basic client not allowed the client credentials
	// grant (only authorization_code).
	clientNoGrant = "no-grant"
)

// offeredScopes are the scopes the server lists and its clients may ask.
func offeredScopes() []string { return []string{"read", "write"} }

// fositeOptions shape a fositeServer.
type fositeOptions struct {
	// Opaque issues HMAC (opaque) access tokens instead of RS256 JWTs.
	Opaque bool
	// IssuerPath is the issuer's path under the server's URL ("" for the
	// bare origin, as most servers have). The endpoints live under it and
	// the RFC 8414 document is at /.well-known/oauth-authorization-server
	// followed by it (RFC 8414 §3.1).
	IssuerPath string
	// Lifespan is the access tokens' lifetime; 0 means one hour.
	Lifespan time.Duration
}

// fositeClient is a client registered with a fositeServer and what a
// provider needs to use it.
type fositeClient struct {
	ID     string
	Secret string // empty for clientJWT
	// Method is the token endpoint auth method fosite enforces for it.
	Method string
	// KeyFile is the PEM (PKCS#8) private key of a private_key_jwt client;
	// KID the key id its public key is registered under.
	KeyFile string
	KID     string
	key     *rsa.PrivateKey
}

// seenRequest is what the token endpoint received: the form and the
// Authorization header, for tests that check what tokentop sent (and
// that its flight records hide it).
type seenRequest struct {
	Form          url.Values
	Authorization string
}

// fositeServer is a standard OAuth2 authorization server (ory/fosite) on
// loopback: the client credentials grant at TokenURL, RFC 7662
// introspection, RFC 7009 revocation, a JWKS of its signing key, an RFC
// 8414 metadata document, and a small API at APIURL that takes its access
// tokens (checked by introspection, so a revoked token is refused).
type fositeServer struct {
	URL, Issuer                                        string
	TokenURL, IntrospectionURL, RevocationURL, JWKSURL string
	MetadataURL, APIURL                                string
	// Audience is the API's audience, which every client may ask for.
	Audience string
	// KeyID is the kid of the key that signs JWT access tokens.
	KeyID string
	// Opaque is true when the access tokens are HMAC tokens.
	Opaque bool

	clients  map[string]*fositeClient
	provider fosite.OAuth2Provider
	signing  *jose.JSONWebKey

	mu     sync.Mutex
	seen   []seenRequest
	issued []string // every access token issued
}

// newFositeServer starts a fositeServer for the test; it stops when the
// test ends. Secrets and keys are fresh for each server.
func newFositeServer(t testing.TB, o fositeOptions) *fositeServer {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	issuer := srv.URL + strings.TrimRight(o.IssuerPath, "/")
	s := &fositeServer{
		URL: srv.URL, Issuer: issuer,
		TokenURL:         issuer + "/oauth2/token",
		IntrospectionURL: issuer + "/oauth2/introspect",
		RevocationURL:    issuer + "/oauth2/revoke",
		JWKSURL:          issuer + "/.well-known/jwks.json",
		MetadataURL:      srv.URL + "/.well-known/oauth-authorization-server" + strings.TrimRight(o.IssuerPath, "/"),
		APIURL:           issuer + "/api/items",
		Audience:         issuer + "/api",
		KeyID:            "fosite-signing-1",
		Opaque:           o.Opaque,
		clients:          map[string]*fositeClient{},
	}
	s.signing = &jose.JSONWebKey{Key: newRSAKey(t), KeyID: s.KeyID, Algorithm: string(jose.RS256), Use: "sig"}

	lifespan := o.Lifespan
	if lifespan == 0 {
		lifespan = time.Hour
	}
	config := &fosite.Config{
		AccessTokenLifespan: lifespan,
		AccessTokenIssuer:   issuer,
		TokenURL:            s.TokenURL,
		GlobalSecret:        randomBytes(t, 32),
		// fosite's own defaults, set here because its getters write them
		// into the Config on first use: a data race between requests.
		ScopeStrategy:            fosite.WildcardScopeStrategy,
		AudienceMatchingStrategy: fosite.DefaultAudienceMatchingStrategy,
		// The cheapest bcrypt: the secrets are throwaway, and each token
		// request compares one.
		HashCost: bcrypt.MinCost,
	}
	config.ClientSecretsHasher = &fosite.BCrypt{Config: config}
	mem := storage.NewMemoryStore()
	s.register(t, mem, config)

	hmacStrategy := compose.NewOAuth2HMACStrategy(config)
	var strategy any = hmacStrategy
	if !o.Opaque {
		strategy = compose.NewOAuth2JWTStrategy(func(context.Context) (any, error) { return s.signing, nil }, hmacStrategy, config)
	}
	s.provider = compose.Compose(config, mem, strategy,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2TokenRevocationFactory,
	)

	mux.HandleFunc("POST "+urlPath(s.TokenURL), s.token)
	mux.HandleFunc("POST "+urlPath(s.IntrospectionURL), s.introspect)
	mux.HandleFunc("POST "+urlPath(s.RevocationURL), s.revoke)
	mux.HandleFunc("GET "+urlPath(s.JWKSURL), s.jwks)
	mux.HandleFunc("GET "+urlPath(s.MetadataURL), s.metadata)
	mux.HandleFunc("GET "+urlPath(s.APIURL), s.api)
	return s
}

// register makes the clients: secrets hashed as fosite stores them, the
// JWT client's key written to a PEM file in a temporary directory.
func (s *fositeServer) register(t testing.TB, mem *storage.MemoryStore, config *fosite.Config) {
	t.Helper()
	dir := t.TempDir()
	add := func(c *fositeClient, grants []string) {
		var hashed []byte
		if c.Secret != "" {
			var err error
			if hashed, err = config.ClientSecretsHasher.Hash(t.Context(), []byte(c.Secret)); err != nil {
				t.Fatal(err)
			}
		}
		oc := &fosite.DefaultOpenIDConnectClient{
			DefaultClient: &fosite.DefaultClient{
				ID: c.ID, Secret: hashed, GrantTypes: grants,
				Scopes: offeredScopes(), Audience: []string{s.Audience},
			},
			TokenEndpointAuthMethod: c.Method,
		}
		if c.key != nil {
			oc.JSONWebKeys = &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &c.key.PublicKey, KeyID: c.KID, Algorithm: string(jose.RS256), Use: "sig"}}}
		}
		mem.Clients[c.ID] = oc
		s.clients[c.ID] = c
	}
	cc := []string{"client_credentials"}
	add(&fositeClient{ID: clientBasic, Secret: "basic-" + rand.Text(), Method: methodBasic}, cc)
	add(&fositeClient{ID: clientPost, Secret: "post-" + rand.Text(), Method: methodPost}, cc)
	add(&fositeClient{ID: clientNoGrant, Secret: "nogrant-" + rand.Text(), Method: methodBasic}, []string{"authorization_code"})

	key := newRSAKey(t)
	keyFile := filepath.Join(dir, "jwt-client.pem")
	writeKey(t, keyFile, key)
	add(&fositeClient{ID: clientJWT, Method: methodJWT, KeyFile: keyFile, KID: "jwt-client-1", key: key}, cc)
}

// Client is the registered client called name.
func (s *fositeServer) Client(t testing.TB, name string) *fositeClient {
	t.Helper()
	c, ok := s.clients[name]
	if !ok {
		t.Fatalf("the fosite server has no client %q", name)
	}
	return c
}

// ProviderFor is the tokentop provider for the client called name, as a
// user would write it from the server's documentation: the token URL, the
// client id and its secret or key, the auth style fosite enforces, the
// scopes read and write, and the API as the endpoint "items". It sets no
// issuer: tests that want one set it.
func (s *fositeServer) ProviderFor(t testing.TB, name string) providers.Provider {
	t.Helper()
	c := s.Client(t, name)
	p := providers.Provider{
		Name: "fosite-" + name, Env: "interop", TokenURL: s.TokenURL,
		ClientID: c.ID, ClientSecret: c.Secret, Scopes: offeredScopes(),
		Endpoints: []providers.Endpoint{{Name: "items", Method: http.MethodGet, URL: s.APIURL}},
	}
	switch c.Method {
	case methodBasic:
		p.AuthStyle = providers.AuthBasic
	case methodPost:
		p.AuthStyle = providers.AuthPost
	case methodJWT:
		p.AuthStyle, p.PrivateKeyFile, p.PrivateKeyKID = providers.AuthPrivateKeyJWT, c.KeyFile, c.KID
	}
	return p
}

// Seen returns a copy of every token request received so far.
func (s *fositeServer) Seen() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.seen...)
}

// TokenRequests is how many token requests the server received.
func (s *fositeServer) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// Secrets are the strings no record or report of tokentop's may hold:
// every client secret, as itself and as Basic credentials, and every
// client assertion received and access token issued, whole and the
// signature of a JWT alone.
func (s *fositeServer) Secrets() []string {
	var out []string
	for _, c := range s.clients {
		if c.Secret != "" {
			out = append(out, c.Secret, basicCredentials(c.ID, c.Secret))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	jwts := slices.Clone(s.issued)
	for _, r := range s.seen {
		if a := r.Form.Get("client_assertion"); a != "" {
			jwts = append(jwts, a)
		}
	}
	for _, j := range jwts {
		out = append(out, j)
		if i := strings.LastIndex(j, "."); i > 0 {
			out = append(out, j[i+1:])
		}
	}
	return out
}

// newSession is the session of one request: its JWT claims are filled
// once the client is known.
func newSession() *oauth2.JWTSession {
	return &oauth2.JWTSession{JWTClaims: &jwt.JWTClaims{}, JWTHeader: &jwt.Headers{}}
}

// token is the token endpoint: fosite authenticates the client and checks
// the grant and the scopes; every scope and audience asked for that passes
// is granted.
func (s *fositeServer) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err == nil {
		s.mu.Lock()
		s.seen = append(s.seen, seenRequest{Form: r.PostForm, Authorization: r.Header.Get("Authorization")})
		s.mu.Unlock()
	}
	session := newSession()
	ar, err := s.provider.NewAccessRequest(ctx, r, session)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	for _, scope := range ar.GetRequestedScopes() {
		ar.GrantScope(scope)
	}
	for _, aud := range ar.GetRequestedAudience() {
		ar.GrantAudience(aud)
	}
	id := ar.GetClient().GetID()
	session.Subject = id
	session.JWTClaims.Subject = id
	session.JWTClaims.Extra = map[string]any{"client_id": id}
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	s.mu.Lock()
	s.issued = append(s.issued, resp.GetAccessToken())
	s.mu.Unlock()
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

// introspect is RFC 7662's endpoint. fosite wants the caller to prove
// itself with HTTP Basic (or a bearer token), whatever its token endpoint
// method.
func (s *fositeServer) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ir, err := s.provider.NewIntrospectionRequest(ctx, r, newSession())
	if err != nil {
		s.provider.WriteIntrospectionError(ctx, w, err)
		return
	}
	s.provider.WriteIntrospectionResponse(ctx, w, ir)
}

// revoke is RFC 7009's endpoint: a client authenticates as at the token
// endpoint and may revoke only its own tokens (another's is ignored with a
// 200, as the RFC allows).
func (s *fositeServer) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s.provider.WriteRevocationResponse(ctx, w, s.provider.NewRevocationRequest(ctx, r))
}

func (s *fositeServer) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := s.signing.Public()
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
}

// metadata is the RFC 8414 document, written by hand: fosite serves none.
func (s *fositeServer) metadata(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.Issuer,
		"token_endpoint":                        s.TokenURL,
		"jwks_uri":                              s.JWKSURL,
		"introspection_endpoint":                s.IntrospectionURL,
		"revocation_endpoint":                   s.RevocationURL,
		"token_endpoint_auth_methods_supported": []string{methodBasic, methodPost, methodJWT},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS256"},
		"introspection_endpoint_auth_methods_supported":    []string{methodBasic},
		"revocation_endpoint_auth_methods_supported":       []string{methodBasic, methodPost, methodJWT},
		"scopes_supported":         offeredScopes(),
		"grant_types_supported":    []string{"client_credentials"},
		"response_types_supported": []string{"token"},
	})
}

// api answers 200 with a bearer token that introspects as active and 401
// with an RFC 6750 challenge otherwise.
func (s *fositeServer) api(w http.ResponseWriter, r *http.Request) {
	tok := fosite.AccessTokenFromRequest(r)
	if tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fosite-interop"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		return
	}
	if _, _, err := s.provider.IntrospectToken(r.Context(), tok, fosite.AccessToken, newSession()); err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fosite-interop", error="invalid_token", error_description="the access token is not active"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": []string{"a", "b"}})
}

// Revoke revokes token at the RFC 7009 endpoint as the client called name
// (fosite revokes only a client's own tokens).
func (s *fositeServer) Revoke(t testing.TB, name, token string) {
	t.Helper()
	if status := s.post(t, s.RevocationURL, s.Client(t, name), url.Values{"token": {token}}, nil); status != http.StatusOK {
		t.Fatalf("revoking a token as %s: status %d", name, status)
	}
}

// Introspect asks the RFC 7662 endpoint about token (as the Basic client)
// and returns its answer.
func (s *fositeServer) Introspect(t testing.TB, token string) map[string]any {
	t.Helper()
	var out map[string]any
	if status := s.post(t, s.IntrospectionURL, s.Client(t, clientBasic), url.Values{"token": {token}}, &out); status != http.StatusOK {
		t.Fatalf("introspecting: status %d", status)
	}
	return out
}

// post sends form to one of the server's endpoints as client c, with c's
// own authentication method, and decodes a JSON answer into out.
func (s *fositeServer) post(t testing.TB, endpoint string, c *fositeClient, form url.Values, out any) int {
	t.Helper()
	switch c.Method {
	case methodPost:
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	case methodJWT:
		form.Set("client_id", c.ID)
		form.Set("client_assertion_type", providers.ClientAssertionType)
		form.Set("client_assertion", s.assertion(t, c))
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.Method == methodBasic {
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// assertion signs a client assertion for c the way fosite wants it: aud
// the token endpoint's URL.
func (s *fositeServer) assertion(t testing.TB, c *fositeClient) string {
	t.Helper()
	now := time.Now()
	tok := gojwt.NewWithClaims(gojwt.SigningMethodRS256, gojwt.MapClaims{
		"iss": c.ID, "sub": c.ID, "aud": s.TokenURL, "jti": rand.Text(),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	})
	tok.Header["kid"] = c.KID
	signed, err := tok.SignedString(c.key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// urlPath is the path of an absolute URL, for the mux's patterns.
func urlPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u.Path
}

func newRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writeKey writes key to file as a PKCS#8 PEM.
func writeKey(t testing.TB, file string, key *rsa.PrivateKey) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// basicCredentials is the base64 of an HTTP Basic header's credentials,
// to look for in flight records.
func basicCredentials(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}
