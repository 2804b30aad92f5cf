package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// proxyDetail is the detail of a provider with the proxy's figures f (nil:
// no proxy ran for it), width cells wide.
func proxyDetail(t *testing.T, f *store.ProxyFigures, width int) string {
	t.Helper()
	st, _ := asciiStyles()
	d := newDetailView(st, DefaultDetailKeyMap(), time.UTC, false)
	d.SetSize(width, 60)
	d.Show(store.Summary{
		Provider: providers.Provider{Name: "p", TokenURL: "https://x/token"},
		LastCall: &store.CallRecord{At: t0, Endpoint: "items", Status: 200},
		Proxy:    f,
	}, rowFlags{}, false, t0)
	return d.View()
}

// TestDetailShowsTheProxyFigures: a provider a proxy ran for has one line
// of its figures under the last call; one without has none.
func TestDetailShowsTheProxyFigures(t *testing.T) {
	f := &store.ProxyFigures{
		Since: t0.Add(-2 * time.Hour), At: t0, Requests: 1234,
		Statuses: map[string]int64{"2xx": 1200, "4xx": 20, "5xx": 4, "failed": 10},
		Retried:  3, NewTokens: 1,
		LatencyMean: 45 * time.Millisecond, LatencyMax: 1200 * time.Millisecond,
	}
	want := "Proxy       since 07:26 · 1234 requests · 2xx 1200 · 4xx 20 · 5xx 4 · failed 10 · retried 3 (1 new token) · mean 45ms, max 1.2s"
	out := proxyDetail(t, f, 200)
	if got := panelLine(out, "Proxy "); got != want {
		t.Fatalf("the proxy line is %q, want %q:\n%s", got, want, out)
	}
	if strings.Index(out, "Last call") > strings.Index(out, "Proxy ") {
		t.Fatalf("the proxy line is not under the last call:\n%s", out)
	}

	// Started on another day: the date too; answers with a redirect count
	// it; no request yet: no times.
	f = &store.ProxyFigures{Since: t0.Add(-30 * time.Hour), Statuses: map[string]int64{"3xx": 2}}
	want = "Proxy       since 2026-03-13 03:26 · 0 requests · 2xx 0 · 3xx 2 · 4xx 0 · 5xx 0 · failed 0 · retried 0 (0 new tokens)"
	if got := panelLine(proxyDetail(t, f, 200), "Proxy "); got != want {
		t.Fatalf("the proxy line of an older proxy is %q, want %q", got, want)
	}

	// Narrow: the line wraps within the panel, nothing lost.
	f = &store.ProxyFigures{Since: t0, Requests: 7, Statuses: map[string]int64{"2xx": 7}, LatencyMean: time.Millisecond, LatencyMax: 2 * time.Millisecond}
	out = proxyDetail(t, f, 50)
	for _, l := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(l); w > 50 {
			t.Fatalf("a line is %d cells in a 50-cell detail: %q", w, l)
		}
	}
	if flat := strings.Join(strings.Fields(strings.ReplaceAll(out, "│", "")), " "); !strings.Contains(flat, "since 09:26 · 7 requests · 2xx 7 · 4xx 0 · 5xx 0 · failed 0 · retried 0 (0 new tokens) · mean 1ms, max 2ms") {
		t.Fatalf("the wrapped proxy line lost figures:\n%s", out)
	}

	if out := proxyDetail(t, nil, 200); strings.Contains(out, "Proxy") {
		t.Fatalf("a provider no proxy ran for has a proxy line:\n%s", out)
	}
}

// panelLine is the first line of a framed panel that starts with prefix,
// without the frame and the padding; "" when there is none.
func panelLine(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "│"))
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
