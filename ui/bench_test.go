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
