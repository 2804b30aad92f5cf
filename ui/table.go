package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
)

// sortMode is the table's order; s cycles through them.
type sortMode int

const (
	sortExpiry sortMode = iota
	sortName
	sortEnv
)

func (s sortMode) String() string {
	switch s {
	case sortName:
		return "name"
	case sortEnv:
		return "env"
	}
	return "expiry"
}

// rowFlags are the root's per-provider state shown in a row.
type rowFlags struct {
	refreshing bool
	auto       bool
	paused     bool
}

// row is one provider as the table holds it.
type row struct {
	sum    store.Summary
	name   string // sanitised for the screen (env comes from a config file)
	env    string
	status providers.Status
	search string // lower-cased name, env and preset, for the filter
	rowFlags
}

// counts are the header's figures, computed once per tick (not per frame).
type counts struct {
	total, valid, expiring, expired, failing, none int
}

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

// columns are the widths of the visible columns; 0 hides one. The root's
// width decides which fit.
type columns struct {
	mark, name, env, status, expires, life, quota, qbar, last int
}

const (
	colMark    = 3
	colStatus  = 8
	colExpires = 9
	colQuota   = 12
	colLast    = 9
	nameMin    = 12
	nameMax    = 40
)

// layoutColumns picks the columns that fit in width: name, status and the
// countdown always; then quota, the lifetime bar, the last call, env and
// the quota bar while the name keeps nameMin cells.
func layoutColumns(width int) columns {
	c := columns{mark: colMark, status: colStatus, expires: colExpires}
	used := colMark + 1 + colStatus + 1 + colExpires // the name's separator counted
	wide := width >= 110
	try := func(dst *int, w int) {
		if width-used-(w+1) >= nameMin {
			*dst = w
			used += w + 1
		}
	}
	try(&c.quota, colQuota)
	life := 10
	if wide {
		life = 16
	}
	try(&c.life, life)
	try(&c.last, colLast)
	env := 8
	if wide {
		env = 12
	}
	try(&c.env, env)
	qbar := 6
	if wide {
		qbar = 10
	}
	try(&c.qbar, qbar)
	c.name = min(max(width-used, 1), max(nameMax, width/4))
	return c
}

// providerTable is the virtualised provider list: it holds every row but
// renders only the ones in view, so a frame costs the same with 100 or
// 10,000 providers. Countdowns are computed in View from the root's clock.
type providerTable struct {
	bus    *bus
	keys   TableKeyMap
	normal cellStyles
	sel    cellStyles
	head   lipgloss.Style
	hint   lipgloss.Style

	width, height int
	cols          columns

	rows   []row
	index  map[string]int // name → position in rows
	view   []int          // filtered and sorted positions in rows
	cursor int            // position in view
	offset int            // first position of view on screen

	sortBy     sortMode
	filter     string
	now        time.Time
	spin       string
	detailOpen bool
	loaded     bool
	counts     counts
}

var _ Component = (*providerTable)(nil)

func newProviderTable(st *theme.Styles, keys TableKeyMap) *providerTable {
	return &providerTable{
		keys:   keys,
		normal: newCellStyles(st, false),
		sel:    newCellStyles(st, true),
		head:   st.TableHeader,
		hint:   st.Muted,
		index:  map[string]int{},
	}
}

// SetSize implements Component; height counts the column titles.
func (t *providerTable) SetSize(width, height int) {
	t.width, t.height = width, height
	t.cols = layoutColumns(width)
	t.scrollToCursor()
}

// SetRows replaces the data, keeping the selection on the same provider.
func (t *providerTable) SetRows(sums []store.Summary, flags func(string) rowFlags) {
	sel := t.Selected()
	t.loaded = true
	t.rows = make([]row, len(sums))
	clear(t.index)
	for i, s := range sums {
		t.rows[i] = row{
			sum:      s,
			name:     clean(s.Provider.Name),
			env:      clean(s.Provider.Env),
			search:   strings.ToLower(s.Provider.Name + " " + s.Provider.Env + " " + s.Provider.Preset),
			rowFlags: flags(s.Provider.Name),
		}
		t.index[s.Provider.Name] = i
	}
	t.restatus()
	t.rebuild(sel)
}

// SetFlags updates one row's root state (spinner, auto-refresh, pause).
func (t *providerTable) SetFlags(name string, f rowFlags) {
	if i, ok := t.index[name]; ok {
		t.rows[i].rowFlags = f
	}
}

// SetNow moves the clock: statuses and counts follow, once per tick.
func (t *providerTable) SetNow(now time.Time) {
	t.now = now
	t.restatus()
}

