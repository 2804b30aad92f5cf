package providers

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// verifyAssertion checks the signature of a client assertion with pub and
// returns its claims and header; the clock is the fetch tests' clock.
func verifyAssertion(t *testing.T, raw string, pub crypto.PublicKey, alg string) (jwt.MapClaims, map[string]any) {
	t.Helper()
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{alg}), jwt.WithTimeFunc(func() time.Time { return fetchNow }),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		t.Fatalf("the assertion does not verify with the public key: %v", err)
	}
	return claims, tok.Header
}

func jwtProvider(tokenURL, keyFile string) Provider {
	return Provider{Name: "acme", TokenURL: tokenURL, ClientID: "my-client", AuthStyle: AuthPrivateKeyJWT, PrivateKeyFile: keyFile}
}

func TestFetchPrivateKeyJWTRequest(t *testing.T) {
	ec256 := newECKey(t, elliptic.P256())
	ed := newEd25519Key(t)
	keys := []struct {
		name   string
		key    crypto.Signer
		legacy bool
		alg    string
	}{
		{"RSA PKCS#8", testRSAKey(), false, "RS256"},
		{"RSA PKCS#1", testRSAKey(), true, "RS256"},
		{"EC P-256 PKCS#8", ec256, false, "ES256"},
		{"EC P-256 SEC 1", ec256, true, "ES256"},
		{"EC P-384", newECKey(t, elliptic.P384()), false, "ES384"},
		{"Ed25519", ed, false, "EdDSA"},
	}
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			ts := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { standardToken(w, "jwt-tok", 3600) })
			p := jwtProvider(ts.URL+"/oauth2/token", writeFile(t, "key.pem", keyPEM(t, k.key, k.legacy)))
			p.Issuer = ts.URL
			p.PrivateKeyKID = "key-1"
			p.Scopes = []string{"api/read"}
			c := fetchClient()
			var jtis []string
			var records []Exchange
			for range 2 {
				res, err := c.Fetch(context.Background(), p, FetchOptions{})
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if res.Token.AccessToken != "jwt-tok" || res.AuthStyle != AuthPrivateKeyJWT {
					t.Fatalf("token %q style %q", res.Token.AccessToken, res.AuthStyle)
				}
				records = append(records, res.Exchanges...)
				ex := res.Exchanges[0]
				if ex.AuthStyle != AuthPrivateKeyJWT || !strings.Contains(ex.RequestBody, "client_assertion=%5Bredacted%5D") ||
					!strings.Contains(ex.Credential, k.alg) || !strings.Contains(ex.Credential, "kid=key-1") || !strings.Contains(ex.Credential, "aud="+ts.URL) {
					t.Errorf("flight record: style %q body %q credential %q", ex.AuthStyle, ex.RequestBody, ex.Credential)
				}
			}
			for _, r := range ts.tokenRequests() {
				if r.Header.Get("Authorization") != "" || r.Form.Has("client_secret") {
					t.Errorf("a secret went along: Authorization %q, form %v", r.Header.Get("Authorization"), r.Form)
				}
				f := r.Form
				if f.Get("grant_type") != "client_credentials" || f.Get("client_id") != "my-client" || f.Get("scope") != "api/read" ||
					f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
					t.Errorf("form %v", f)
				}
				raw := f.Get("client_assertion")
				if b, _ := json.Marshal(records); strings.Contains(string(b), raw) || strings.Contains(string(b), strings.Split(raw, ".")[2]) {
					t.Error("the signed assertion is in a flight record")
				}
				claims, header := verifyAssertion(t, raw, k.key.Public(), k.alg)
				aud, _ := claims.GetAudience()
				if claims["iss"] != "my-client" || claims["sub"] != "my-client" || len(aud) != 1 || aud[0] != ts.URL {
					t.Errorf("claims %v", claims)
				}
				iat, _ := claims.GetIssuedAt()
				exp, _ := claims.GetExpirationTime()
				if !iat.Equal(fetchNow) || exp.Sub(iat.Time) != AssertionLifetime {
					t.Errorf("iat %v exp %v", iat, exp)
				}
				if header["kid"] != "key-1" || header["alg"] != k.alg {
					t.Errorf("header %v", header)
				}
				jti, _ := claims["jti"].(string)
				if len(jti) < 16 {
					t.Errorf("jti %q", jti)
				}
				jtis = append(jtis, jti)
			}
			if len(jtis) != 2 || jtis[0] == jtis[1] {
				t.Errorf("jti not unique per request: %v", jtis)
			}
		})
	}
}

