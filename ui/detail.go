package ui

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
)

// maxExchanges is how many flight records the detail lists.
const maxExchanges = 8

// detailView shows everything known about one provider. The root gives it
// the summary (on every reload and tick) and the data a command loaded
// (decoded claims, masked token, history); it only renders.
type detailView struct {
	bus      *bus
	keys     DetailKeyMap
	st       *theme.Styles
	loc      *time.Location
	readOnly bool

	vp            viewport.Model
	width, height int
	focused       bool

	name  string
	sum   store.Summary
	flags rowFlags
	auto  bool
	now   time.Time
	data  *detailDataMsg // for name; nil while loading

	// chart is the quota chart drawn for chartOf at chartW cells: drawn
	// again only when the history or the width changes, not every tick.
	chart   string
	chartOf *store.QuotaHistory
	chartW  int
}

var _ Component = (*detailView)(nil)

func newDetailView(st *theme.Styles, keys DetailKeyMap, loc *time.Location, readOnly bool) *detailView {
	return &detailView{keys: keys, st: st, loc: loc, readOnly: readOnly, vp: viewport.New(0, 0)}
}

// SetSize implements Component: the size of the whole panel.
func (d *detailView) SetSize(width, height int) {
	d.width, d.height = width, height
	d.vp.Width = max(width-d.st.Panel.GetHorizontalFrameSize(), 1)
	d.vp.Height = max(height-d.st.Panel.GetVerticalFrameSize()-1, 1)
	d.render()
}

// Show sets what to show; a different provider resets the scroll and the
// loaded data.
func (d *detailView) Show(sum store.Summary, flags rowFlags, auto bool, now time.Time) {
	if sum.Provider.Name != d.name {
		d.name, d.data = sum.Provider.Name, nil
		d.vp.GotoTop()
	}
	d.sum, d.flags, d.auto, d.now = sum, flags, auto, now
	d.render()
}

// SetData takes the loaded claims and history (the root checked the tag).
func (d *detailView) SetData(msg detailDataMsg) {
	if msg.name == d.name {
		d.data = &msg
		d.render()
	}
}

// SetFocus says whether keys come here (overlay, or tab on a wide screen).
func (d *detailView) SetFocus(on bool) { d.focused = on }

// SetSide says whether the detail sits beside or under the table, where
// tab gives the focus back to it.
func (d *detailView) SetSide(on bool) { d.keys.Table.SetEnabled(on) }

// Showing is the name of the provider shown ("" when none).
func (d *detailView) Showing() string { return d.name }

// Forget drops the provider shown: the next Show starts afresh.
func (d *detailView) Forget() { d.name = "" }

// Scroll moves the content by pages and lines (negative: up).
func (d *detailView) Scroll(pages, lines int) {
	for ; pages > 0; pages-- {
		d.vp.PageDown()
	}
	for ; pages < 0; pages++ {
		d.vp.PageUp()
	}
	if lines != 0 {
		wheelScroll(&d.vp, lines)
	}
}

// Update implements Component.
func (d *detailView) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	k := d.keys
	if what, ok := k.Actions.lockedAction(km); ok {
		return d.bus.emit(lockedIntent{what})
	}
	switch {
	case scroll(&d.vp, km, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom):
	case key.Matches(km, k.Close):
		return d.bus.emit(toggleDetailIntent{})
	case key.Matches(km, k.Table):
		return d.bus.emit(focusDetailIntent{on: false})
	case key.Matches(km, k.Palette):
		return d.bus.emit(paletteIntent{})
	case key.Matches(km, k.Help):
		return d.bus.emit(helpIntent{})
	case key.Matches(km, k.Quit):
		return d.bus.emit(quitIntent{})
	case d.name != "":
		return actionIntent(d.bus, km, k.Actions, d.name)
	}
	return nil
}