func (t *providerTable) restatus() {
	var c counts
	for i := range t.rows {
		r := &t.rows[i]
		r.status = r.sum.Status(t.now)
		c.total++
		switch r.status {
		case providers.StatusValid:
			c.valid++
		case providers.StatusExpiring:
			c.expiring++
		case providers.StatusExpired:
			c.expired++
		case providers.StatusError:
			c.failing++
		default:
			c.none++
		}
	}
	t.counts = c
}

// SetFilter keeps the rows whose name, env or preset hold every word.
func (t *providerTable) SetFilter(f string) {
	if f == t.filter {
		return
	}
	t.filter = f
	t.rebuild(t.Selected())
}

// SetSort changes the order.
func (t *providerTable) SetSort(s sortMode) {
	t.sortBy = s
	t.rebuild(t.Selected())
}

// rebuild recomputes the view (filter, then sort) and puts the cursor
// back on the provider named sel when it is still shown.
func (t *providerTable) rebuild(sel string) {
	words := strings.Fields(strings.ToLower(t.filter))
	t.view = t.view[:0]
	for i := range t.rows {
		ok := true
		for _, w := range words {
			if !strings.Contains(t.rows[i].search, w) {
				ok = false
				break
			}
		}
		if ok {
			t.view = append(t.view, i)
		}
	}
	slices.SortStableFunc(t.view, t.compare)
	if i, ok := t.index[sel]; ok && sel != "" {
		if pos := slices.Index(t.view, i); pos >= 0 {
			t.cursor = pos
		}
	}
	t.cursor = min(max(t.cursor, 0), max(len(t.view)-1, 0))
	t.scrollToCursor()
}

func (t *providerTable) compare(a, b int) int {
	ra, rb := &t.rows[a], &t.rows[b]
	byName := cmp.Compare(ra.sum.Provider.Name, rb.sum.Provider.Name)
	switch t.sortBy {
	case sortName:
		return byName
	case sortEnv:
		ea, eb := ra.sum.Provider.Env, rb.sum.Provider.Env
		if (ea == "") != (eb == "") {
			if ea == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(ea, eb), byName)
	}
	ta, tb := ra.sum.Token, rb.sum.Token
	switch {
	case ta == nil && tb == nil:
		return byName
	case ta == nil:
		return 1
	case tb == nil:
		return -1
	}
	return cmp.Or(ta.ExpiresAt.Compare(tb.ExpiresAt), byName)
}

// Selected is the name of the provider under the cursor ("" when none).
func (t *providerTable) Selected() string {
	if r := t.selectedRow(); r != nil {
		return r.sum.Provider.Name
	}
	return ""
}

func (t *providerTable) selectedRow() *row {
	if t.cursor < 0 || t.cursor >= len(t.view) {
		return nil
	}
	return &t.rows[t.view[t.cursor]]
}

// Row returns the row of the named provider.
func (t *providerTable) Row(name string) (*row, bool) {
	i, ok := t.index[name]
	if !ok {
		return nil, false
	}
	return &t.rows[i], true
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
	t.offset = min(max(t.offset, 0), max(len(t.view)-h, 0))
}