func TestAssertionAudience(t *testing.T) {
	key := writeKey(t, newEd25519Key(t))
	tests := []struct {
		name string
		edit func(p *Provider)
		want string
		src  string
	}{
		{"issuer", func(p *Provider) { p.Issuer = "https://auth.example.com" }, "https://auth.example.com", SourceDefault},
		{"no issuer: the token URL", func(*Provider) {}, "https://auth.example.com/oauth2/token", SourceDefault},
		{"configured", func(p *Provider) {
			p.Issuer = "https://auth.example.com"
			p.AssertionAudience = "https://other.example.com/"
		}, "https://other.example.com/", SourceConfig},
		{"okta wants the token URL", func(p *Provider) {
			p.Preset, p.TokenURL, p.Issuer = "okta", "", "https://org.okta.com/oauth2/default"
		}, "https://org.okta.com/oauth2/default/v1/token", "preset okta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := jwtProvider("https://auth.example.com/oauth2/token", key)
			tt.edit(&p)
			if err := p.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			eff, settings, err := effective(p)
			if err != nil {
				t.Fatal(err)
			}
			if eff.AssertionAudience != tt.want {
				t.Errorf("aud %q, want %q", eff.AssertionAudience, tt.want)
			}
			got := settingOf(settings, "assertion_audience")
			if got.Value != tt.want || got.Source != tt.src {
				t.Errorf("setting %+v, want %s from %s", got, tt.want, tt.src)
			}
		})
	}
}

func settingOf(settings []Setting, key string) Setting {
	for _, s := range settings {
		if s.Key == key {
			return s
		}
	}
	return Setting{}
}

func TestKeySettingsShownWithSource(t *testing.T) {
	p := jwtProvider("https://auth.example.com/token", "/keys/client.pem")
	_, settings, _ := effective(p)
	for key, want := range map[string]Setting{
		"auth_style":       {Value: "private_key_jwt", Source: SourceConfig},
		"private_key_file": {Value: "/keys/client.pem", Source: SourceConfig},
		"private_key_kid":  {Value: "(none: no kid header)", Source: SourceDefault},
		"assertion_alg":    {Value: "(from the key)", Source: SourceDefault},
	} {
		if got := settingOf(settings, key); got.Value != want.Value || got.Source != want.Source {
			t.Errorf("%s: %+v, want %+v", key, got, want)
		}
	}
	m := Provider{Name: "m", TokenURL: "https://a/t", ClientID: "c", AuthStyle: AuthTLSClient, TLSCertFile: "/c.pem", TLSKeyFile: "/k.pem"}
	_, settings, _ = effective(m)
	if got := settingOf(settings, "tls_cert_file"); got.Value != "/c.pem" || got.Source != SourceConfig {
		t.Errorf("tls_cert_file %+v", got)
	}
	if got := settingOf(settings, "private_key_file"); got.Key != "" {
		t.Errorf("private_key_file shown for tls_client_auth: %+v", got)
	}
}

func TestFetchPrivateKeyJWTRefusedHint(t *testing.T) {
	ts := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		writeJSON(w, 401, `{"error":"invalid_client","error_description":"unknown key"}`)
	})
	p := jwtProvider(ts.URL+"/token", writeKey(t, newECKey(t, elliptic.P256())))
	p.Issuer = ts.URL
	res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
	e := mustError(t, err)
	if e.Code != "invalid_client" || len(res.Exchanges) != 1 {
		t.Fatalf("error %+v after %d exchanges (auto retries must not happen here)", e, len(res.Exchanges))
	}
	for _, want := range []string{"register the public key", "set private_key_kid", "takes ES256 assertions from this client (assertion_alg)", "aud was " + ts.URL, "token URL " + ts.URL + "/token", "assertion_audience"} {
		if !strings.Contains(e.Hint, want) {
			t.Errorf("hint %q lacks %q", e.Hint, want)
		}
	}
	if res.Exchanges[0].Hint != e.Hint {
		t.Errorf("the exchange's hint %q", res.Exchanges[0].Hint)
	}
}

func TestFetchPrivateKeyJWTBadKeyIsAConfigError(t *testing.T) {
	ts := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { standardToken(w, "x", 60) })
	p := jwtProvider(ts.URL+"/token", writeFile(t, "k.pem", []byte("not a key")))
	_, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
	e := mustError(t, err)
	if e.Kind != KindConfig || !strings.Contains(e.Error(), "private_key_file") || !strings.Contains(e.Error(), "no PEM data") {
		t.Errorf("error %v", e)
	}
	if n := len(ts.requests()); n != 0 {
		t.Errorf("%d requests sent with an unusable key", n)
	}
}
