package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

func TestStaleResultsAreDropped(t *testing.T) {
	e := newEnv(t, false)
	m := New(e.config())
	m.tags.last[tagKey{reqRefresh, "ants"}] = 7
	m.update(refreshedMsg{name: "ants", seq: 6, err: errors.New("old")})
	if m.tags.last[tagKey{reqRefresh, "ants"}] != 7 || m.status.Text() != "" {
		t.Fatalf("a stale refresh result was applied: %v %q", m.tags.last, m.status.Text())
	}
	m.tags.last[tagKey{kind: reqCall}] = 3
	m.update(callDoneMsg{name: "ants", seq: 2, err: errors.New("old")})
	if m.status.Text() != "" {
		t.Fatalf("a stale call result was applied: %q", m.status.Text())
	}
	m.tags.last[tagKey{kind: reqReload}] = 9
	m.update(summariesMsg{seq: 8, sums: []store.Summary{{Provider: providers.Provider{Name: "old"}}}})
	if _, ok := m.rows.Row("old"); ok {
		t.Fatal("a stale reload replaced a newer one")
	}
	m.tags.last[tagKey{kind: reqCopy}] = 5
	m.update(copiedMsg{name: "ants", seq: 4, what: "token", via: []string{"OSC52"}})
	if m.status.Text() != "" {
		t.Fatalf("a stale copy result was applied: %q", m.status.Text())
	}
}

func TestStatusTimeoutIsTagged(t *testing.T) {
	e := newEnv(t, false)
	m := New(e.config())
	m.setStatus(statusInfo, "first", "")
	first := m.status.seq
	m.setStatus(statusInfo, "second", "")
	m.update(statusTimeoutMsg{seq: first})
	if m.status.Text() != "second" {
		t.Fatalf("an old timeout cleared a newer message: %q", m.status.Text())
	}
}

func TestServerTextIsSanitised(t *testing.T) {
	st, _ := asciiStyles()
	d := newDetailView(st, DefaultDetailKeyMap(), time.UTC, false)
	d.SetSize(100, 40)
	evil := "bad\x1b]52;c;ZXZpbA==\x07 \x1b[2J\x9b31m desc"
	d.Show(store.Summary{
		Provider:  providers.Provider{Name: "p", TokenURL: "https://x/\x1b[31mtoken"},
		LastError: &store.ErrorRecord{At: t0, Message: evil, Hint: "hint\x1b[0m"},
		LastCall:  &store.CallRecord{At: t0, Endpoint: "e\x1b[1m", Status: 200, RateLimit: map[string]string{"policy": "x\x1b[5m"}},
	}, rowFlags{}, false, t0)
	d.SetData(detailDataMsg{name: "p", history: []providers.Exchange{{Started: t0, Error: evil}}})
	out := d.View()
	if strings.ContainsAny(out, "\x1b\x07\x9b") {
		t.Fatalf("escape sequences from a server reached the screen: %q", out)
	}

	v := newCallView(st, DefaultResultKeyMap())
	v.SetSize(100, 40)
	v.Start("p", "e", providers.CallRequest{Method: "GET", URL: "https://x"})
	v.Finish(callDoneMsg{res: &providers.CallResult{Method: "GET", URL: "https://x", Status: 200, Body: `{"a":"\u001b[31m"}` + "\x1b]0;title\x07"}}, t0)
	if out := v.View(); strings.ContainsAny(out, "\x1b\x07") {
		t.Fatalf("escape sequences in a body reached the screen: %q", out)
	}
}

func TestCurlCommand(t *testing.T) {
	e := providers.Endpoint{Name: "create", Method: "post", URL: "https://api.example.com/v1/items?x=1&y=2",
		Headers: map[string]string{"X-Trace": "it's"}, Body: `{"name":"anvil"}`}
	got := curlCommand("tokentop --db /tmp/t.db", "auth0-prod", "Bearer", nil, e)
	want := `curl -X POST -H "Authorization: Bearer $(tokentop --db /tmp/t.db token auth0-prod)" -H 'X-Trace: it'\''s' -d '{"name":"anvil"}' 'https://api.example.com/v1/items?x=1&y=2'`
	if got != want {
		t.Fatalf("curl:\n got %s\nwant %s", got, want)
	}
}

