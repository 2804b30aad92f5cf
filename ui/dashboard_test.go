package ui

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/tokentop/tokentop/providers/sandbox"
	"github.com/tokentop/tokentop/store"
)

// ---- goldens: fixed clock, Ascii profile, a real store and sandbox ----

func TestGoldenMain80x24(t *testing.T) {
	e := newEnv(t, true)
	if err := e.st.AddQuota(e.ctx, "auth0-prod", 36, t0); err != nil {
		t.Fatal(err)
	}
	tm := e.start(e.config(), 80, 24)
	e.clock.Set(t0.Add(15 * time.Second)) // the clock's own ticks agree
	tm.Send(tickMsg{now: t0.Add(15 * time.Second)})
	waitFor(t, tm, "09:27:08")
	golden.RequireEqual(t, []byte(final(t, tm)))
}

func TestGoldenMain120x40(t *testing.T) {
	e := newEnv(t, true)
	if err := e.st.AddQuota(e.ctx, "auth0-prod", 36, t0); err != nil {
		t.Fatal(err)
	}
	tm := e.start(e.config(), 120, 40)
	e.clock.Set(t0.Add(75 * time.Second))
	tm.Send(tickMsg{now: t0.Add(75 * time.Second)})
	waitFor(t, tm, "09:28:08")
	golden.RequireEqual(t, []byte(final(t, tm)))
}

func TestGoldenDetail120x40(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "auth0-prod")
	press(tm, "enter")
	waitFor(t, tm, "Tokens issued in March", "pgdn↓")
	golden.RequireEqual(t, []byte(normalize(final(t, tm))))
}

func TestGoldenDetail200x60(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 200, 60)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "enter")
	waitFor(t, tm, "Claims (decoded", "token issued")
	golden.RequireEqual(t, []byte(normalize(final(t, tm))))
}

func TestGoldenDetail80x24(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 80, 24)
	selectProvider(t, tm, "broken")
	press(tm, "enter")
	waitFor(t, tm, "Last error", "pgdn↓")
	golden.RequireEqual(t, []byte(normalize(final(t, tm))))
}

func TestGoldenHelp(t *testing.T) {
	e := newEnv(t, false)
	tm := e.start(e.config(), 100, 30)
	press(tm, "?")
	waitFor(t, tm, "Marks and colours")
	golden.RequireEqual(t, []byte(final(t, tm)))
}

// ---- actions, key by key ----

func historyLen(t *testing.T, e *env, name string) int {
	t.Helper()
	h, err := e.st.History(e.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

func TestRefreshSelected(t *testing.T) {
	e := newEnv(t, true)
	before := historyLen(t, e, "ants")
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "ants")
	press(tm, "r")
	waitFor(t, tm, "refreshed ants: new token, expires in 1:00:00")
	final(t, tm)
	if got := historyLen(t, e, "ants"); got != before+1 {
		t.Fatalf("r should fetch once: history %d → %d", before, got)
	}
	if got := historyLen(t, e, "a55"); got != 1 {
		t.Fatalf("r refreshed another provider too: a55 has %d exchanges", got)
	}
}

func TestRefreshAll(t *testing.T) {
	e := newEnv(t, false)
	tm := e.start(e.config(), 120, 40)
	press(tm, "R")
	waitFor(t, tm, "refresh all: 7/7 done, 1 failed")
	view := final(t, tm)
	if !strings.Contains(view, "6 valid · 0 expiring · 0 expired · 1 failing") {
		t.Fatalf("after R the header should count 6 valid tokens, the 90 s one outside its 30 s margin:\n%s", view)
	}
	sums, err := e.st.Summaries(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Provider.Name != "broken" && s.Token == nil {
			t.Errorf("%s has no token after R", s.Provider.Name)
		}
	}
}

func TestCopyToken(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "c")
	waitFor(t, tm, "copied the cognito-dev token via OSC52")
	final(t, tm)
	tok, err := e.st.CachedToken(e.ctx, "cognito-dev")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.out.String(), osc52.New(tok.AccessToken).String()) {
		t.Fatalf("the OSC52 sequence for the token was not written; output %q", e.out.String())
	}
}

