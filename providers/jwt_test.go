package providers

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/jwtclaims"
)

// hs256JWT signs claims with HS256 (and a kid header when kid is set).
func hs256JWT(tb testing.TB, claims jwt.MapClaims, kid string) string {
	tb.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString([]byte("tokentop-test-hmac-key-32-bytes!"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// rs256JWT signs claims with a test RSA key, made once per test binary.
func rs256JWT(tb testing.TB, claims jwt.MapClaims, kid string) string {
	tb.Helper()
	rsaKey := testsupport.RSAKey(4)
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(rsaKey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestDecodeJWTClaims(t *testing.T) {
	iat := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	nbf := iat.Add(-time.Minute)
	exp := iat.Add(time.Hour)
	full := jwt.MapClaims{
		"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
		"sub": "svc-123", "client_id": "6f2k", "azp": "ignored-when-client_id",
		"aud": "https://api.example.com", "scope": "api/write api/read",
		"iat": iat.Unix(), "nbf": nbf.Unix(), "exp": exp.Unix(), "jti": "j-1",
	}
	tests := []struct {
		name string
		tok  func(testing.TB) string
		want jwtclaims.Claims
	}{
		{
			name: "RS256 every claim",
			tok:  func(tb testing.TB) string { return rs256JWT(tb, full, "KO6key") },
			want: jwtclaims.Claims{Algorithm: "RS256", KeyID: "KO6key", Issuer: full["iss"].(string), Subject: "svc-123",
				Audience: []string{"https://api.example.com"}, ClientID: "6f2k", Scope: "api/write api/read",
				IssuedAt: iat, NotBefore: nbf, ExpiresAt: exp, ID: "j-1"},
		},
		{
			name: "HS256 every claim",
			tok:  func(tb testing.TB) string { return hs256JWT(tb, full, "hkey") },
			want: jwtclaims.Claims{Algorithm: "HS256", KeyID: "hkey", Issuer: full["iss"].(string), Subject: "svc-123",
				Audience: []string{"https://api.example.com"}, ClientID: "6f2k", Scope: "api/write api/read",
				IssuedAt: iat, NotBefore: nbf, ExpiresAt: exp, ID: "j-1"},
		},
		{
			name: "audience array, azp fallback, scp array (Auth0 and Okta style)",
			tok: func(tb testing.TB) string {
				return hs256JWT(tb, jwt.MapClaims{"aud": []string{"a1", "a2"}, "azp": "auth0-client",
					"scp": []string{"read:payments", "write:payments"}, "exp": exp.Unix()}, "")
			},
			want: jwtclaims.Claims{Algorithm: "HS256", Audience: []string{"a1", "a2"}, ClientID: "auth0-client",
				Scope: "read:payments write:payments", ExpiresAt: exp},
		},
		{
			name: "scope array and appid (Entra) fallback",
			tok: func(tb testing.TB) string {
				return hs256JWT(tb, jwt.MapClaims{"scope": []any{"a", 7, "b"}, "appid": "entra-app"}, "")
			},
			want: jwtclaims.Claims{Algorithm: "HS256", ClientID: "entra-app", Scope: "a b"},
		},
		{
			name: "scp string and cid (Okta) fallback",
			tok: func(tb testing.TB) string {
				return hs256JWT(tb, jwt.MapClaims{"scp": "x y", "cid": "okta-client"}, "")
			},
			want: jwtclaims.Claims{Algorithm: "HS256", ClientID: "okta-client", Scope: "x y"},
		},
		{
			// golang-jwt keeps whole seconds (jwt.TimePrecision).
			name: "fractional times",
			tok: func(tb testing.TB) string {
				return hs256JWT(tb, jwt.MapClaims{"exp": float64(exp.Unix()) + 0.5}, "")
			},
			want: jwtclaims.Claims{Algorithm: "HS256", ExpiresAt: exp},
		},
		{
			name: "escape sequences in claims are sanitised",
			tok: func(tb testing.TB) string {
				return hs256JWT(tb, jwt.MapClaims{"iss": "\x1b]52;c;ZXZpbA==\x07evil", "sub": "a\x1b[2Jb", "aud": "x\u202ey"}, "k\x1b[31m")
			},
			want: jwtclaims.Claims{Algorithm: "HS256", KeyID: "k", Issuer: "evil", Subject: "ab", Audience: []string{"xy"}},
		},
		{
			name: "no claims at all",
			tok:  func(tb testing.TB) string { return hs256JWT(tb, jwt.MapClaims{}, "") },
			want: jwtclaims.Claims{Algorithm: "HS256"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.tok(t)
			if !jwtclaims.LooksLikeJWT(tok) {
				t.Fatalf("jwtclaims.LooksLikeJWT(%q) = false", tok)
			}
			c, err := jwtclaims.Decode(tok)
			if err != nil {
				t.Fatalf("DecodeJWT: %v", err)
			}
			assertClaims(t, c, &tt.want)
		})
	}
}

func assertClaims(t *testing.T, got, want *jwtclaims.Claims) {
	t.Helper()
	if got.Algorithm != want.Algorithm || got.KeyID != want.KeyID || got.Issuer != want.Issuer ||
		got.Subject != want.Subject || got.ClientID != want.ClientID || got.Scope != want.Scope || got.ID != want.ID {
		t.Errorf("claims = %+v\nwant      %+v", *got, *want)
	}
	if !slices.Equal(got.Audience, want.Audience) {
		t.Errorf("Audience = %q, want %q", got.Audience, want.Audience)
	}
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{{"IssuedAt", got.IssuedAt, want.IssuedAt}, {"NotBefore", got.NotBefore, want.NotBefore}, {"ExpiresAt", got.ExpiresAt, want.ExpiresAt}} {
		if !tm.got.Equal(tm.want) {
			t.Errorf("%s = %v, want %v", tm.name, tm.got, tm.want)
		}
	}
}

func TestDecodeJWTRejects(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name, token, wantErr string
	}{
		{"empty", "", "opaque"},
		{"opaque seed 001", "NgXCXRKc/Qk+Mz0Yjw=", "opaque"},
		{"opaque seed 004", "5474r2x214z26484u2e4y4a403q5e4z5m4j4b403s526", "opaque"},
		{"two parts", "eyJhbGciOiJIUzI1NiJ9.e30", "opaque"},
		{"four parts", "eyJhbGciOiJIUzI1NiJ9.e30.sig.more", "opaque"},
		{"JWE-like five parts", "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", "opaque"},
		{"header not base64", "eyJ!!!.e30.sig", "decode JWT"},
		{"header not JSON", "eyJ" + b64([]byte("garbage")) + ".e30.sig", "decode JWT"},
		{"claims not base64", "eyJhbGciOiJIUzI1NiJ9.%%%.sig", "decode JWT"},
		{"claims not JSON", "eyJhbGciOiJIUzI1NiJ9." + b64([]byte("{nope")) + ".sig", "decode JWT"},
		{"claims an array", "eyJhbGciOiJIUzI1NiJ9." + b64([]byte("[1,2]")) + ".sig", "decode JWT"},
		{"exp a string", "eyJhbGciOiJIUzI1NiJ9." + b64([]byte(`{"exp":"tomorrow"}`)) + ".sig", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := jwtclaims.Decode(tt.token)
			if tt.wantErr == "" {
				// Decodes, but the unreadable claim is left zero.
				if err != nil {
					t.Fatalf("DecodeJWT: %v", err)
				}
				if !c.ExpiresAt.IsZero() {
					t.Errorf("ExpiresAt = %v, want zero", c.ExpiresAt)
				}
				return
			}
			if err == nil {
				t.Fatalf("jwtclaims.Decode(%q) = %+v, want an error", tt.token, c)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestDecodeJWTIgnoresSignature(t *testing.T) {
	tok := hs256JWT(t, jwt.MapClaims{"sub": "s"}, "")
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + parts[1] + ".AAAAAAAAAAAAAAAAAAAAAA"
	c, err := jwtclaims.Decode(forged)
	if err != nil || c.Subject != "s" {
		t.Fatalf("jwtclaims.Decode(forged) = %+v, %v; claims are for display and decode unverified", c, err)
	}
}

func TestMarshalClaims(t *testing.T) {
	c := &jwtclaims.Claims{Algorithm: "RS256", Subject: "s", ExpiresAt: time.Unix(1700000000, 0).UTC()}
	got := jwtclaims.Marshal(c)
	for _, want := range []string{`"alg": "RS256"`, `"sub": "s"`, `"exp": "2023-11-14T22:13:20Z"`} {
		if !strings.Contains(got, want) {
			t.Errorf("MarshalClaims = %s, missing %s", got, want)
		}
	}
	if strings.Contains(got, "iat") || strings.Contains(got, "aud") {
		t.Errorf("MarshalClaims = %s: zero claims should be left out", got)
	}
}
