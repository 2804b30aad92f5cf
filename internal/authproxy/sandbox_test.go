package authproxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
)

// TestHundredRequestsCostOneToken: 100 requests, ten at a time, through
// the proxy to the sandbox's API get one token from the sandbox.
func TestHundredRequestsCostOneToken(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, env.URL)}})
	var wg sync.WaitGroup
	statuses := make(chan int, 100)
	for w := 0; w < 10; w++ {
		wg.Go(func() {
			for i := 0; i < 10; i++ {
				status, _ := h.do("GET", "/api/v1/items", nil, nil)
				statuses <- status
			}
		})
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusOK {
			t.Fatalf("a request got %d, want 200\nlog:\n%s", s, h.log.String())
		}
	}
	if n := env.Sandbox.Issued(cognitoID); n != 1 {
		t.Fatalf("100 requests cost %d tokens, want 1", n)
	}
	sm := h.summaryAfter(cognito, 100)
	f := sm.Proxy
	if f == nil || f.Requests != 100 || f.Statuses["2xx"] != 100 || f.Retried != 0 || f.LatencyMax <= 0 || f.LatencyMean > f.LatencyMax {
		t.Fatalf("figures: %+v", f)
	}
	if f.RateLimit["limit"] != "100" || f.RateLimit["remaining"] == "" {
		t.Fatalf("rate-limit figures: %v", f.RateLimit)
	}
	if lc := sm.LastCall; lc == nil || lc.Status != 200 || lc.Endpoint != "proxy GET /api/v1/items" || lc.RateLimit["limit"] != "100" {
		t.Fatalf("last call: %+v", sm.LastCall)
	}
	h.waitLog("GET /api/v1/items", "status=200")
	h.assertNoSecretInLog(h.cached(cognito))
}

// TestRevocationRecoveredWithOneNewToken: a token revoked at the server
// makes the API answer 401 invalid_token; the proxy fetches one new token
// however many requests saw the old one refused, and the clients see 200.
func TestRevocationRecoveredWithOneNewToken(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, env.URL)}})
	if status, body := h.do("GET", "/api/v1/items", nil, nil); status != 200 {
		t.Fatalf("first request: %d %s", status, body)
	}
	old := h.revoke(cognito)

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if status, body := h.do("GET", "/api/v1/items", nil, nil); status != 200 {
				t.Errorf("after the revocation: %d %s", status, body)
			}
		})
	}
	wg.Wait()
	if n := env.Sandbox.Issued(cognitoID); n != 2 {
		t.Fatalf("issued %d tokens, want 2: the first and one replacement\nlog:\n%s", n, h.log.String())
	}
	if now := h.cached(cognito); now == old {
		t.Fatal("the cache still holds the revoked token")
	}
	h.waitLog("sent again with a new token")
	h.assertNoSecretInLog(old, h.cached(cognito))
	if f := h.summaryAfter(cognito, 9).Proxy; f.Requests != 9 || f.Statuses["2xx"] != 9 || f.Retried != 8 || f.NewTokens != 1 {
		t.Fatalf("figures: %+v", f)
	}
}

// TestPostBodyRetried: a POST whose token was revoked is sent again, body
// and all, with the new token.
func TestPostBodyRetried(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, env.URL)}})
	h.do("GET", "/api/v1/items", nil, nil)
	h.revoke(cognito)
	status, body := h.do("POST", "/api/v1/items", strings.NewReader(`{"name":"Dehydrated boulders"}`), http.Header{"Content-Type": {"application/json"}})
	if status != http.StatusCreated {
		t.Fatalf("POST after the revocation: %d %s", status, body)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil || got["name"] != "Dehydrated boulders" {
		t.Fatalf("the API should echo the body sent again: %s (%v)", body, err)
	}
	if n := env.Sandbox.Issued(cognitoID); n != 2 {
		t.Fatalf("issued %d tokens, want 2", n)
	}
}
