package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"slices"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestJWKSVerifiesIssuedTokens(t *testing.T) {
	e := newEnv(t)
	r := e.get(t, "/.well-known/jwks.json", "")
	if r.status != http.StatusOK {
		t.Fatalf("JWKS: %d", r.status)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(r.body, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS %s: %v", r.body, err)
	}
	k := set.Keys[0]
	if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["kid"] == "" {
		t.Errorf("JWK %v", k)
	}
	n, errN := base64.RawURLEncoding.DecodeString(k["n"])
	ex, errE := base64.RawURLEncoding.DecodeString(k["e"])
	if errN != nil || errE != nil {
		t.Fatalf("n or e not base64url: %v %v", errN, errE)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(ex).Int64())}

	dev := e.client(t, "cognito-dev")
	tok := e.token(t, tokenCall{path: "/oauth2/token", basic: creds(dev), form: form("grant_type", "client_credentials")}).object(t)["access_token"].(string)
	parsed, err := jwt.Parse(tok, func(t *jwt.Token) (any, error) {
		if t.Header["kid"] != k["kid"] {
			return nil, jwt.ErrTokenUnverifiable
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(e.clk.Now))
	if err != nil {
		t.Fatalf("token does not verify against the JWKS: %v", err)
	}
	cl := parsed.Claims.(jwt.MapClaims)
	for _, name := range []string{"iss", "sub", "aud", "client_id", "scope", "iat", "nbf", "exp", "jti"} {
		if _, ok := cl[name]; !ok {
			t.Errorf("claim %s missing", name)
		}
	}

	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return &other.PublicKey, nil }); err == nil {
		t.Error("token verified with an unrelated key")
	}
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		t.Run(path, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
			req.Host = "sandbox.example:8443"
			r := do(t, req)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			var d struct {
				Issuer        string   `json:"issuer"`
				TokenEndpoint string   `json:"token_endpoint"`
				JWKSURI       string   `json:"jwks_uri"`
				Scopes        []string `json:"scopes_supported"`
				Grants        []string `json:"grant_types_supported"`
				AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
				ResponseTypes []string `json:"response_types_supported"`
			}
			if err := json.Unmarshal(r.body, &d); err != nil {
				t.Fatal(err)
			}
			iss := "http://sandbox.example:8443"
			if d.Issuer != iss || d.TokenEndpoint != iss+"/oauth2/token" || d.JWKSURI != iss+"/.well-known/jwks.json" {
				t.Errorf("issuer %q token_endpoint %q jwks_uri %q", d.Issuer, d.TokenEndpoint, d.JWKSURI)
			}
			wantScopes := []string{"api/read", "api/write", "event", "item", "openid", "profile", "promotion", "read:items", "write:items"}
			if !slices.Equal(d.Scopes, wantScopes) {
				t.Errorf("scopes_supported %v, want %v", d.Scopes, wantScopes)
			}
			if !slices.Equal(d.Grants, []string{"client_credentials", DeviceGrantType}) ||
				!slices.Equal(d.AuthMethods, []string{"client_secret_basic", "client_secret_post"}) ||
				!slices.Equal(d.ResponseTypes, []string{"token"}) {
				t.Errorf("grants %v auth methods %v response types %v", d.Grants, d.AuthMethods, d.ResponseTypes)
			}
		})
	}
}
