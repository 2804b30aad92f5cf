package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// fillMarch gives auth0-prod (1000 tokens a month) a ledger over the first
// half of March: 581 tokens by the 14th, so 1000 are reached on the 24th.
func fillMarch(t *testing.T, e *env) {
	t.Helper()
	for day, n := range map[int]int{1: 40, 3: 70, 7: 120, 10: 200, 13: 150} {
		if err := e.st.AddQuota(e.ctx, "auth0-prod", n, time.Date(2026, 3, day, 12, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
}

// The chart at a fixed clock: March's running total against the limit
// line, the projection and its sentence; the table's sparkline beside.
func TestGoldenQuotaChart(t *testing.T) {
	e := newEnv(t, true)
	fillMarch(t, e)
	tm := e.start(e.config(), 200, 60)
	selectProvider(t, tm, "auth0-prod")
	press(tm, "enter")
	waitFor(t, tm, "at this rate: 1000 reached on Mar 24")
	view := normalize(final(t, tm))
	for _, want := range []string{"Tokens issued in March, running total · quota 1000 per month", "1000 ┤────", "Mar 1", "Mar 31", "14 DAYS"} {
		if !strings.Contains(view, want) {
			t.Errorf("the chart lacks %q", want)
		}
	}
	golden.RequireEqual(t, []byte(view))
}

// The chart's projection and sentence for each kind of quota.
func TestChartSentences(t *testing.T) {
	st, _ := asciiStyles()
	march := func(limit int, counts ...int) *store.QuotaHistory {
		return &store.QuotaHistory{Usage: store.QuotaUsage{Limit: limit, Per: providers.PerMonth}, Step: providers.PerDay, Cumulative: true,
			Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Buckets: 31,
			Counts: counts, Now: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)}
	}
	hourly := &store.QuotaHistory{Usage: store.QuotaUsage{Limit: 20, Per: providers.PerHour}, Step: providers.PerHour,
		Start: time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC), Buckets: 48,
		Counts: append(make([]int, 47), 6), Now: time.Date(2026, 3, 14, 9, 15, 0, 0, time.UTC)}
	for _, tc := range []struct {
		name string
		h    *store.QuotaHistory
		want string
	}{
		{"on course to the limit", march(1000, 100, 100, 0), "at this rate: 1000 reached on Mar 11"},
		{"under the limit by the month's end", march(1000, 10, 10, 0), "at this rate: ~310 of 1000 by Apr 1"},
		{"at the limit", march(100, 60, 40, 0), "100/100 used this month: no fetch until Apr 1 00:00 UTC"},
		{"no quota", march(0, 3, 3, 0), "at this rate: ~93 by Apr 1"},
		{"nothing yet", march(1000, 0, 0, 0), "no tokens issued yet this month"},
		{"an hourly quota", hourly, "at this rate: 20 reached at 09:50 UTC"},
	} {
		got := quotaChart(st, tc.h, 60)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: want %q in\n%s", tc.name, tc.want, got)
		}
		if n := strings.Count(got, "\n") + 1; n != chartHeight+2 {
			t.Errorf("%s: %d lines, want %d", tc.name, n, chartHeight+2)
		}
	}
	// 48 hourly bars in 30 cells keep the newest hours.
	if got := quotaChart(st, hourly, 30); !strings.Contains(got, "Mar 13 09h") || strings.Contains(got, "Mar 12") {
		t.Errorf("a narrow hourly chart should start 25 hours back:\n%s", got)
	}
}

func TestSparkline(t *testing.T) {
	if got, want := sparkline([]int{0, 1, 2, 4, 8, 0, 16}), " ▁▁▂▄ █"; got != want {
		t.Fatalf("sparkline %q, want %q", got, want)
	}
	if got := sparkline(make([]int, 14)); got != strings.Repeat(" ", 14) {
		t.Fatalf("no tokens: %q", got)
	}
}

// The sparkline column comes from the ledger read with the summaries.
func TestSparklineColumn(t *testing.T) {
	e := newEnv(t, true)
	fillMarch(t, e)
	tm := e.start(e.config(), 200, 40)
	waitFor(t, tm, "14 DAYS")
	view := final(t, tm)
	for _, line := range strings.Split(view, "\n") {
		if strings.Contains(line, "auth0-prod") {
			if !strings.HasSuffix(strings.TrimRight(line, " "), "▂ ▃   ▅  █  ▆▁") {
				t.Fatalf("auth0-prod's sparkline (Mar 1 to 14: 40, 70 on the 3rd, …, 150+1 today): %q", line)
			}
			return
		}
	}
	t.Fatalf("no auth0-prod row:\n%s", view)
}

// The rate-limit bar: the API's remaining calls of its limit, and when the
// limit resets, from the last call.
func TestRateLimitBar(t *testing.T) {
	st, _ := asciiStyles()
	now := t0
	got, ok := rateLimitBar(st, map[string]string{"limit": "100", "remaining": "25", "reset": now.Add(42 * time.Second).Format(time.RFC3339)}, now, 60)
	if !ok || !strings.Contains(got, "█████░░░░░░░░░░░░░░░ 25/100 left · resets in 42s") {
		t.Fatalf("bar %q", got)
	}
	if _, ok := rateLimitBar(st, map[string]string{"remaining": "3"}, now, 60); ok {
		t.Fatal("a bar without a limit")
	}
}

// The palette at a fixed clock: typed "ref", the actions matching first.
func TestGoldenPalette(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 100, 30)
	selectProvider(t, tm, "ants")
	press(tm, ":")
	waitFor(t, tm, "Command palette")
	press(tm, "ref")
	waitFor(t, tm, "refresh all")
	golden.RequireEqual(t, []byte(final(t, tm)))
}

func TestPaletteRunsAnAction(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "ants")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlK})
	waitFor(t, tm, "Command palette")
	press(tm, "doctor")
	waitFor(t, tm, "diagnose ants step by step")
	press(tm, "enter")
	waitFor(t, tm, "Doctor ants")
	final(t, tm)
}

func TestPaletteJumpsToAProvider(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "ants") // a filter that hides a55: the jump clears it
	press(tm, ":", "a55")
	waitFor(t, tm, "→")
	press(tm, "enter")
	waitFor(t, tm, "▸  a55")
	view := final(t, tm)
	if strings.Contains(view, `filter "ants"`) {
		t.Fatalf("the filter hiding a55 stayed:\n%s", view)
	}
}

func TestPaletteReadOnlyListsAllowedActions(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.ReadOnly = true
	tm := e.start(cfg, 120, 40)
	selectProvider(t, tm, "ants")
	press(tm, ":")
	waitFor(t, tm, "Command palette", "refresh all")
	view := final(t, tm)
	for _, locked := range []string{"copy token", "copy curl", "edit the settings", "delete ants", "add a provider"} {
		if strings.Contains(view, locked) {
			t.Errorf("a read-only palette lists %q:\n%s", locked, view)
		}
	}
	for _, allowed := range []string{"refresh", "test-call", "doctor"} {
		if !strings.Contains(view, allowed) {
			t.Errorf("a read-only palette lacks %q", allowed)
		}
	}
}
