package headers

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseWWWAuthenticate(t *testing.T) {
	tests := []struct {
		in   string
		want []Challenge
	}{
		{`Bearer realm="example", error="invalid_token", error_description="The access token expired"`,
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"realm": "example", "error": "invalid_token", "error_description": "The access token expired"}}}},
		{`Bearer`, []Challenge{{Scheme: "Bearer", Params: map[string]string{}}}},
		{`Bearer error=insufficient_scope, scope="read write"`,
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"error": "insufficient_scope", "scope": "read write"}}}},
		{`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple"`,
			[]Challenge{{Scheme: "Newauth", Params: map[string]string{"realm": "apps", "type": "1", "title": `Login to "apps"`}},
				{Scheme: "Basic", Params: map[string]string{"realm": "simple"}}}},
		{`Negotiate a87421000492aa874209af8bc028==, Bearer realm = "x"`,
			[]Challenge{{Scheme: "Negotiate", Token68: "a87421000492aa874209af8bc028==", Params: map[string]string{}},
				{Scheme: "Bearer", Params: map[string]string{"realm": "x"}}}},
		{`Basic, Bearer REALM="Mixed Case"`,
			[]Challenge{{Scheme: "Basic", Params: map[string]string{}}, {Scheme: "Bearer", Params: map[string]string{"realm": "Mixed Case"}}}},
		{`Bearer error="invalid_token", error_description="unterminated`,
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"error": "invalid_token", "error_description": "unterminated"}}}},
		{`Bearer error_description="a` + "\x1b[2J" + `b"`,
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"error_description": "ab"}}}},
		{``, nil},
		{`, ,`, nil},
	}
	for _, tt := range tests {
		got := ParseWWWAuthenticate(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseWWWAuthenticate(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestExplainRefusal(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		scope   string
		header  string
		summary string
		hint    string
		missing string
	}{
		{"expired", 401, "", `Bearer realm="s", error="invalid_token", error_description="The access token expired"`, "invalid_token", "expired", ""},
		{"revoked", 401, "", `Bearer error="invalid_token", error_description="The access token was revoked"`, "invalid_token", "revoked", ""},
		{"audience", 401, "", `Bearer error="invalid_token", error_description="Invalid audience"`, "invalid_token", "audience", ""},
		{"insufficient scope", 403, "api/read", `Bearer error="insufficient_scope", scope="admin api/read"`, "insufficient_scope", "add admin", "admin"},
		{"comma scopes", 403, "item,event", `Bearer error="insufficient_scope", scope="item profile"`, "insufficient_scope", "the token has item event", "profile"},
		{"invalid request", 400, "", `Bearer error="invalid_request"`, "malformed", "Authorization: Bearer", ""},
		{"bare challenge", 401, "", `Bearer realm="x"`, "named no error", "token was sent", ""},
		{"basic", 401, "", `Basic realm="x"`, "Basic authentication", "may not take OAuth2", ""},
		{"no header 403", 403, "", ``, "refused the call", "lacks permission", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ExplainRefusal(tt.status, tt.scope, tt.header)
			if !strings.Contains(r.Summary, tt.summary) || !strings.Contains(r.Hint, tt.hint) || strings.Join(r.Missing, " ") != tt.missing {
				t.Errorf("summary %q hint %q missing %v", r.Summary, r.Hint, r.Missing)
			}
		})
	}
}

func TestResourceMetadata(t *testing.T) {
	for _, tt := range []struct {
		challenges []string
		want       string
	}{
		{nil, ""},
		{[]string{`Basic realm="api"`}, ""},
		{[]string{`Bearer error="invalid_token"`}, ""},
		{[]string{`Basic realm="x", Bearer resource_metadata="https://api.example/.well-known/oauth-protected-resource"`}, "https://api.example/.well-known/oauth-protected-resource"},
		{[]string{`Bearer realm="a"`, `bearer resource_metadata="https://b.example/m"`}, "https://b.example/m"},
	} {
		if got := ResourceMetadata(tt.challenges...); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.challenges, got, tt.want)
		}
	}
}
