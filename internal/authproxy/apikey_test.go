package authproxy

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// keyRoute puts an api_key provider for the sandbox's key API in env's
// store and routes / to it, the key going where p says.
func keyRoute(t *testing.T, env *sandboxenv.Env, p providers.Provider) Route {
	t.Helper()
	p.Grant, p.ClientSecret = providers.GrantAPIKey, sandbox.APIKey
	if err := env.Store.PutProvider(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	r := mustRoute(t, "/", p.Name, env.URL)
	k := p.Placement()
	r.Key = &k
	return r
}

// TestProxySendsTheAPIKey: the proxy puts the key in the configured
// header or query parameter, in place of the client's own copy (a wrong
// key here), says so in the log, and never logs the key, the client's
// copy or the query value.
func TestProxySendsTheAPIKey(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	for _, c := range []struct {
		p       providers.Provider
		path    string
		header  http.Header
		via     string
		logText string
	}{
		{providers.Provider{Name: "hdr", KeyHeader: "x-api-key"}, sandbox.PathKeyAPI, http.Header{"X-Api-Key": {"client-own-wrong-key-1"}},
			"header X-API-Key", "the client's own X-Api-Key header was removed and replaced"},
		{providers.Provider{Name: "qry", KeyQuery: "api_key"}, sandbox.PathKeyAPI + "?api_key=client-own-wrong-key-1&page=2", nil,
			"query parameter api_key", "the client's own api_key query parameter was removed and replaced"},
	} {
		t.Run(c.p.Name, func(t *testing.T) {
			h := startProxy(t, env, Options{Routes: []Route{keyRoute(t, env, c.p)}})
			status, body := h.do("GET", c.path, nil, c.header)
			var got struct {
				KeyVia string `json:"key_via"`
			}
			if err := json.Unmarshal([]byte(body), &got); status != http.StatusOK || err != nil || got.KeyVia != c.via {
				t.Fatalf("status %d, body %q; want 200 with the key via %s\nlog:\n%s", status, body, c.via, h.log.String())
			}
			logText := h.waitLog("status=200", c.logText)
			if c.p.KeyQuery != "" && !strings.Contains(logText, "?api_key=[redacted]&page=2") {
				t.Errorf("the log does not show the query with the key hidden:\n%s", logText)
			}
			h.assertNoSecretInLog(sandbox.APIKey, "client-own-wrong-key-1")
			if sm := h.summaryAfter(c.p.Name, 1); sm.Proxy.RateLimit["limit"] != "100" {
				t.Errorf("the key API's rate limit was not counted: %v", sm.Proxy.RateLimit)
			}
		})
	}
}

// TestProxyRefusesAnExpiredKey: a key past its expires date is not sent;
// the client gets the proxy's 502 with the date and how to rotate.
func TestProxyRefusesAnExpiredKey(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	h := startProxy(t, env, Options{Routes: []Route{keyRoute(t, env, providers.Provider{Name: "old", KeyHeader: "X-API-Key", Expires: "2021-03-04"})}})
	status, body := h.do("GET", sandbox.PathKeyAPI, nil, nil)
	if status != http.StatusBadGateway || !contains(body, "expired on 2021-03-04", "rotate it") {
		t.Fatalf("status %d, body %q", status, body)
	}
}

// contains reports whether s holds every one of subs.
func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