func TestCopyTokenClearsClipboard(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.ClipboardClear = 100 * time.Millisecond
	tm := e.start(cfg, 120, 40)
	selectProvider(t, tm, "ants")
	press(tm, "c")
	waitFor(t, tm, "clipboard cleared")
	final(t, tm)
	if !strings.Contains(e.out.String(), osc52.Clear().String()) {
		t.Fatalf("the clear sequence was not written: %q", e.out.String())
	}
}

func TestCopyCurl(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "auth0-prod")
	press(tm, "C")
	waitFor(t, tm, "copied the auth0-prod curl command for items")
	final(t, tm)
	want := `curl -H "Authorization: Bearer $(tokentop token auth0-prod)" ` + e.srv.URL + "/api/v1/items"
	if !strings.Contains(e.out.String(), osc52.New(want).String()) {
		t.Fatalf("want the curl command %q copied; output %q", want, e.out.String())
	}
}

func TestTestCallSavedEndpoint(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "t")
	waitFor(t, tm, "Test-call cognito-dev", "items")
	press(tm, "enter")
	waitFor(t, tm, "200 OK", "X-Ratelimit-Limit: 100", `"name": "Anvil"`, "Body (JSON")
	press(tm, "esc")
	waitFor(t, tm, "1/100 api", "200 ")
	final(t, tm)
	sm, err := e.st.Summary(e.ctx, "cognito-dev")
	if err != nil {
		t.Fatal(err)
	}
	if sm.LastCall == nil || sm.LastCall.Status != 200 || sm.LastCall.Endpoint != "items" || sm.LastCall.RateLimit["limit"] != "100" {
		t.Fatalf("the call was not recorded: %+v", sm.LastCall)
	}
}

func TestTestCallCustom(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "t")
	waitFor(t, tm, "custom:")
	press(tm, "down", "ctrl+u")
	press(tm, "GET "+e.srv.URL+"/api/v1/admin", "enter")
	waitFor(t, tm, "403 Forbidden", "insufficient_scope")
	final(t, tm)
	sm, _ := e.st.Summary(e.ctx, "cognito-dev")
	if sm.LastCall == nil || sm.LastCall.Status != 403 {
		t.Fatalf("the custom call was not recorded: %+v", sm.LastCall)
	}
}

// field waits until the form's focus is on the field titled title (huh
// moves between fields with commands), then types text and enter.
func field(t *testing.T, tm *driver, title string, keys ...string) {
	t.Helper()
	waitFor(t, tm, "┃ "+title)
	press(tm, keys...)
	press(tm, "enter")
}

// morePages passes through the form's pages 3 and 4, every field left as
// it is.
func morePages(t *testing.T, tm *driver) {
	t.Helper()
	for _, title := range []string{"Client secret from", "HTTP Basic encoding", "Private key file", "Private key kid", "Assertion alg",
		"Assertion audience", "TLS client certificate", "TLS client key", "CA file",
		"Key header", "Key prefix", "Key query parameter", "Key expires", "Rotate key by", "Warn before", "Redirect port", "Issuer", "JWKS URI", "Introspection URL", "Revocation URL", "Scope separator", "Resource", "Extra form fields",
		"Timeout", "Default lifetime", "Plain http", "Notes"} {
		field(t, tm, title)
	}
}

