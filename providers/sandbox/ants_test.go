package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestANTSSuccess(t *testing.T) {
	e := newEnv(t)
	e.clk.Set(time.Date(2023, 8, 10, 11, 41, 57, 643e6, time.UTC))
	c := e.client(t, "ants")
	tests := []struct {
		name, scope, wantScope, wantClaim string
	}{
		{"two scopes", "item,event", "item,event", "item event"},
		{"spaces around commas", "item, profile", "item,profile", "item profile"},
		{"one scope", "promotion", "promotion", "promotion"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.token(t, tokenCall{path: "/ants/oauth/token",
				form: form("grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", c.ClientSecret, "scope", tc.scope)})
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got, want := r.keys(t), []string{"accessToken", "accessTokenExpiresAt", "scope"}; !slices.Equal(got, want) {
				t.Errorf("keys %v, want %v", got, want)
			}
			body := r.object(t)
			if body["scope"] != tc.wantScope {
				t.Errorf("scope %v, want %s", body["scope"], tc.wantScope)
			}
			at, _ := body["accessTokenExpiresAt"].(string)
			if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(at) {
				t.Errorf("accessTokenExpiresAt %q is not like 2023-08-10T12:41:57.643Z", at)
			}
			cl := e.claims(t, body["accessToken"].(string))
			exp, _ := cl.GetExpirationTime()
			if at != "2023-08-10T12:41:57.643Z" || !exp.Equal(time.Date(2023, 8, 10, 12, 41, 57, 0, time.UTC)) {
				t.Errorf("accessTokenExpiresAt %q, JWT exp %v; want an hour after issue", at, exp)
			}
			if cl["scope"] != tc.wantClaim {
				t.Errorf("claim scope %v, want %q", cl["scope"], tc.wantClaim)
			}
		})
	}
}

func TestANTSErrors(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "ants")
	body := func(kv ...string) url.Values {
		return form(append([]string{"grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", c.ClientSecret}, kv...)...)
	}
	shape := func(status int, msg, name string) string {
		s := strconv.Itoa(status)
		return `{"statusCode":` + s + `,"status":` + s + `,"code":` + s + `,"message":"` + msg + `","name":"` + name + `"}`
	}
	tests := []struct {
		name   string
		call   tokenCall
		status int
		want   string
	}{
		{"unknown scope", tokenCall{form: body("scope", "item,orders")}, 400, shape(400, "Invalid scope: Requested scope is invalid", "invalid_scope")},
		{"space-separated scopes", tokenCall{form: body("scope", "item event")}, 400, shape(400, "Invalid scope: Requested scope is invalid", "invalid_scope")},
		{"empty item", tokenCall{form: body("scope", "item,")}, 400, shape(400, "Invalid scope: Requested scope is invalid", "invalid_scope")},
		{"missing scope", tokenCall{form: body()}, 400, shape(400, "Missing parameter: `scope`", "invalid_request")},
		{"wrong secret", tokenCall{form: form("grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", "WRONG", "scope", "item")}, 401,
			shape(401, "Invalid client: client is invalid", "invalid_client")},
		{"no credentials", tokenCall{form: form("grant_type", "client_credentials", "scope", "item")}, 400,
			shape(400, "Invalid client: cannot retrieve client credentials", "invalid_client")},
		{"password grant", tokenCall{form: form("grant_type", "password", "scope", "item")}, 400,
			shape(400, "Unsupported grant type: grant_type password is not supported", "unsupported_grant_type")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.call.path = "/ants/oauth/token"
			e.token(t, tc.call).wantJSON(t, tc.status, tc.want)
		})
	}
	if n := e.s.TotalIssued(); n != 0 {
		t.Errorf("TotalIssued %d, want 0", n)
	}
}
