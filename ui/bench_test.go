package ui

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
)

// colourStyles are true-colour styles: a frame as a real terminal gets it.
func colourStyles() *theme.Styles {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.TrueColor))
	r.SetHasDarkBackground(true)
	p, _ := theme.Lookup("")
	return theme.New(r, p)
}

// synthSummaries makes n providers in every state: tokens at all ages,
// quotas, last calls, errors.
func synthSummaries(n int, now time.Time) []store.Summary {
	envs := []string{"prod", "staging", "sandbox"}
	out := make([]store.Summary, n)
	for i := range out {
		s := store.Summary{Provider: providers.Provider{
			Name: fmt.Sprintf("provider-%05d", i), Env: envs[i%3], Preset: "cognito",
			TokenURL: "https://auth.example.com/oauth2/token", ClientID: "client",
		}, HasSecret: true}
		if i%7 != 0 {
			life := time.Hour
			s.Token = &providers.Token{TokenType: "Bearer", IssuedAt: now.Add(-time.Duration(i%3600) * time.Second)}
			s.Token.ExpiresAt = s.Token.IssuedAt.Add(life)
		}
		for d := range s.Recent {
			s.Recent[d] = (i + d*7) % 23
		}
		if i%3 == 0 {
			s.Provider.Quota = &providers.Quota{Limit: 1000, Per: providers.PerMonth}
			s.Quota = store.QuotaUsage{Limit: 1000, Per: providers.PerMonth, Used: i % 1000, Month: i % 1000}
		}
		if i%5 == 0 {
			s.LastCall = &store.CallRecord{At: now, Endpoint: "items", Status: 200, Latency: 12 * time.Millisecond,
				RateLimit: map[string]string{"limit": "100", "remaining": "42"}}
		}
		if i%11 == 0 {
			s.LastError = &store.ErrorRecord{At: now, Message: "token endpoint answered 401 invalid_client", Hint: "check the secret"}
		}
		out[i] = s
	}
	return out
}

func viewModel(n, w, h int) Model {
	now := t0
	m := New(Config{Styles: colourStyles(), Now: func() time.Time { return now }, Location: time.UTC, DBLabel: "bench"})
	m.update(tea.WindowSizeMsg{Width: w, Height: h})
	m.update(summariesMsg{seq: 1, sums: synthSummaries(n, now)})
	m.update(tickMsg{now: now})
	return m
}

// BenchmarkDashboardView is one frame: the table renders only the rows in
// view, so 10,000 providers cost what 100 do.
func BenchmarkDashboardView(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			m := viewModel(n, 120, 40)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkDashboardViewDetail is one frame with the detail open beside
// the table (200×60), with and without the quota chart: the chart is drawn
// into the detail's content once per tick or reload, so a frame only
// copies its lines.
func BenchmarkDashboardViewDetail(b *testing.B) {
	for _, chart := range []bool{false, true} {
		b.Run(fmt.Sprintf("chart=%v", chart), func(b *testing.B) {
			m := detailModel(chart)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkDetailRender is what the chart costs where it is drawn: the
// detail's content, rebuilt once a second (the clock) and on a reload.
func BenchmarkDetailRender(b *testing.B) {
	for _, chart := range []bool{false, true} {
		b.Run(fmt.Sprintf("chart=%v", chart), func(b *testing.B) {
			m := detailModel(chart)
			b.ReportAllocs()
			for b.Loop() {
				m.detail.render()
			}
		})
	}
}

// detailModel is 100 providers at 200×60 with the detail open and its
// data loaded, the quota chart's history too when chart.
func detailModel(chart bool) Model {
	m := viewModel(100, 200, 60)
	m.update(toggleDetailIntent{})
	msg := detailDataMsg{name: m.table.Selected(), seq: m.tags.last[tagKey{kind: reqDetail}], masked: mask(strings.Repeat("x", 812))}
	if chart {
		msg.quota = benchHistory(t0)
	}
	m.update(msg)
	return m
}

// benchHistory is a month's ledger half spent.
func benchHistory(now time.Time) *store.QuotaHistory {
	h := &store.QuotaHistory{Usage: store.QuotaUsage{Limit: 1000, Per: providers.PerMonth, Used: 600}, Step: providers.PerDay, Cumulative: true,
		Start: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), Buckets: 31, Now: now}
	h.End = h.Start.AddDate(0, 1, 0)
	for d := 1; d <= now.Day(); d++ {
		h.Counts = append(h.Counts, 40+d%9)
	}
	return h
}

// BenchmarkDashboardViewMaxSize is one frame in a window of 65535×65535,
// drawn for MaxWidth×MaxHeight: the table alone, and with the detail beside
// it, which fills every cell.
func BenchmarkDashboardViewMaxSize(b *testing.B) {
	for _, detail := range []bool{false, true} {
		b.Run(fmt.Sprintf("detail=%v", detail), func(b *testing.B) {
			m := viewModel(100, 65535, 65535)
			if detail {
				m.update(toggleDetailIntent{})
				m.update(detailDataMsg{name: m.table.Selected(), seq: m.tags.last[tagKey{kind: reqDetail}], masked: mask(strings.Repeat("x", 812))})
			}
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(m.View())
			}
			b.ReportMetric(float64(n), "bytes/frame")
		})
	}
}

// BenchmarkClockTick is the once-a-second work outside View: every row's
// status and the header's counts (linear in providers, once per second).
func BenchmarkClockTick(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			m := viewModel(n, 120, 40)
			now := t0
			b.ReportAllocs()
			for b.Loop() {
				now = now.Add(time.Second)
				m.update(tickMsg{now: now})
			}
		})
	}
}

// BenchmarkStartup is store open to first frame: open the database, read
// every summary, lay out and render.
func BenchmarkStartup(b *testing.B) {
	for _, n := range []int{10000} {
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			ctx := context.Background()
			path := filepath.Join(b.TempDir(), "tokentop.db")
			now := func() time.Time { return t0 }
			st, err := store.Open(ctx, store.Options{Path: path, Now: now})
			if err != nil {
				b.Fatal(err)
			}
			ps := make([]providers.Provider, n)
			for i, s := range synthSummaries(n, t0) {
				ps[i] = s.Provider
			}
			if err := st.PutProviders(ctx, ps); err != nil {
				b.Fatal(err)
			}
			st.Close()
			styles := colourStyles()
			b.ReportAllocs()
			for b.Loop() {
				st, err := store.Open(ctx, store.Options{Path: path, Now: now})
				if err != nil {
					b.Fatal(err)
				}
				m := New(Config{Store: st, Styles: styles, Now: now, DBLabel: "bench"})
				m.update(tea.WindowSizeMsg{Width: 120, Height: 40})
				msg := loadSummaries(ctx, st, reqTag{kind: reqReload, seq: 1})()
				m.update(msg)
				if m.rows.Total() != n {
					b.Fatalf("loaded %d providers", m.rows.Total())
				}
				_ = m.View()
				st.Close()
			}
		})
	}
}

// BenchmarkQuotaChart is drawing the chart itself, at the width of a
// detail beside the table: once per reload of the detail's data.
func BenchmarkQuotaChart(b *testing.B) {
	st := colourStyles()
	h := benchHistory(t0)
	b.ReportAllocs()
	for b.Loop() {
		_ = quotaChart(st, h, 76)
	}
}
