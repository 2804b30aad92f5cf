package interop

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/storage"
	"github.com/ory/fosite/token/jwt"
	"golang.org/x/crypto/bcrypt"

	"github.com/tokentop/tokentop/providers"
)

// The user grants' server: fosite with the authorization code grant
// (PKCE enforced, S256 only), refresh tokens that rotate (a rotated-out
// one is refused, and its reuse revokes the family), OpenID Connect ID
// tokens with the login's nonce, RFC 7009 revocation and RFC 7662
// introspection. Its authorize endpoint stands in for the login and
// consent pages fosite leaves to its user: it approves every request for
// one fixed subject.

// The user clients every userServer registers (the name is the client
// id). Each is allowed the redirect http://127.0.0.1/callback on any port
// (RFC 8252 §7.3, which fosite implements) and the scopes of userScopes.
const (
	// userApp is a confidential native app: client_secret_basic.
	userApp = "native-app"
	// userPublic is a public native app (RFC 8252 §8.4): no secret,
	// token_endpoint_auth_method none; PKCE alone binds its code.
	userPublic = "public-app"
	// userSubject is the user every login logs in.
	userSubject = "alice"
)

// userScopes are the scopes a user client may ask. fosite issues a
// refresh token only when offline_access (or offline) is granted, and an
// ID token only for openid.
func userScopes() []string { return []string{"openid", "offline_access", "read", "write"} }

// userOptions shape a userServer.
type userOptions struct {
	// Lifespan is the access tokens' lifetime; 0 means ten minutes.
	Lifespan time.Duration
}

// userServer is fosite serving the user grants on loopback.
type userServer struct {
	URL, Issuer                     string
	AuthorizeURL, TokenURL, JWKSURL string
	RevocationURL, IntrospectionURL string
	DiscoveryURL                    string
	secrets                         map[string]string // client id → secret
	provider                        fosite.OAuth2Provider
	signing                         *jose.JSONWebKey
	mu                              sync.Mutex
	grants                          map[string]int // token requests received, by grant_type
	codes                           []string       // codes received at the token endpoint
	authorizations                  int            // codes issued
	refreshDelay                    time.Duration
	deny                            bool             // the user declines every login
	published                       *jose.JSONWebKey // the JWKS key when not the signing key
	authorizeErrs, tokenErrs        []string         // error codes fosite answered with
	lastErrDesc                     string
}

// newUserServer starts a userServer for the test; it stops when the test
// ends.
func newUserServer(t testing.TB, o userOptions) *userServer {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s := &userServer{
		URL: srv.URL, Issuer: srv.URL,
		AuthorizeURL:     srv.URL + "/oauth2/auth",
		TokenURL:         srv.URL + "/oauth2/token",
		JWKSURL:          srv.URL + "/.well-known/jwks.json",
		RevocationURL:    srv.URL + "/oauth2/revoke",
		IntrospectionURL: srv.URL + "/oauth2/introspect",
		DiscoveryURL:     srv.URL + "/.well-known/openid-configuration",
		secrets:          map[string]string{},
		grants:           map[string]int{},
	}
	s.signing = &jose.JSONWebKey{Key: newRSAKey(t), KeyID: "fosite-id-1", Algorithm: string(jose.RS256), Use: "sig"}
	lifespan := o.Lifespan
	if lifespan == 0 {
		lifespan = 10 * time.Minute
	}
	config := &fosite.Config{
		AccessTokenLifespan:   lifespan,
		RefreshTokenLifespan:  time.Hour,
		AuthorizeCodeLifespan: time.Minute,
		IDTokenLifespan:       time.Hour,
		IDTokenIssuer:         s.Issuer,
		AccessTokenIssuer:     s.Issuer,
		TokenURL:              s.TokenURL,
		GlobalSecret:          randomBytes(t, 32),
		// PKCE for every client, S256 only.
		EnforcePKCE:                    true,
		EnablePKCEPlainChallengeMethod: false,
		// fosite's defaults, set so its getters never write them (a race).
		ScopeStrategy:            fosite.WildcardScopeStrategy,
		AudienceMatchingStrategy: fosite.DefaultAudienceMatchingStrategy,
		HashCost:                 bcrypt.MinCost,
	}
	config.ClientSecretsHasher = &fosite.BCrypt{Config: config}
	mem := storage.NewMemoryStore()
	s.register(t, mem, config)

	keyGetter := func(context.Context) (any, error) { return s.signing, nil }
	strategy := &compose.CommonStrategy{
		CoreStrategy:               compose.NewOAuth2HMACStrategy(config),
		OpenIDConnectTokenStrategy: compose.NewOpenIDConnectStrategy(keyGetter, config),
		Signer:                     &jwt.DefaultSigner{GetPrivateKey: keyGetter},
	}
	s.provider = compose.Compose(config, mem, strategy,
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OpenIDConnectExplicitFactory,
		compose.OpenIDConnectRefreshFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2TokenRevocationFactory,
		compose.OAuth2PKCEFactory,
	)
	mux.HandleFunc("GET "+urlPath(s.AuthorizeURL), s.authorize)
	mux.HandleFunc("POST "+urlPath(s.TokenURL), s.token)
	mux.HandleFunc("POST "+urlPath(s.RevocationURL), s.revoke)
	mux.HandleFunc("POST "+urlPath(s.IntrospectionURL), s.introspect)
	mux.HandleFunc("GET "+urlPath(s.JWKSURL), s.jwks)
	mux.HandleFunc("GET "+urlPath(s.DiscoveryURL), s.discovery)
	return s
}