func TestAddViaForm(t *testing.T) {
	e := newEnv(t, false)
	tm := e.start(e.config(), 100, 40)
	press(tm, "a")
	field(t, tm, "Name", "cognito-dev")
	waitFor(t, tm, "a provider named cognito-dev exists")
	press(tm, "ctrl+u", "new-one", "enter")
	field(t, tm, "Env", "staging")
	field(t, tm, "Preset")
	field(t, tm, "Grant")
	field(t, tm, "Authorize URL")
	field(t, tm, "Device authorization URL")
	field(t, tm, "Token URL", "ctrl+u", "not a url")
	waitFor(t, tm, "is not an absolute http(s) URL")
	press(tm, "ctrl+u", e.srv.URL+"/oauth2/token", "enter")
	field(t, tm, "Client authentication")
	field(t, tm, "Client ID", "3bn43arz0h95uqtbqodz8jn54g")
	field(t, tm, "Client secret", "25k9nma2bsmjzw0nkidxb61gyms65nfmfc9ukp7usj34wadz80n2")
	field(t, tm, "Scopes", "api/read")
	field(t, tm, "Audience")
	field(t, tm, "Quota", "50/day")
	morePages(t, tm)
	field(t, tm, "Save?")
	waitFor(t, tm, "added new-one")
	final(t, tm)
	p, err := e.st.ProviderWithSecret(e.ctx, "new-one")
	if err != nil {
		t.Fatal(err)
	}
	if p.Env != "staging" || p.ClientID != "3bn43arz0h95uqtbqodz8jn54g" || p.Quota == nil || p.Quota.Limit != 50 ||
		len(p.Scopes) != 1 || p.ClientSecret != "25k9nma2bsmjzw0nkidxb61gyms65nfmfc9ukp7usj34wadz80n2" {
		t.Fatalf("saved provider: %+v", p)
	}
	if _, err := e.st.Token(e.ctx, "new-one", store.TokenOptions{}); err != nil {
		t.Fatalf("the added provider cannot fetch: %v", err)
	}
}

func TestEditKeepsSecret(t *testing.T) {
	e := newEnv(t, false)
	before, err := e.st.ProviderWithSecret(e.ctx, "ants")
	if err != nil {
		t.Fatal(err)
	}
	tm := e.start(e.config(), 100, 40)
	selectProvider(t, tm, "ants")
	press(tm, "e")
	field(t, tm, "Env", "ctrl+u", "prod")
	field(t, tm, "Preset")
	field(t, tm, "Grant")
	field(t, tm, "Authorize URL")
	field(t, tm, "Device authorization URL")
	field(t, tm, "Token URL")
	field(t, tm, "Client authentication")
	field(t, tm, "Client ID")
	field(t, tm, "Client secret") // left blank: keeps the stored one
	field(t, tm, "Scopes")
	field(t, tm, "Audience")
	field(t, tm, "Quota", "10/hour")
	morePages(t, tm)
	field(t, tm, "Save?")
	waitFor(t, tm, "saved ants")
	final(t, tm)
	after, err := e.st.ProviderWithSecret(e.ctx, "ants")
	if err != nil {
		t.Fatal(err)
	}
	if after.ClientSecret == "" || after.ClientSecret != before.ClientSecret {
		t.Fatalf("a blank secret on edit must keep the stored one: %q → %q", before.ClientSecret, after.ClientSecret)
	}
	if after.Env != "prod" || after.Quota == nil || after.Quota.Per != "hour" || len(after.Endpoints) != 1 || after.Response == nil {
		t.Fatalf("edit lost or missed a setting: %+v", after)
	}
	if _, err := e.st.Token(e.ctx, "ants", store.TokenOptions{}); err != nil {
		t.Fatalf("after edit the provider cannot fetch: %v", err)
	}
}

func TestDeleteAfterConfirmation(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "a55")
	press(tm, "d")
	waitFor(t, tm, "Delete a55 with its secret, token and history? y/N")
	press(tm, "n")
	waitFor(t, tm, "filter \"a55\": 1 shown")
	if _, err := e.st.Provider(e.ctx, "a55"); err != nil {
		t.Fatalf("n must keep the provider: %v", err)
	}
	press(tm, "d")
	waitFor(t, tm, "y/N")
	press(tm, "y")
	waitFor(t, tm, "deleted a55")
	final(t, tm)
	if _, err := e.st.Provider(e.ctx, "a55"); err == nil {
		t.Fatal("y should have deleted a55")
	}
}