// scroll moves a viewport by one of the scroll keys and reports whether
// km was one.
func scroll(vp *viewport.Model, km tea.KeyMsg, up, down, pgup, pgdn, top, bottom key.Binding) bool {
	switch {
	case key.Matches(km, up):
		vp.ScrollUp(1)
	case key.Matches(km, down):
		vp.ScrollDown(1)
	case key.Matches(km, pgup):
		vp.PageUp()
	case key.Matches(km, pgdn):
		vp.PageDown()
	case key.Matches(km, top):
		vp.GotoTop()
	case key.Matches(km, bottom):
		vp.GotoBottom()
	default:
		return false
	}
	return true
}

// ShortHelp implements help.KeyMap.
func (d *detailView) ShortHelp() []key.Binding { return d.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (d *detailView) FullHelp() [][]key.Binding { return d.keys.FullHelp() }

// View implements Component.
func (d *detailView) View() string {
	panel := d.st.Panel
	if d.focused {
		panel = d.st.Overlay
	}
	more := d.scrollHint()
	title := d.st.PanelTitle.Render(fit(d.title(), max(d.vp.Width-len([]rune(more)), 1), false)) + d.st.Muted.Render(more)
	return panel.Width(d.width - panel.GetHorizontalBorderSize()).
		Height(d.height - panel.GetVerticalBorderSize()).
		Render(title + "\n" + d.vp.View())
}

// scrollHint says where the view is when the content is taller than the
// panel, so nothing is cut off silently: "  1-19/58 pgdn↓".
func (d *detailView) scrollHint() string {
	total := d.vp.TotalLineCount()
	if total <= d.vp.Height || d.vp.Width < 30 {
		return ""
	}
	first := d.vp.YOffset + 1
	last := min(d.vp.YOffset+d.vp.Height, total)
	arrow := " pgdn↓"
	if d.vp.AtBottom() {
		arrow = " pgup↑"
	}
	return fmt.Sprintf("  %d-%d/%d%s", first, last, total, arrow)
}

func (d *detailView) title() string {
	if d.name == "" {
		return "no provider selected"
	}
	p := d.sum.Provider
	parts := []string{clean(p.Name)}
	if p.Preset != "" {
		parts = append(parts, clean(p.Preset))
	}
	if p.Env != "" {
		parts = append(parts, clean(p.Env))
	}
	return strings.Join(parts, " · ")
}

// render rebuilds the content; called when the data, the clock or the size
// changes, never from View.
func (d *detailView) render() {
	if d.name == "" || d.vp.Width <= 1 {
		d.vp.SetContent("")
		return
	}
	d.vp.SetContent(d.content(d.vp.Width))
}

func (d *detailView) local(t time.Time) string {
	return t.In(d.locOrLocal()).Format("2006-01-02 15:04:05 MST")
}

// both is a time in local time and in UTC (once when local is UTC).
func (d *detailView) both(t time.Time) string {
	l := t.In(d.locOrLocal())
	if _, off := l.Zone(); off == 0 {
		return l.Format("2006-01-02 15:04:05 MST")
	}
	return l.Format("2006-01-02 15:04:05 MST") + " · " + t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// detailLabelW is the width of the detail's labels.
const detailLabelW = 12

// content is the detail as lines of label and value, wrapped to width:
// the status, the token, the quota and the client, what happened last,
// then what a command loaded (the claims and the recent exchanges).
func (d *detailView) content(width int) string {
	w := &lineWriter{st: d.st, width: width, labelW: detailLabelW}
	d.writeStatus(w)
	if t := d.sum.Token; t != nil {
		d.writeToken(w, t)
	} else if d.sum.Provider.Grant.UserLogin() {
		w.line("Token", "none yet: press l to log in", d.st.Muted)
	} else {
		w.line("Token", "none yet: press r to fetch one", d.st.Muted)
		w.line("Scopes", "asked   "+orDash(strings.Join(d.sum.Provider.Scopes, " ")), d.st.Row)
	}
	d.writeSession(w)
	d.writeQuota(w)
	d.writeClient(w)
	d.writeLast(w)
	if d.data == nil {
		w.WriteByte('\n')
		w.WriteString(d.st.Muted.Render("loading claims and history…"))
		return strings.TrimRight(w.String(), "\n")
	}
	if d.data.err != nil {
		w.line("Load", clean(d.data.err.Error()), d.st.ErrorText)
	}
	d.writeChart(w)
	d.writeClaims(w)
	d.writeIDClaims(w)
	d.writeExchanges(w)
	return strings.TrimRight(w.String(), "\n")
}

// writeStatus is the status line, with the root's auto-refresh and
// refresh state.
func (d *detailView) writeStatus(w *lineWriter) {
	st, sm := d.st, d.sum
	status := string(sm.Status(d.now))
	stSty := statusStyle(&cellStyles{ok: st.OK, warn: st.Warn, bad: st.Bad, muted: st.Muted}, sm.Status(d.now))
	switch {
	case d.flags.paused:
		status += " · auto-refresh paused: quota 90%"
		stSty = st.Warn
	case d.auto:
		status += " · auto-refresh on"
	}
	if d.flags.refreshing {
		status += " · refreshing…"
	}
	w.line("Status", status, stSty)
}

// writeToken is the cached token: its kind, the times, the clock skew,
// the scopes and the warnings of its answer.
func (d *detailView) writeToken(w *lineWriter, t *providers.Token) {
	st, text := d.st, d.st.Row
	w.line("Token", d.tokenLine(t), text)
	if t.IsAPIKey() { // a static key: its date, nothing issued
		exp := providers.KeyCountdown(t, d.now)
		if warn := d.sum.Provider.KeyWarning(d.now); warn != "" {
			exp += " · " + clean(warn)
		}
		w.line("Expires", exp, text)
		return
	}
	d.writeTimes(w, t)
	skew := "unknown (no Date header)"
	if !t.ServerDate.IsZero() {
		skew = fmt.Sprintf("%s (local clock minus the server's Date)", signed(t.Skew))
	}
	skewSty := text
	if t.Skew > 30*time.Second || t.Skew < -30*time.Second {
		skewSty = st.Warn
	}
	w.line("Skew", skew, skewSty)
	d.writeScopes(w, t)
	for _, warn := range t.Warnings {
		w.line("Warning", clean(warn), st.Warn)
	}
}

// tokenLine is the token's type, and once loaded its kind and masked value.
func (d *detailView) tokenLine(t *providers.Token) string {
	tokLine := orDash(clean(t.TokenType))
	if d.data != nil && d.data.masked != "" {
		kind := "opaque"
		if d.data.claims != nil {
			kind = "JWT"
			if d.data.claims.Algorithm != "" {
				kind += " " + d.data.claims.Algorithm
			}
		}
		tokLine += " · " + kind + " · " + d.data.masked
	}
	return tokLine
}

// writeTimes is when the token expires (and where that came from) and
// when it was issued.
func (d *detailView) writeTimes(w *lineWriter, t *providers.Token) {
	st := d.st
	left := t.ExpiresAt.Sub(d.now)
	when := "in " + countdown(left)
	if left <= 0 {
		when = "expired " + countdown(-left) + " ago"
	}
	exp := when + " · " + d.both(t.ExpiresAt)
	if t.ExpirySource != "" && !t.ExpiryAssumed {
		exp += " · from " + t.ExpirySource
	}
	w.line("Expires", exp, lifeClass(&cellStyles{ok: st.OK, warn: st.Warn, bad: st.Bad}, left, t.Lifetime()))
	if t.ExpiryAssumed {
		w.line("Assumed", "* the server gave no expiry: taken from "+orDash(t.ExpirySource), st.Warn)
	}
	w.line("Issued", fmt.Sprintf("%s · lifetime %s, refresh margin %s", d.both(t.IssuedAt), human(t.Lifetime()), human(t.RefreshMargin())), st.Row)
}

// writeScopes is the scopes asked for, granted and missing.
func (d *detailView) writeScopes(w *lineWriter, t *providers.Token) {
	p, text := d.sum.Provider, d.st.Row
	asked := strings.Join(p.Scopes, " ")
	scope, from := t.Scope, ""
	if scope == "" && d.data != nil && d.data.jwtScope != "" {
		// As the doctor does: the response named none, the JWT does.
		scope, from = d.data.jwtScope, " (from the JWT: the response named none)"
	}
	granted := strings.Join(splitScopes(clean(scope)), " ")
	w.line("Scopes", "asked   "+orDash(asked), text)
	w.line("", "granted "+orDash(granted)+from, text)
	if miss := missing(p.Scopes, splitScopes(scope)); len(miss) > 0 && scope != "" {
		w.line("", "missing "+strings.Join(miss, " "), d.st.Warn)
	}
}

// writeQuota is the quota used, or the tokens counted when none is set.
func (d *detailView) writeQuota(w *lineWriter) {
	st, q := d.st, d.sum.Quota
	if q.Limit > 0 {
		qs := fmt.Sprintf("%d/%d this %s (hour %d · day %d · month %d)", q.Used, q.Limit, q.Per, q.Hour, q.Day, q.Month)
		w.line("Quota", qs, quotaStyle(&cellStyles{text: st.Row, warn: st.Warn, bad: st.Bad}, float64(q.Used)/float64(q.Limit), true))
	} else {
		w.line("Tokens", fmt.Sprintf("hour %d · day %d · month %d (no quota set)", q.Hour, q.Day, q.Month), st.Muted)
	}
}

// writeClient is the token endpoint, the client and how it authenticates,
// and the audience.
func (d *detailView) writeClient(w *lineWriter) {
	sm, text := d.sum, d.st.Row
	p := sm.Provider
	auth := string(p.Style())
	if sm.AuthStyleLearned != "" && p.Style() == providers.AuthAuto {
		auth += " (learned: " + string(sm.AuthStyleLearned) + ")"
	}
	w.line("Endpoint", clean(p.TokenURL), text)
	w.line("Client", clean(p.ClientID)+" · auth "+auth+secretNote(sm.HasSecret, p.ClientSecretRef), text)
	if p.Audience != "" {
		w.line("Audience", clean(p.Audience), text)
	}
}

// writeLast is the last test-call (with its rate-limit figures), what a
// proxy counted, and the last error (with its hint).
func (d *detailView) writeLast(w *lineWriter) {
	st := d.st
	if c := d.sum.LastCall; c != nil {
		code := "no answer"
		if c.Status > 0 {
			code = fmt.Sprintf("%d %s", c.Status, http.StatusText(c.Status))
		}
		w.line("Last call", fmt.Sprintf("%s · %s · %s · %s", code, latency(c.Latency), orDash(clean(c.Endpoint)), d.local(c.At)), st.Row)
		if rl := c.RateLimit; len(rl) > 0 {
			if b, ok := rateLimitBar(st, rl, d.now, w.width-w.labelW); ok {
				w.WriteString(st.Label.Render(fit("Rate limit", w.labelW, false)) + b + "\n")
				w.line("", rateLimitText(rl, false), st.Muted)
			} else {
				w.line("Rate limit", rateLimitText(rl, false), st.Row)
			}
		}
	}
	d.writeProxy(w)
	if e := d.sum.LastError; e != nil {
		w.line("Last error", clean(e.Message)+" ("+d.local(e.At)+")", st.ErrorText)
		if e.Hint != "" {
			w.line("Hint", clean(e.Hint), st.Hint)
		}
	}
}

// writeChart is the quota chart: the tokens issued over the quota's
// period, the limit and where the current rate leads.
func (d *detailView) writeChart(w *lineWriter) {
	h := d.data.quota
	if h == nil {
		return
	}
	if d.chartOf != h || d.chartW != w.width {
		d.chart, d.chartOf, d.chartW = quotaChart(d.st, h, w.width), h, w.width
	}
	w.section(fit(chartTitle(h), w.width, false))
	w.WriteString(d.chart)
	w.WriteByte('\n')
}

// writeClaims is the token's decoded claims, or why it has none.
func (d *detailView) writeClaims(w *lineWriter) {
	c := d.data.claims
	if c == nil {
		if d.data.claimErr != "" {
			w.section("Claims")
			w.WriteString(d.st.Muted.Render("  " + clean(d.data.claimErr)))
			w.WriteByte('\n')
		}
		return
	}
	w.section("Claims (decoded, not verified)")
	claim := func(k, v string) {
		if v != "" {
			w.line("  "+k, clean(v), d.st.Row)
		}
	}
	claim("alg", c.Algorithm)
	claim("kid", c.KeyID)
	claim("iss", c.Issuer)
	claim("sub", c.Subject)
	claim("aud", strings.Join(c.Audience, " "))
	claim("client_id", c.ClientID)
	claim("scope", c.Scope)
	for _, tc := range []struct {
		k string
		t time.Time
	}{{"iat", c.IssuedAt}, {"nbf", c.NotBefore}, {"exp", c.ExpiresAt}} {
		if !tc.t.IsZero() {
			claim(tc.k, tc.t.UTC().Format(time.RFC3339))
		}
	}
	claim("jti", c.ID)
}

// writeExchanges is the newest flight records, one line each, and how
// many more are kept.
func (d *detailView) writeExchanges(w *lineWriter) {
	st := d.st
	w.section("Recent exchanges")
	if len(d.data.history) == 0 {
		w.WriteString(st.Muted.Render("  none recorded yet"))
		w.WriteByte('\n')
	}
	for i, ex := range d.data.history {
		if i == maxExchanges {
			break
		}
		status := "  -"
		if ex.Status != 0 {
			status = fmt.Sprintf("%3d", ex.Status)
		}
		result, sty := ex.Outcome(), st.OK
		if ex.Error != "" {
			sty = st.ErrorText
		}
		head := fmt.Sprintf("  %s %-5s %s %6s ", ex.Started.In(d.locOrLocal()).Format("15:04:05"), ex.AuthStyle, status, latency(ex.Timings.Total))
		w.WriteString(st.Muted.Render(head))
		w.WriteString(sty.Render(fit(result, max(w.width-len([]rune(head)), 4), false)))
		w.WriteByte('\n')
	}
	if shown := min(len(d.data.history), maxExchanges); d.data.historyTotal > shown {
		w.WriteString(st.Muted.Render(fmt.Sprintf("  … %d more: tokentop history %s", d.data.historyTotal-shown, d.sum.Provider.Name)))
		w.WriteByte('\n')
	}
}

func (d *detailView) locOrLocal() *time.Location {
	if d.loc != nil {
		return d.loc
	}
	return time.Local
}

// rateLimitText lists rate-limit figures in a fixed order; relative shows
// "reset in" (fresh figures), else the reset time (recorded ones).
func rateLimitText(rl map[string]string, relative bool) string {
	var parts []string
	for _, k := range []string{"limit", "remaining", "reset_in", "reset", "policy"} {
		if _, ok := rl["reset_in"]; (k == "reset" && relative && ok) || (k == "reset_in" && !relative) {
			continue
		}
		if v, ok := rl[k]; ok {
			label := k
			if k == "reset_in" {
				label = "reset in"
			}
			parts = append(parts, label+" "+clean(v))
		}
	}
	var rest []string
	for k, v := range rl {
		switch k {
		case "limit", "remaining", "reset_in", "reset", "policy":
		default:
			rest = append(rest, clean(k)+" "+clean(v))
		}
	}
	sort.Strings(rest)
	return strings.Join(append(parts, rest...), " · ")
}

func secretNote(has bool, ref string) string {
	switch {
	case ref != "":
		return " · secret from " + clean(ref)
	case has:
		return " · secret stored"
	}
	return " · no secret"
}

// missing lists the scopes asked for and not granted.
func missing(asked, granted []string) []string {
	have := map[string]bool{}
	for _, g := range granted {
		have[g] = true
	}
	var out []string
	for _, a := range asked {
		if !have[a] {
			out = append(out, a)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Wheel scrolls the detail n lines (negative: up).
func (d *detailView) Wheel(n int) { wheelScroll(&d.vp, n) }

// wheelScroll scrolls a viewport n lines (negative: up).
func wheelScroll(vp *viewport.Model, n int) {
	if n < 0 {
		vp.ScrollUp(-n)
	} else {
		vp.ScrollDown(n)
	}
}
