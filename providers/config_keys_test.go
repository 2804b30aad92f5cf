package providers

import (
	"bytes"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestValidateKeyStyles(t *testing.T) {
	pki := newTestPKI(t)
	certFile, certKey := pki.clientFiles(t, "client-a")
	_, otherKey := pki.clientFiles(t, "client-b")
	ecKey := writeKey(t, newECKey(t, elliptic.P256()))
	rsaKey := writeKey(t, testRSAKey())
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(testRSAKey().Public())
	encrypted := []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n")

	jwtP := func(edit func(p *Provider)) Provider {
		p := Provider{Name: "p", TokenURL: "https://auth.example.com/token", ClientID: "c", AuthStyle: AuthPrivateKeyJWT, PrivateKeyFile: ecKey}
		edit(&p)
		return p
	}
	mtlsP := func(edit func(p *Provider)) Provider {
		p := Provider{Name: "p", TokenURL: "https://auth.example.com/token", ClientID: "c", AuthStyle: AuthTLSClient, TLSCertFile: certFile, TLSKeyFile: certKey}
		edit(&p)
		return p
	}
	tests := []struct {
		name  string
		p     Provider
		field string // the field the problem names, "" for none
		want  string
	}{
		{"private_key_jwt ok", jwtP(func(*Provider) {}), "", ""},
		{"RSA with PS256", jwtP(func(p *Provider) { p.PrivateKeyFile, p.AssertionAlg = rsaKey, "PS256" }), "", ""},
		{"no key file", jwtP(func(p *Provider) { p.PrivateKeyFile = "" }), "private_key_file", "needs private_key_file"},
		{"key file missing", jwtP(func(p *Provider) { p.PrivateKeyFile = filepath.Join(t.TempDir(), "nope.pem") }), "private_key_file", "no such file"},
		{"a directory", jwtP(func(p *Provider) { p.PrivateKeyFile = t.TempDir() }), "private_key_file", "not a regular file"},
		{"a certificate, not a key", jwtP(func(p *Provider) { p.PrivateKeyFile = certFile }), "private_key_file", "holds no private key (found CERTIFICATE)"},
		{"a public key", jwtP(func(p *Provider) { p.PrivateKeyFile = writeFile(t, "pub.pem", pemBytes("PUBLIC KEY", pub)) }), "private_key_file", "holds a public key"},
		{"not PEM", jwtP(func(p *Provider) { p.PrivateKeyFile = writeFile(t, "k", []byte("hello")) }), "private_key_file", "no PEM data"},
		{"encrypted", jwtP(func(p *Provider) { p.PrivateKeyFile = writeFile(t, "k", encrypted) }), "private_key_file", "encrypted"},
		{"RSA 1024", jwtP(func(p *Provider) { p.PrivateKeyFile = writeKey(t, small) }), "private_key_file", "1024 bits"},
		{"alg for another key", jwtP(func(p *Provider) { p.AssertionAlg = "RS256" }), "assertion_alg", "needs an RSA key, but private_key_file holds an EC P-256 key (ES256"},
		{"unknown alg", jwtP(func(p *Provider) { p.AssertionAlg = "HS256" }), "assertion_alg", `"HS256" is not one of`},
		{"a secret too", jwtP(func(p *Provider) { p.ClientSecret = "s" }), "client_secret", "not used with auth_style: private_key_jwt"},
		{"a key file under basic", jwtP(func(p *Provider) { p.AuthStyle = AuthBasic; p.ClientSecret = "s" }), "private_key_file", "auth_style is basic; it is used only with auth_style: private_key_jwt"},
		{"a kid under auto", Provider{Name: "p", TokenURL: "https://a/t", ClientID: "c", PrivateKeyKID: "k"}, "private_key_kid", "auth_style is auto"},

		{"tls_client_auth ok", mtlsP(func(*Provider) {}), "", ""},
		{"a certificate under post", mtlsP(func(p *Provider) { p.AuthStyle, p.ClientSecret = AuthPost, "s" }), "", ""},
		{"no files", mtlsP(func(p *Provider) { p.TLSCertFile, p.TLSKeyFile = "", "" }), "tls_cert_file", "needs tls_cert_file and tls_key_file"},
		{"no key", mtlsP(func(p *Provider) { p.TLSKeyFile = "" }), "tls_cert_file", "tls_cert_file is set without tls_key_file"},
		{"no certificate", mtlsP(func(p *Provider) { p.TLSCertFile = "" }), "tls_key_file", "tls_key_file is set without tls_cert_file"},
		{"mismatch", mtlsP(func(p *Provider) { p.TLSKeyFile = otherKey }), "tls_key_file", "is not the key of the certificate"},
		{"key where the certificate goes", mtlsP(func(p *Provider) { p.TLSCertFile = certKey }), "tls_cert_file", "holds no certificate (found PRIVATE KEY)"},
		{"certificate file missing", mtlsP(func(p *Provider) { p.TLSCertFile = "/nonexistent/c.pem" }), "tls_cert_file", "no such file"},
		{"plain http", mtlsP(func(p *Provider) { p.TokenURL = "http://127.0.0.1:8080/token" }), "token_url", "needs an https token_url"},
		{"a secret ref too", mtlsP(func(p *Provider) { p.ClientSecretRef = "env:X" }), "client_secret_ref", "not used with auth_style: tls_client_auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate passed; want %q", tt.want)
			}
			var found bool
			for _, e := range unjoin(err) {
				pr, ok := e.(*Problem)
				if ok && pr.Field == tt.field && strings.Contains(e.Error(), tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("Validate:\n%v\nwant a problem with %s saying %q", err, tt.field, tt.want)
			}
		})
	}
}

