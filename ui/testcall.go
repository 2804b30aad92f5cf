package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/headers"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/theme"
)

// callPicker lists a provider's saved endpoints and a last "custom" entry
// where a method and URL are typed. Without custom (a read-only session)
// there is no such entry: a typed URL would send the token to any host the
// caller chose, which is as good as copying it.
type callPicker struct {
	bus    *bus
	keys   PickerKeyMap
	st     *theme.Styles
	input  textinput.Model
	custom bool

	name      string
	endpoints []providers.Endpoint
	cursor    int // len(endpoints) is the custom entry, when there is one
	err       string

	width, height int
}

var _ Component = (*callPicker)(nil)

func newCallPicker(st *theme.Styles, keys PickerKeyMap, custom bool) *callPicker {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = "GET https://api.example.com/v1/items"
	in.PromptStyle, in.TextStyle, in.PlaceholderStyle = st.Accent, st.Row, st.Muted
	in.Cursor.Style = st.Accent
	in.CharLimit = 2048
	return &callPicker{keys: keys, st: st, input: in, custom: custom}
}

// last is the index of the last entry: the custom one, or the last saved
// endpoint without it (-1 when there is nothing to call).
func (c *callPicker) last() int {
	if c.custom {
		return len(c.endpoints)
	}
	return len(c.endpoints) - 1
}

// Open starts picking for provider p; last is the endpoint called last
// (zero when none). A saved one is selected; a custom request called last
// is typed in the custom entry, selected, and listed nowhere else.
func (c *callPicker) Open(p providers.Provider, last providers.Endpoint) tea.Cmd {
	c.name, c.endpoints, c.cursor, c.err = p.Name, p.Endpoints, 0, ""
	c.input.SetValue("")
	if len(p.Endpoints) > 0 {
		e := p.Endpoints[0]
		c.input.SetValue(methodOf(e.Method) + " " + e.URL)
	}
	if last.URL == "" {
		return c.sync()
	}
	if i := slices.IndexFunc(p.Endpoints, func(e providers.Endpoint) bool { return e.Name == last.Name }); i >= 0 {
		c.cursor = i
	} else if c.custom {
		c.cursor = len(c.endpoints)
		c.input.SetValue(methodOf(last.Method) + " " + last.URL)
	}
	return c.sync()
}

// sync focuses the input when the custom entry is selected.
func (c *callPicker) sync() tea.Cmd {
	if c.custom && c.cursor == len(c.endpoints) {
		c.input.CursorEnd()
		return c.input.Focus()
	}
	c.input.Blur()
	return nil
}

func methodOf(m string) string {
	if m == "" {
		return http.MethodGet
	}
	return strings.ToUpper(m)
}

// SetSize implements Component.
func (c *callPicker) SetSize(width, height int) {
	c.width, c.height = width, height
	c.input.Width = max(width-c.st.Overlay.GetHorizontalFrameSize()-6, 10)
}

// Update implements Component.
func (c *callPicker) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		if c.input.Focused() {
			var cmd tea.Cmd
			c.input, cmd = c.input.Update(msg)
			return cmd
		}
		return nil
	}
	onCustom := c.custom && c.cursor == len(c.endpoints)
	typing := onCustom && (km.Type == tea.KeyRunes || km.Type == tea.KeySpace)
	switch {
	case key.Matches(km, c.keys.Back):
		return c.bus.emit(closeIntent{})
	case key.Matches(km, c.keys.Choose):
		return c.choose()
	case !typing && key.Matches(km, c.keys.Up):
		c.cursor = max(c.cursor-1, 0)
		return c.sync()
	case !typing && key.Matches(km, c.keys.Down):
		c.cursor = max(min(c.cursor+1, c.last()), 0)
		return c.sync()
	case onCustom:
		c.err = ""
		var cmd tea.Cmd
		c.input, cmd = c.input.Update(msg)
		return cmd
	}
	return nil
}

// choose turns the selection into a call intent, or shows why the typed
// request is not one.
func (c *callPicker) choose() tea.Cmd {
	if c.cursor < len(c.endpoints) {
		e := c.endpoints[c.cursor]
		return c.bus.emit(callIntent{name: c.name, label: e.Name, req: providers.RequestFromEndpoint(e)})
	}
	if !c.custom {
		return nil
	}
	req, err := parseCustomCall(c.input.Value())
	if err != nil {
		c.err = err.Error()
		return nil
	}
	return c.bus.emit(callIntent{name: c.name, label: req.Method + " " + req.URL, req: req})
}

// parseCustomCall reads "METHOD URL" or a bare URL (GET).
func parseCustomCall(s string) (providers.CallRequest, error) {
	f := strings.Fields(s)
	var req providers.CallRequest
	switch len(f) {
	case 1:
		req.Method, req.URL = http.MethodGet, f[0]
	case 2:
		req.Method, req.URL = strings.ToUpper(f[0]), f[1]
	default:
		return req, fmt.Errorf("type a method and a URL, for example GET https://api.example.com/v1/items")
	}
	if strings.Trim(req.Method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return req, fmt.Errorf("%q is not an HTTP method", req.Method)
	}
	u, err := url.Parse(req.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return req, fmt.Errorf("%q is not an absolute http(s) URL", req.URL)
	}
	return req, nil
}

