package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
)

// cellStyles are the styles of one row's cells; a selected row has its own
// set, with the highlight background, so coloured cells keep it.
type cellStyles struct {
	text, muted, ok, warn, bad, accent, barEmpty lipgloss.Style
}

func newCellStyles(st *theme.Styles, selected bool) cellStyles {
	cs := cellStyles{
		text: st.Row, muted: st.Muted, ok: st.OK, warn: st.Warn, bad: st.Bad,
		accent: st.Accent, barEmpty: st.BarEmpty,
	}
	if selected {
		bg := st.Palette.Highlight
		for _, s := range []*lipgloss.Style{&cs.text, &cs.muted, &cs.ok, &cs.warn, &cs.bad, &cs.accent, &cs.barEmpty} {
			*s = s.Background(bg).Bold(true)
		}
	}
	return cs
}

// rowSource is what the table draws: the rows in view, in order, and what
// they were filtered and sorted by. The root owns the rows (a *rowSet);
// the table keeps only its cursor and scroll position over them.
type rowSource interface {
	// Len is the number of rows in view.
	Len() int
	// At is the i-th row in view.
	At(i int) *row
	// Position is where the named provider is in view, -1 when it is not.
	Position(name string) int
	// Total counts every row, shown or not.
	Total() int
	// Loaded reports whether the rows were read at least once.
	Loaded() bool
	// Filter is the filter text the view was built with.
	Filter() string
	// Sort is the view's order.
	Sort() sortSpec
	// Now is the clock the rows' statuses were computed at.
	Now() time.Time
}

// providerTable is the virtualised provider list: it draws only the rows
// in view, so a frame costs the same with 100 or 10,000 providers.
// Countdowns are computed in View from the rows' clock.
type providerTable struct {
	bus    *bus
	keys   TableKeyMap
	normal cellStyles
	sel    cellStyles
	head   lipgloss.Style
	hint   lipgloss.Style
	src    rowSource
	want   []colID   // the columns configured, in order
	envs   envColors // per-environment colours

	width, height int
	cols          columns

	cursor     int // position in view
	offset     int // first position of view on screen
	spin       string
	detailOpen bool
}

var _ Component = (*providerTable)(nil)

func newProviderTable(st *theme.Styles, keys TableKeyMap, src rowSource, want []colID, envs envColors) *providerTable {
	if len(want) == 0 {
		want = defaultColumns()
	}
	return &providerTable{
		keys:   keys,
		normal: newCellStyles(st, false),
		sel:    newCellStyles(st, true),
		head:   st.TableHeader,
		hint:   st.Muted,
		src:    src,
		want:   want,
		envs:   envs,
	}
}

// SetSize implements Component; height counts the column titles.
func (t *providerTable) SetSize(width, height int) {
	t.width, t.height = width, height
	t.cols = layoutColumns(width, t.want)
	t.scrollToCursor()
}

// Select puts the cursor on the named provider when it is in view, and
// keeps it inside the view either way (the root calls it after the rows,
// the filter or the order changed).
func (t *providerTable) Select(name string) {
	if name != "" {
		if pos := t.src.Position(name); pos >= 0 {
			t.cursor = pos
		}
	}
	t.cursor = min(max(t.cursor, 0), max(t.src.Len()-1, 0))
	t.scrollToCursor()
}

// SetSpinner sets the frame drawn on the rows being refreshed.
func (t *providerTable) SetSpinner(frame string) { t.spin = frame }

// SetDetail says whether the detail is open and, when it is, whether it
// sits beside or under the table (tab then moves the focus to it).
func (t *providerTable) SetDetail(open, side bool) {
	t.detailOpen = open
	t.keys.FocusDetail.SetEnabled(side)
	t.keys.DetailUp.SetEnabled(side)
	t.keys.DetailDown.SetEnabled(side)
}

// Selected is the name of the provider under the cursor ("" when none).
func (t *providerTable) Selected() string {
	if t.cursor < 0 || t.cursor >= t.src.Len() {
		return ""
	}
	return t.src.At(t.cursor).sum.Provider.Name
}

func (t *providerTable) visibleRows() int { return max(t.height-1, 1) }

func (t *providerTable) scrollToCursor() {
	h := t.visibleRows()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+h {
		t.offset = t.cursor - h + 1
	}
	t.offset = min(max(t.offset, 0), max(t.src.Len()-h, 0))
}

func (t *providerTable) move(n int) {
	t.cursor = min(max(t.cursor+n, 0), max(t.src.Len()-1, 0))
	t.scrollToCursor()
}

