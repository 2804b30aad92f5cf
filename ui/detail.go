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
	"github.com/charmbracelet/lipgloss"

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
	title := d.st.PanelTitle.Render(fit(d.title(), d.vp.Width, false))
	return panel.Width(d.width - panel.GetHorizontalBorderSize()).
		Height(d.height - panel.GetVerticalBorderSize()).
		Render(title + "\n" + d.vp.View())
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

// content is the detail as lines of label and value, wrapped to width.
func (d *detailView) content(width int) string {
	st, sm, now := d.st, d.sum, d.now
	p := sm.Provider
	const lw = 12
	var b strings.Builder
	line := func(label string, value string, sty lipgloss.Style) {
		lines := strings.Split(wrapText(value, max(width-lw, 8)), "\n")
		for i, l := range lines {
			lab := ""
			if i == 0 {
				lab = label
			}
			b.WriteString(st.Label.Render(fit(lab, lw, false)))
			b.WriteString(sty.Render(l))
			b.WriteByte('\n')
		}
	}
	section := func(title string) {
		b.WriteByte('\n')
		b.WriteString(st.PanelTitle.Render(title))
		b.WriteByte('\n')
	}
	text := st.Row

	status := string(sm.Status(now))
	stSty := statusStyle(&cellStyles{ok: st.OK, warn: st.Warn, bad: st.Bad, muted: st.Muted}, sm.Status(now))
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
	line("Status", status, stSty)

	if t := sm.Token; t != nil {
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
		line("Token", tokLine, text)
		left := t.ExpiresAt.Sub(now)
		when := "in " + countdown(left)
		if left <= 0 {
			when = "expired " + countdown(-left) + " ago"
		}
		exp := when + " · " + d.both(t.ExpiresAt)
		if t.ExpirySource != "" && !t.ExpiryAssumed {
			exp += " · from " + t.ExpirySource
		}
		line("Expires", exp, lifeClass(&cellStyles{ok: st.OK, warn: st.Warn, bad: st.Bad}, left, t.Lifetime()))
		if t.ExpiryAssumed {
			line("Assumed", "* the server gave no expiry: taken from "+orDash(t.ExpirySource), st.Warn)
		}
		line("Issued", fmt.Sprintf("%s · lifetime %s, refresh margin %s", d.both(t.IssuedAt), human(t.Lifetime()), human(t.RefreshMargin())), text)
		skew := "unknown (no Date header)"
		if !t.ServerDate.IsZero() {
			skew = fmt.Sprintf("%s (local clock minus the server's Date)", signed(t.Skew))
		}
		skewSty := text
		if t.Skew > 30*time.Second || t.Skew < -30*time.Second {
			skewSty = st.Warn
		}
		line("Skew", skew, skewSty)
		asked := strings.Join(p.Scopes, " ")
		granted := strings.Join(splitScopes(clean(t.Scope)), " ")
		line("Scopes", "asked   "+orDash(asked), text)
		line("", "granted "+orDash(granted), text)
		if miss := missing(p.Scopes, splitScopes(t.Scope)); len(miss) > 0 && t.Scope != "" {
			line("", "missing "+strings.Join(miss, " "), st.Warn)
		}
		for _, w := range t.Warnings {
			line("Warning", clean(w), st.Warn)
		}
	} else {
		line("Token", "none yet: press r to fetch one", st.Muted)
		line("Scopes", "asked   "+orDash(strings.Join(p.Scopes, " ")), text)
	}

	q := sm.Quota
	if q.Limit > 0 {
		qs := fmt.Sprintf("%d/%d this %s (hour %d · day %d · month %d)", q.Used, q.Limit, q.Per, q.Hour, q.Day, q.Month)
		line("Quota", qs, quotaStyle(&cellStyles{text: text, warn: st.Warn, bad: st.Bad}, float64(q.Used)/float64(q.Limit), true))
	} else {
		line("Tokens", fmt.Sprintf("hour %d · day %d · month %d (no quota set)", q.Hour, q.Day, q.Month), st.Muted)
	}
	auth := string(p.Style())
	if sm.AuthStyleLearned != "" && p.Style() == providers.AuthAuto {
		auth += " (learned: " + string(sm.AuthStyleLearned) + ")"
	}
	line("Endpoint", clean(p.TokenURL), text)
	line("Client", clean(p.ClientID)+" · auth "+auth+secretNote(sm.HasSecret, p.ClientSecretRef), text)
	if p.Audience != "" {
		line("Audience", clean(p.Audience), text)
	}

	if c := sm.LastCall; c != nil {
		code := "no answer"
		if c.Status > 0 {
			code = fmt.Sprintf("%d %s", c.Status, http.StatusText(c.Status))
		}
		line("Last call", fmt.Sprintf("%s · %s · %s · %s", code, latency(c.Latency), orDash(clean(c.Endpoint)), d.local(c.At)), text)
		if rl := c.RateLimit; len(rl) > 0 {
			line("Rate limit", rateLimitText(rl, false), text)
		}
	}
	if e := sm.LastError; e != nil {
		line("Last error", clean(e.Message)+" ("+d.local(e.At)+")", st.ErrorText)
		if e.Hint != "" {
			line("Hint", clean(e.Hint), st.Hint)
		}
	}

	if d.data == nil {
		b.WriteByte('\n')
		b.WriteString(st.Muted.Render("loading claims and history…"))
		return strings.TrimRight(b.String(), "\n")
	}
	if d.data.err != nil {
		line("Load", clean(d.data.err.Error()), st.ErrorText)
	}
	if c := d.data.claims; c != nil {
		section("Claims (decoded, not verified)")
		claim := func(k, v string) {
			if v != "" {
				line("  "+k, clean(v), text)
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
	} else if d.data.claimErr != "" {
		section("Claims")
		b.WriteString(st.Muted.Render("  " + clean(d.data.claimErr)))
		b.WriteByte('\n')
	}
	section("Recent exchanges")
	if len(d.data.history) == 0 {
		b.WriteString(st.Muted.Render("  none recorded yet"))
		b.WriteByte('\n')
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
		b.WriteString(st.Muted.Render(head))
		b.WriteString(sty.Render(fit(result, max(width-len([]rune(head)), 4), false)))
		b.WriteByte('\n')
	}
	if shown := min(len(d.data.history), maxExchanges); d.data.historyTotal > shown {
		b.WriteString(st.Muted.Render(fmt.Sprintf("  … %d more: tokentop history %s", d.data.historyTotal-shown, p.Name)))
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
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