// View implements Component.
func (c *callPicker) View() string {
	st := c.st
	inner := max(c.width-st.Overlay.GetHorizontalFrameSize()-2, 10)
	var b strings.Builder
	b.WriteString(st.PanelTitle.Render("Test-call " + c.name))
	b.WriteString("\n")
	b.WriteString(st.Muted.Render(fit("the provider's token goes in the Authorization header", inner, false)))
	b.WriteString("\n\n")
	for i, e := range c.endpoints {
		line := fmt.Sprintf("%-12s %s %s", e.Name, methodOf(e.Method), clean(e.URL))
		b.WriteString(c.item(i, fit(line, inner-2, false)))
		b.WriteString("\n")
	}
	if c.custom {
		b.WriteString(c.item(len(c.endpoints), "custom: "))
		b.WriteString(c.input.View())
	} else {
		msg := "read-only session: only the provider's saved endpoints can be called"
		if len(c.endpoints) == 0 {
			msg = "read-only session: this provider has no saved endpoint to call"
		}
		b.WriteString(st.Muted.Render(fit(msg, inner, false)))
	}
	if c.err != "" {
		b.WriteString("\n")
		b.WriteString(st.ErrorText.Render(fit(c.err, inner, false)))
	}
	return st.Overlay.Width(min(c.width, max(inner+st.Overlay.GetHorizontalPadding(), 40))).Render(b.String())
}

func (c *callPicker) item(i int, text string) string {
	if i == c.cursor {
		return c.st.Accent.Render("▸ ") + c.st.SelectedRow.Render(text)
	}
	return "  " + c.st.Row.Render(text)
}