func TestCountdown(t *testing.T) {
	for d, want := range map[time.Duration]string{
		59*time.Minute + 12*time.Second: "59:12",
		90 * time.Second:                "01:30",
		3*time.Hour + 2*time.Second:     "3:00:02",
		-65 * time.Second:               "-01:05",
		150 * time.Hour:                 "6d06h",
	} {
		if got := countdown(d); got != want {
			t.Errorf("countdown(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestParseCustomCall(t *testing.T) {
	if r, err := parseCustomCall("post https://x.test/a"); err != nil || r.Method != "POST" || r.URL != "https://x.test/a" {
		t.Fatalf("%+v %v", r, err)
	}
	if r, err := parseCustomCall("https://x.test/a"); err != nil || r.Method != "GET" {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{"", "GET", "GET /relative", "G3T https://x", "a b c"} {
		if _, err := parseCustomCall(bad); err == nil {
			t.Errorf("%q should not parse", bad)
		}
	}
}

func TestLayoutFitsEveryWidth(t *testing.T) {
	orders := [][]colID{defaultColumns(), {colLastCall, colQuotaBar, colName, colStatusCol}, {colStatusCol, colExpiresCol}}
	for _, want := range orders {
		for w := 40; w <= 240; w++ {
			c := layoutColumns(w, want)
			total := colMark + len(c.order) - 1
			for _, id := range c.order {
				total += c.width[id]
			}
			if total > w {
				t.Fatalf("width %d, columns %v: they take %d", w, want, total)
			}
			if !c.shown(colStatusCol) {
				t.Fatalf("width %d, columns %v: the status column is always shown", w, want)
			}
		}
	}
}

// TestTypedAheadKeysEachCount: Bubble Tea v1 delivers keys typed faster
// than it reads them as one message with several runes; each must still
// move the cursor once, while a paste into the filter stays whole.
func TestTypedAheadKeysEachCount(t *testing.T) {
	e := newEnv(t, false)
	m := New(e.config())
	m.resize(120, 40)
	sums, err := e.st.Summaries(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	m.update(summariesMsg{seq: m.next(), sums: sums})
	m.setSort(sortSpec{col: colName})
	names := make([]string, 0, len(sums))
	for _, s := range sums {
		names = append(names, s.Provider.Name)
	}
	slices.Sort(names)
	if got := m.table.Selected(); got != names[0] {
		t.Fatalf("selected %q, want the first row %q", got, names[0])
	}
	m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	if got := m.table.Selected(); got != names[3] {
		t.Fatalf("after jjj in one message: selected %q, want %q", got, names[3])
	}
	m.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("kk")})
	if got := m.table.Selected(); got != names[1] {
		t.Fatalf("after kk in one message: selected %q, want %q", got, names[1])
	}

	if keys := splitRunes(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ants"), Paste: true}); keys != nil {
		t.Fatalf("a paste was split: %v", keys)
	}
	if keys := splitRunes(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}); keys != nil {
		t.Fatalf("a single key was split: %v", keys)
	}
}

// TestCancelledWorkIsNoNewsWhenQuitting: reads the dashboard's own quit
// cancelled do not put an error in the last frame.
func TestCancelledWorkIsNoNewsWhenQuitting(t *testing.T) {
	e := newEnv(t, false)
	m := New(e.config())
	m.update(feedMsg{err: fmt.Errorf("read: %w", context.Canceled)})
	if m.status.Text() == "" {
		t.Fatal("a cancelled read while running says nothing")
	}
	m = New(e.config())
	m.cancel()
	m.update(feedMsg{err: fmt.Errorf("read: %w", context.Canceled)})
	m.update(summariesMsg{seq: m.next(), err: fmt.Errorf("read: %w", context.Canceled)})
	if got := m.status.Text(); got != "" {
		t.Fatalf("quitting showed %q", got)
	}
}

// TestDetailCountsTheExchangesItDoesNotShow: the detail is handed the
// newest few records and the count of all, and says how many more there
// are and where to see them.
func TestDetailCountsTheExchangesItDoesNotShow(t *testing.T) {
	st, _ := asciiStyles()
	d := newDetailView(st, DefaultDetailKeyMap(), time.UTC, false)
	d.SetSize(100, 200)
	d.Show(store.Summary{Provider: providers.Provider{Name: "p", TokenURL: "https://x/token"}}, rowFlags{}, false, t0)
	hist := make([]providers.Exchange, maxExchanges)
	for i := range hist {
		hist[i] = providers.Exchange{Started: t0, Status: 200}
	}
	d.SetData(detailDataMsg{name: "p", history: hist, historyTotal: 50})
	if out := d.View(); !strings.Contains(out, fmt.Sprintf("… %d more: tokentop history p", 50-maxExchanges)) {
		t.Fatalf("the detail does not count the records it left out:\n%s", out)
	}
	d.SetData(detailDataMsg{name: "p", history: hist[:3], historyTotal: 3})
	if out := d.View(); strings.Contains(out, "more: tokentop history") {
		t.Fatalf("the detail counts records that are not there:\n%s", out)
	}
}
