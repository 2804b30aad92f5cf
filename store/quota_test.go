package store

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

func quotaProvider(t *testing.T, ts *tokenServer, limit int, per providers.Period) providers.Provider {
	t.Helper()
	p := ts.provider("svc")
	p.Quota = &providers.Quota{Limit: limit, Per: per}
	return p
}

func TestQuotaRefusesAtTheLimit(t *testing.T) {
	ctx := t.Context()
	ts, _, s := clockedStore(t)
	must(t, s.PutProvider(ctx, quotaProvider(t, ts, 1000, providers.PerMonth)))
	must(t, s.AddQuota(ctx, "svc", 1000, t0))

	_, err := s.Token(ctx, "svc", TokenOptions{})
	pe, ok := providers.AsError(err)
	want := "tokentop's own ledger counts 1000/1000 tokens this month (quota 1000 per month), so no request was made; it resets at 2026-12-01 00:00 UTC"
	if !ok || pe.Kind != providers.KindQuota || pe.Description != want || !strings.Contains(pe.Hint, "tokentop's count, not the vendor's") ||
		!strings.Contains(pe.Hint, "--force, which may go past the vendor's real limit") || pe.Provider != "svc" {
		t.Fatalf("Token at the limit: %#v", err)
	}
	if ts.requests.Load() != 0 {
		t.Fatal("the token endpoint was asked despite the quota")
	}
	if l := leaseOf(t, s, "svc"); l != nil {
		t.Fatalf("a refused fetch left a lease: %+v", l)
	}
	sm, err := s.Summary(ctx, "svc")
	must(t, err)
	if sm.LastError == nil || sm.LastError.Kind != "quota" || sm.Quota.Used != 1000 {
		t.Fatalf("summary after refusal: %+v", sm)
	}

	res, err := s.Token(ctx, "svc", TokenOptions{IgnoreQuota: true})
	must(t, err)
	if !slices.Equal(quotaWarnings(res.Warnings), []string{"quota 1001/1000 this month"}) {
		t.Fatalf("warnings past the limit: %q", res.Warnings)
	}
	// A cached token is handed out whatever the ledger says.
	if res, err := s.Token(ctx, "svc", TokenOptions{}); err != nil || !res.Cached {
		t.Fatalf("cached token past the quota: %v", err)
	}
}

func TestQuotaWarningAtEightyPercent(t *testing.T) {
	ctx := t.Context()
	ts, _, s := clockedStore(t)
	must(t, s.PutProvider(ctx, quotaProvider(t, ts, 1000, providers.PerMonth)))
	must(t, s.AddQuota(ctx, "svc", 798, t0))

	res, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if len(quotaWarnings(res.Warnings)) != 0 {
		t.Fatalf("warnings at 799/1000: %q", res.Warnings)
	}
	res, err = s.Token(ctx, "svc", TokenOptions{ForceRefresh: true})
	must(t, err)
	if !slices.Equal(quotaWarnings(res.Warnings), []string{"quota 800/1000 this month"}) {
		t.Fatalf("warnings at 800/1000: %q", res.Warnings)
	}
}

func TestQuotaWindows(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	clk := testsupport.NewClock(time.Date(2026, 11, 30, 23, 10, 0, 0, time.UTC))
	s := openStore(t, Options{Now: clk.Now})
	must(t, s.PutProvider(ctx, quotaProvider(t, ts, 2, providers.PerHour)))

	force := TokenOptions{ForceRefresh: true}
	usage := func() QuotaUsage {
		t.Helper()
		sm, err := s.Summary(ctx, "svc")
		must(t, err)
		return sm.Quota
	}
	for range 2 {
		_, err := s.Token(ctx, "svc", force)
		must(t, err)
	}
	if u := usage(); u != (QuotaUsage{Hour: 2, Day: 2, Month: 2, Limit: 2, Per: providers.PerHour, Used: 2}) {
		t.Fatalf("usage: %+v", u)
	}
	_, err := s.Token(ctx, "svc", force)
	if pe, ok := providers.AsError(err); !ok || pe.Kind != providers.KindQuota ||
		pe.Description != "tokentop's own ledger counts 2/2 tokens this hour (quota 2 per hour), so no request was made; it resets at 2026-12-01 00:00 UTC" {
		t.Fatalf("third token in the hour: %v", err)
	}

	clk.Add(time.Hour) // 2026-12-01T00:10: new hour, day and month
	if u := usage(); u != (QuotaUsage{Limit: 2, Per: providers.PerHour}) {
		t.Fatalf("usage in the new month: %+v", u)
	}
	_, err = s.Token(ctx, "svc", force)
	must(t, err)
	if u := usage(); u.Hour != 1 || u.Day != 1 || u.Month != 1 || u.Used != 1 {
		t.Fatalf("usage after the rollover: %+v", u)
	}

	// The ledger's keys, as stored.
	var keys []string
	must(t, s.view(ctx, func(tx kv.Tx) error {
		return tx.Scan(ledger("svc"), kv.ScanOptions{}, func(k, v []byte) error {
			keys = append(keys, string(k)+"="+itoa(kv.GetU64(v)))
			return nil
		})
	}))
	want := []string{"2026-11=2", "2026-11-30=2", "2026-11-30T23=2", "2026-12=1", "2026-12-01=1", "2026-12-01T00=1"}
	if !slices.Equal(keys, want) {
		t.Fatalf("ledger keys %q, want %q", keys, want)
	}

	// Day and month windows count the same ledger.
	p := quotaProvider(t, ts, 10, providers.PerDay)
	must(t, s.PutProvider(ctx, p))
	if u := usage(); u.Used != 1 || u.Per != providers.PerDay {
		t.Fatalf("per day: %+v", u)
	}
}

func TestQuotaLedgerIsPruned(t *testing.T) {
	ctx := t.Context()
	ts, _, s := clockedStore(t)
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	must(t, s.AddQuota(ctx, "svc", 5, t0.AddDate(-3, 0, 0)))
	must(t, s.AddQuota(ctx, "svc", 5, t0.Add(-72*time.Hour)))
	_, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	var keys []string
	must(t, s.view(ctx, func(tx kv.Tx) error {
		return tx.Scan(ledger("svc"), kv.ScanOptions{KeysOnly: true}, func(k, _ []byte) error {
			keys = append(keys, string(k))
			return nil
		})
	}))
	// Three years ago: all gone. Three days ago: the day stays, the hour goes.
	want := []string{"2026-11", "2026-11-19", "2026-11-22", "2026-11-22T05"}
	if !slices.Equal(keys, want) {
		t.Fatalf("ledger keys %q, want %q", keys, want)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// quotaWarnings picks the quota's warnings (an injected clock also earns
// a clock-skew warning from the token's Date header).
func quotaWarnings(ws []string) []string {
	var out []string
	for _, w := range ws {
		if strings.HasPrefix(w, "quota ") {
			out = append(out, w)
		}
	}
	return out
}
