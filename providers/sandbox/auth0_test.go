package sandbox

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestAuth0Success(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "auth0-prod")
	aud := "https://api.sandbox.test"
	tests := []struct {
		name      string
		call      tokenCall
		wantScope string
	}{
		{"body credentials", tokenCall{form: form("grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", c.ClientSecret, "audience", aud)}, "read:items write:items"},
		{"Basic credentials", tokenCall{basic: creds(c), form: form("grant_type", "client_credentials", "audience", aud)}, "read:items write:items"},
		{"narrower scope", tokenCall{basic: creds(c), form: form("grant_type", "client_credentials", "audience", aud, "scope", "read:items")}, "read:items"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.call.path = "/oauth/token"
			r := e.token(t, tc.call)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got, want := r.keys(t), []string{"access_token", "expires_in", "scope", "token_type"}; !slices.Equal(got, want) {
				t.Errorf("keys %v, want %v", got, want)
			}
			body := r.object(t)
			if body["expires_in"] != float64(86400) || body["token_type"] != "Bearer" || body["scope"] != tc.wantScope {
				t.Errorf("expires_in %v token_type %v scope %v", body["expires_in"], body["token_type"], body["scope"])
			}
			cl := e.claims(t, body["access_token"].(string))
			if cl["aud"] != aud || cl["scope"] != tc.wantScope || cl["sub"] != c.ClientID {
				t.Errorf("claims aud %v scope %v sub %v", cl["aud"], cl["scope"], cl["sub"])
			}
		})
	}
}

func TestAuth0Errors(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "auth0-prod")
	dev := e.client(t, "cognito-dev")
	aud := "https://api.sandbox.test"
	tests := []struct {
		name   string
		call   tokenCall
		status int
		want   string
	}{
		{"no audience", tokenCall{basic: creds(c), form: form("grant_type", "client_credentials")}, 403,
			`{"error":"access_denied","error_description":"No audience parameter was provided, and no default audience has been configured"}`},
		{"unknown audience", tokenCall{basic: creds(c), form: form("grant_type", "client_credentials", "audience", "https://other.test")}, 403,
			`{"error":"access_denied","error_description":"Service not found: https://other.test"}`},
		{"wrong secret", tokenCall{form: form("grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", "x", "audience", aud)}, 401,
			`{"error":"access_denied","error_description":"Unauthorized"}`},
		{"no credentials", tokenCall{form: form("grant_type", "client_credentials", "audience", aud)}, 401,
			`{"error":"access_denied","error_description":"Unauthorized"}`},
		{"another style's client", tokenCall{basic: creds(dev), form: form("grant_type", "client_credentials", "audience", aud)}, 401,
			`{"error":"access_denied","error_description":"Unauthorized"}`},
		{"scope not granted", tokenCall{basic: creds(c), form: form("grant_type", "client_credentials", "audience", aud, "scope", "delete:items")}, 403,
			`{"error":"access_denied","error_description":"Client has not been granted scopes: delete:items"}`},
		{"password grant", tokenCall{basic: creds(c), form: form("grant_type", "password", "audience", aud)}, 400,
			`{"error":"unsupported_grant_type","error_description":"grant_type password is not supported"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.call.path = "/oauth/token"
			e.token(t, tc.call).wantJSON(t, tc.status, tc.want)
		})
	}
	if n := e.s.TotalIssued(); n != 0 {
		t.Errorf("TotalIssued %d, want 0", n)
	}
}

func TestAuth0MonthlyQuota(t *testing.T) {
	e := newEnv(t)
	e.clk.Set(time.Date(2026, 1, 31, 23, 59, 30, 0, time.UTC))
	c := Client{Name: "quota", ClientID: "quota-client", ClientSecret: "quota-secret", Style: StyleAuth0,
		Audience: "https://api.sandbox.test", MonthlyQuota: 3}
	e.s.AddClient(c)
	call := tokenCall{path: "/oauth/token", basic: creds(c), form: form("grant_type", "client_credentials", "audience", c.Audience)}

	for i := range 3 {
		if r := e.token(t, call); r.status != http.StatusOK {
			t.Fatalf("token %d: %d %s", i+1, r.status, r.body)
		}
	}
	r := e.token(t, call)
	r.wantJSON(t, http.StatusTooManyRequests, `{"error":"too_many_requests","error_description":"Quota exceeded: 3 tokens per month"}`)
	if got := r.header.Get("Retry-After"); got != "30" {
		t.Errorf("Retry-After %q, want 30 (seconds to February)", got)
	}
	if n := e.s.Issued(c.ClientID); n != 3 {
		t.Errorf("Issued %d after the refusal, want 3", n)
	}

	e.clk.Add(30 * time.Second) // 2026-02-01T00:00:00Z: a new month
	if r := e.token(t, call); r.status != http.StatusOK {
		t.Fatalf("after month rollover: %d %s", r.status, r.body)
	}
	if n := e.s.Issued(c.ClientID); n != 4 {
		t.Errorf("Issued %d, want 4", n)
	}
	// The quota is per client: the default client is untouched.
	def := e.client(t, "auth0-prod")
	if def.MonthlyQuota != 1000 {
		t.Errorf("auth0-prod quota %d, want 1000", def.MonthlyQuota)
	}
	if r := e.token(t, tokenCall{path: "/oauth/token", basic: creds(def), form: form("grant_type", "client_credentials", "audience", def.Audience)}); r.status != http.StatusOK {
		t.Errorf("auth0-prod: %d %s", r.status, r.body)
	}
}

func TestAuth0QuotaMessage(t *testing.T) {
	if got, want := (&quotaError{limit: 1000}).Error(), "Quota exceeded: 1000 tokens per month"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
