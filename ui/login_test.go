package ui

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
)

// newLoginEnv is an env whose store holds the sandbox's user-grant
// providers too (user-login, user-refresh, user-norefresh), none logged in.
func newLoginEnv(t *testing.T) *env {
	t.Helper()
	clk := testsupport.NewClock(t0)
	se := sandboxenv.Start(t, sandboxenv.Options{Now: clk.Now, FetchAll: true, UserLogins: true})
	return &env{t: t, ctx: context.Background(), clock: clk, sb: se.Sandbox, srv: se.Server, st: se.Store, path: se.Path, out: &testsupport.LockedBuffer{}}
}

// followingBrowser is a browser that follows the login URL as a real one
// would: the sandbox's login page approves and redirects to the loopback
// listener. It counts the URLs it opened.
func followingBrowser(t *testing.T, opened *int) func(string) error {
	return func(link string) error {
		*opened++
		resp, err := http.Get(link)
		if err != nil {
			t.Errorf("the browser could not follow %s: %v", link, err)
			return err
		}
		return resp.Body.Close()
	}
}

// secretsOf are the texts of a provider's cached tokens, which no frame
// may ever hold.
func secretsOf(t *testing.T, st *store.Store, name string) []string {
	t.Helper()
	tok, err := st.CachedToken(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.IDToken == "" {
		t.Fatalf("the session of %s holds no refresh or ID token", name)
	}
	return []string{tok.AccessToken, tok.RefreshToken, tok.IDToken}
}

func TestLoginWithTheBrowserFromTheDashboard(t *testing.T) {
	e := newLoginEnv(t)
	opened := 0
	cfg := e.config()
	cfg.OpenBrowser = followingBrowser(t, &opened)
	tm := e.start(cfg, 200, 70) // the detail beside the table, to its ID token
	selectProvider(t, tm, "user-login")
	waitForScreen(t, tm, 200, 70, "log in (l)")
	press(tm, "l")
	waitFor(t, tm, "logged in to user-login: access token valid for 10:00, refresh token for 24h")
	press(tm, "enter")
	waitForScreen(t, tm, 200, 70, "rt 24h", "authorization_code · l logs in", "ID token (OIDC)", "verified when it came", "Sandbox User", "user@sandbox.test")
	out := final(t, tm)
	if opened != 1 {
		t.Errorf("the browser opened %d URLs, want 1", opened)
	}
	tm.mu.Lock()
	all := string(tm.buf) + out
	tm.mu.Unlock()
	for _, secret := range secretsOf(t, e.st, "user-login") {
		if strings.Contains(all, secret) || strings.Contains(all, secret[len(secret)-20:]) {
			t.Fatalf("a token of the session was drawn: …%s", secret[len(secret)-8:])
		}
	}
	if !strings.Contains(all, "kept, encrypted · expires in 24:00:00 · 2026-03-15 09:26:53 UTC") {
		t.Errorf("the detail does not show the refresh token's expiry:\n%s", out)
	}
}

// loopbackPort reads the redirect URI's port off the login overlay.
var loopbackPort = regexp.MustCompile(`redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A(\d+)`)

func TestLoginEscClosesTheListener(t *testing.T) {
	e := newLoginEnv(t)
	before, err := e.st.Summary(context.Background(), "user-login")
	if err != nil {
		t.Fatal(err)
	}
	tm := e.start(e.config(), 200, 40) // wide: the URL on one line
	selectProvider(t, tm, "user-login")
	press(tm, "l")
	got := testsupport.WaitForMatch(t, tm.since, loopbackPort)
	addr := net.JoinHostPort("127.0.0.1", got[1])
	waitFor(t, tm, "Open this URL in a browser to log in", "esc gives the login up")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("the listener is not up while the login waits: %v", err)
	}
	c.Close()
	press(tm, "esc")
	waitFor(t, tm, "login to user-login given up")
	testsupport.Eventually(t, "the listener on "+addr+" closed", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	final(t, tm)
	sm, err := e.st.Summary(context.Background(), "user-login")
	if err != nil {
		t.Fatal(err)
	}
	if sm.Token != nil || (sm.LastError == nil) != (before.LastError == nil) || sm.LastError != nil && *sm.LastError != *before.LastError {
		t.Errorf("a login given up left a token or an error: %+v %+v", sm.Token, sm.LastError)
	}
}

func TestLoginAgainAfterTheRefreshTokenIsRevoked(t *testing.T) {
	e := newLoginEnv(t)
	ctx := context.Background()
	opened := 0
	if _, err := e.st.Login(ctx, "user-login", providers.LoginOptions{Timeout: time.Minute, Open: followingBrowser(t, &opened)}); err != nil {
		t.Fatal(err)
	}
	p, err := e.st.Provider(ctx, "user-login")
	if err != nil {
		t.Fatal(err)
	}
	e.sb.RevokeRefreshTokens(p.ClientID)
	e.clock.Add(11 * time.Minute) // the access token is spent
	cfg := e.config()
	cfg.OpenBrowser = followingBrowser(t, &opened)
	tm := e.start(cfg, 120, 30)
	selectProvider(t, tm, "user-login")
	press(tm, "r")
	waitFor(t, tm, "log in again (l)")
	press(tm, "enter")
	waitForScreen(t, tm, 120, 30, "Session", "over: log in again")
	press(tm, "esc", "l")
	waitFor(t, tm, "logged in to user-login")
	waitForScreen(t, tm, 120, 30, "rt 24h")
	out := final(t, tm)
	if strings.Contains(out, "log in again (l)") {
		t.Errorf("the row still asks for a login after it:\n%s", out)
	}
}

func TestLoginRefusedWhereItCannotRun(t *testing.T) {
	e := newLoginEnv(t)
	for _, c := range []struct {
		name string
		cfg  func(*Config)
		row  string
		want string
	}{
		{"over SSH a browser would open on the server", func(c *Config) { c.Remote = true }, "user-login", "from an SSH session would open on the server: use a provider of grant device_code"},
		{"a read-only session", func(c *Config) { c.ReadOnly = true }, "user-login", "read-only session: log in is turned off"},
		{"a view-only session", func(c *Config) { c.ViewOnly = true }, "user-login", "view-only session: log in is turned off"},
		{"client credentials have no login", func(*Config) {}, "cognito-dev", "has no login: r fetches its token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := e.config()
			c.cfg(&cfg)
			tm := e.start(cfg, 200, 30)
			selectProvider(t, tm, c.row)
			press(tm, "l")
			waitFor(t, tm, c.want)
			if out := final(t, tm); strings.Contains(out, "Log in to") {
				t.Errorf("the login overlay opened:\n%s", out)
			}
		})
	}
}

