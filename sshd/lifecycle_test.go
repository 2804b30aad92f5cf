package sshd

import (
	"errors"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/store"
)

// clientID is the sandbox client behind a provider.
func (h *harness) clientID(name string) string {
	h.t.Helper()
	for _, c := range h.sb.Clients() {
		if c.Name == name {
			return c.ClientID
		}
	}
	h.t.Fatalf("no sandbox client %s", name)
	return ""
}

func TestTwoSessionsRefreshingIssueOneToken(t *testing.T) {
	h := newHarness(t, nil)
	id := h.clientID("ants")
	before := h.sb.Issued(id)
	a, b := h.connect(t, h.user, 120, 40, true), h.connect(t, h.user, 100, 30, true)
	a.filter("ants")
	b.filter("ants")

	// The first refresh waits at the sandbox's door; the second joins it.
	h.gate.hold()
	started := h.gate.started.Load()
	a.send("r")
	testsupport.Eventually(t, "the first token request", func() bool { return h.gate.started.Load() == started+1 })
	b.send("r")
	b.waitFor("refreshing ants…")
	// Give the second session's fetch every chance to send a request of
	// its own (it must not: it waits on the first).
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) && h.gate.started.Load() == started+1 {
		time.Sleep(10 * time.Millisecond)
	}
	h.gate.open()
	a.waitFor("refreshed ants")
	b.waitFor("refreshed ants")
	if got := h.sb.Issued(id) - before; got != 1 {
		t.Fatalf("two sessions refreshing ants issued %d tokens, want 1", got)
	}
	if got := h.gate.started.Load() - started; got != 1 {
		t.Fatalf("%d token requests, want 1", got)
	}
}

func TestMaxSessions(t *testing.T) {
	h := newHarness(t, func(_ *harness, o *Options) { o.MaxSessions = 1 })
	first := h.connect(t, h.user, 80, 24, true)
	first.waitFor("cognito-dev")
	second := h.connect(t, h.user, 80, 24, true)
	err := second.ended()
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Fatalf("a session over the limit should end with status 1, got %v", err)
	}
	if !strings.Contains(second.output(), "already runs its 1 sessions") {
		t.Fatalf("the refused client should be told why: %q", second.output())
	}
	if !strings.Contains(h.logs.String(), "session refused") {
		t.Fatalf("the refusal should be logged:\n%s", h.logs.String())
	}
	// The first one is unharmed, and its place frees when it quits.
	first.send("q")
	if err := first.ended(); err != nil {
		t.Fatal(err)
	}
	testsupport.Eventually(t, "the first session to be counted out", func() bool { return h.srv.Sessions() == 0 })
	third := h.connect(t, h.user, 80, 24, true)
	third.waitFor("cognito-dev")
}

func TestIdleTimeoutClosesTheSession(t *testing.T) {
	h := newHarness(t, func(_ *harness, o *Options) { o.IdleTimeout = 300 * time.Millisecond })
	c := h.connect(t, h.user, 80, 24, true)
	if err := c.ended(); err != nil {
		t.Fatalf("an idle session ends with status 0, got %v", err)
	}
	if !strings.Contains(c.screen(), "tokentop: closed after 300ms without a key pressed") {
		t.Fatalf("the client should be told why:\n%s", c.screen())
	}
	if !strings.Contains(h.logs.String(), "without a key pressed") {
		t.Fatalf("the log should say why:\n%s", h.logs.String())
	}
}

func TestShutdownClosesEverySession(t *testing.T) {
	h := newHarness(t, nil)
	a, b := h.connect(t, h.user, 80, 24, true), h.connect(t, h.admin, 120, 40, true)
	a.waitFor("cognito-dev")
	b.waitFor("cognito-dev")
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{a, b} {
		_ = c.ended()
		if !strings.Contains(c.screen(), "tokentop: the server is shutting down") {
			t.Fatalf("a client should be told of the shutdown:\n%s", c.screen())
		}
	}
	if n := h.srv.Sessions(); n != 0 {
		t.Fatalf("%d sessions left after the shutdown", n)
	}
	if logs := h.logs.String(); strings.Count(logs, "session end") != 2 || strings.Count(logs, "the server is shutting down") < 2 {
		t.Fatalf("each session's end should be logged once, with the shutdown as the reason:\n%s", logs)
	}
	if _, err := h.dial(gossh.PublicKeys(h.user)); err == nil {
		t.Fatal("the server still accepts connections after its shutdown")
	}
}

