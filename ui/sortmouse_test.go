package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/store"
)

// TestSortByEveryColumnBothWays: every column sorts both ways, rows
// without a value last either way, the sorted column's title marked.
func TestSortByEveryColumnBothWays(t *testing.T) {
	e := newEnv(t, true)
	if err := e.st.AddQuota(e.ctx, "auth0-prod", 36, t0); err != nil {
		t.Fatal(err)
	}
	m := e.loaded(e.config(), 200, 40)
	for c := range numCols {
		for _, rev := range []bool{false, true} {
			s := sortSpec{col: c, reverse: rev}
			m.setSort(s)
			names := m.rows.Shown()
			if len(names) != 8 { // the sandbox's providers, device-login included
				t.Fatalf("%v: %d rows shown", s, len(names))
			}
			for i := 1; i < len(names); i++ {
				a, _ := m.rows.Row(names[i-1])
				b, _ := m.rows.Row(names[i])
				cmpv, hasA, hasB := compareBy(c.sortCol(), a, b, m.now)
				if rev {
					cmpv = -cmpv
				}
				if !hasA && hasB || hasA == hasB && hasA && cmpv > 0 {
					t.Fatalf("sort %v: %s before %s (%d, %v, %v)", s, names[i-1], names[i], cmpv, hasA, hasB)
				}
			}
			if title := c.sortCol().title(); !strings.Contains(m.table.titles(), title[:min(len(title), 8)]+sortArrow(s)) {
				t.Fatalf("sort %v: the title should say %s%s: %q", s, title, sortArrow(s), m.table.titles())
			}
			if want := s.String(); !strings.Contains(m.idle(), "sort: "+want) {
				t.Fatalf("the status line should say sort: %s, says %q", want, m.idle())
			}
		}
	}
	m.setSort(sortSpec{col: colQuotaCol, reverse: true})
	if got := m.rows.Shown()[0]; got != "auth0-prod" {
		t.Fatalf("the one quota used comes first either way: %s", got)
	}
	m.setSort(sortSpec{col: colStatusCol})
	if got := m.rows.Shown()[0]; got != "broken" {
		t.Fatalf("by status, the worst (error) first: %s", got)
	}
}

