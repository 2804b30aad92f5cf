package ui

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
)

// t0 is the fixed clock of every test: goldens do not move.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// env is a real store in a temporary directory, filled with the sandbox's
// providers, the sandbox serving on loopback.
type env struct {
	t     *testing.T
	ctx   context.Context
	clock *testsupport.Clock
	sb    *sandbox.Server
	srv   *httptest.Server
	st    *store.Store
	path  string
	out   *testsupport.LockedBuffer
}

// newEnv builds an env; with fetch, every provider gets its first token
// (the broken one fails and records its error). The sandbox, the store,
// the client and the server's Date header all follow the test clock, so
// the clock skew shown is the same on every run.
func newEnv(t *testing.T, fetch bool) *env {
	t.Helper()
	clk := testsupport.NewClock(t0)
	se := sandboxenv.Start(t, sandboxenv.Options{Now: clk.Now, FetchAll: fetch})
	return &env{t: t, ctx: context.Background(), clock: clk, sb: se.Sandbox, srv: se.Server, st: se.Store, path: se.Path, out: &testsupport.LockedBuffer{}}
}

// asciiStyles are the default theme on an Ascii renderer: goldens hold no
// colour codes, whatever the terminal running the tests.
func asciiStyles() (*theme.Styles, *lipgloss.Renderer) {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.Ascii))
	r.SetHasDarkBackground(true)
	p, _ := theme.Lookup("")
	return theme.New(r, p), r
}

func (e *env) config() Config {
	st, r := asciiStyles()
	return Config{
		Store: e.st, Styles: st, Renderer: r, Now: e.clock.Now, Location: time.UTC,
		Output: e.out, DBLabel: "test.db", Client: &providers.Client{Now: e.clock.Now},
	}
}

// driver is a running dashboard: a teatest program whose output is
// collected as it comes, so a wait sees everything drawn since the last
// key or message the test sent, even what an earlier wait already saw.
type driver struct {
	*teatest.TestModel
	mu   sync.Mutex
	buf  []byte
	mark int
	done chan struct{}
}

// start runs the dashboard in a teatest program and waits for the rows.
func (e *env) start(cfg Config, w, h int) *driver {
	e.t.Helper()
	return e.startModel(New(cfg), w, h)
}

// startModel is start with the model given (the dashboard, or one that
// wraps it).
func (e *env) startModel(m tea.Model, w, h int) *driver {
	e.t.Helper()
	d := &driver{TestModel: teatest.NewTestModel(e.t, m, teatest.WithInitialTermSize(w, h)), done: make(chan struct{})}
	go d.collect()
	e.t.Cleanup(func() {
		_ = d.Quit()
		close(d.done)
	})
	waitFor(e.t, d, "cognito-dev")
	return d
}

func (d *driver) collect() {
	chunk := make([]byte, 64<<10)
	for {
		n, _ := d.Output().Read(chunk)
		if n > 0 {
			d.mu.Lock()
			d.buf = append(d.buf, chunk[:n]...)
			d.mu.Unlock()
			continue
		}
		select {
		case <-d.done:
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Send sends msg and starts a new span of output for the next wait.
func (d *driver) Send(msg tea.Msg) {
	d.mu.Lock()
	d.mark = len(d.buf)
	d.mu.Unlock()
	d.TestModel.Send(msg)
}

// since is what was drawn since the test last sent something.
func (d *driver) since() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return string(d.buf[d.mark:])
}

// waitFor waits until the program has drawn every one of texts since the
// test last sent it something.
func waitFor(t *testing.T, d *driver, texts ...string) {
	t.Helper()
	testsupport.WaitForText(t, d.since, texts...)
}

// waitForScreen is waitFor for a screen that may already show some of
// texts: Bubble Tea redraws only the lines that changed, so a view that ends
// as it began (the doctor run again) draws nothing new on them. Every 200 ms
// it sends the window size again, which makes the renderer paint the whole
// screen, and looks at that paint.
func waitForScreen(t *testing.T, d *driver, w, h int, texts ...string) {
	t.Helper()
	testsupport.WaitForTextNudging(t, 200*time.Millisecond, func() { d.Send(tea.WindowSizeMsg{Width: w, Height: h}) }, d.since, texts...)
}

// press sends keys: single runes, or names such as "enter", "esc", "down".
func press(d *driver, keys ...string) {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "down": tea.KeyDown, "up": tea.KeyUp,
		"tab": tea.KeyTab, "right": tea.KeyRight, "left": tea.KeyLeft,
		"backspace": tea.KeyBackspace, "ctrl+u": tea.KeyCtrlU,
	}
	// One span of output for the whole press: a wait after typing
	// "doctor" sees what the d drew too, not only what the r changed
	// (the renderer redraws changed lines only).
	d.mu.Lock()
	d.mark = len(d.buf)
	d.mu.Unlock()
	for _, k := range keys {
		if typ, ok := named[k]; ok {
			d.TestModel.Send(tea.KeyMsg{Type: typ})
			continue
		}
		for _, r := range k {
			d.TestModel.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
}

// selectProvider filters the table down to one provider (so the cursor is
// on it) with the filter input, as a user would.
func selectProvider(t *testing.T, tm *driver, name string) {
	t.Helper()
	press(tm, "/", name, "enter")
	waitFor(t, tm, "filter \""+name+"\": 1 shown")
}

// final quits and returns the last frame the model renders.
func final(t *testing.T, tm *driver) string {
	t.Helper()
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	m := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second))
	return m.View()
}

// mask replaces what differs between runs (ports, token signatures, JWT
// ids, latencies) with '#', keeping every width.
func normalize(s string) string {
	for _, re := range normalizers {
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatchIndex(m)
			if len(sub) < 4 {
				return strings.Repeat("#", len([]rune(m)))
			}
			return m[:sub[2]] + strings.Repeat("#", len([]rune(m[sub[2]:sub[3]]))) + m[sub[3]:]
		})
	}
	return s
}

var normalizers = []*regexp.Regexp{
	regexp.MustCompile(`127\.0\.0\.1:(\d+)`),
	regexp.MustCompile(`…(\S{4}) \(\d+ chars\)`),
	regexp.MustCompile(`jti +(\S+)`),
	regexp.MustCompile(`kid +(\S+)`),
	regexp.MustCompile(`( *[0-9.]+(?:µs|ms|s)) (?:token|could)`),
}

func TestMain(m *testing.M) {
	if os.Getenv("TOKENTOP_UI_HELPER_DB") != "" {
		os.Exit(helperProcess())
	}
	os.Exit(m.Run())
}

// helperProcess is the other process of TestAnotherProcessFetches: it
// opens the same database and fetches a token, as `tokentop token` would.
func helperProcess() int {
	now, err := time.Parse(time.RFC3339, os.Getenv("TOKENTOP_UI_HELPER_NOW"))
	if err != nil {
		return 2
	}
	clk := func() time.Time { return now }
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: os.Getenv("TOKENTOP_UI_HELPER_DB"), Client: &providers.Client{Now: clk}, Now: clk})
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	defer st.Close()
	if _, err := st.Token(ctx, os.Getenv("TOKENTOP_UI_HELPER_NAME"), store.TokenOptions{}); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}