func TestDisconnectCancelsTheFetch(t *testing.T) {
	h := newHarness(t, nil)
	id := h.clientID("cognito-dev")
	before := h.sb.Issued(id)
	old := h.token("cognito-dev")
	c := h.connect(t, h.user, 120, 40, true)
	c.filter("cognito-dev")

	h.gate.hold()
	started := h.gate.started.Load()
	c.send("r")
	testsupport.Eventually(t, "the token request", func() bool { return h.gate.started.Load() == started+1 })
	c.close() // the client vanishes mid-fetch
	testsupport.Eventually(t, "the request to be abandoned", func() bool { return h.gate.canceled.Load() == 1 })
	testsupport.Eventually(t, "the session to be counted out", func() bool { return h.srv.Sessions() == 0 })
	h.gate.open()

	if got := h.sb.Issued(id) - before; got != 0 {
		t.Fatalf("an abandoned fetch issued %d tokens", got)
	}
	if h.token("cognito-dev") != old {
		t.Fatal("an abandoned fetch changed the cached token")
	}
	// Nothing is left half done: the lease is free, and the next fetch
	// goes straight through.
	res, err := h.st.Token(h.ctx, "cognito-dev", store.TokenOptions{ForceRefresh: true})
	if err != nil || res.Cached {
		t.Fatalf("a fetch after the disconnect should work at once: %v", err)
	}
	if got := h.sb.Issued(id) - before; got != 1 {
		t.Fatalf("issued %d tokens, want 1", got)
	}
	if !strings.Contains(h.logs.String(), "why=\"the client went away\"") {
		t.Fatalf("the log should say the client went away:\n%s", h.logs.String())
	}
}

// A terminal that answers no query still gets the dashboard (dark
// styles), and the first key it sends is not lost.
func TestTerminalThatAnswersNoQuery(t *testing.T) {
	h := newHarness(t, nil)
	c := h.connect(t, h.user, 120, 40, false)
	c.send("/")
	c.waitFor("keep filter")
	c.send("ants\r")
	c.waitFor("filter \"ants\": 1 shown")
}

// A colour answer that comes after the query gave up (a slow link) is not
// taken for keys: its r, c and / would refresh, copy the token and open
// the filter.
func TestLateColourAnswerIsNotKeys(t *testing.T) {
	h := newHarness(t, nil)
	c := h.connect(t, h.user, 120, 40, false)
	c.waitFor("cognito-dev", "valid")
	c.send("\x1b]11;rgb:1c1c/1c1c/2424\x1b\\\x1b[?62;22c?")
	c.waitFor("Marks and colours")
	if s := c.screen(); strings.Contains(s, "copied") || strings.Contains(s, "keep filter") || strings.Contains(c.output(), "\x1b]52;") {
		t.Fatalf("the late answer was taken for keys:\n%s", s)
	}
}

// A client that closes its session but keeps the connection (OpenSSH's
// ControlMaster does) ends the session all the same.
func TestClosedChannelEndsTheSession(t *testing.T) {
	h := newHarness(t, nil)
	c := h.connect(t, h.user, 80, 24, true)
	c.waitFor("cognito-dev")
	if err := c.sess.Close(); err != nil {
		t.Fatal(err)
	}
	testsupport.Eventually(t, "the session to end", func() bool { return h.srv.Sessions() == 0 })
	if !strings.Contains(h.logs.String(), "why=\"the client went away\"") {
		t.Fatalf("the log should say the client went away:\n%s", h.logs.String())
	}
}