// ShortHelp implements help.KeyMap.
func (c *callPicker) ShortHelp() []key.Binding { return c.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (c *callPicker) FullHelp() [][]key.Binding { return c.keys.FullHelp() }

// callView shows a test-call's answer: status, timings, headers (the
// rate-limit ones first) and the body, JSON pretty-printed, in a viewport.
type callView struct {
	scrollPanel

	name, label string
	req         providers.CallRequest
	loading     bool
	res         *providers.CallResult
	why         *headers.APIRefusal // a 401's or 403's explanation
	err         error
	record      error
	now         time.Time
	spin        string
	shared      *callShown // what follow mode publishes; nil after a change
}

var _ Component = (*callView)(nil)

func newCallView(st *theme.Styles, keys ResultKeyMap) *callView {
	return &callView{scrollPanel: newScrollPanel(st, keys)}
}

// Start shows a call in flight.
func (v *callView) Start(name, label string, req providers.CallRequest) {
	v.name, v.label, v.req, v.loading, v.res, v.err, v.record, v.why = name, label, req, true, nil, nil, nil, nil
	v.shared = nil
	v.vp.GotoTop()
	v.render()
}

// Finish shows the answer (the root checked the tag).
func (v *callView) Finish(msg callDoneMsg, now time.Time) {
	v.loading, v.res, v.err, v.record, v.why, v.now = false, msg.res, msg.err, msg.record, msg.why, now
	v.shared = nil
	v.render()
}

// Loading reports whether the call is in flight.
func (v *callView) Loading() bool { return v.loading }

// SetSpinner sets the frame shown while the call is in flight.
func (v *callView) SetSpinner(frame string) {
	if v.loading {
		v.spin = frame
	}
}

// SetSize implements Component.
func (v *callView) SetSize(width, height int) {
	v.setSize(width, height)
	v.render()
}

// Update implements Component.
func (v *callView) Update(msg tea.Msg) tea.Cmd {
	cmd, again := v.handleKey(msg)
	if again && !v.loading {
		return v.bus.emit(testCallIntent{v.name})
	}
	return cmd
}

// View implements Component.
func (v *callView) View() string {
	title := fmt.Sprintf("Test-call %s · %s", v.name, clean(v.label))
	if v.loading {
		title = v.spin + " " + title
	}
	return v.frame(title)
}

func (v *callView) render() {
	if v.vp.Width <= 1 || (!v.loading && v.res == nil && v.err == nil) {
		return
	}
	v.vp.SetContent(v.content(v.vp.Width))
}

// callLabelW is the width of the test-call result's labels.
const callLabelW = 11

// content is the result: the request and its answer's status, timings,
// rate-limit figures and explanation, then the rate-limit headers, the
// body and the other headers.
func (v *callView) content(width int) string {
	st := v.st
	w := &lineWriter{st: st, width: width, labelW: callLabelW}
	req := fmt.Sprintf("%s %s", methodOf(v.req.Method), clean(v.req.URL))
	if v.loading {
		w.line("Request", req, st.Row)
		w.WriteString(st.Muted.Render("calling…"))
		return w.String()
	}
	if v.err != nil && v.res == nil {
		w.line("Request", req, st.Row)
		w.line("Error", clean(v.err.Error()), st.ErrorText)
		if h := providers.HintFor(v.err); h != "" {
			w.line("Hint", clean(h), st.Hint)
		}
		return strings.TrimRight(w.String(), "\n")
	}
	v.writeAnswer(w)
	rlKeys, otherKeys := splitHeaders(v.res.Headers)
	v.writeHeaders(w, "Rate-limit headers", rlKeys)
	v.writeBody(w)
	v.writeHeaders(w, "Headers", otherKeys)
	return strings.TrimRight(w.String(), "\n")
}

// writeAnswer is the labelled lines of an answer: the request, the status,
// the timings, the rate limit, the challenge, why it was refused and what
// went wrong.
func (v *callView) writeAnswer(w *lineWriter) {
	st, r := v.st, v.res
	statusSty := st.OK
	switch {
	case r.Status >= 500:
		statusSty = st.Bad
	case r.Status >= 300:
		statusSty = st.Warn
	}
	w.line("Request", fmt.Sprintf("%s %s", r.Method, clean(r.URL)), st.Row)
	w.line("Status", fmt.Sprintf("%d %s · %s", r.Status, http.StatusText(r.Status), clean(r.Proto)), statusSty)
	t := r.Timings
	w.line("Timing", fmt.Sprintf("dns %s · connect %s · tls %s · first byte %s · total %s",
		phase(t.DNS), phase(t.Connect), phase(t.TLS), phase(t.FirstByte), latency(t.Total)), st.Row)
	if f := r.RateLimit.Fields(v.now); len(f) > 0 {
		w.line("Rate limit", rateLimitText(f, true), st.Info)
	}
	if r.WWWAuthenticate != "" {
		w.line("Challenge", r.WWWAuthenticate, st.Warn)
	}
	if v.why != nil && v.why.Summary != "" {
		w.line("Why", clean(v.why.Summary), st.ErrorText)
		if v.why.Hint != "" {
			w.line("Hint", clean(v.why.Hint), st.Hint)
		}
	}
	if v.err != nil {
		w.line("Error", clean(v.err.Error()), st.ErrorText)
	}
	if v.record != nil {
		w.line("Note", "not recorded in the store: "+clean(v.record.Error()), st.Warn)
	}
}

// splitHeaders sorts the header names into the rate-limit ones and the
// others.
func splitHeaders(h http.Header) (rateLimit, other []string) {
	for k := range h {
		if isRateLimitHeader(k) {
			rateLimit = append(rateLimit, k)
		} else {
			other = append(other, k)
		}
	}
	sort.Strings(rateLimit)
	sort.Strings(other)
	return rateLimit, other
}

// writeHeaders is a titled list of the answer's headers named in keys
// (nothing when there are none).
func (v *callView) writeHeaders(w *lineWriter, title string, keys []string) {
	if len(keys) == 0 {
		return
	}
	st := v.st
	w.WriteString("\n" + st.PanelTitle.Render(title) + "\n")
	for _, k := range keys {
		for _, val := range v.res.Headers[k] {
			h := st.Label.Render("  "+clean(k)+": ") + st.Row.Render(clean(val))
			w.WriteString(wrapText(h, w.width))
			w.WriteByte('\n')
		}
	}
}

// writeBody is the answer's body, JSON indented, under its kind and size.
func (v *callView) writeBody(w *lineWriter) {
	st, r := v.st, v.res
	body, kind := prettyBody(r.Body)
	size := fmt.Sprintf("%d bytes", len(r.Body))
	if r.Truncated {
		size += ", cut at 1 MiB"
	}
	w.WriteString("\n" + st.PanelTitle.Render(fmt.Sprintf("Body (%s, %s)", kind, size)) + "\n")
	if body == "" {
		w.WriteString(st.Muted.Render("  (empty)"))
	}
	for _, l := range strings.Split(body, "\n") {
		w.WriteString(st.Row.Render(wrapText("  "+l, w.width)))
		w.WriteByte('\n')
	}
}

// phase is one timing phase; "-" when it did not happen (a reused
// connection has no DNS, connect or TLS).
func phase(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return latency(d)
}

// isRateLimitHeader picks out X-RateLimit-*, RateLimit*, Retry-After.
func isRateLimitHeader(k string) bool {
	l := strings.ToLower(k)
	return strings.Contains(l, "ratelimit") || strings.Contains(l, "rate-limit") || l == "retry-after"
}

// prettyBody indents a JSON body; any other body is returned as it is.
// Either way the result is sanitised for the terminal.
func prettyBody(body string) (string, string) {
	trimmed := strings.TrimSpace(body)
	if trimmed == "" {
		return "", "empty"
	}
	if json.Valid([]byte(trimmed)) {
		var buf bytes.Buffer
		if err := json.Indent(&buf, []byte(trimmed), "", "  "); err == nil {
			return safetext.Sanitize(buf.String()), "JSON"
		}
	}
	return safetext.Sanitize(strings.TrimRight(body, "\n")), "text"
}
