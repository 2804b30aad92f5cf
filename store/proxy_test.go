package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
)

// TestRecordProxy: the figures and the last call land together, bounded
// whatever they hold; an unknown provider is the usual error.
func TestRecordProxy(t *testing.T) {
	ctx := t.Context()
	s := openStore(t, Options{})
	must(t, s.PutProvider(ctx, providers.Provider{Name: "p"}))
	statuses, rl := map[string]int64{}, map[string]string{}
	for i := range 50 {
		statuses[fmt.Sprintf("%03d", i)] = int64(i)
		rl[fmt.Sprintf("figure-%02d", i)] = strings.Repeat("r", 1<<20)
	}
	now := time.Now()
	f := ProxyFigures{Since: now, At: now, Requests: 7, Statuses: statuses, Retried: 1, NewTokens: 1, LatencyMean: time.Millisecond, LatencyMax: 2 * time.Millisecond, RateLimit: rl}
	last := CallRecord{At: now, Endpoint: "proxy GET /" + strings.Repeat("e", 1<<20), Status: 200, RateLimit: rl}
	must(t, s.RecordProxy(ctx, "p", f, last))
	sm, err := s.Summary(ctx, "p")
	must(t, err)
	got := sm.Proxy
	if got == nil || got.Requests != 7 || got.Retried != 1 || got.NewTokens != 1 || got.LatencyMax != 2*time.Millisecond {
		t.Fatalf("figures: %+v", got)
	}
	if len(got.Statuses) > maxCallFigures || len(got.RateLimit) > maxCallFigures {
		t.Fatalf("%d statuses, %d rate-limit figures kept", len(got.Statuses), len(got.RateLimit))
	}
	for k, v := range got.RateLimit {
		if len([]rune(v)) > maxCallText {
			t.Errorf("figure %s keeps %d bytes", k, len(v))
		}
	}
	if c := sm.LastCall; c == nil || c.Status != 200 || len([]rune(c.Endpoint)) > maxCallText || !strings.HasPrefix(c.Endpoint, "proxy GET /") {
		t.Fatalf("last call: %+v", sm.LastCall)
	}
	if err := s.RecordProxy(ctx, "nope", f, last); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown provider: %v", err)
	}
}
