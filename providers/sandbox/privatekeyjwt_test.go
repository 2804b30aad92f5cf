package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// keyEnv is a sandbox with the key clients added, their files in a
// temporary directory.
func keyEnv(t *testing.T) (*env, KeyFiles) {
	t.Helper()
	e := newEnv(t)
	kf, err := e.s.AddKeyClients(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return e, kf
}

// readKey reads a PKCS#8 PEM private key.
func readKey(t *testing.T, path string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s holds no PEM", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

// assertionFor signs claims for jwt-client with key, starting from valid
// ones that edit may change; kid "" leaves the header out.
func (e *env) assertionFor(t *testing.T, c Client, key crypto.Signer, method jwt.SigningMethod, kid string, edit func(jwt.MapClaims)) string {
	t.Helper()
	now := e.clk.Now()
	claims := jwt.MapClaims{
		"iss": c.ClientID, "sub": c.ClientID, "aud": e.ts.URL + "/" + StylePrivateKeyJWT,
		"jti": randomString(12, base64.RawURLEncoding), "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	}
	if edit != nil {
		edit(claims)
	}
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func jwtForm(c Client, assertion string) tokenCall {
	return tokenCall{path: pathJWT, form: form("grant_type", "client_credentials", "client_id", c.ClientID,
		"client_assertion_type", assertionType, "client_assertion", assertion)}
}

func TestPrivateKeyJWT(t *testing.T) {
	e, kf := keyEnv(t)
	c := e.client(t, JWTClientName)
	key := readKey(t, kf.JWTKey)

	a := e.assertionFor(t, c, key, jwt.SigningMethodES256, c.KeyID, nil)
	r := e.token(t, jwtForm(c, a))
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	tok, _ := r.object(t)["access_token"].(string)
	if cl := e.claims(t, tok); cl["sub"] != c.ClientID || cl["scope"] != "api/read api/write" {
		t.Errorf("access token claims %v", cl)
	}
	if e.s.Issued(c.ClientID) != 1 {
		t.Errorf("issued %d", e.s.Issued(c.ClientID))
	}

	r = e.token(t, jwtForm(c, a))
	r.wantJSON(t, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"the assertion was used before (its jti is spent): sign a new one for every request"}`)

	// The token endpoint URL is a valid aud too, and kid may be left out.
	a = e.assertionFor(t, c, key, jwt.SigningMethodES256, "", func(m jwt.MapClaims) { m["aud"] = []string{"https://elsewhere", e.ts.URL + pathJWT} })
	if r := e.token(t, jwtForm(c, a)); r.status != http.StatusOK {
		t.Errorf("aud = token endpoint: %d %s", r.status, r.body)
	}
}

func TestPrivateKeyJWTRefusals(t *testing.T) {
	e, kf := keyEnv(t)
	c := e.client(t, JWTClientName)
	key := readKey(t, kf.JWTKey)
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"iss": c.ClientID, "sub": c.ClientID, "aud": e.ts.URL + "/" + StylePrivateKeyJWT, "jti": "n1", "exp": e.clk.Now().Add(time.Minute).Unix(),
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	tests := []struct {
		name string
		call tokenCall
		desc string
	}{
		{"another key", jwtForm(c, e.assertionFor(t, c, other, jwt.SigningMethodES256, "", nil)), "signature does not verify"},
		{"alg none", jwtForm(c, none), "signature does not verify"},
		{"another kid", jwtForm(c, e.assertionFor(t, c, key, jwt.SigningMethodES256, "k2", nil)), `kid "k2" is not the key registered`},
		{"aud elsewhere", jwtForm(c, e.assertionFor(t, c, key, jwt.SigningMethodES256, "", func(m jwt.MapClaims) { m["aud"] = "https://elsewhere" })), "aud must be the issuer " + e.ts.URL + "/" + StylePrivateKeyJWT},
		{"expired", jwtForm(c, e.assertionFor(t, c, key, jwt.SigningMethodES256, "", func(m jwt.MapClaims) { m["exp"] = e.clk.Now().Add(-time.Minute).Unix() })), "expired"},
		{"no exp", jwtForm(c, e.assertionFor(t, c, key, jwt.SigningMethodES256, "", func(m jwt.MapClaims) { delete(m, "exp") })), "exp"},
		{"iss is not the client", jwtForm(c, e.assertionFor(t, c, key, jwt.SigningMethodES256, "", func(m jwt.MapClaims) { m["iss"] = "someone" })), "iss and sub"},
		{"no jti", jwtForm(c, e.assertionFor(t, c, key, jwt.SigningMethodES256, "", func(m jwt.MapClaims) { delete(m, "jti") })), "no jti"},
		{"unknown client", jwtForm(Client{ClientID: "nobody"}, e.assertionFor(t, Client{ClientID: "nobody"}, key, jwt.SigningMethodES256, "", nil)), `no private_key_jwt client "nobody"`},
		{"client_id differs", func() tokenCall {
			call := jwtForm(c, e.assertionFor(t, c, key, jwt.SigningMethodES256, "", nil))
			call.form.Set("client_id", "x")
			return call
		}(), "client_id differs"},
		{"a secret instead", tokenCall{path: pathJWT, form: form("grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", "s")}, "not a client secret"},
		{"no assertion", tokenCall{path: pathJWT, form: form("grant_type", "client_credentials", "client_id", c.ClientID)}, "client_assertion is missing"},
		{"wrong type", func() tokenCall {
			call := jwtForm(c, e.assertionFor(t, c, key, jwt.SigningMethodES256, "", nil))
			call.form.Set("client_assertion_type", "urn:x")
			return call
		}(), "client_assertion_type must be"},
		{"not a JWT", jwtForm(c, "abc"), "not a JWT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.token(t, tt.call)
			m := r.object(t)
			desc, _ := m["error_description"].(string)
			if r.status != http.StatusUnauthorized || m["error"] != "invalid_client" || !strings.Contains(desc, tt.desc) {
				t.Errorf("%d %s; want 401 invalid_client saying %q", r.status, r.body, tt.desc)
			}
		})
	}
	if n := e.s.Issued(c.ClientID); n != 0 {
		t.Errorf("%d tokens issued to refused assertions", n)
	}
	// A client of another style cannot use this endpoint with its secret.
	dev := e.client(t, "cognito-dev")
	r := e.token(t, tokenCall{path: pathJWT, basic: creds(dev), form: form("grant_type", "client_credentials")})
	if r.status != http.StatusUnauthorized {
		t.Errorf("secret client at the jwt endpoint: %d %s", r.status, r.body)
	}
}

func TestKeyClientsInYAMLAndDiscovery(t *testing.T) {
	e := newEnv(t)
	before := e.s.ProvidersYAML(e.ts.URL)
	if strings.Contains(before, JWTClientName) || strings.Contains(before, "private_key") {
		t.Fatalf("key clients listed before AddKeyClients:\n%s", before)
	}
	var d struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	kf, err := e.s.AddKeyClients(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{kf.JWTKey: 0o600, kf.ClientKey: 0o600, kf.CA: 0o644, kf.ClientCert: 0o644} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v mode %v, want %v", path, err, fi.Mode().Perm(), mode)
		}
	}
	ps := parseKeyProviders(t, e.s.ProvidersYAML(e.ts.URL))
	jwtP, ok := ps[JWTClientName]
	if !ok || jwtP.AuthStyle != "private_key_jwt" || jwtP.PrivateKeyFile != kf.JWTKey || jwtP.PrivateKeyKID == "" ||
		jwtP.ClientSecret != "" || jwtP.TokenURL != e.ts.URL+pathJWT || jwtP.Issuer != e.ts.URL+"/"+StylePrivateKeyJWT {
		t.Errorf("jwt-client entry %+v", jwtP)
	}
	if _, ok := ps[MTLSClientName]; ok {
		t.Error("mtls-client listed before StartTLS")
	}
	for doc, want := range map[string]string{
		"/.well-known/oauth-authorization-server/" + StylePrivateKeyJWT: "private_key_jwt",
		"/" + StyleMTLS + "/.well-known/openid-configuration":           "tls_client_auth",
	} {
		d.Methods = nil
		if err := jsonDecode(e.get(t, doc, "").body, &d); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Methods, []string{want}) {
			t.Errorf("%s: auth methods %v, want [%s]", doc, d.Methods, want)
		}
	}
}

// TestKeyFilesMadePrivateAgain: key files left world-readable (by an old
// version, or a hand) are written 0600 again, since tokentop refuses an
// open private key.
func TestKeyFilesMadePrivateAgain(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	for _, name := range []string{"jwt-client.key", "mtls-client.key"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kf, err := e.s.AddKeyClients(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{kf.JWTKey, kf.ClientKey} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", path, err, fi.Mode().Perm())
		}
	}
}
