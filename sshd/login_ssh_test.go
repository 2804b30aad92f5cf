package sshd

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
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

// TestDeviceLoginOverSSH: an admin session logs in with the device code,
// the natural login over SSH: the overlay shows the code and the QR code
// in the client's terminal, the approval comes from the sandbox (as the
// user's phone would give it), and the token appears in the row.
func TestDeviceLoginOverSSH(t *testing.T) {
	h := newHarness(t, nil)
	h.addUserLogins()
	h.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{Interval: time.Second})
	c := h.connect(t, h.admin, 120, 50, true)
	c.waitFor("device-login")
	c.filter("device-login")
	c.waitFor("log in (l)")
	c.send("l")
	c.waitFor("Log in to device-login · device code", "and enter the code", "scan this with your phone", "▀")
	code := regexp.MustCompile(`(?s)and enter the code.*?([A-Z0-9]{4}-[A-Z0-9]{4})`).FindStringSubmatch(c.screen())
	if code == nil {
		t.Fatalf("no user code on the screen:\n%s", c.screen())
	}
	if !h.sb.ApproveDevice(code[1]) {
		t.Fatalf("the sandbox knows no user code %q", code[1])
	}
	c.waitFor("logged in to device-login")
	testsupport.Eventually(t, "device-login's token in the store", func() bool {
		sm, err := h.st.Summary(h.ctx, "device-login")
		return err == nil && sm.Token != nil
	})
	c.waitFor("valid")
}