func TestFilter(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	press(tm, "/", "auth")
	waitFor(t, tm, "filter \"auth\": 1 shown")
	press(tm, "enter")
	view := final(t, tm)
	if !strings.Contains(view, "auth0-prod") || strings.Contains(view, "cognito-dev") {
		t.Fatalf("the filter should leave only auth0-prod:\n%s", view)
	}
}

func TestFilterEscClears(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	press(tm, "/", "zzz")
	waitFor(t, tm, "no provider matches")
	press(tm, "esc")
	waitFor(t, tm, "7 providers · sort: expiry")
	view := final(t, tm)
	if !strings.Contains(view, "cognito-dev") {
		t.Fatalf("esc should clear the filter:\n%s", view)
	}
}

func TestSort(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	press(tm, "s")
	waitFor(t, tm, "sort: name", "NAME↑")
	view := final(t, tm)
	order := []string{"a55", "ants", "auth0-prod", "basic-only", "broken", "cognito-dev", "short-lived"}
	last := -1
	for _, n := range order {
		i := strings.Index(view, "  "+n+" ")
		if i < last {
			t.Fatalf("sort by name: %s out of order:\n%s", n, view)
		}
		last = i
	}
}

func TestSortCyclesToEnv(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	press(tm, "s", "s")
	waitFor(t, tm, "sort: env", "ENV↑")
	final(t, tm)
}

func TestAutoRefreshInsideMargin(t *testing.T) {
	e := newEnv(t, true)
	before := historyLen(t, e, "short-lived")
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "short-lived")
	press(tm, "x")
	waitFor(t, tm, "auto-refresh on for short-lived")
	// 70 s later the 90 s token is inside its 30 s margin.
	later := t0.Add(70 * time.Second)
	e.clock.Set(later)
	tm.Send(tickMsg{now: later})
	waitFor(t, tm, "auto-refreshed short-lived: new token, expires in 01:30")
	final(t, tm)
	if got := historyLen(t, e, "short-lived"); got != before+1 {
		t.Fatalf("auto-refresh should fetch once: %d → %d", before, got)
	}
}

func TestAutoRefreshPausesAtQuota(t *testing.T) {
	e := newEnv(t, true)
	// auth0-prod: 1000/month; 1 fetched plus 899 makes 90 %.
	if err := e.st.AddQuota(e.ctx, "auth0-prod", 899, t0); err != nil {
		t.Fatal(err)
	}
	before := historyLen(t, e, "auth0-prod")
	cfg := e.config()
	cfg.AutoRefresh = true
	tm := e.start(cfg, 120, 40)
	waitFor(t, tm, "‖ auth0-prod", "paused", "900/1000 mo")
	// 23 hours later the 24 h token is inside its margin: still no fetch,
	// while the others are refreshed.
	later := t0.Add(23 * time.Hour)
	e.clock.Set(later)
	tm.Send(tickMsg{now: later})
	waitFor(t, tm, "5 valid · 1 expiring · 0 expired · 1 failing  08:26:53")
	view := final(t, tm)
	if got := historyLen(t, e, "auth0-prod"); got != before {
		t.Fatalf("auto-refresh went past 90%% of the quota: %d → %d exchanges", before, got)
	}
	if !strings.Contains(view, "paused") {
		t.Fatalf("the row should say paused:\n%s", view)
	}
}

func TestHelpOpensAndCloses(t *testing.T) {
	e := newEnv(t, false)
	tm := e.start(e.config(), 120, 40)
	press(tm, "?")
	waitFor(t, tm, "Keys", "refresh all", "copy curl", "auto-refresh")
	press(tm, "esc")
	waitFor(t, tm, "enter detail")
	view := final(t, tm)
	if strings.Contains(view, "Marks and colours") {
		t.Fatalf("esc should close the help:\n%s", view)
	}
}