// Update implements Component: it moves and sorts itself and emits
// intents for everything else.
func (t *providerTable) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	k, a, sel := t.keys, t.keys.Actions, t.Selected()
	if what, ok := a.lockedAction(km); ok {
		return t.bus.emit(lockedIntent{what})
	}
	switch {
	case key.Matches(km, k.DetailUp):
		return t.bus.emit(scrollDetailIntent{pages: -1})
	case key.Matches(km, k.DetailDown):
		return t.bus.emit(scrollDetailIntent{pages: 1})
	case key.Matches(km, k.Up):
		t.move(-1)
	case key.Matches(km, k.Down):
		t.move(1)
	case key.Matches(km, k.PageUp):
		t.move(-t.visibleRows())
	case key.Matches(km, k.PageDown):
		t.move(t.visibleRows())
	case key.Matches(km, k.Top):
		t.move(-t.src.Len())
	case key.Matches(km, k.Bottom):
		t.move(t.src.Len())
	case key.Matches(km, k.Sort):
		return t.bus.emit(sortIntent{})
	case key.Matches(km, k.Reverse):
		return t.bus.emit(reverseSortIntent{})
	case key.Matches(km, k.ClearFilter):
		if t.src.Filter() != "" {
			return t.bus.emit(filterChangedIntent{text: "", done: true})
		}
	case key.Matches(km, k.Filter):
		return t.bus.emit(filterIntent{})
	case key.Matches(km, k.Palette):
		return t.bus.emit(paletteIntent{})
	case key.Matches(km, k.Detail):
		if sel != "" || t.detailOpen {
			return t.bus.emit(toggleDetailIntent{})
		}
	case key.Matches(km, k.FocusDetail):
		return t.bus.emit(focusDetailIntent{on: true})
	case key.Matches(km, k.Back):
		if t.src.Filter() != "" {
			return t.bus.emit(filterChangedIntent{text: "", done: true})
		}
		if t.detailOpen {
			return t.bus.emit(toggleDetailIntent{})
		}
	case key.Matches(km, k.Help):
		return t.bus.emit(helpIntent{})
	case key.Matches(km, k.Quit):
		return t.bus.emit(quitIntent{})
	case key.Matches(km, a.Add):
		return t.bus.emit(addIntent{})
	case key.Matches(km, a.RefreshAll):
		return t.bus.emit(refreshAllIntent{})
	case sel == "":
		return nil
	default:
		return actionIntent(t.bus, km, a, sel)
	}
	return nil
}

// actionIntent maps an action key on the provider name to its intent.
func actionIntent(b *bus, km tea.KeyMsg, a ActionKeyMap, name string) tea.Cmd {
	switch {
	case key.Matches(km, a.Refresh):
		return b.emit(refreshIntent{name})
	case key.Matches(km, a.Copy):
		return b.emit(copyIntent{name})
	case key.Matches(km, a.CopyCurl):
		return b.emit(copyCurlIntent{name})
	case key.Matches(km, a.TestCall):
		return b.emit(testCallIntent{name})
	case key.Matches(km, a.Edit):
		return b.emit(editIntent{name})
	case key.Matches(km, a.Delete):
		return b.emit(deleteIntent{name})
	case key.Matches(km, a.AutoRefresh):
		return b.emit(autoToggleIntent{name})
	case key.Matches(km, a.Doctor):
		return b.emit(doctorIntent{name: name})
	case key.Matches(km, a.Login):
		return b.emit(loginIntent{name})
	}
	return nil
}

