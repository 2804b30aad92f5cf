package ui

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// ---- the first hour: each rough edge a new user met, key-driven ----

// A value that fails the whole-provider check at Save sends the user back
// to the field at fault, the error beside it, with what they typed kept.
func TestFormSaveGoesBackToTheFieldAtFault(t *testing.T) {
	e := newEnv(t, false)
	tm := e.start(e.config(), 100, 40)
	selectProvider(t, tm, "auth0-prod")
	press(tm, "e")
	field(t, tm, "Env", "ctrl+u", "prod-eu")
	for _, title := range []string{"Preset", "Grant", "Authorize URL", "Device authorization URL", "Token URL", "Client authentication", "Client ID", "Client secret", "Scopes"} {
		field(t, tm, title)
	}
	field(t, tm, "Audience", "ctrl+u") // auth0 needs one: only Save can tell
	field(t, tm, "Quota")
	morePages(t, tm)
	field(t, tm, "Save?")
	waitFor(t, tm, "1/4 the provider", "┃ Preset", "auth0 needs an audience", "not saved")
	view := final(t, tm)
	if !strings.Contains(view, "prod-eu") {
		t.Fatalf("the env typed before Save was lost:\n%s", view)
	}
	p, err := e.st.Provider(e.ctx, "auth0-prod")
	if err != nil {
		t.Fatal(err)
	}
	if p.Audience == "" || p.Env == "prod-eu" {
		t.Fatalf("a provider that failed its check was saved: %+v", p)
	}
}

// Every setting a user may need is in the form: insecure_http, the default
// lifetime, audience, resource and extra form fields.
func TestFormReachesEverySetting(t *testing.T) {
	e := newEnv(t, false)
	tm := e.start(e.config(), 100, 40)
	selectProvider(t, tm, "ants")
	press(tm, "e")
	for _, title := range []string{"Env", "Preset", "Grant", "Authorize URL", "Device authorization URL", "Token URL", "Client authentication", "Client ID", "Client secret", "Scopes"} {
		field(t, tm, title)
	}
	field(t, tm, "Audience", "https://api.ants.test")
	field(t, tm, "Quota")
	for _, title := range []string{"Client secret from", "HTTP Basic encoding", "Private key file", "Private key kid", "Assertion alg",
		"Assertion audience", "TLS client certificate", "TLS client key", "CA file",
		"Key header", "Key prefix", "Key query parameter", "Key expires", "Rotate key by", "Warn before", "Redirect port", "Issuer", "JWKS URI", "Introspection URL", "Revocation URL", "Scope separator"} {
		field(t, tm, title)
	}
	field(t, tm, "Resource", "https://api.ants.test/items")
	waitFor(t, tm, "┃ Extra form fields")
	press(tm, "tenant=acme")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlJ})
	press(tm, "region=eu", "enter")
	field(t, tm, "Timeout", "20s")
	field(t, tm, "Default lifetime", "5m")
	field(t, tm, "Plain http", "right")
	field(t, tm, "Notes")
	field(t, tm, "Save?")
	waitFor(t, tm, "saved ants")
	final(t, tm)
	p, err := e.st.Provider(e.ctx, "ants")
	if err != nil {
		t.Fatal(err)
	}
	if p.Audience != "https://api.ants.test" || p.Resource != "https://api.ants.test/items" || p.Params["tenant"] != "acme" ||
		p.Params["region"] != "eu" || time.Duration(p.DefaultLifetime) != 5*time.Minute || time.Duration(p.Timeout) != 20*time.Second || !p.InsecureHTTP {
		t.Fatalf("settings from the form: %+v", p)
	}
}

// The form keeps its border on screen in a small window.
func TestFormKeepsItsBorderAt60x20(t *testing.T) {
	e := newEnv(t, false)
	tm := e.start(e.config(), 60, 20)
	press(tm, "a")
	waitFor(t, tm, "┃ Name")
	view := final(t, tm)
	lines := strings.Split(view, "\n")
	if len(lines) != 20 {
		t.Fatalf("%d lines at 60×20:\n%s", len(lines), view)
	}
	if !strings.HasPrefix(lines[1], "╭") || !strings.Contains(view, "╰") {
		t.Fatalf("the form's border is cut:\n%s", view)
	}
}