func TestQuit(t *testing.T) {
	e := newEnv(t, false)
	tm := e.start(e.config(), 80, 24)
	press(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
}

func TestReadOnlyDisablesChanges(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.config()
	cfg.ReadOnly = true
	tm := e.start(cfg, 120, 40)
	selectProvider(t, tm, "ants")
	press(tm, "c")
	waitFor(t, tm, "read-only session: copy token is turned off")
	press(tm, "C", "d", "a", "e")
	waitFor(t, tm, "read-only session: edit is turned off")
	press(tm, "enter")
	tok, err := e.st.CachedToken(e.ctx, "ants")
	if err != nil || tok == nil {
		t.Fatalf("ants should have a token: %v", err)
	}
	waitFor(t, tm, tok.AccessToken[:6]+"…"+tok.AccessToken[len(tok.AccessToken)-4:])
	view := final(t, tm)
	if e.out.String() != "" || strings.Contains(view, "Delete") || strings.Contains(view, "Add a provider") {
		t.Fatalf("read-only must not copy, delete or add:\n%s", view)
	}
	if strings.Contains(view, "copy token") || strings.Contains(view, tok.AccessToken) {
		t.Fatalf("read-only help must not offer copy, and the token must stay masked:\n%s", view)
	}
	if _, err := e.st.Provider(e.ctx, "ants"); err != nil {
		t.Fatal(err)
	}
}

// TestAnotherProcessFetches: a second process (this test binary, re-run as
// a helper) fetches a token with the store; the dashboard shows it within
// a couple of ticks, with no key pressed.
func TestAnotherProcessFetches(t *testing.T) {
	e := newEnv(t, false)
	tm := e.start(e.config(), 120, 40)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"TOKENTOP_UI_HELPER_DB="+e.path,
		"TOKENTOP_UI_HELPER_NAME=cognito-dev",
		"TOKENTOP_UI_HELPER_NOW="+t0.Format(time.RFC3339),
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helper process: %v\n%s", err, out)
	}
	waitFor(t, tm, "1 valid")
	view := final(t, tm)
	if !strings.Contains(view, "1:00:00") {
		t.Fatalf("the other process's token should show with its countdown:\n%s", view)
	}
}

// TestReadOnlyTestCallSavedOnly: a read-only session calls the saved
// endpoints only; a custom URL would send the token to a host of the
// caller's choosing.
func TestReadOnlyTestCallSavedOnly(t *testing.T) {
	e := newEnv(t, true)
	var got atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			got.Add(1)
		}
	}))
	t.Cleanup(elsewhere.Close)
	cfg := e.config()
	cfg.ReadOnly = true
	tm := e.start(cfg, 120, 40)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "t")
	waitFor(t, tm, "Test-call cognito-dev", "items")
	press(tm, "down", "ctrl+u")
	press(tm, "GET "+elsewhere.URL+"/steal", "enter")
	waitFor(t, tm, "200 OK")
	view := final(t, tm)
	if got.Load() != 0 || strings.Contains(view, "custom:") || !strings.Contains(view, `"name": "Anvil"`) {
		t.Fatalf("a read-only session sent the token to a URL it typed (%d requests):\n%s", got.Load(), view)
	}
	sm, _ := e.st.Summary(e.ctx, "cognito-dev")
	if sm.LastCall == nil || sm.LastCall.Endpoint != "items" {
		t.Fatalf("the saved endpoint should have been called: %+v", sm.LastCall)
	}
}

// TestTestCallExplainsAnotherIssuer: the dashboard's test-call explains
// an API that trusts another issuer as the doctor and `tokentop call` do.
func TestTestCallExplainsAnotherIssuer(t *testing.T) {
	e := newEnv(t, true)
	tm := e.start(e.config(), 120, 40)
	selectProvider(t, tm, "cognito-dev")
	press(tm, "t")
	waitFor(t, tm, "custom:")
	press(tm, "down", "ctrl+u")
	press(tm, "GET "+e.srv.URL+sandbox.PathProdAPI+"?as=kong", "enter")
	waitFor(t, tm, "401 Unauthorized", "Why", "does not trust the token's issuer", "Hint", "call it with that environment's provider")
	final(t, tm)
}
