package sshd

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// assertNoSecret fails when a session's output holds a token or a client
// secret of the sandbox.
func (h *harness) assertNoSecret(who string, c *client) {
	h.t.Helper()
	h.assertNoSecretIn(who, c.output())
}

// assertNoSecretIn fails when out holds a token or a client secret of the
// sandbox.
func (h *harness) assertNoSecretIn(who, out string) {
	h.t.Helper()
	for _, name := range h.names {
		tok, err := h.st.CachedToken(h.ctx, name)
		if err == nil && tok != nil && tok.AccessToken != "" && strings.Contains(out, tok.AccessToken) {
			h.t.Errorf("%s's screen shows %s's whole token", who, name)
		}
	}
	for _, cl := range h.sb.Clients() {
		if cl.ClientSecret != "" && strings.Contains(out, cl.ClientSecret) { // a public client has none
			h.t.Errorf("%s's screen shows %s's client secret", who, cl.Name)
		}
	}
}

// TestFollowModeOverSSH: with serve --follow --demo, the admin presents
// and two read-only viewers of different sizes follow its detail, its
// test-call and its doctor, masked; one looks around and rejoins; a
// viewer that starts at 1×1 follows once its window grows; when the
// presenter hangs up, the viewers are told and keep working.
func TestFollowModeOverSSH(t *testing.T) {
	h := newHarness(t, func(_ *harness, o *Options) { o.Follow, o.Demo = true, true })
	pres := h.connect(t, h.admin, 120, 40, true)
	pres.waitFor("presenting · 0 watching")
	small := h.connect(t, h.user, 80, 24, true)
	big := h.connect(t, h.user, 160, 48, true)
	small.waitFor("following admin@test")
	big.waitFor("following admin@test · 2 watching")
	testsupport.Eventually(t, "the presenter to count 2 watching", func() bool {
		return strings.Contains(pres.screen(), "presenting · 2 watching")
	})

	presentDetailAndCall(t, h, pres, "Claims", small, big)
	// Then the doctor.
	pres.send("\x1b")
	pres.waitFor("Claims")
	pres.send("D")
	pres.waitFor("Doctor ants", "no failures")
	small.waitFor("Doctor ants", "no failures")
	big.waitFor("Doctor ants", "no failures")

	// big looks around on its own: the presenter moves, big stays.
	big.send("F")
	big.waitFor("looking around on your own")
	big.send("\x1b")
	big.waitFor("admin@test is presenting · 1 watching")
	big.send("\x0c") // ctrl+l clears the presenter's filter
	big.waitFor("7 providers")
	big.filter("cognito-dev")
	big.send("\r")
	big.waitFor("cognito-dev · cognito · sandbox")
	pres.send("\x1b") // leaves the doctor
	pres.waitFor("Claims")
	pres.send("\x1b") // clears the filter
	pres.waitFor("7 providers")
	pres.send("\r") // closes the detail (an esc would make the next key alt+)
	pres.filter("auth0-prod")
	pres.send("\r")
	pres.waitFor("auth0-prod · auth0 · sandbox")
	small.waitFor("auth0-prod · auth0 · sandbox")
	if s := big.screen(); strings.Contains(s, "auth0-prod · auth0 · sandbox") {
		t.Fatalf("a viewer looking around was moved:\n%s", s)
	}
	big.send("F")
	big.waitFor("following admin@test · 2 watching", "auth0-prod · auth0 · sandbox")

	// A viewer whose window starts at 1×1 follows once it grows.
	tiny := h.connect(t, h.user, 1, 1, true)
	pres.waitFor("presenting · 3 watching")
	if err := tiny.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	tiny.waitFor("following admin@test · 3 watching")

	// The presenter hangs up: the viewers are told and keep their view.
	pres.close()
	small.waitFor("presenter left — your own view")
	big.waitFor("presenter left — your own view")
	big.send("/")
	big.waitFor("keep filter")
	small.send("q")
	if err := small.ended(); err != nil {
		t.Fatalf("q should end a viewer's session: %v", err)
	}
	for who, c := range map[string]*client{"the 80×24 viewer": small, "the 160×48 viewer": big, "the 1×1 viewer": tiny, "the presenter": pres} {
		h.assertNoSecret(who, c)
	}
}

// besideRow is the ants row and the detail's title on one line: the
// detail drawn beside the table.
var besideRow = regexp.MustCompile(`ants +sandbox +valid[^\n]*│ ants · ants · sandbox`)

// terminal is a dashboard a test drives: an SSH client's, or the serving
// terminal's (localTerm).
type terminal interface {
	screen() string
	send(keys string)
	waitFor(texts ...string)
	filter(name string)
}

// presentDetailAndCall has the presenter open ants' detail (waiting for
// detailMark on its own screen), then test-call it, and waits for both
// followers to show each: small draws the detail over the table, big
// beside it, the token masked on both.
func presentDetailAndCall(t *testing.T, h *harness, pres terminal, detailMark string, small, big *client) {
	t.Helper()
	tok := h.token("ants")
	masked := tok[:6] + "…" + tok[len(tok)-4:]
	pres.filter("ants")
	pres.send("\r")
	pres.waitFor(detailMark)
	small.waitFor("/ ants", "ants · ants · sandbox", masked)
	big.waitFor("/ ants", "ants · ants · sandbox", masked)
	testsupport.WaitForMatch(t, big.screen, besideRow)

	pres.send("t")
	pres.waitFor("Test-call ants")
	pres.send("\r")
	pres.waitFor("200 OK")
	small.waitFor("Test-call ants", "200 OK")
	big.waitFor("Test-call ants", "200 OK")
}