// ShortHelp implements help.KeyMap.
func (t *providerTable) ShortHelp() []key.Binding { return t.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (t *providerTable) FullHelp() [][]key.Binding { return t.keys.FullHelp() }

// View implements Component: the column titles and the rows in view,
// padded to the table's height.
func (t *providerTable) View() string {
	h := t.visibleRows()
	// Room for the titles, the hint and the rows drawn (a width and some
	// escape codes each); a line of padding below them is one byte.
	n := t.src.Len()
	drawn := min(max(n-t.offset, 0), h)
	var b strings.Builder
	b.Grow((t.width+32)*(drawn+2) + h)
	b.WriteString(t.titles())
	if n == 0 {
		msg := "no providers yet: press a to add one, or run tokentop import FILE"
		switch {
		case !t.src.Loaded():
			msg = "loading…"
		case t.src.Filter() != "":
			msg = fmt.Sprintf("no provider matches %q (esc clears the filter)", t.src.Filter())
		case t.src.Total() > 0:
			msg = ""
		}
		b.WriteString("\n" + t.hint.Render(fit("  "+msg, t.width, false)))
		h--
	}
	end := min(t.offset+h, n)
	for i := t.offset; i < end; i++ {
		b.WriteByte('\n')
		t.renderRow(&b, t.src.At(i), i == t.cursor)
	}
	for i := max(end-t.offset, 0); i < h; i++ {
		b.WriteByte('\n')
	}
	return b.String()
}

func (t *providerTable) titles() string {
	sortBy := t.src.Sort()
	var b strings.Builder
	b.WriteString(fit("", colMark, false))
	for i, id := range t.cols.order {
		if i > 0 {
			b.WriteByte(' ')
		}
		title, w := id.title(), t.cols.width[id]
		if id == sortBy.col.sortCol() {
			// The arrow stays when the title is cut: "LAST CAL↑".
			title = ansi.Truncate(title, w-1, "") + sortArrow(sortBy)
		}
		b.WriteString(fit(title, w, id.right()))
	}
	return t.head.Render(fit(b.String(), t.width, false))
}

// sortArrow marks the sorted column's title: ↑ ascending, ↓ reversed.
func sortArrow(s sortSpec) string {
	if s.reverse {
		return "↓"
	}
	return "↑"
}

// lifeClass colours a remaining time as the status names it: bad when
// expired, warn inside the refresh margin (expiring), ok otherwise.
func lifeClass(cs *cellStyles, left, lifetime time.Duration) lipgloss.Style {
	switch {
	case left <= 0:
		return cs.bad
	case left <= providers.RefreshMargin(lifetime):
		return cs.warn
	}
	return cs.ok
}

func statusStyle(cs *cellStyles, s providers.Status) lipgloss.Style {
	switch s {
	case providers.StatusValid:
		return cs.ok
	case providers.StatusExpiring:
		return cs.warn
	case providers.StatusExpired, providers.StatusError:
		return cs.bad
	}
	return cs.muted
}

// quotaCell is the quota column: token quota used/limit with its period
// when one is set; else the API's last rate-limit figures (used/limit);
// else the tokens issued this month ("3 this mo"), a dash for none.
func quotaCell(s *store.Summary) (text string, frac float64, known bool) {
	q := s.Quota
	if q.Limit > 0 {
		return fmt.Sprintf("%d/%d %s", q.Used, q.Limit, periodShort(q.Per)), float64(q.Used) / float64(q.Limit), true
	}
	if c := s.LastCall; c != nil && c.RateLimit != nil {
		var limit, remaining int
		_, e1 := fmt.Sscan(c.RateLimit["limit"], &limit)
		_, e2 := fmt.Sscan(c.RateLimit["remaining"], &remaining)
		if e1 == nil && e2 == nil && limit > 0 {
			used := max(limit-remaining, 0)
			return fmt.Sprintf("%d/%d api", used, limit), float64(used) / float64(limit), true
		}
	}
	if q.Month == 0 {
		return "-", 0, false
	}
	return fmt.Sprintf("%d this mo", q.Month), 0, false
}

func quotaStyle(cs *cellStyles, frac float64, known bool) lipgloss.Style {
	switch {
	case !known:
		return cs.muted
	case frac >= autoPauseAt:
		return cs.bad
	case frac >= 0.75:
		return cs.warn
	}
	return cs.text
}

// rowWriter writes one row's cells and counts the cells written, so the
// row can be padded to the table's width.
type rowWriter struct {
	b   *strings.Builder
	cs  *cellStyles
	c   *columns
	w   int
	sep string // written before the next text, in its style (one render a cell)
}

// put writes text in st, after the separator due.
func (rw *rowWriter) put(st lipgloss.Style, text string) {
	if rw.sep != "" {
		text, rw.sep = rw.sep+text, ""
	}
	rw.b.WriteString(st.Render(text))
	rw.w += utf8.RuneCountInString(text)
}

// bar writes a bar of frac in width cells: the full part in sty.
func (rw *rowWriter) bar(sty lipgloss.Style, frac float64, width int) {
	full, empty := bar(frac, width)
	rw.put(sty, full)
	rw.put(rw.cs.barEmpty, empty)
}

// renderRow draws one row in the visible columns, in their order (by
// default the name, the env, the status, the countdown and lifetime bar,
// the quota and its bar, and the last call), padded to the table's width.
// A row of an environment with a colour has its name and env in it.
func (t *providerTable) renderRow(b *strings.Builder, r *row, selected bool) {
	cs := &t.normal
	if selected {
		cs = &t.sel
	}
	rw := &rowWriter{b: b, cs: cs, c: &t.cols}
	rw.put(cs.accent, fit(t.marks(r, selected), colMark, false))
	text, muted := cs.text, cs.muted
	if sty, ok := t.envs.style(cs.text, r.sum.Provider.Env); ok {
		text, muted = sty, sty
	}
	now := t.src.Now()
	var qText string
	var qFrac float64
	var qKnown bool
	if rw.c.shown(colQuotaCol) || rw.c.shown(colQuotaBar) {
		qText, qFrac, qKnown = quotaCell(&r.sum)
	}
	login := loginState(&r.sum)
	for i, id := range rw.c.order {
		if i > 0 {
			rw.sep = " "
		}
		w := rw.c.width[id]
		if login != "" && (id == colStatusCol || id == colExpiresCol) {
			if t.loginCell(rw, r, login, i) {
				continue
			}
		}
		switch id {
		case colName:
			rw.put(text, fit(r.name, w, false))
		case colEnv:
			rw.put(muted, fit(r.env, w, false))
		case colStatusCol:
			status, stSty := string(r.status), statusStyle(cs, r.status)
			if r.paused {
				status, stSty = "paused", cs.warn
			}
			rw.put(stSty, fit(status, w, false))
		case colExpiresCol:
			if r.sum.Token.IsAPIKey() {
				rw.put(statusStyle(cs, r.status), fit(keyCell(r.sum.Token, now, w), w, true))
			} else {
				rw.expires(r.sum.Token, now, w)
			}
		case colLife:
			if r.sum.Token.IsAPIKey() { // a key has no lifetime to show a share of
				rw.put(rw.cs.barEmpty, strings.Repeat("░", w))
			} else {
				rw.lifeAndRefresh(&r.sum, now, w)
			}
		case colQuotaCol:
			rw.put(quotaStyle(cs, qFrac, qKnown), fit(qText, w, true))
		case colQuotaBar:
			rw.quotaBar(qFrac, qKnown, w)
		case colLastCall:
			rw.lastCall(r.sum.LastCall, w)
		case colSpark:
			rw.put(cs.accent, fit(r.spark, w, false))
		}
	}
	if rw.w < t.width {
		rw.put(cs.text, strings.Repeat(" ", t.width-rw.w))
	}
}

// marks are the cursor and the row's state: refreshing (the spinner),
// auto-refresh paused, or on.
func (t *providerTable) marks(r *row, selected bool) string {
	mark := " "
	switch {
	case r.refreshing:
		mark = t.spin
	case r.paused:
		mark = "‖"
	case r.auto:
		mark = "↻"
	}
	// The cursor is a mark as well as a highlight: with NO_COLOR (or a
	// monochrome terminal) the highlight is gone.
	cursor := " "
	if selected {
		cursor = "▸"
	}
	return cursor + mark
}

// expires is the countdown (* when the expiry was assumed).
func (rw *rowWriter) expires(tok *providers.Token, now time.Time, w int) {
	cs := rw.cs
	if tok == nil || tok.ExpiresAt.IsZero() {
		rw.put(cs.muted, fit("-", w, true))
		return
	}
	left := tok.ExpiresAt.Sub(now)
	cd := countdown(left)
	if tok.ExpiryAssumed {
		cd += "*"
	} else {
		cd += " "
	}
	rw.put(lifeClass(cs, left, tok.Lifetime()), fit(cd, w, true))
}

// life is the lifetime bar: the share of the token's lifetime left.
func (rw *rowWriter) life(tok *providers.Token, now time.Time, w int) {
	if tok == nil || tok.ExpiresAt.IsZero() {
		rw.put(rw.cs.barEmpty, strings.Repeat("░", w))
		return
	}
	left, life := tok.ExpiresAt.Sub(now), tok.Lifetime()
	frac := 0.0
	if life > 0 {
		frac = float64(left) / float64(life)
	}
	rw.bar(lifeClass(rw.cs, left, life), frac, w)
}

// quotaBar is the quota's bar (blank when the quota is unknown).
func (rw *rowWriter) quotaBar(frac float64, known bool, w int) {
	if !known {
		rw.put(rw.cs.text, strings.Repeat(" ", w))
		return
	}
	rw.bar(quotaStyle(rw.cs, frac, known), frac, w)
}

// lastCall is the last test-call's status and latency.
func (rw *rowWriter) lastCall(lc *store.CallRecord, w int) {
	cs := rw.cs
	if lc == nil {
		rw.put(cs.muted, fit("-", w, false))
		return
	}
	code := "err"
	sty := cs.bad
	if lc.Status > 0 {
		code = fmt.Sprint(lc.Status)
		switch {
		case lc.Status < 300:
			sty = cs.ok
		case lc.Status < 500:
			sty = cs.warn
		}
	}
	rw.put(sty, fit(code+" "+latency(lc.Latency), w, false))
}

// RowAt is the provider drawn on line y of the table (0 is the titles).
func (t *providerTable) RowAt(y int) (string, bool) {
	i := t.offset + y - 1
	if y < 1 || y > t.visibleRows() || i >= t.src.Len() {
		return "", false
	}
	return t.src.At(i).sum.Provider.Name, true
}

// Wheel moves the cursor n rows (the wheel under the table).
func (t *providerTable) Wheel(n int) { t.move(n) }

// keyCell is an API key's countdown in days, with the column's trailing
// space when it fits ("no expiry" fills a narrow column).
func keyCell(tok *providers.Token, now time.Time, w int) string {
	cd := providers.KeyCountdown(tok, now)
	if len(cd) < w {
		cd += " "
	}
	return cd
}
