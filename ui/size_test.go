package ui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/doctor"
)

// frameStats is the size of a frame, or the largest of several.
type frameStats struct {
	frames int // how many were measured
	bytes  int
	lines  int
	width  int // of the widest line, in cells
}

func measure(frame string) frameStats {
	s := frameStats{frames: 1, bytes: len(frame)}
	for _, l := range strings.Split(frame, "\n") {
		s.lines++
		s.width = max(s.width, ansi.StringWidth(l))
	}
	return s
}

func (s *frameStats) add(o frameStats) {
	s.frames += o.frames
	s.bytes, s.lines, s.width = max(s.bytes, o.bytes), max(s.lines, o.lines), max(s.width, o.width)
}

// check fails t when s is larger than a window of w×h cells can show: more
// lines or wider lines than it has, or more bytes than its cells can hold
// (the styles are Ascii: no escape codes; 4 bytes a cell is the most UTF-8
// takes).
func (s frameStats) check(t *testing.T, what string, w, h int) {
	t.Helper()
	if s.lines > h || s.width > w || s.bytes > 4*w*h {
		t.Errorf("%s: a frame of %d lines, %d cells wide, %d bytes; want at most %d lines, %d cells, %d bytes",
			what, s.lines, s.width, s.bytes, h, w, 4*w*h)
	}
}

// frameProbe is the dashboard, with every frame it draws measured.
type frameProbe struct {
	tea.Model
	mu    *sync.Mutex
	worst *frameStats
}

func newFrameProbe(m tea.Model) frameProbe {
	return frameProbe{Model: m, mu: &sync.Mutex{}, worst: &frameStats{}}
}

func (p frameProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := p.Model.Update(msg)
	p.Model = m
	return p, cmd
}

func (p frameProbe) View() string {
	v := p.Model.View()
	s := measure(v)
	p.mu.Lock()
	p.worst.add(s)
	p.mu.Unlock()
	return v
}

func (p frameProbe) stats() frameStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return *p.worst
}

// TestHugeWindowIsBounded: a window of 65535×65535 (what `stty rows 65535
// cols 65535` makes a terminal report), then of 20000×20000, draws the
// table, the detail, the help, the doctor and a test-call's result for
// MaxWidth×MaxHeight cells: every frame within them, and filling them.
func TestHugeWindowIsBounded(t *testing.T) {
	e := newEnv(t, true)
	p := newFrameProbe(New(e.config()))
	tm := e.startModel(p, 65535, 65535)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "enter")
	waitFor(t, tm, "Claims (decoded", "Recent exchanges")
	press(tm, "?")
	waitFor(t, tm, "Marks and colours")
	press(tm, "esc")
	waitFor(t, tm, "Recent exchanges")
	// The detail closed: the doctor and the test-call are drawn over the
	// table alone, and each frame behind them costs less (-race).
	press(tm, "enter")
	waitFor(t, tm, "cognito-dev")
	tm.Send(tea.WindowSizeMsg{Width: 20000, Height: 20000})
	waitFor(t, tm, "cognito-dev")
	// The doctor on broken: its run stops at the first failure, so fewer
	// frames are drawn while it runs (-race).
	press(tm, "esc") // clears the filter
	waitFor(t, tm, "7 providers")
	selectProvider(t, tm, "broken")
	press(tm, "D")
	waitFor(t, tm, "Doctor broken", "invalid_client", "1 failed")
	press(tm, "esc", "esc")
	waitFor(t, tm, "7 providers")
	selectProvider(t, tm, "cognito-dev")
	press(tm, "t")
	waitFor(t, tm, "Test-call cognito-dev", "items")
	press(tm, "enter")
	waitFor(t, tm, "200 OK", "Body (JSON")
	final(t, tm)

	s := p.stats()
	s.check(t, "65535×65535", MaxWidth, MaxHeight)
	if s.lines != MaxHeight || s.width != MaxWidth {
		t.Errorf("the frames should fill the %d×%d window the size was clamped to; the largest had %d lines, %d cells wide", MaxWidth, MaxHeight, s.lines, s.width)
	}
	if s.frames < 8 {
		t.Errorf("only %d frames measured", s.frames)
	}
}

// TestOddWindowSizes: a window of nothing, of 1×1, a negative or an
// enormous one lays out and draws every view, within the window it was
// taken as: at least minWidth×minHeight, at most MaxWidth×MaxHeight.
func TestOddWindowSizes(t *testing.T) {
	sizes := []struct{ w, h int }{
		{0, 0}, {1, 1}, {-1, -1}, {-65535, 40}, {120, -3}, {minWidth, minHeight},
		{MaxWidth + 1, MaxHeight + 1}, {65535, 65535}, {1<<31 - 1, 1<<31 - 1},
	}
	views := []struct {
		name string
		open func(m *Model)
	}{
		{"table", func(*Model) {}},
		{"detail", func(m *Model) {
			m.update(toggleDetailIntent{})
			name := m.table.Selected()
			m.update(detailDataMsg{name: name, seq: m.tags.last[tagKey{kind: reqDetail}], masked: mask(strings.Repeat("x", 812)),
				history: []providers.Exchange{{Provider: name, Started: t0, Status: 200, Timings: providers.Timings{Total: 12 * time.Millisecond}}}})
		}},
		{"help", func(m *Model) { m.update(helpIntent{}) }},
		{"doctor", func(m *Model) {
			// The panel itself: a doctorIntent would start the run
			// against the store.
			m.doctor.Start(m.table.Selected())
			m.setFocus(focusDoctor)
			m.doctor.Finish(&doctor.Diagnosis{Checks: []check.Check{
				{Name: "settings", Status: check.Pass, Detail: strings.Repeat("a long detail ", 40)},
				{Name: "token request", Status: check.Fail, Detail: "401 invalid_client", Hint: "check the secret"},
			}}, nil)
		}},
		{"test-call", func(m *Model) {
			m.update(callIntent{name: m.table.Selected(), label: "items", req: providers.CallRequest{Method: "GET", URL: "https://api.example.com/v1/items"}})
		}},
	}
	st, _ := asciiStyles()
	for _, sz := range sizes {
		for _, v := range views {
			t.Run(fmt.Sprintf("%dx%d/%s", sz.w, sz.h, v.name), func(t *testing.T) {
				m := New(Config{Styles: st, Now: func() time.Time { return t0 }, Location: time.UTC, DBLabel: "test.db"})
				m.update(summariesMsg{seq: 1, sums: synthSummaries(30, t0)})
				m.update(tickMsg{now: t0})
				v.open(&m)
				m.update(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
				w, h := ClampSize(sz.w, sz.h)
				w, h = max(w, minWidth), max(h, minHeight)
				if m.width != w || m.height != h {
					t.Fatalf("laid out for %d×%d, want %d×%d", m.width, m.height, w, h)
				}
				measure(m.View()).check(t, v.name, w, h)
			})
		}
	}
}
