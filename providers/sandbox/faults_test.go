package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestFaults(t *testing.T) {
	e := newEnv(t)
	dev := e.client(t, "cognito-dev")
	ask := func(scope string) reply {
		return e.token(t, tokenCall{path: pathCognito, basic: creds(dev), form: form("grant_type", "client_credentials", "scope", scope)})
	}
	if r := ask("api/read item"); r.status != http.StatusBadRequest {
		t.Fatalf("an unknown scope without the fault: %d", r.status)
	}

	e.s.SetFaults(Faults{DropUnknownScopes: true, ExpOffset: -50 * time.Minute, IssuerClock: 90 * time.Second, APIClock: -time.Minute, Resource: "https://api.sandbox.test"})
	r := ask("api/read item")
	if r.status != http.StatusOK {
		t.Fatalf("dropping scopes: %d %s", r.status, r.body)
	}
	if d, _ := http.ParseTime(r.header.Get("Date")); !d.Equal(testStart.Add(90 * time.Second)) {
		t.Errorf("token endpoint's Date %v", d)
	}
	m := r.object(t)
	tok := m["access_token"].(string)
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatal(err)
	}
	iat := testStart.Add(90 * time.Second).Unix()
	if claims["scope"] != "api/read" || claims["iat"] != float64(iat) || claims["exp"] != float64(iat+600) || m["expires_in"] != float64(3600) {
		t.Errorf("claims %v, expires_in %v", claims, m["expires_in"])
	}
	// The API, a minute behind, finds the token not valid yet, and names
	// its RFC 9728 document.
	api := e.get(t, "/api/v1/items", tok)
	if d, _ := http.ParseTime(api.header.Get("Date")); api.status != http.StatusUnauthorized || !d.Equal(testStart.Add(-time.Minute)) ||
		!strings.Contains(api.header.Get("WWW-Authenticate"), "not valid yet") ||
		!strings.Contains(api.header.Get("WWW-Authenticate"), `resource_metadata="`+e.ts.URL+pathResourceMetadata+`"`) {
		t.Errorf("API: %d Date %v %q", api.status, d, api.header.Get("WWW-Authenticate"))
	}
	var doc map[string]any
	if err := json.Unmarshal(e.get(t, pathResourceMetadata, "").body, &doc); err != nil || doc["resource"] != "https://api.sandbox.test" {
		t.Errorf("RFC 9728 document %v (%v)", doc, err)
	}

	// A key the JWKS does not publish: the API refuses its tokens.
	e.s.SetFaults(Faults{UnpublishedKey: secondKey()})
	tok = e.cognitoToken(t, dev)
	if h, _, _ := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{}); h.Header["kid"] == e.s.KeyID() {
		t.Error("the unpublished key's token names the current kid")
	}
	if r := e.get(t, "/api/v1/items", tok); r.status != http.StatusUnauthorized {
		t.Errorf("API with an unpublished key's token: %d", r.status)
	}

	e.s.SetFaults(Faults{})
	if r := e.get(t, pathResourceMetadata, ""); r.status != http.StatusNotFound {
		t.Errorf("RFC 9728 document with no resource: %d", r.status)
	}
}