func TestCompareRowsPutsMissingValuesLast(t *testing.T) {
	now := t0
	tok := &providers.Token{IssuedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
	call := func(status int, lat time.Duration) *store.CallRecord {
		return &store.CallRecord{Status: status, Latency: lat}
	}
	mk := func(name, env string, tk *providers.Token, lc *store.CallRecord) *row {
		r := &row{sum: store.Summary{Provider: providers.Provider{Name: name, Env: env}, Token: tk, LastCall: lc}}
		r.status = r.sum.Status(now)
		return r
	}
	a := mk("a", "prod", tok, call(200, time.Millisecond))
	b := mk("b", "", nil, nil)
	c := mk("c", "dev", tok, call(500, time.Millisecond))
	for _, col := range []colID{colEnv, colExpiresCol, colLife, colLastCall} {
		for _, rev := range []bool{false, true} {
			s := sortSpec{col: col, reverse: rev}
			if compareRows(s, a, b, now) >= 0 || compareRows(s, b, c, now) <= 0 {
				t.Errorf("%v: the row without a value should come last", s)
			}
		}
	}
	if compareRows(sortSpec{col: colLastCall}, a, c, now) >= 0 || compareRows(sortSpec{col: colLastCall, reverse: true}, a, c, now) <= 0 {
		t.Error("by last call: 200 before 500, and after it reversed")
	}
	if compareRows(sortSpec{col: colEnv}, c, a, now) >= 0 {
		t.Error("by env: dev before prod")
	}
}

func TestSortKeys(t *testing.T) {
	e := newEnv(t, true)
	m := e.loaded(e.config(), 120, 40)
	want := []string{"name", "env", "status", "life", "quota", "last call", "tokens in 14 days", "expiry"}
	for _, w := range want {
		m.update(key1("s"))
		if got := m.rows.Sort().String(); got != w {
			t.Fatalf("s: sort %q, want %q", got, w)
		}
	}
	m.update(key1("S"))
	if s := m.rows.Sort(); s.col != colExpiresCol || !s.reverse || !strings.Contains(m.table.titles(), "EXPIRES↓") {
		t.Fatalf("S should reverse the order: %v %q", s, m.table.titles())
	}
	m.update(key1("S"))
	if m.rows.Sort().reverse {
		t.Fatal("S again goes back")
	}
	m.update(key1("s"))
	if s := m.rows.Sort(); s.col != colName || s.reverse {
		t.Fatalf("s after a reverse starts the next column ascending: %v", s)
	}
	// s goes only through the columns the config lists (and expiry).
	cfg := e.config()
	cfg.Settings = configFile(t, "columns: [name, quota_bar, status]\n")
	m = e.loaded(cfg, 120, 40)
	var got []string
	for range 4 {
		m.update(key1("s"))
		got = append(got, m.rows.Sort().String())
	}
	if strings.Join(got, ",") != "name,status,quota,expiry" {
		t.Fatalf("s cycled through %v", got)
	}
}

// ---- the mouse ----

func click(m *Model, x, y int) tea.Cmd {
	return m.update(tea.MouseMsg{X: x, Y: y, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
}

func wheelAt(m *Model, x, y int, down bool) {
	b := tea.MouseButtonWheelUp
	if down {
		b = tea.MouseButtonWheelDown
	}
	m.update(tea.MouseMsg{X: x, Y: y, Button: b, Action: tea.MouseActionPress})
}

func TestClickSelectsAndDoubleClickOpens(t *testing.T) {
	e := newEnv(t, true)
	m := e.loaded(e.config(), 120, 40)
	shown := m.rows.Shown()
	// Line 0 is the header, 1 the titles, 2 the first row.
	click(m, 10, 4)
	if got := m.table.Selected(); got != shown[2] {
		t.Fatalf("a click on the third row selected %q, want %q", got, shown[2])
	}
	if m.detailOpen {
		t.Fatal("one click only selects")
	}
	e.clock.Add(2 * time.Second)
	click(m, 10, 4)
	if m.detailOpen {
		t.Fatal("two clicks 2 s apart are not a double-click")
	}
	click(m, 10, 4) // at the same instant as the last: a double-click
	if !m.detailOpen || m.detail.Showing() != shown[2] {
		t.Fatalf("a double-click should open the row's detail (open %v, showing %q)", m.detailOpen, m.detail.Showing())
	}
	// A release, a drag or a click below the rows does nothing.
	m.update(tea.MouseMsg{X: 10, Y: 3, Button: tea.MouseButtonLeft, Action: tea.MouseActionRelease})
	click(m, 10, 30)
	if got := m.table.Selected(); got != shown[2] {
		t.Fatalf("the selection moved to %q", got)
	}
}

func TestClickOnATitleSorts(t *testing.T) {
	e := newEnv(t, true)
	m := e.loaded(e.config(), 120, 40)
	titles := m.table.titles()
	x := strings.Index(titles, "NAME")
	click(m, x+1, 1)
	if s := m.rows.Sort(); s.col != colName || s.reverse {
		t.Fatalf("a click on NAME should sort by name: %v", s)
	}
	click(m, x+1, 1)
	if s := m.rows.Sort(); s.col != colName || !s.reverse {
		t.Fatalf("a second click on NAME should reverse: %v", s)
	}
	// The title's position moved by the arrow's cell at most; QUOTA is
	// right-aligned, so click its last letter.
	titles = m.table.titles()
	qx := strings.Index(titles, "QUOTA")
	click(m, len([]rune(titles[:qx]))+4, 1)
	if s := m.rows.Sort(); s.col != colQuotaCol {
		t.Fatalf("a click on QUOTA should sort by quota: %v", s)
	}
}

func TestWheelScrollsWhatIsUnderIt(t *testing.T) {
	e := newEnv(t, true)
	m := e.loaded(e.config(), 120, 40)
	shown := m.rows.Shown()
	wheelAt(m, 10, 5, true)
	wheelAt(m, 10, 5, true)
	if got := m.table.Selected(); got != shown[2] {
		t.Fatalf("two notches down over the table: %q, want %q", got, shown[2])
	}
	wheelAt(m, 10, 5, false)
	if got := m.table.Selected(); got != shown[1] {
		t.Fatalf("a notch up: %q, want %q", got, shown[1])
	}

	// The detail over the table (80×24) scrolls under the wheel.
	m = e.loaded(e.config(), 80, 24)
	m.table.Select("auth0-prod")
	m.update(m.toggleDetail()())
	if m.focus != focusDetail {
		t.Fatal("the detail should be over the table, with the keys")
	}
	wheelAt(m, 10, 10, true)
	if got := m.detail.vp.YOffset; got != wheelLines {
		t.Fatalf("a notch down over the detail should scroll it %d lines, YOffset %d", wheelLines, got)
	}
	wheelAt(m, 10, 10, false)
	if got := m.detail.vp.YOffset; got != 0 {
		t.Fatalf("a notch up: YOffset %d", got)
	}
}

// TestWheelScrollsTheOverlayShown: over an overlay (here a doctor's
// report taller than the window) the wheel scrolls it, wherever the
// pointer is.
func TestWheelScrollsTheOverlayShown(t *testing.T) {
	e := newEnv(t, true)
	m := e.loaded(e.config(), 80, 12)
	m.doctor.Start("broken")
	for i := range 30 {
		m.doctor.Add(check.Check{Name: "step " + strings.Repeat("x", i%5), Status: check.Pass, Detail: "fine"})
	}
	m.setFocus(focusDoctor)
	wheelAt(m, 70, 2, true)
	if got := m.doctor.vp.YOffset; got != wheelLines {
		t.Fatalf("a notch down over the doctor: YOffset %d, want %d", got, wheelLines)
	}
	wheelAt(m, 0, 0, false)
	if got := m.doctor.vp.YOffset; got != 0 {
		t.Fatalf("a notch up: YOffset %d", got)
	}
	// A click on an overlay changes nothing under it.
	before := m.table.Selected()
	click(m, 10, 4)
	if m.table.Selected() != before || m.focus != focusDoctor {
		t.Fatal("a click through an overlay reached the table")
	}
}

// TestWheelScrollsTheHelpAndMovesThePalette: the help scrolls under the
// wheel like the other overlays; in the command palette a notch moves the
// cursor, as an arrow key does.
func TestWheelScrollsTheHelpAndMovesThePalette(t *testing.T) {
	e := newEnv(t, true)
	m := e.loaded(e.config(), 80, 12)
	m.update(key1("?"))
	if m.focus != focusHelp {
		t.Fatal("? should open the help")
	}
	wheelAt(m, 40, 5, true)
	if got := m.helpV.vp.YOffset; got != wheelLines {
		t.Fatalf("a notch down over the help: YOffset %d, want %d", got, wheelLines)
	}
	wheelAt(m, 40, 5, false)
	if got := m.helpV.vp.YOffset; got != 0 {
		t.Fatalf("a notch up over the help: YOffset %d", got)
	}
	m.update(key1("?"))

	m.update(key1(":"))
	if m.focus != focusPalette {
		t.Fatal(": should open the palette")
	}
	wheelAt(m, 40, 5, true)
	if got := m.palette.list.Index(); got != 1 {
		t.Fatalf("a notch down in the palette: cursor at %d, want 1", got)
	}
	wheelAt(m, 40, 5, false)
	if got := m.palette.list.Index(); got != 0 {
		t.Fatalf("a notch up in the palette: cursor at %d, want 0", got)
	}
}
