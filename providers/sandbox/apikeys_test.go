package sandbox

import (
	"net/http"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestKeyAPI: the key API takes the key in X-API-Key, ?api_key= or
// Authorization: ApiKey, says which, and sends rate-limit headers; it
// refuses no key, a wrong key, and a revoked key, each by name.
func TestKeyAPI(t *testing.T) {
	e := newEnv(t)
	get := func(query string, h http.Header) reply {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+PathKeyAPI+query, nil)
		for k, vs := range h {
			req.Header[k] = vs
		}
		return do(t, req)
	}
	for _, c := range []struct {
		query string
		h     http.Header
		via   string
	}{
		{"", http.Header{"X-Api-Key": {APIKey}}, "header X-API-Key"},
		{"?api_key=" + APIKey, nil, "query parameter api_key"},
		{"", http.Header{"Authorization": {"ApiKey " + APIKey}}, "Authorization ApiKey"},
	} {
		r := get(c.query, c.h)
		if r.status != http.StatusOK || r.object(t)["key_via"] != c.via || r.header.Get("X-RateLimit-Limit") != "100" || r.header.Get("RateLimit-Policy") == "" {
			t.Errorf("%s: %d %s %v", c.via, r.status, r.body, r.header)
		}
	}
	get("", http.Header{"Authorization": {"Bearer " + APIKey}}).wantJSON(t, http.StatusUnauthorized,
		`{"error":"missing_api_key","error_description":"No API key: send it in X-API-Key, ?api_key= or Authorization: ApiKey"}`)
	get("", http.Header{"X-Api-Key": {"nope"}}).wantJSON(t, http.StatusUnauthorized, `{"error":"invalid_api_key","error_description":"The API key is not valid"}`)
	e.s.RevokeAPIKey(APIKey)
	r := get("?api_key="+APIKey, nil)
	if r.status != http.StatusUnauthorized || r.object(t)["error"] != "key_revoked" {
		t.Errorf("revoked: %d %s", r.status, r.body)
	}
}

// TestDemoProvidersYAMLHasAnAPIKey: the demo's file is the providers
// file plus an api_key provider due for rotation inside its warning.
func TestDemoProvidersYAMLHasAnAPIKey(t *testing.T) {
	e := newEnv(t)
	base := "http://127.0.0.1:4321"
	plain, demo := e.s.ProvidersYAML(base), e.s.DemoProvidersYAML(base)
	if !strings.HasPrefix(demo, strings.TrimRight(plain, "\n")) || strings.Contains(plain, "api_key") {
		t.Fatalf("the demo file is not the providers file plus more:\n%s", demo)
	}
	var doc struct {
		Providers []map[string]any `yaml:"providers"`
	}
	if err := yaml.Unmarshal([]byte(demo), &doc); err != nil {
		t.Fatal(err)
	}
	last := doc.Providers[len(doc.Providers)-1]
	due := e.clk.Now().Add(apiKeyDueIn).UTC().Format("2006-01-02")
	if last["name"] != APIKeyProvider || last["grant"] != "api_key" || last["client_secret"] != APIKey || last["key_header"] != "X-API-Key" || last["rotate_by"] != due || last["warn_before"] != "14d" {
		t.Errorf("api_key entry %v", last)
	}
}
