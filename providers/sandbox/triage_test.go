package sandbox

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// secondKey is another signing key, for rotations.
func secondKey() *rsa.PrivateKey { return testsupport.RSAKey(1) }

func TestStyleDiscovery(t *testing.T) {
	e := newEnv(t)
	base := e.ts.URL
	for _, style := range discoverableStyles() {
		iss := base + styleIssuerPath(style)
		info, _ := styleInfo(style)
		urls := []string{base + "/.well-known/oauth-authorization-server" + styleIssuerPath(style), iss + "/.well-known/openid-configuration"}
		for _, u := range urls {
			t.Run(u, func(t *testing.T) {
				r := e.get(t, strings.TrimPrefix(u, base), "")
				if r.status != http.StatusOK {
					t.Fatalf("status %d", r.status)
				}
				var d discovery
				if err := json.Unmarshal(r.body, &d); err != nil {
					t.Fatal(err)
				}
				if d.Issuer != iss || d.TokenEndpoint != base+info.path || d.JWKSURI != base+pathJWKS ||
					d.IntrospectionEndpoint != base+pathIntrospect || d.RevocationEndpoint != base+pathRevoke ||
					!slices.Equal(d.IDTokenSigningAlgValuesSupported, []string{"RS256"}) {
					t.Errorf("document %+v", d)
				}
			})
		}
	}
	var d discovery
	_ = json.Unmarshal(e.get(t, "/.well-known/oauth-authorization-server/basic-only", "").body, &d)
	if !slices.Equal(d.TokenEndpointAuthMethodsSupported, []string{"client_secret_basic"}) {
		t.Errorf("basic-only auth methods %v", d.TokenEndpointAuthMethodsSupported)
	}
}

// Each style's tokens carry its issuer.
func TestTokensCarryTheStyleIssuer(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "ants")
	r := e.token(t, tokenCall{path: pathANTS, form: form("grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", c.ClientSecret, "scope", "item")})
	cl := e.claims(t, r.object(t)["accessToken"].(string))
	if cl["iss"] != e.ts.URL+"/ants" || cl["aud"] != e.ts.URL+"/api" {
		t.Errorf("iss %v aud %v", cl["iss"], cl["aud"])
	}
}

func (e *env) endpoint(t *testing.T, path string, c Client, token string) reply {
	t.Helper()
	return e.token(t, tokenCall{path: path, basic: creds(c), form: form("token", token)})
}

func TestIntrospectAndRevoke(t *testing.T) {
	e := newEnv(t)
	dev := e.client(t, "cognito-dev")
	other := e.client(t, "a55")
	jwtTok := e.cognitoToken(t, dev)

	r := e.endpoint(t, pathIntrospect, dev, jwtTok)
	m := r.object(t)
	if r.status != 200 || m["active"] != true || m["client_id"] != dev.ClientID || m["scope"] != "api/read api/write" ||
		m["iss"] != e.ts.URL || m["token_type"] != "Bearer" || m["exp"] == nil || m["iat"] == nil || m["sub"] == nil || m["aud"] == nil {
		t.Fatalf("introspect: %d %s", r.status, r.body)
	}
	e.endpoint(t, pathIntrospect, dev, "nonsense").wantJSON(t, 200, `{"active":false}`)
	bad := e.token(t, tokenCall{path: pathIntrospect, basic: &[2]string{dev.ClientID, "wrong"}, form: form("token", jwtTok)})
	if bad.status != 401 || !strings.Contains(string(bad.body), "invalid_client") {
		t.Errorf("bad credentials: %d %s", bad.status, bad.body)
	}
	missing := e.token(t, tokenCall{path: pathIntrospect, basic: creds(dev), form: form()})
	if missing.status != 400 {
		t.Errorf("no token: %d", missing.status)
	}

	// Revocation: unknown tokens are fine; another client's are refused.
	if r := e.endpoint(t, pathRevoke, dev, "never-issued"); r.status != 200 {
		t.Errorf("revoke unknown: %d %s", r.status, r.body)
	}
	if r := e.endpoint(t, pathRevoke, other, jwtTok); r.status != 400 {
		t.Errorf("revoke another's: %d %s", r.status, r.body)
	}
	if r := e.get(t, "/api/v1/items", jwtTok); r.status != 200 {
		t.Fatalf("API before revoke: %d", r.status)
	}
	// Credentials in the body work too.
	if r := e.token(t, tokenCall{path: pathRevoke, form: form("token", jwtTok, "client_id", dev.ClientID, "client_secret", dev.ClientSecret)}); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	api := e.get(t, "/api/v1/items", jwtTok)
	if api.status != 401 || !strings.Contains(api.header.Get("WWW-Authenticate"), `error="invalid_token"`) || !strings.Contains(api.header.Get("WWW-Authenticate"), "revoked") {
		t.Errorf("API after revoke: %d %q", api.status, api.header.Get("WWW-Authenticate"))
	}
	e.endpoint(t, pathIntrospect, dev, jwtTok).wantJSON(t, 200, `{"active":false}`)

	// Opaque tokens too.
	bo := e.client(t, "basic-only")
	op := e.token(t, tokenCall{path: pathBasicOnly, basic: creds(bo), form: form("grant_type", "client_credentials")}).object(t)["access_token"].(string)
	if m := e.endpoint(t, pathIntrospect, bo, op).object(t); m["active"] != true || m["iss"] != e.ts.URL+"/basic-only" {
		t.Errorf("opaque introspect %v", m)
	}
	e.endpoint(t, pathRevoke, bo, op)
	e.endpoint(t, pathIntrospect, bo, op).wantJSON(t, 200, `{"active":false}`)
	if r := e.get(t, "/api/v1/items", op); r.status != 401 {
		t.Errorf("opaque after revoke: %d", r.status)
	}
}

