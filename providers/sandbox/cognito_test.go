package sandbox

import (
	"net/http"
	"slices"
	"testing"
)

// oddClient has credentials holding every character RFC 6749 §2.3.1
// encoding matters for.
var oddClient = Client{
	Name:         "odd",
	ClientID:     "odd:client id%41+&=",
	ClientSecret: "s3:cr%2Bt + &x= y",
	Style:        StyleCognito,
	Scopes:       []string{"api/read"},
}

func TestCognitoSuccess(t *testing.T) {
	e := newEnv(t)
	dev := e.client(t, "cognito-dev")
	a55 := e.client(t, "a55")
	e.s.AddClient(oddClient)

	tests := []struct {
		name      string
		call      tokenCall
		client    Client
		wantScope string
	}{
		{"seed 000: Basic, api/write", tokenCall{basic: creds(dev), form: form("grant_type", "client_credentials", "scope", "api/write")}, dev, "api/write"},
		{"no scope grants all", tokenCall{basic: creds(dev), form: form("grant_type", "client_credentials")}, dev, "api/read api/write"},
		{"two scopes", tokenCall{basic: creds(dev), form: form("grant_type", "client_credentials", "scope", "api/write api/read")}, dev, "api/write api/read"},
		{"seed 002: body credentials, no scope", tokenCall{form: form("grant_type", "client_credentials", "client_id", a55.ClientID, "client_secret", a55.ClientSecret)}, a55, ""},
		{"Basic with client_id repeated in body", tokenCall{basic: creds(dev), form: form("grant_type", "client_credentials", "client_id", dev.ClientID)}, dev, "api/read api/write"},
		{"odd characters, Basic form-encoded", tokenCall{basic: creds(oddClient), form: form("grant_type", "client_credentials")}, oddClient, "api/read"},
		{"odd characters, body", tokenCall{form: form("grant_type", "client_credentials", "client_id", oddClient.ClientID, "client_secret", oddClient.ClientSecret)}, oddClient, "api/read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.call.path = "/oauth2/token"
			before := e.s.Issued(tc.client.ClientID)
			r := e.token(t, tc.call)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got, want := r.keys(t), []string{"access_token", "expires_in", "token_type"}; !slices.Equal(got, want) {
				t.Errorf("keys %v, want %v", got, want)
			}
			if got := r.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			body := r.object(t)
			if body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) {
				t.Errorf("token_type %v expires_in %v", body["token_type"], body["expires_in"])
			}
			cl := e.claims(t, body["access_token"].(string))
			scope, _ := cl["scope"].(string)
			if cl["sub"] != tc.client.ClientID || cl["client_id"] != tc.client.ClientID || scope != tc.wantScope {
				t.Errorf("claims sub %v client_id %v scope %q, want %q", cl["sub"], cl["client_id"], scope, tc.wantScope)
			}
			if cl["iss"] != e.ts.URL || cl["aud"] != e.ts.URL+"/api" {
				t.Errorf("iss %v aud %v, want %s and %s/api", cl["iss"], cl["aud"], e.ts.URL, e.ts.URL)
			}
			exp, _ := cl.GetExpirationTime()
			if want := testStart.Add(3600e9); !exp.Equal(want) {
				t.Errorf("exp %v, want %v", exp, want)
			}
			if got := e.s.Issued(tc.client.ClientID); got != before+1 {
				t.Errorf("Issued %d, want %d", got, before+1)
			}
		})
	}
}

func TestCognitoShortLivedLifetime(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "short-lived")
	r := e.token(t, tokenCall{path: "/oauth2/token", basic: creds(c), form: form("grant_type", "client_credentials")})
	if got := r.object(t)["expires_in"]; got != float64(90) {
		t.Errorf("expires_in %v, want 90", got)
	}
}

func TestCognitoErrors(t *testing.T) {
	e := newEnv(t)
	dev := e.client(t, "cognito-dev")
	auth0 := e.client(t, "auth0-prod")
	e.s.AddClient(oddClient)
	cc := "grant_type"
	tests := []struct {
		name   string
		call   tokenCall
		status int
		code   string
	}{
		{"unknown scope", tokenCall{basic: creds(dev), form: form(cc, "client_credentials", "scope", "api/admin")}, 400, "invalid_scope"},
		{"comma-separated scopes", tokenCall{basic: creds(dev), form: form(cc, "client_credentials", "scope", "api/read,api/write")}, 400, "invalid_scope"},
		{"wrong secret", tokenCall{basic: &[2]string{dev.ClientID, "nope"}, form: form(cc, "client_credentials")}, 400, "invalid_client"},
		{"unknown client", tokenCall{basic: &[2]string{"nobody", dev.ClientSecret}, form: form(cc, "client_credentials")}, 400, "invalid_client"},
		{"no credentials", tokenCall{form: form(cc, "client_credentials")}, 400, "invalid_client"},
		{"client_id without secret", tokenCall{form: form(cc, "client_credentials", "client_id", dev.ClientID)}, 400, "invalid_client"},
		{"another style's client", tokenCall{form: form(cc, "client_credentials", "client_id", auth0.ClientID, "client_secret", auth0.ClientSecret)}, 400, "invalid_client"},
		{"Basic not form-encoded", tokenCall{rawBasic: creds(oddClient), form: form(cc, "client_credentials")}, 400, "invalid_client"},
		{"Basic and body at once", tokenCall{basic: creds(dev), form: form(cc, "client_credentials", "client_id", dev.ClientID, "client_secret", dev.ClientSecret)}, 400, "invalid_request"},
		{"Basic and another body client_id", tokenCall{basic: creds(dev), form: form(cc, "client_credentials", "client_id", "other")}, 400, "invalid_request"},
		{"repeated scope", tokenCall{basic: creds(dev), form: form(cc, "client_credentials", "scope", "api/read", "scope", "api/write")}, 400, "invalid_request"},
		{"password grant", tokenCall{basic: creds(dev), form: form(cc, "password")}, 400, "unsupported_grant_type"},
		{"no grant_type", tokenCall{basic: creds(dev), form: form("scope", "api/read")}, 400, "unsupported_grant_type"},
		{"GET", tokenCall{method: http.MethodGet, basic: creds(dev), form: form(cc, "client_credentials")}, 400, "unsupported_grant_type"},
		{"JSON body", tokenCall{contentType: "application/json", basic: creds(dev), form: form(cc, "client_credentials")}, 400, "unsupported_grant_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.call.path = "/oauth2/token"
			r := e.token(t, tc.call)
			r.wantJSON(t, tc.status, `{"error":"`+tc.code+`"}`)
		})
	}
	if n := e.s.TotalIssued(); n != 0 {
		t.Errorf("TotalIssued %d after failures only, want 0", n)
	}
}