// register makes the user clients, secrets hashed as fosite keeps them.
func (s *userServer) register(t testing.TB, mem *storage.MemoryStore, config *fosite.Config) {
	t.Helper()
	add := func(id, secret, method string) {
		c := &fosite.DefaultClient{
			ID: id, Public: secret == "",
			RedirectURIs:  []string{"http://127.0.0.1" + providers.RedirectPath},
			GrantTypes:    []string{"authorization_code", "refresh_token"},
			ResponseTypes: []string{"code"},
			Scopes:        userScopes(),
		}
		if secret != "" {
			hashed, err := config.ClientSecretsHasher.Hash(t.Context(), []byte(secret))
			if err != nil {
				t.Fatal(err)
			}
			c.Secret = hashed
		}
		mem.Clients[id] = &fosite.DefaultOpenIDConnectClient{DefaultClient: c, TokenEndpointAuthMethod: method}
		s.secrets[id] = secret
	}
	add(userApp, "app-"+rand.Text(), methodBasic)
	add(userPublic, "", "none")
}

// ProviderFor is the tokentop provider for the user client called name,
// as its user would write it: grant authorization_code, the authorize
// and token URLs, the issuer (the JWKS comes from discovery), the client
// id and secret, and the scopes openid offline_access read.
func (s *userServer) ProviderFor(t testing.TB, name string) providers.Provider {
	t.Helper()
	secret, ok := s.secrets[name]
	if !ok {
		t.Fatalf("the fosite user server has no client %q", name)
	}
	p := providers.Provider{
		Name: "fosite-" + name, Env: "interop", Grant: providers.GrantAuthorizationCode,
		AuthorizeURL: s.AuthorizeURL, TokenURL: s.TokenURL, Issuer: s.Issuer,
		RevokeURL: s.RevocationURL, IntrospectURL: s.IntrospectionURL,
		ClientID: name, ClientSecret: secret, Scopes: []string{"openid", "offline_access", "read"},
	}
	if secret != "" {
		p.AuthStyle = providers.AuthBasic
	}
	return p
}

// SetRefreshDelay holds every refresh request for d before fosite sees
// it, so that callers that come at once overlap.
func (s *userServer) SetRefreshDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshDelay = d
}

// SetDeny makes the user decline every login: the authorize endpoint
// redirects with error=access_denied.
func (s *userServer) SetDeny(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = deny
}

// PublishOtherKey makes the JWKS publish a fresh key under the signing
// key's kid, as a server whose keys changed under its ID tokens: they no
// longer verify.
func (s *userServer) PublishOtherKey(t testing.TB) {
	t.Helper()
	other := &jose.JSONWebKey{Key: newRSAKey(t), KeyID: s.signing.KeyID, Algorithm: string(jose.RS256), Use: "sig"}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.published = other
}

// Requests is how many token requests of grantType fosite received.
func (s *userServer) Requests(grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants[grantType]
}

// Codes are the authorization codes the token endpoint received, in order.
func (s *userServer) Codes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.codes...)
}

// Authorizations is how many codes the authorize endpoint issued.
func (s *userServer) Authorizations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authorizations
}

// TokenErrors are the error codes the token endpoint answered with, and
// the description of the last error either endpoint gave.
func (s *userServer) TokenErrors() ([]string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokenErrs...), s.lastErrDesc
}

// AuthorizeErrors are the error codes the authorize endpoint answered with.
func (s *userServer) AuthorizeErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.authorizeErrs...)
}