func (t *providerTable) move(n int) {
	t.cursor = min(max(t.cursor+n, 0), max(len(t.view)-1, 0))
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
	case key.Matches(km, k.Up):
		t.move(-1)
	case key.Matches(km, k.Down):
		t.move(1)
	case key.Matches(km, k.PageUp):
		t.move(-t.visibleRows())
	case key.Matches(km, k.PageDown):
		t.move(t.visibleRows())
	case key.Matches(km, k.Top):
		t.move(-len(t.view))
	case key.Matches(km, k.Bottom):
		t.move(len(t.view))
	case key.Matches(km, k.Sort):
		t.SetSort((t.sortBy + 1) % 3)
	case key.Matches(km, k.Filter):
		return t.bus.emit(filterIntent{})
	case key.Matches(km, k.Detail):
		if sel != "" || t.detailOpen {
			return t.bus.emit(toggleDetailIntent{})
		}
	case key.Matches(km, k.FocusDetail):
		return t.bus.emit(focusDetailIntent{on: true})
	case key.Matches(km, k.Back):
		if t.filter != "" {
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
	drawn := min(max(len(t.view)-t.offset, 0), h)
	var b strings.Builder
	b.Grow((t.width+32)*(drawn+2) + h)
	b.WriteString(t.titles())
	if len(t.view) == 0 {
		msg := "no providers yet: press a to add one, or run tokentop import FILE"
		switch {
		case !t.loaded:
			msg = "loading…"
		case t.filter != "":
			msg = fmt.Sprintf("no provider matches %q (esc clears the filter)", t.filter)
		case len(t.rows) > 0:
			msg = ""
		}
		b.WriteString("\n" + t.hint.Render(fit("  "+msg, t.width, false)))
		h--
	}
	end := min(t.offset+h, len(t.view))
	for i := t.offset; i < end; i++ {
		b.WriteByte('\n')
		t.renderRow(&b, &t.rows[t.view[i]], i == t.cursor)
	}
	for i := max(end-t.offset, 0); i < h; i++ {
		b.WriteByte('\n')
	}
	return b.String()
}

func (t *providerTable) titles() string {
	c := t.cols
	arrow := func(s sortMode, title string) string {
		if t.sortBy == s {
			return title + "↑"
		}
		return title
	}
	var b strings.Builder
	b.WriteString(fit("", c.mark, false))
	b.WriteString(fit(arrow(sortName, "NAME"), c.name, false))
	if c.env > 0 {
		b.WriteString(" " + fit(arrow(sortEnv, "ENV"), c.env, false))
	}
	b.WriteString(" " + fit("STATUS", c.status, false))
	b.WriteString(" " + fit(arrow(sortExpiry, "EXPIRES"), c.expires, true))
	if c.life > 0 {
		b.WriteString(" " + fit("LIFE", c.life, false))
	}
	if c.quota > 0 {
		b.WriteString(" " + fit("QUOTA", c.quota, true))
	}
	if c.qbar > 0 {
		b.WriteString(" " + fit("", c.qbar, false))
	}
	if c.last > 0 {
		b.WriteString(" " + fit("LAST CALL", c.last, false))
	}
	return t.head.Render(fit(b.String(), t.width, false))
}

// lifeClass colours a remaining time: bad when expired, warn under 5
// minutes or 20 % of the lifetime, ok otherwise.
func lifeClass(cs *cellStyles, left, lifetime time.Duration) lipgloss.Style {
	switch {
	case left <= 0:
		return cs.bad
	case left <= providers.ExpiringWithin || (lifetime > 0 && left*5 <= lifetime):
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
// else the tokens issued this month.
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
	return fmt.Sprintf("%d mo", q.Month), 0, false
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

func (t *providerTable) renderRow(b *strings.Builder, r *row, selected bool) {
	cs := &t.normal
	if selected {
		cs = &t.sel
	}
	c, s := t.cols, &r.sum
	w := 0
	put := func(st lipgloss.Style, text string) {
		b.WriteString(st.Render(text))
		w += utf8.RuneCountInString(text)
	}

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
	put(cs.accent, fit(cursor+mark, c.mark, false))
	put(cs.text, fit(r.name, c.name, false))
	if c.env > 0 {
		put(cs.muted, " "+fit(r.env, c.env, false))
	}
	status := string(r.status)
	stSty := statusStyle(cs, r.status)
	if r.paused {
		status, stSty = "paused", cs.warn
	}
	put(stSty, " "+fit(status, c.status, false))

	tok := s.Token
	if tok == nil || tok.ExpiresAt.IsZero() {
		put(cs.muted, " "+fit("-", c.expires, true))
		if c.life > 0 {
			put(cs.barEmpty, " "+strings.Repeat("░", c.life))
		}
	} else {
		left := tok.ExpiresAt.Sub(t.now)
		life := tok.Lifetime()
		sty := lifeClass(cs, left, life)
		cd := countdown(left)
		if tok.ExpiryAssumed {
			cd += "*"
		} else {
			cd += " "
		}
		put(sty, " "+fit(cd, c.expires, true))
		if c.life > 0 {
			frac := 0.0
			if life > 0 {
				frac = float64(left) / float64(life)
			}
			full, empty := bar(frac, c.life)
			put(sty, " "+full)
			put(cs.barEmpty, empty)
		}
	}

	if c.quota > 0 {
		text, frac, known := quotaCell(s)
		sty := quotaStyle(cs, frac, known)
		put(sty, " "+fit(text, c.quota, true))
		if c.qbar > 0 {
			if known {
				full, empty := bar(frac, c.qbar)
				put(sty, " "+full)
				put(cs.barEmpty, empty)
			} else {
				put(cs.text, " "+strings.Repeat(" ", c.qbar))
			}
		}
	}
	if c.last > 0 {
		if lc := s.LastCall; lc != nil {
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
			put(sty, " "+fit(code+" "+latency(lc.Latency), c.last, false))
		} else {
			put(cs.muted, " "+fit("-", c.last, false))
		}
	}
	if w < t.width {
		put(cs.text, strings.Repeat(" ", t.width-w))
	}
}
