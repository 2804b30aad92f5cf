package sshd

import (
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
)

// addUserLogins puts the sandbox's user-grant providers in the harness's
// store, none logged in.
func (h *harness) addUserLogins() {
	h.t.Helper()
	ps, err := providers.LoadConfig(strings.NewReader(h.sb.ProvidersYAML(h.url)), func(string) (string, bool) { return "", false })
	if err != nil {
		h.t.Fatal(err)
	}
	var users []providers.Provider
	for _, p := range ps {
		if p.Grant.UserLogin() {
			users = append(users, p)
		}
	}
	if len(users) == 0 {
		h.t.Fatal("the sandbox has no user-grant provider")
	}
	if err := h.st.PutProviders(h.ctx, users); err != nil {
		h.t.Fatal(err)
	}
}

// TestBrowserLoginRefusedOverSSH: an admin over SSH presses l on a
// provider of grant authorization_code: a browser would open on the
// server, so the dashboard refuses and says what works instead.
func TestBrowserLoginRefusedOverSSH(t *testing.T) {
	h := newHarness(t, nil)
	h.addUserLogins()
	c := h.connect(t, h.admin, 200, 40, true)
	c.waitFor("user-login")
	c.filter("user-login")
	c.waitFor("log in (l)")
	c.send("l")
	c.waitFor("from an SSH session would open on the server", "device_code")
	if strings.Contains(c.screen(), "Log in to user-login") {
		t.Fatalf("the login overlay opened over SSH:\n%s", c.screen())
	}
}

// TestReadOnlySessionCannotLogIn: a read-only session (serve --demo, a
// user key) cannot log in at all, and is told so.
func TestReadOnlySessionCannotLogIn(t *testing.T) {
	h := newHarness(t, func(_ *harness, o *Options) { o.Demo = true })
	h.addUserLogins()
	c := h.connect(t, h.user, 200, 40, true)
	c.waitFor("user-login", "read-only")
	c.filter("user-login")
	c.send("l")
	c.waitFor("read-only session: log in is turned off")
	if strings.Contains(c.screen(), "Log in to") {
		t.Fatalf("the login overlay opened in a read-only session:\n%s", c.screen())
	}
}