func TestRotateKey(t *testing.T) {
	e := newEnv(t)
	dev := e.client(t, "cognito-dev")
	old := e.cognitoToken(t, dev)
	oldKid := e.s.KeyID()
	newKid := e.s.RotateKeyTo(secondKey())
	if newKid == oldKid || e.s.KeyID() != newKid {
		t.Fatalf("kid %q after rotation from %q", e.s.KeyID(), oldKid)
	}
	var set jwkSet
	_ = json.Unmarshal(e.get(t, pathJWKS, "").body, &set)
	if len(set.Keys) != 2 || set.Keys[0].Kid != newKid || set.Keys[1].Kid != oldKid {
		t.Errorf("JWKS after rotation %+v", set.Keys)
	}
	fresh := e.cognitoToken(t, dev)
	for name, tok := range map[string]string{"old": old, "new": fresh} {
		if r := e.get(t, "/api/v1/items", tok); r.status != 200 {
			t.Errorf("%s-key token: %d", name, r.status)
		}
	}
	// A second rotation drops the oldest key.
	e.s.RotateKeyTo(testKey())
	if r := e.get(t, "/api/v1/items", fresh); r.status != 200 {
		t.Errorf("previous key's token after the second rotation: %d", r.status)
	}
	_ = json.Unmarshal(e.get(t, pathJWKS, "").body, &set)
	if len(set.Keys) != 2 || set.Keys[1].Kid != newKid {
		t.Errorf("JWKS after a second rotation %+v", set.Keys)
	}
	if e.s.JWKSFetches() != 2 {
		t.Errorf("%d JWKS fetches counted, want 2", e.s.JWKSFetches())
	}
}

func TestMint(t *testing.T) {
	e := newEnv(t)
	iss := e.ts.URL
	good, err := e.s.Mint(MintOptions{Issuer: iss, ClientID: "c", Scope: "api/read", Audience: iss + "/api"})
	if err != nil {
		t.Fatal(err)
	}
	if cl := e.claims(t, good); cl["scope"] != "api/read" || cl["aud"] != iss+"/api" {
		t.Errorf("claims %v", cl)
	}
	bad, _ := e.s.MintBadSignature(iss, "c")
	none, _ := e.s.MintAlgNone(iss, "c")
	expired, _ := e.s.Mint(MintOptions{Issuer: iss, ClientID: "c", Lifetime: -time.Minute})
	if !strings.HasSuffix(none, ".") {
		t.Errorf("alg none token %q has a signature", none)
	}
	for name, tok := range map[string]string{"bad signature": bad, "alg none": none, "expired": expired} {
		if r := e.get(t, "/api/v1/items", tok); r.status != 401 {
			t.Errorf("%s: API answered %d", name, r.status)
		}
	}
	if r := e.get(t, "/api/v1/items", good); r.status != 200 {
		t.Errorf("minted genuine token: %d", r.status)
	}
	if _, err := e.s.Mint(MintOptions{}); err == nil {
		t.Error("Mint without an issuer succeeded")
	}
}

// The "prod" API refuses the sandbox's tokens in each framework's words.
func TestProdAPIRefusesSandboxTokens(t *testing.T) {
	e := newEnv(t)
	tok := e.cognitoToken(t, e.client(t, "cognito-dev"))
	iss := e.claims(t, tok)["iss"].(string)
	for as, want := range map[string]string{
		"":        "Jwt issuer is not valid",
		"aspnet":  "The issuer '" + iss + "' is invalid",
		"express": "jwt issuer invalid. expected: " + ProdIssuer,
		"kong":    "No credentials found for given 'iss'",
		"aws":     "the token does not have a valid issuer",
	} {
		r := e.get(t, PathProdAPI+"?as="+as, tok)
		if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate")+string(r.body), want) {
			t.Errorf("as=%s: %d %q %s", as, r.status, r.header.Get("WWW-Authenticate"), r.body)
		}
	}
	if r := e.get(t, PathProdAPI, ""); r.status != http.StatusUnauthorized || strings.Contains(r.header.Get("WWW-Authenticate"), "issuer") {
		t.Errorf("no token: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
}
