package sshd

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// openHarness is a harness of an open server with the limits given (the
// zero Limits: every default).
func openHarness(t testing.TB, l Limits, mod func(o *Options)) *harness {
	return newHarness(t, func(_ *harness, o *Options) {
		o.Open, o.Limits = true, l
		o.AuthorizedKeys, o.AdminKeys = "", ""
		if mod != nil {
			mod(o)
		}
	})
}

// TestOpenLetsAnyKeyIn: a key in no file gets a read-only dashboard with
// tokens masked on an open server (the same key is refused by any other:
// TestUnknownKeyRefused); a password is still refused, and the session
// is logged with the key's fingerprint.
func TestOpenLetsAnyKeyIn(t *testing.T) {
	h := openHarness(t, Limits{}, nil)
	if _, err := h.dial(gossh.Password("hunter2")); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("an open server must still refuse passwords, got %v", err)
	}
	c := h.connect(t, h.stranger, 120, 40, true)
	c.waitFor("read-only", "cognito-dev")
	c.filter("ants")
	tok := h.token("ants")
	c.send("\r")
	c.waitFor(tok[:6] + "…" + tok[len(tok)-4:])
	c.send("c")
	c.waitFor("read-only session: copy token is turned off")
	c.send("q")
	if err := c.ended(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.output(), tok) {
		t.Fatal("the full token reached an open session")
	}
	fp := gossh.FingerprintSHA256(h.stranger.PublicKey())
	testsupport.Eventually(t, "the connection's end logged", func() bool { return strings.Contains(h.logs.String(), "connection end") })
	logs := h.logs.String()
	for _, want := range []string{"access=read-only", "session end", "connection end", "duration=", fp} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log should say %q:\n%s", want, logs)
		}
	}
}

// TestOpenViewerReachesOnlyTheSandbox: an open viewer's keys cannot add,
// edit or delete a provider, nor call a URL of their choosing: the store
// keeps its providers, a server elsewhere gets no request, and a
// test-call goes to the saved (sandbox) endpoint.
func TestOpenViewerReachesOnlyTheSandbox(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	h := openHarness(t, Limits{}, nil)
	before, err := h.st.Providers(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := h.connect(t, h.stranger, 120, 40, true)
	c.filter("ants")
	for _, k := range []struct{ key, says string }{{"a", "add"}, {"e", "edit"}, {"d", "delete"}} {
		c.send(k.key)
		c.waitFor("read-only session: " + k.says + " is turned off")
	}
	c.send("t")
	c.waitFor("Test-call ants")
	c.send(other.URL + "\r") // typed at a picker that has no custom URL
	c.waitFor("200 OK")
	after, err := h.st.Providers(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("the store had %d providers, has %d", len(before), len(after))
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("an open viewer reached a server that is not the sandbox %d times", n)
	}
}

// TestViewOnlyReachesNoNetwork: with ViewOnly (an open server over a real
// database), refresh, refresh all, test-call, auto-refresh and the doctor
// are turned off: no token request reaches the provider.
func TestViewOnlyReachesNoNetwork(t *testing.T) {
	h := openHarness(t, Limits{}, func(o *Options) { o.ViewOnly = true })
	c := h.connect(t, h.stranger, 120, 40, true)
	c.filter("ants")
	started := h.gate.started.Load()
	for _, k := range []struct{ key, says string }{
		{"r", "refresh"}, {"R", "refresh all"}, {"t", "test-call"}, {"x", "auto-refresh"}, {"D", "doctor"}, {"c", "copy token"},
	} {
		c.send(k.key)
		c.waitFor("view-only session: " + k.says + " is turned off")
	}
	c.send("q")
	if err := c.ended(); err != nil {
		t.Fatal(err)
	}
	if n := h.gate.started.Load() - started; n != 0 {
		t.Fatalf("a view-only session sent %d token requests", n)
	}
}

// TestOpenTinyWindowAndSilentTerminal: a 1×1 window and a terminal that
// answers no query both get a dashboard on an open server.
func TestOpenTinyWindowAndSilentTerminal(t *testing.T) {
	h := openHarness(t, Limits{PerAddress: 5}, nil)
	tiny := h.connect(t, h.stranger, 1, 1, true)
	testsupport.Eventually(t, "the 1×1 session to start", func() bool { return strings.Contains(h.logs.String(), "size=1x1") })
	tiny.resize(100, 30)
	tiny.waitFor("cognito-dev")
	tiny.resize(1, 1)
	tiny.send("q")
	if err := tiny.ended(); err != nil {
		t.Fatalf("a 1×1 session should end with q, status 0: %v", err)
	}
	silent := h.connect(t, h.stranger, 120, 40, false)
	silent.waitFor("read-only", "cognito-dev")
}