func TestIDClaimsAreSanitisedAndBounded(t *testing.T) {
	payload := `{"iss":"https://idp.example","sub":"alice\u001b[31m","aud":["a","b"],"exp":1773480413,"email":"a@example.com","nonce":"n"}`
	raw := "eyJhbGciOiJSUzI1NiJ9." + b64(payload) + ".sig"
	got, err := idClaims(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []claimPair{{"iss", "https://idp.example"}, {"sub", "alice"}, {"aud", "a b"}, {"email", "a@example.com"}, {"exp", "2026-03-14T09:26:53Z"}}
	if len(got) != len(want) {
		t.Fatalf("claims = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("claim %d = %v, want %v", i, got[i], want[i])
		}
	}
	if _, err := idClaims(strings.Repeat("a", maxIDToken+1)); err == nil {
		t.Error("an ID token past the bound was decoded")
	}
	s := sessionOf(&providers.Token{RefreshToken: "rt.abcdefghijklmnopqrstuvwxyz", IDToken: raw})
	if strings.Contains(s.refreshMasked, "ghijklmnop") || strings.Contains(s.idMasked, b64(payload)[10:30]) {
		t.Errorf("masking shows a token: %q %q", s.refreshMasked, s.idMasked)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestFormAddsABrowserLoginThenLogsIn: a new user adds a provider of
// grant authorization_code in the form (the grant a select on page 1,
// the authorize URL beside the token URL), and l logs them in.
func TestFormAddsABrowserLoginThenLogsIn(t *testing.T) {
	e := newLoginEnv(t)
	ref, err := e.st.Provider(e.ctx, "user-login")
	if err != nil {
		t.Fatal(err)
	}
	var secret string
	for _, c := range e.sb.Clients() {
		if c.ClientID == ref.ClientID {
			secret = c.ClientSecret
		}
	}
	opened := 0
	cfg := e.config()
	cfg.OpenBrowser = followingBrowser(t, &opened)
	tm := e.start(cfg, 100, 40)
	press(tm, "a")
	field(t, tm, "Name", "my-login")
	field(t, tm, "Env")
	field(t, tm, "Preset")
	field(t, tm, "Grant", "right")
	field(t, tm, "Authorize URL", ref.AuthorizeURL)
	field(t, tm, "Device authorization URL")
	field(t, tm, "Token URL", ref.TokenURL)
	field(t, tm, "Client authentication")
	field(t, tm, "Client ID", ref.ClientID)
	field(t, tm, "Client secret", secret)
	field(t, tm, "Scopes", "api/read")
	field(t, tm, "Audience")
	field(t, tm, "Quota")
	morePages(t, tm)
	field(t, tm, "Save?")
	waitFor(t, tm, "added my-login")
	selectProvider(t, tm, "my-login")
	waitForScreen(t, tm, 100, 40, "log in (l)")
	press(tm, "l")
	waitFor(t, tm, "logged in to my-login: access token valid for")
	final(t, tm)
	p, err := e.st.Provider(e.ctx, "my-login")
	if err != nil {
		t.Fatal(err)
	}
	if p.Grant != providers.GrantAuthorizationCode || p.AuthorizeURL != ref.AuthorizeURL || opened != 1 {
		t.Fatalf("the form saved grant %q, authorize_url %q; the browser opened %d times", p.Grant, p.AuthorizeURL, opened)
	}
}

// TestLoginWithARefreshTokenTyped: l on a provider of grant refresh_token
// asks for the refresh token the user was given, hidden as it is pasted;
// enter logs in with it. esc before enter gives up and keeps nothing.
func TestLoginWithARefreshTokenTyped(t *testing.T) {
	e := newLoginEnv(t)
	p, err := e.st.Provider(e.ctx, "user-refresh")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := e.sb.IssueRefreshToken(p.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	tm := e.start(e.config(), 120, 30)
	selectProvider(t, tm, "user-refresh")
	press(tm, "l")
	waitFor(t, tm, "Paste the refresh token you were given for user-refresh")
	press(tm, "esc")
	waitFor(t, tm, "login to user-refresh given up")
	press(tm, "l")
	waitFor(t, tm, "Paste the refresh token")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(rt), Paste: true})
	waitFor(t, tm, strings.Repeat("•", 8))
	press(tm, "enter")
	waitFor(t, tm, "logged in to user-refresh: access token valid for 10:00, refresh token for 24h")
	tm.mu.Lock()
	all := string(tm.buf)
	tm.mu.Unlock()
	final(t, tm)
	if strings.Contains(all, rt) || strings.Contains(all, rt[len(rt)-12:]) {
		t.Fatal("the refresh token typed was drawn")
	}
	sm, err := e.st.Summary(e.ctx, "user-refresh")
	if err != nil {
		t.Fatal(err)
	}
	if sm.Token == nil || !sm.Refreshable || sm.NeedsLogin {
		t.Fatalf("no session after the login: %+v", sm)
	}
}

// userCode reads the device login's user code off the overlay.
var userCode = regexp.MustCompile(`(?s)and enter the code.*?([A-Z0-9]{4}-[A-Z0-9]{4})`)

// TestDeviceLoginOverlay: l on a provider of grant device_code shows the
// verification URI, the user code and a QR code in the overlay, counts
// the polls, and once the user approves (at the sandbox, as another
// device would) closes with the token saved.
func TestDeviceLoginOverlay(t *testing.T) {
	e := newLoginEnv(t)
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{Interval: time.Second})
	tm := e.start(e.config(), 120, 50)
	selectProvider(t, tm, "device-login")
	waitForScreen(t, tm, 120, 50, "log in (l)")
	press(tm, "l")
	waitFor(t, tm, "Log in to device-login · device code", "To log in, open", "/device", "scan this with your phone", "▀", "the code is valid for another")
	code := testsupport.WaitForMatch(t, tm.since, userCode)[1]
	waitFor(t, tm, "checked 1 times")
	if !e.sb.ApproveDevice(code) {
		t.Fatalf("the sandbox knows no user code %q", code)
	}
	waitFor(t, tm, "logged in to device-login: access token valid for")
	out := final(t, tm)
	if strings.Contains(out, "To log in, open") {
		t.Errorf("the overlay stayed open after the login:\n%s", out)
	}
	sm, err := e.st.Summary(e.ctx, "device-login")
	if err != nil || sm.Token == nil {
		t.Fatalf("no token after the device login: %v", err)
	}
}

// TestDeviceLoginQRLeftOutWhenNarrow: an overlay too narrow for the QR
// code shows the URI and the code without it, never a cut one.
func TestDeviceLoginQRLeftOutWhenNarrow(t *testing.T) {
	e := newLoginEnv(t)
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{Interval: time.Second})
	tm := e.start(e.config(), 40, 30)
	press(tm, "/", "device-login", "enter")
	waitFor(t, tm, "log in")
	press(tm, "l")
	waitFor(t, tm, "and enter the code")
	press(tm, "esc")
	waitFor(t, tm, "login to device-login given up")
	tm.mu.Lock()
	all := string(tm.buf)
	tm.mu.Unlock()
	final(t, tm)
	if strings.Contains(all, "scan this with your phone") || strings.Contains(all, "▀") {
		t.Error("a QR code was drawn in a 40-column overlay")
	}
}