// tmuxServer starts a tmux server of its own and points $TMUX at it, as a
// dashboard run inside tmux sees it.
func tmuxServer(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	if out, err := exec.Command("tmux", "-S", sock, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", "sleep 600").CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", sock, "kill-server").Run() })
	t.Setenv("TMUX", sock+",0,0")
	return sock
}

// Inside tmux a copy goes to tmux's buffer (tmux passes it on to the
// terminal), not in a passthrough-wrapped OSC52 tmux drops by default.
func TestCopyInsideTmux(t *testing.T) {
	sock := tmuxServer(t)
	e := newEnv(t, true)
	cfg := e.config()
	cfg.Tmux = true
	tm := e.start(cfg, 120, 40)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "c")
	waitFor(t, tm, "copied the cognito-dev token via the tmux buffer")
	final(t, tm)
	tok, err := e.st.CachedToken(e.ctx, "cognito-dev")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tmux", "-S", sock, "show-buffer", "-b", "tokentop").Output()
	if err != nil || string(out) != tok.AccessToken {
		t.Fatalf("tmux's buffer holds %q (%v), want the token", out, err)
	}
	if strings.Contains(e.out.String(), "\x1bPtmux;") {
		t.Fatalf("a passthrough sequence was written: %q", e.out.String())
	}
}

// Without a tmux command to run, a plain OSC52 goes out, and the status
// says what tmux needs for it.
func TestCopyInsideTmuxWithoutTheCommand(t *testing.T) {
	e := newEnv(t, true)
	t.Setenv("PATH", t.TempDir())
	cfg := e.config()
	cfg.Tmux = true
	tm := e.start(cfg, 160, 40)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "c")
	waitFor(t, tm, "copied the cognito-dev token via OSC52", "set-clipboard on")
	final(t, tm)
	tok, err := e.st.CachedToken(e.ctx, "cognito-dev")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.out.String(), osc52.New(tok.AccessToken).String()) || strings.Contains(e.out.String(), "\x1bPtmux;") {
		t.Fatalf("want a plain OSC52 sequence: %q", e.out.String())
	}
}

// The detail scrolls with pgup/pgdn beside or under the table, and with
// the wheel; the footer and ? say so, and the title says where it is.
func TestDetailScrolls(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40) // the detail goes under the table
	selectProvider(t, tm, "auth0-prod")
	press(tm, "enter")
	waitFor(t, tm, "pgup/pgdn scroll detail", "pgdn↓")
	tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	waitFor(t, tm, "Recent exchanges")
	tm.Send(tea.KeyMsg{Type: tea.KeyPgUp})
	waitFor(t, tm, "Status")
	tm.Send(tea.MouseMsg{X: 10, Y: 30, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	waitFor(t, tm, "  4-")
	press(tm, "?")
	waitFor(t, tm, "detail up")
	final(t, tm)
}

// At 60×20 the header keeps the counts, and the help keeps its border and
// scrolls.
func TestSmallWindow60x20(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 60, 20)
	waitFor(t, tm, "6 valid", "1 failing")
	press(tm, "?")
	waitFor(t, tm, "Keys")
	tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	// A page down reaches the legend's end.
	waitForScreen(t, tm, 60, 20, "expired that long ago", "tokens issued per day")
	view := final(t, tm)
	lines := strings.Split(view, "\n")
	if !strings.Contains(lines[0], "6 valid") {
		t.Fatalf("the header lost its counts: %q", lines[0])
	}
	if !strings.Contains(view, "╭") || !strings.Contains(view, "╰") {
		t.Fatalf("the help lost its border:\n%s", view)
	}
}