// authorize is the authorization endpoint: fosite checks the client, the
// redirect URI, the PKCE challenge and the nonce; the user (userSubject)
// is taken as logged in and consenting to every scope asked.
func (s *userServer) authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := s.provider.NewAuthorizeRequest(ctx, r)
	if err != nil {
		s.noteErr(&s.authorizeErrs, err)
		s.provider.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	s.mu.Lock()
	deny := s.deny
	s.mu.Unlock()
	if deny {
		err := fosite.ErrAccessDenied.WithHint("The user declined the login.")
		s.noteErr(&s.authorizeErrs, err)
		s.provider.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	for _, scope := range ar.GetRequestedScopes() {
		ar.GrantScope(scope)
	}
	now := time.Now().UTC()
	session := &openid.DefaultSession{
		Claims:  &jwt.IDTokenClaims{Subject: userSubject, AuthTime: now, RequestedAt: now},
		Headers: &jwt.Headers{},
		Subject: userSubject,
	}
	resp, err := s.provider.NewAuthorizeResponse(ctx, ar, session)
	if err != nil {
		s.noteErr(&s.authorizeErrs, err)
		s.provider.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	s.mu.Lock()
	s.authorizations++
	s.mu.Unlock()
	s.provider.WriteAuthorizeResponse(ctx, w, ar, resp)
}

// token is the token endpoint for the code and refresh grants.
func (s *userServer) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err == nil {
		grant := r.PostForm.Get("grant_type")
		s.mu.Lock()
		s.grants[grant]++
		if grant == "authorization_code" {
			s.codes = append(s.codes, r.PostForm.Get("code"))
		}
		delay := s.refreshDelay
		s.mu.Unlock()
		if grant == "refresh_token" && delay > 0 {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
		}
	}
	ar, err := s.provider.NewAccessRequest(ctx, r, &openid.DefaultSession{})
	if err != nil {
		s.noteErr(&s.tokenErrs, err)
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		s.noteErr(&s.tokenErrs, err)
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

// noteErr records the OAuth error code (and description) of err in list.
func (s *userServer) noteErr(list *[]string, err error) {
	e := fosite.ErrorToRFC6749Error(err)
	s.mu.Lock()
	defer s.mu.Unlock()
	*list = append(*list, e.ErrorField)
	s.lastErrDesc = e.GetDescription()
}

func (s *userServer) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s.provider.WriteRevocationResponse(ctx, w, s.provider.NewRevocationRequest(ctx, r))
}

func (s *userServer) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ir, err := s.provider.NewIntrospectionRequest(ctx, r, &openid.DefaultSession{})
	if err != nil {
		s.provider.WriteIntrospectionError(ctx, w, err)
		return
	}
	s.provider.WriteIntrospectionResponse(ctx, w, ir)
}

func (s *userServer) jwks(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	key := s.signing
	if s.published != nil {
		key = s.published
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key.Public()}})
}

// discovery is the OpenID Connect discovery document, written by hand:
// fosite serves none.
func (s *userServer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.Issuer,
		"authorization_endpoint":                s.AuthorizeURL,
		"token_endpoint":                        s.TokenURL,
		"jwks_uri":                              s.JWKSURL,
		"revocation_endpoint":                   s.RevocationURL,
		"introspection_endpoint":                s.IntrospectionURL,
		"token_endpoint_auth_methods_supported": []string{methodBasic, "none"},
		"scopes_supported":                      userScopes(),
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"response_types_supported":              []string{"code"},
		"code_challenge_methods_supported":      []string{"S256"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

// Revoke revokes token (a refresh or access token) at the RFC 7009
// endpoint as the confidential client.
func (s *userServer) Revoke(t testing.TB, token string) {
	t.Helper()
	if status, _ := s.post(t, s.RevocationURL, url.Values{"token": {token}}); status != http.StatusOK {
		t.Fatalf("revoking at fosite: status %d", status)
	}
}

// Introspect is fosite's RFC 7662 answer about token, asked by the
// confidential client.
func (s *userServer) Introspect(t testing.TB, token string) map[string]any {
	t.Helper()
	status, out := s.post(t, s.IntrospectionURL, url.Values{"token": {token}})
	if status != http.StatusOK {
		t.Fatalf("introspecting at fosite: status %d", status)
	}
	return out
}

// post sends form to endpoint as the confidential client (HTTP Basic)
// and returns the status and the JSON answer (nil when there is none).
func (s *userServer) post(t testing.TB, endpoint string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(userApp, url.QueryEscape(s.secrets[userApp]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out)
	return resp.StatusCode, out
}