// TestLoadConfigKeyStyles loads both styles from YAML with ${VAR} and ~/
// paths, points a problem at its line, and round-trips through export.
func TestLoadConfigKeyStyles(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.WriteFile(filepath.Join(home, "jwt.pem"), keyPEM(t, newEd25519Key(t), false), 0o600); err != nil {
		t.Fatal(err)
	}
	pki := newTestPKI(t)
	certFile, keyFile := pki.clientFiles(t, "client-a")
	env := func(k string) (string, bool) {
		v, ok := map[string]string{"CERT": certFile, "KEY": keyFile}[k]
		return v, ok
	}
	doc := `providers:
  - name: jwt
    token_url: https://auth.example.com/token
    issuer: https://auth.example.com
    client_id: c1
    auth_style: private_key_jwt
    private_key_file: ~/jwt.pem
    private_key_kid: k1
    assertion_alg: EdDSA
    assertion_audience: https://auth.example.com/
  - name: mtls
    token_url: https://mtls.example.com/token
    client_id: c2
    auth_style: tls_client_auth
    ca_file: ` + pki.caFile + `
    tls_cert_file: ${CERT}
    tls_key_file: ${KEY}
`
	ps, err := LoadConfig(strings.NewReader(doc), env)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if ps[0].PrivateKeyFile != "~/jwt.pem" || ps[0].PrivateKeyKID != "k1" || ps[0].AssertionAlg != "EdDSA" || ps[0].AssertionAudience != "https://auth.example.com/" {
		t.Errorf("jwt: %+v", ps[0])
	}
	if ps[1].TLSCertFile != certFile || ps[1].TLSKeyFile != keyFile || ps[1].AuthStyle != AuthTLSClient {
		t.Errorf("mtls: %+v", ps[1])
	}
	out, err := MarshalConfig(ps, false)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("PRIVATE KEY")) {
		t.Errorf("export holds key material:\n%s", out)
	}
	back, err := LoadConfig(bytes.NewReader(out), env)
	if err != nil {
		t.Fatalf("reload: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, ps) {
		t.Errorf("round trip\n got %+v\nwant %+v\n%s", back, ps, out)
	}

	bad := strings.Replace(doc, "assertion_alg: EdDSA", "assertion_alg: ES256", 1)
	_, err = LoadConfig(strings.NewReader(bad), env)
	if err == nil || !strings.Contains(err.Error(), `line 9: provider "jwt": assertion_alg ES256 needs an EC P-256 key`) {
		t.Errorf("error %v", err)
	}
	bad = strings.Replace(doc, "auth_style: tls_client_auth", "auth_style: basic", 1)
	bad = strings.Replace(bad, "    tls_key_file: ${KEY}\n", "", 1)
	_, err = LoadConfig(strings.NewReader(bad), env)
	if err == nil || !strings.Contains(err.Error(), `line 16: provider "mtls": tls_cert_file is set without tls_key_file`) {
		t.Errorf("error %v", err)
	}
}
