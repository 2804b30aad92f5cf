package sshd

import (
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/ui/settings"
)

// TestMouseAndConfigOverSSH: the server's config applies to every session
// (here a rebound quit and the env's colour), and with the mouse on the
// client's terminal is asked to report it: a double-click on a row (SGR
// mouse sequences, as a terminal sends them) opens its detail.
func TestMouseAndConfigOverSSH(t *testing.T) {
	f, err := settings.Parse("server.yaml", []byte("keys:\n  quit: Q\nenvs:\n  sandbox: {color: red}\n"))
	if err != nil {
		t.Fatal(err)
	}
	fixed := time.Now() // one instant: two clicks are a double-click
	h := newHarness(t, func(h *harness, o *Options) {
		o.Mouse = true
		o.Dashboard.Settings = f
		o.Dashboard.Now = func() time.Time { return fixed }
	})
	c := h.connect(t, h.user, 120, 40, true)
	c.waitFor("7 providers", "tokentop  sandbox ")
	if out := c.output(); !strings.Contains(out, "\x1b[?1002h") || !strings.Contains(out, "\x1b[?1006h") {
		t.Fatal("the session should turn on the terminal's mouse reports (cell motion, SGR)")
	}
	click := "\x1b[<0;10;3M\x1b[<0;10;3m" // press and release on the first row
	c.send(click + click)
	c.waitFor("Claims (decoded, not verified)")
	c.send("qs") // quit is Q on this server: q does nothing, s still sorts
	c.waitFor("sort: name")
	c.send("Q")
	if err := c.ended(); err != nil {
		t.Fatalf("Q should end the session: %v", err)
	}
	testsupport.Eventually(t, "the session to be counted out", func() bool { return h.srv.Sessions() == 0 })
}