// TestDeviceLoginDeniedOrExpired: a device login the user denies, or
// whose code expires, closes the overlay and says so in the status line.
func TestDeviceLoginDeniedOrExpired(t *testing.T) {
	for _, c := range []struct {
		name string
		b    sandbox.DeviceBehaviour
		want string
	}{
		{"denied", sandbox.DeviceBehaviour{DenyAfter: 1, Interval: time.Second}, "access_denied"},
		{"expired", sandbox.DeviceBehaviour{ExpireAfter: 1, Interval: time.Second}, "expired_token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newLoginEnv(t)
			e.sb.SetDeviceBehaviour(c.b)
			tm := e.start(e.config(), 120, 50)
			selectProvider(t, tm, "device-login")
			press(tm, "l")
			waitFor(t, tm, "and enter the code")
			waitFor(t, tm, "log in to device-login", c.want)
			out := final(t, tm)
			if strings.Contains(out, "and enter the code") {
				t.Errorf("the overlay stayed open:\n%s", out)
			}
		})
	}
}

// TestReadOnlyRefusesALoginIntent: a read-only session refuses a login
// however it is asked (the intent itself, not only the l key): no
// overlay, no login under way, the status says why.
func TestReadOnlyRefusesALoginIntent(t *testing.T) {
	e := newLoginEnv(t)
	cfg := e.config()
	cfg.ReadOnly = true
	m := e.loaded(cfg, 160, 40)
	for _, in := range []intent{loginIntent{"user-login"}, loginRefreshIntent{name: "user-refresh", token: "rt.given"}} {
		m.update(in)
		if m.focus == focusLogin || m.st8.login.cancel != nil {
			t.Errorf("%T started a login in a read-only session", in)
		}
		if got := m.status.Text(); !strings.Contains(got, "read-only session: log in is turned off") {
			t.Errorf("%T: the status says %q", in, got)
		}
	}
}
