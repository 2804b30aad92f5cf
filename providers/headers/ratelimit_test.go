package headers

import (
	"maps"
	"net/http"
	"testing"
	"time"
)

var rateNow = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

func TestParseRateLimit(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name string
		h    http.Header
		want RateLimit
	}{
		{"none", h("Content-Type", "application/json"), RateLimit{}},
		{"unreadable values", h("X-RateLimit-Limit", "lots", "X-RateLimit-Reset", "later"), RateLimit{}},
		{"X-RateLimit with an epoch reset (GitHub)",
			h("X-RateLimit-Limit", "5000", "X-RateLimit-Remaining", "4987", "X-RateLimit-Reset", "1748857200"),
			RateLimit{Limit: 5000, Remaining: 4987, Reset: time.Unix(1748857200, 0), Found: true}},
		{"X-RateLimit with a delta reset",
			h("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "42"),
			RateLimit{Limit: 60, Remaining: 0, Reset: rateNow.Add(42 * time.Second), Found: true}},
		{"X-Rate-Limit (Twitter)",
			h("X-Rate-Limit-Limit", "900", "X-Rate-Limit-Remaining", "899", "X-Rate-Limit-Reset", "1748857200"),
			RateLimit{Limit: 900, Remaining: 899, Reset: time.Unix(1748857200, 0), Found: true}},
		{"IETF RateLimit-Limit/-Remaining/-Reset (delta)",
			h("RateLimit-Limit", "100", "RateLimit-Remaining", "9", "RateLimit-Reset", "30"),
			RateLimit{Limit: 100, Remaining: 9, Reset: rateNow.Add(30 * time.Second), Found: true}},
		{"list values: the first number counts",
			h("RateLimit-Limit", "100, 100;w=60, 1000;w=3600", "RateLimit-Remaining", "7;w=60"),
			RateLimit{Limit: 100, Remaining: 7, Found: true}},
		{"reset as an HTTP date",
			h("X-RateLimit-Reset", rateNow.Add(time.Hour).Format(http.TimeFormat)),
			RateLimit{Reset: rateNow.Add(time.Hour), Found: true}},
		{"combined draft 7",
			h("RateLimit", "limit=100, remaining=9, reset=30"),
			RateLimit{Limit: 100, Remaining: 9, Reset: rateNow.Add(30 * time.Second), Found: true}},
		{"structured, with the policy giving the limit",
			h("RateLimit", `"default";r=9;t=30`, "RateLimit-Policy", `"default";q=100;w=60`),
			RateLimit{Limit: 100, Remaining: 9, Reset: rateNow.Add(30 * time.Second), Policy: `"default";q=100;w=60`, Found: true}},
		{"draft 6 policy alone",
			h("RateLimit-Policy", "100;w=60"),
			RateLimit{Limit: 100, Policy: "100;w=60", Found: true}},
		{"policy does not replace a known limit",
			h("X-RateLimit-Limit", "50", "RateLimit-Policy", "100;w=60"),
			RateLimit{Limit: 50, Policy: "100;w=60", Found: true}},
		{"policy text is sanitised",
			h("RateLimit-Policy", "10;w=1;comment=\"\x1b[31mred\""),
			RateLimit{Limit: 10, Policy: `10;w=1;comment="red"`, Found: true}},
		{"combined with junk members",
			h("RateLimit", "limit=abc, remaining, reset=5, other=1"),
			RateLimit{Reset: rateNow.Add(5 * time.Second), Found: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseRateLimit(tt.h, rateNow)
			if got.Limit != tt.want.Limit || got.Remaining != tt.want.Remaining || !got.Reset.Equal(tt.want.Reset) ||
				got.Policy != tt.want.Policy || got.Found != tt.want.Found {
				t.Errorf("ParseRateLimit = %+v\nwant             %+v", got, tt.want)
			}
		})
	}
}

func TestRateLimitFields(t *testing.T) {
	tests := []struct {
		name string
		rl   RateLimit
		want map[string]string
	}{
		{"not found", RateLimit{}, nil},
		{"everything", RateLimit{Limit: 100, Remaining: 9, Reset: rateNow.Add(90 * time.Second), Policy: "100;w=60", Found: true},
			map[string]string{"limit": "100", "remaining": "9", "reset": "2025-06-02T09:31:30Z", "reset_in": "1m30s", "policy": "100;w=60"}},
		{"reset in the past has no countdown", RateLimit{Remaining: 0, Reset: rateNow.Add(-time.Minute), Found: true},
			map[string]string{"remaining": "0", "reset": "2025-06-02T09:29:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rl.Fields(rateNow); !maps.Equal(got, tt.want) {
				t.Errorf("Fields = %v, want %v", got, tt.want)
			}
		})
	}
}
