package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// cognitoToken gets a JWT for a default cognito client.
func (e *env) cognitoToken(t *testing.T, c Client) string {
	t.Helper()
	r := e.token(t, tokenCall{path: "/oauth2/token", basic: creds(c), form: form("grant_type", "client_credentials")})
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	return r.object(t)["access_token"].(string)
}

func TestAPIBearerErrors(t *testing.T) {
	e := newEnv(t)
	dev := e.client(t, "cognito-dev")
	tok := e.cognitoToken(t, dev)

	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	forged := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": dev.ClientID, "exp": testStart.Add(time.Hour).Unix()})
	forged.Header["kid"] = e.s.KeyID()
	forgedTok, err := forged.SignedString(other)
	if err != nil {
		t.Fatal(err)
	}
	unsigned := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": dev.ClientID, "exp": testStart.Add(time.Hour).Unix()})
	noneTok, _ := unsigned.SignedString(jwt.UnsafeAllowNoneSignatureType)

	invalid := func(desc string) string {
		return `Bearer realm="sandbox", error="invalid_token", error_description="` + desc + `"`
	}
	tests := []struct {
		name      string
		token     string
		shift     time.Duration
		status    int
		challenge string
		code      string
	}{
		{"no token", "", 0, 401, `Bearer realm="sandbox"`, "unauthorized"},
		{"garbage", "not-a-token", 0, 401, invalid("The access token is unknown or expired"), "invalid_token"},
		{"other key", forgedTok, 0, 401, invalid("The access token signature or format is invalid"), "invalid_token"},
		{"alg none", noneTok, 0, 401, invalid("The access token signature or format is invalid"), "invalid_token"},
		{"tampered", tok[:len(tok)-4] + "AAAA", 0, 401, invalid("The access token signature or format is invalid"), "invalid_token"},
		{"expired", tok, time.Hour + time.Second, 401, invalid("The access token expired"), "invalid_token"},
		{"not yet valid", tok, -time.Minute, 401, invalid("The access token is not valid yet"), "invalid_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.clk.Set(testStart.Add(tc.shift))
			r := e.get(t, "/api/v1/items", tc.token)
			if r.status != tc.status {
				t.Errorf("status %d, want %d", r.status, tc.status)
			}
			if got := r.header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.challenge)
			}
			if got := r.object(t)["error"]; got != tc.code {
				t.Errorf("error %v, want %s", got, tc.code)
			}
			if r.header.Get("X-RateLimit-Limit") != "" {
				t.Error("rate-limit headers on an unauthenticated answer")
			}
		})
	}
}

func TestAPIScopes(t *testing.T) {
	e := newEnv(t)
	tok := e.cognitoToken(t, e.client(t, "cognito-dev"))
	r := e.get(t, "/api/v1/admin", tok)
	if r.status != http.StatusForbidden {
		t.Errorf("admin without scope: %d, want 403", r.status)
	}
	if got, want := r.header.Get("WWW-Authenticate"), `Bearer realm="sandbox", error="insufficient_scope", scope="admin"`; got != want {
		t.Errorf("WWW-Authenticate %q, want %q", got, want)
	}
	if got := r.object(t)["error"]; got != "insufficient_scope" {
		t.Errorf("error %v", got)
	}
	if r.header.Get("X-RateLimit-Remaining") == "" {
		t.Error("no rate-limit headers on a 403")
	}

	admin := Client{Name: "admin", ClientID: "admin-client", ClientSecret: "admin-secret", Style: StyleCognito, Scopes: []string{"admin"}}
	e.s.AddClient(admin)
	if r := e.get(t, "/api/v1/admin", e.cognitoToken(t, admin)); r.status != http.StatusOK {
		t.Errorf("admin with scope: %d %s", r.status, r.body)
	}
}

func TestAPIItems(t *testing.T) {
	e := newEnv(t)
	tok := e.cognitoToken(t, e.client(t, "a55"))

	r := e.get(t, "/api/v1/items", tok)
	var items []map[string]any
	if err := json.Unmarshal(r.body, &items); r.status != http.StatusOK || err != nil || len(items) < 2 {
		t.Fatalf("list: %d %s %v", r.status, r.body, err)
	}
	if r := e.get(t, "/api/v1/items/2", tok); r.status != http.StatusOK || r.object(t)["id"] != "2" {
		t.Errorf("get 2: %d %s", r.status, r.body)
	}
	if r := e.get(t, "/api/v1/items/99", tok); r.status != http.StatusNotFound {
		t.Errorf("get 99: %d, want 404", r.status)
	}

	post := func(body string) reply {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/items", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		return do(t, req)
	}
	r = post(`{"name":"Tornado seeds","price_cents":150}`)
	obj := r.object(t)
	if r.status != http.StatusCreated || obj["name"] != "Tornado seeds" || obj["price_cents"] != float64(150) || obj["id"] == "" {
		t.Errorf("create: %d %s", r.status, r.body)
	}
	if loc := r.header.Get("Location"); loc != "/api/v1/items/"+obj["id"].(string) {
		t.Errorf("Location %q", loc)
	}
	if r := post(`[1,2]`); r.status != http.StatusBadRequest {
		t.Errorf("create with array: %d, want 400", r.status)
	}
}
