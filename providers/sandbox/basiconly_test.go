package sandbox

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBasicOnlySuccessOpaqueToken(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "basic-only")
	if !strings.ContainsAny(c.ClientSecret, "+/") {
		t.Fatalf("default secret %q should need form-encoding", c.ClientSecret)
	}
	r := e.token(t, tokenCall{path: "/oauth/v2/token", basic: creds(c), form: form("grant_type", "client_credentials")})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if got, want := r.keys(t), []string{"access_token", "expires_in", "token_type"}; !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	body := r.object(t)
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) {
		t.Errorf("token_type %v expires_in %v", body["token_type"], body["expires_in"])
	}
	tok := body["access_token"].(string)
	if strings.Contains(tok, ".") {
		t.Errorf("token %q looks like a JWT; want opaque", tok)
	}
	if _, err := base64.StdEncoding.DecodeString(tok); err != nil {
		t.Errorf("token %q is not base64: %v", tok, err)
	}
	if n := e.s.Issued(c.ClientID); n != 1 {
		t.Errorf("Issued %d, want 1", n)
	}

	if got := e.get(t, "/api/v1/items", tok); got.status != http.StatusOK {
		t.Fatalf("API with opaque token: %d %s", got.status, got.body)
	}
	e.clk.Add(time.Hour)
	got := e.get(t, "/api/v1/items", tok)
	if got.status != http.StatusUnauthorized || !strings.Contains(got.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("expired opaque token: %d %q", got.status, got.header.Get("WWW-Authenticate"))
	}
}

func TestBasicOnlyRejects(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "basic-only")
	dev := e.client(t, "cognito-dev")
	cc := "grant_type"
	tests := []struct {
		name string
		call tokenCall
	}{
		{"credentials in body", tokenCall{form: form(cc, "client_credentials", "client_id", c.ClientID, "client_secret", c.ClientSecret)}},
		{"no credentials", tokenCall{form: form(cc, "client_credentials")}},
		{"wrong secret", tokenCall{basic: &[2]string{c.ClientID, "wrong"}, form: form(cc, "client_credentials")}},
		{"secret not form-encoded", tokenCall{rawBasic: creds(c), form: form(cc, "client_credentials")}},
		{"another style's client", tokenCall{basic: creds(dev), form: form(cc, "client_credentials")}},
		{"Bearer scheme", tokenCall{auth: "Bearer abc", form: form(cc, "client_credentials")}},
		{"Basic not base64", tokenCall{auth: "Basic !!!", form: form(cc, "client_credentials")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.call.path = "/oauth/v2/token"
			r := e.token(t, tc.call)
			if r.status != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", r.status)
			}
			if got := r.header.Get("WWW-Authenticate"); got != `Basic realm="sandbox"` {
				t.Errorf("WWW-Authenticate %q", got)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want text/plain", ct)
			}
			if string(r.body) != "Unauthorized" {
				t.Errorf("body %q, want Unauthorized", r.body)
			}
		})
	}

	r := e.token(t, tokenCall{path: "/oauth/v2/token", basic: creds(c), form: form(cc, "refresh_token")})
	if r.status != http.StatusBadRequest || r.object(t)["error"] != "unsupported_grant_type" {
		t.Errorf("refresh_token grant: %d %s", r.status, r.body)
	}
	if n := e.s.TotalIssued(); n != 0 {
		t.Errorf("TotalIssued %d, want 0", n)
	}
}

// The raw-basic client is matched only by HTTP Basic sent raw: a client
// that form-encodes as RFC 6749 says is refused, as by go-oauth2.
func TestRawBasicClient(t *testing.T) {
	e := newEnv(t)
	e.s.AddClient(RawBasicClient())
	c := e.client(t, "raw-basic")
	form := form("grant_type", "client_credentials")
	raw := e.token(t, tokenCall{path: pathBasicOnly, rawBasic: creds(c), form: form})
	if raw.status != http.StatusOK {
		t.Fatalf("raw Basic: %d %s", raw.status, raw.body)
	}
	encoded := e.token(t, tokenCall{path: pathBasicOnly, basic: creds(c), form: form})
	if encoded.status != http.StatusUnauthorized {
		t.Fatalf("form-encoded Basic: %d %s", encoded.status, encoded.body)
	}
	// The usual basic-only client, whose secret holds '+' and '/' too,
	// still wants them form-encoded.
	b := e.client(t, "basic-only")
	if r := e.token(t, tokenCall{path: pathBasicOnly, rawBasic: creds(b), form: form}); r.status != http.StatusUnauthorized {
		t.Fatalf("raw Basic for a decoding client: %d", r.status)
	}
}
