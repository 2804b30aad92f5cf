package sandbox

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestAPIRateLimit(t *testing.T) {
	e := newEnv(t)
	tok := e.cognitoToken(t, e.client(t, "cognito-dev"))
	reset := strconv.FormatInt(testStart.Add(time.Minute).Unix(), 10)

	for i := 1; i <= 100; i++ {
		if i == 11 {
			e.clk.Add(10 * time.Second) // later in the same window
		}
		r := e.get(t, "/api/v1/items", tok)
		if r.status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
		remaining := strconv.Itoa(100 - i)
		secs := "60"
		if i > 10 {
			secs = "50"
		}
		want := map[string]string{
			"X-RateLimit-Limit":     "100",
			"X-RateLimit-Remaining": remaining,
			"X-RateLimit-Reset":     reset,
			"RateLimit-Policy":      "100;w=60",
			"RateLimit":             "limit=100, remaining=" + remaining + ", reset=" + secs,
		}
		for h, v := range want {
			if got := r.header.Get(h); got != v {
				t.Fatalf("request %d: %s %q, want %q", i, h, got, v)
			}
		}
		if r.header.Get("Retry-After") != "" {
			t.Fatalf("request %d: Retry-After on a 200", i)
		}
	}

	r := e.get(t, "/api/v1/items", tok)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("request 101: %d, want 429", r.status)
	}
	if got := r.header.Get("Retry-After"); got != "50" {
		t.Errorf("Retry-After %q, want 50", got)
	}
	if got := r.header.Get("X-RateLimit-Remaining"); got != "0" {
		t.Errorf("X-RateLimit-Remaining %q, want 0", got)
	}
	if got := r.object(t)["error"]; got != "rate_limited" {
		t.Errorf("error %v", got)
	}

	// The limit is per subject: another client is unaffected.
	if r := e.get(t, "/api/v1/items", e.cognitoToken(t, e.client(t, "a55"))); r.status != http.StatusOK || r.header.Get("X-RateLimit-Remaining") != "99" {
		t.Errorf("other subject: %d remaining %q", r.status, r.header.Get("X-RateLimit-Remaining"))
	}

	// A new window starts once the old one is over.
	e.clk.Add(50 * time.Second)
	r = e.get(t, "/api/v1/items", tok)
	if r.status != http.StatusOK || r.header.Get("X-RateLimit-Remaining") != "99" {
		t.Errorf("next window: %d remaining %q", r.status, r.header.Get("X-RateLimit-Remaining"))
	}
	if got, want := r.header.Get("X-RateLimit-Reset"), strconv.FormatInt(testStart.Add(2*time.Minute).Unix(), 10); got != want {
		t.Errorf("X-RateLimit-Reset %s, want %s", got, want)
	}
}
