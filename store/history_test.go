package store

import (
	"slices"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
)

func TestRecentDaysInSummaries(t *testing.T) {
	ctx := t.Context()
	ts, _, s := clockedStore(t) // t0: 2026-11-22 05:00 UTC
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	must(t, s.PutProvider(ctx, ts.provider("idle")))
	must(t, s.AddQuota(ctx, "svc", 9, t0.AddDate(0, 0, -14))) // a day before the window
	must(t, s.AddQuota(ctx, "svc", 3, t0.AddDate(0, 0, -13))) // its first day
	must(t, s.AddQuota(ctx, "svc", 2, t0.AddDate(0, 0, -1)))
	must(t, s.AddQuota(ctx, "svc", 1, t0.Add(-time.Hour)))   // today, an hour before
	must(t, s.AddQuota(ctx, "svc", 4, t0.AddDate(0, -1, 0))) // last month: a month key among them

	sums, err := s.Summaries(ctx)
	must(t, err)
	got := map[string][RecentDays]int{}
	for _, sm := range sums {
		got[sm.Provider.Name] = sm.Recent
	}
	want := [RecentDays]int{3, 12: 2, 13: 1}
	if got["svc"] != want {
		t.Fatalf("svc's last 14 days: %v, want %v", got["svc"], want)
	}
	if got["idle"] != ([RecentDays]int{}) {
		t.Fatalf("a provider with no ledger: %v", got["idle"])
	}
}

func TestQuotaHistoryPerPeriod(t *testing.T) {
	ctx := t.Context()
	ts, _, s := clockedStore(t) // t0: 2026-11-22 05:00 UTC
	p := ts.provider("svc")
	must(t, s.PutProvider(ctx, p))
	must(t, s.AddQuota(ctx, "svc", 5, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)))
	must(t, s.AddQuota(ctx, "svc", 2, time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC)))
	must(t, s.AddQuota(ctx, "svc", 1, t0))
	must(t, s.AddQuota(ctx, "svc", 7, time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC)))

	// No quota: the days of this month, a running total.
	h, err := s.QuotaHistory(ctx, "svc")
	must(t, err)
	if !h.Cumulative || h.Step != providers.PerDay || h.Buckets != 30 || len(h.Counts) != 22 ||
		!h.Start.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !h.End.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("month: %+v", h)
	}
	if h.Counts[0] != 5 || h.Counts[20] != 2 || h.Counts[21] != 1 || h.Usage.Month != 8 {
		t.Fatalf("month counts %v, usage %+v", h.Counts, h.Usage)
	}

	// A daily quota: one bar a day over the last 30 days, each its own window.
	p.Quota = &providers.Quota{Limit: 10, Per: providers.PerDay}
	must(t, s.PutProvider(ctx, p))
	h, err = s.QuotaHistory(ctx, "svc")
	must(t, err)
	if h.Cumulative || h.Step != providers.PerDay || h.Buckets != HistoryDays || len(h.Counts) != HistoryDays {
		t.Fatalf("day: %+v", h)
	}
	if !slices.Equal(h.Counts[HistoryDays-3:], []int{0, 2, 1}) || h.Counts[HistoryDays-23] != 7 || h.Usage.Used != 1 {
		t.Fatalf("day counts %v, usage %+v", h.Counts, h.Usage)
	}

	// An hourly quota: one bar an hour over the hours the ledger keeps.
	p.Quota = &providers.Quota{Limit: 3, Per: providers.PerHour}
	must(t, s.PutProvider(ctx, p))
	h, err = s.QuotaHistory(ctx, "svc")
	must(t, err)
	if h.Cumulative || h.Step != providers.PerHour || h.Buckets != HistoryHours || len(h.Counts) != HistoryHours {
		t.Fatalf("hour: %+v", h)
	}
	if h.Counts[HistoryHours-1] != 1 || h.Counts[HistoryHours-7] != 2 || h.Usage.Used != 1 || h.Usage.Limit != 3 {
		t.Fatalf("hour counts %v, usage %+v", h.Counts, h.Usage)
	}

	if _, err := s.QuotaHistory(ctx, "nobody"); err == nil {
		t.Fatal("the history of a provider that does not exist")
	}
}