// A 90-second token is valid when issued and expiring only inside its
// refresh margin (30 s), not from the moment it is issued.
func TestShortTokenExpiresInsideItsMargin(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	waitFor(t, tm, "6 valid · 0 expiring")
	later := t0.Add(61 * time.Second)
	e.clock.Set(later)
	tm.Send(tickMsg{now: later})
	waitFor(t, tm, "5 valid · 1 expiring")
	final(t, tm)
}

// With no quota set, the quota column says what it counts.
func TestQuotaColumnWithoutQuota(t *testing.T) {
	e := newEnv(t, true)
	if err := e.st.AddQuota(e.ctx, "ants", 2, t0); err != nil {
		t.Fatal(err)
	}
	tm := e.start(e.config(), 120, 40)
	waitFor(t, tm, "3 this mo")
	view := final(t, tm)
	for _, line := range strings.Split(view, "\n") {
		if strings.Contains(line, " broken ") && strings.Contains(line, "mo") {
			t.Fatalf("a provider with no token counted shows a dash: %q", line)
		}
	}
}

// R asks before spending tokens of a provider past 80 % of its quota: s
// refreshes the others, n none.
func TestRefreshAllAsksNearTheQuota(t *testing.T) {
	e := newEnv(t, true)
	if err := e.st.AddQuota(e.ctx, "auth0-prod", 850, t0); err != nil {
		t.Fatal(err)
	}
	before := historyLen(t, e, "auth0-prod")
	tm := e.start(e.config(), 120, 40)
	press(tm, "R")
	waitFor(t, tm, "Refresh all 7? auth0-prod is past 80 % of its quota")
	press(tm, "n")
	waitFor(t, tm, "7 providers · sort")
	press(tm, "R")
	waitFor(t, tm, "past 80 %")
	press(tm, "s")
	waitFor(t, tm, "refresh all: 6/6 done, 1 failed")
	final(t, tm)
	if got := historyLen(t, e, "auth0-prod"); got != before {
		t.Fatalf("R spent a token of auth0-prod after s: %d → %d exchanges", before, got)
	}
}

// jwtServer answers a token request with a JWT that holds the scope and a
// response that names none.
func jwtServer(t *testing.T) *httptest.Server {
	t.Helper()
	part := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	jwt := part(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." +
		part(map[string]any{"scope": "api/read api/write", "exp": t0.Add(time.Hour).Unix(), "iat": t0.Unix()}) + ".c2ln"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Date", t0.UTC().Format(http.TimeFormat))
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": jwt, "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The detail shows the scope the JWT grants when the response names none.
func TestDetailShowsTheScopeFromTheJWT(t *testing.T) {
	e := newEnv(t, true)
	srv := jwtServer(t)
	p := providers.Provider{Name: "jwt-scope", TokenURL: srv.URL + "/token", ClientID: "c", ClientSecret: "s", Scopes: []string{"api/read", "api/write"}}
	if err := e.st.PutProvider(e.ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Token(e.ctx, "jwt-scope", store.TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	tm := e.start(e.config(), 200, 60)
	selectProvider(t, tm, "jwt-scope")
	press(tm, "enter")
	waitFor(t, tm, "granted api/read api/write (from the JWT: the response named")
	final(t, tm)
}

// A custom test-call made twice is offered once: in the custom entry.
func TestCustomCallListedOnce(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "cognito-dev")
	url := e.srv.URL + "/api/v1/items?again=1"
	for range 2 {
		press(tm, "t")
		waitFor(t, tm, "Test-call cognito-dev")
		press(tm, "down")
		press(tm, "ctrl+u", "GET "+url, "enter")
		waitFor(t, tm, "200")
		press(tm, "esc")
		waitFor(t, tm, "cognito-dev")
	}
	press(tm, "t")
	waitFor(t, tm, "Test-call cognito-dev")
	view := final(t, tm)
	picker := view[strings.Index(view, "Test-call cognito-dev"):]
	picker = picker[:strings.Index(picker, "╰")]
	if n := strings.Count(picker, "again=1"); n != 1 {
		t.Fatalf("the custom call is listed %d times:\n%s", n, view)
	}
}
