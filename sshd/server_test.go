package sshd

import (
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport"
	gossh "golang.org/x/crypto/ssh"
)

func TestDashboardOverSSH(t *testing.T) {
	h := newHarness(t, nil)
	c := h.connect(t, h.user, 120, 40, true)
	c.waitFor("tokentop", "cognito-dev", "auth0-prod", "broken", "7 providers")
	if strings.Contains(c.screen(), "read-only") {
		t.Fatalf("a session without --demo has full access:\n%s", c.screen())
	}
	c.filter("ants")
	c.send("\r")
	c.waitFor("Tokens issued in", "Claims (decoded, not verified)")

	// A wider window puts the detail beside the table: the row and the
	// detail's title share a line of the screen.
	if err := c.sess.WindowChange(45, 160); err != nil {
		t.Fatal(err)
	}
	beside := regexp.MustCompile(`ants +sandbox +valid[^\n]*│ ants · ants · sandbox`)
	testsupport.Eventually(t, "the detail beside the table after the resize", func() bool { return beside.MatchString(c.screen()) })

	c.send("q")
	if err := c.ended(); err != nil {
		t.Fatalf("q should end the session with status 0: %v", err)
	}
	testsupport.Eventually(t, "the session to be counted out", func() bool { return h.srv.Sessions() == 0 })
	logs := h.logs.String()
	fp := gossh.FingerprintSHA256(h.user.PublicKey())
	for _, want := range []string{"session start", "session end", fp, "why=quit", "access=full"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log should say %q:\n%s", want, logs)
		}
	}
}

func TestUnknownKeyRefused(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.dial(gossh.PublicKeys(h.stranger))
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("an unknown key must be refused, got %v", err)
	}
	fp := gossh.FingerprintSHA256(h.stranger.PublicKey())
	if logs := h.logs.String(); !strings.Contains(logs, "key refused") || !strings.Contains(logs, fp) {
		t.Fatalf("the refusal should be logged with the key's fingerprint %s:\n%s", fp, logs)
	}
}

func TestPasswordAndKeyboardInteractiveRefused(t *testing.T) {
	h := newHarness(t, nil)
	asked := false
	_, err := h.dial(
		gossh.Password("hunter2"),
		gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			asked = true
			return []string{"hunter2"}, nil
		}),
	)
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("password and keyboard-interactive must be refused, got %v", err)
	}
	if asked {
		t.Fatal("the server must not offer keyboard-interactive")
	}
}

func TestNoPtyRefused(t *testing.T) {
	h := newHarness(t, nil)
	_, sess := h.openSession(t, h.user)
	out, err := sess.CombinedOutput("")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(string(out), "PTY") {
		t.Fatalf("a session without a terminal should be told it needs one, exit 1; got %v: %q", err, out)
	}
}

func TestDemoIsReadOnly(t *testing.T) {
	h := newHarness(t, func(_ *harness, o *Options) { o.Demo = true })
	c := h.connect(t, h.user, 120, 40, true)
	c.waitFor("read-only", "cognito-dev")
	c.filter("ants")
	tok := h.token("ants")
	c.send("\r")
	c.waitFor(tok[:6] + "…" + tok[len(tok)-4:])

	for _, k := range []struct{ key, says string }{
		{"c", "copy token is turned off"},
		{"C", "copy curl is turned off"},
		{"e", "edit is turned off"},
		{"d", "delete is turned off"},
		{"a", "add is turned off"},
	} {
		c.send(k.key)
		c.waitFor("read-only session: " + k.says)
	}
	c.send("?")
	c.waitFor("Marks and colours")
	if s := c.screen(); strings.Contains(s, "copy token") || strings.Contains(s, "delete") || strings.Contains(s, "edit") {
		t.Fatalf("the help must not offer what is turned off:\n%s", s)
	}
	c.send("\x1b")
	c.waitFor("Claims")

	// Test-calls stay.
	c.send("t")
	c.waitFor("Test-call ants")
	c.send("\r")
	c.waitFor("200 OK")
	c.send("\x03")
	_ = c.ended()

	out := c.output()
	if strings.Contains(out, tok) {
		t.Fatal("the full token reached a read-only session")
	}
	if strings.Contains(out, "\x1b]52;") {
		t.Fatal("a read-only session copied something")
	}
	if _, err := h.st.Provider(h.ctx, "ants"); err != nil {
		t.Fatalf("ants must still be there: %v", err)
	}
	if !strings.Contains(h.logs.String(), "access=read-only") {
		t.Fatalf("the log should give the session's access:\n%s", h.logs.String())
	}
}

func TestAdminKeysHaveFullAccess(t *testing.T) {
	optionKey := testsupport.SSHSigner(t)
	h := newHarness(t, func(h *harness, o *Options) {
		o.Demo = true
		h.writeFile("authorized_keys", authorizedLine(h.user)+"\n"+AdminOption+" "+authorizedLine(optionKey)+" boss@test\n")
	})
	for _, tc := range []struct {
		name string
		key  gossh.Signer
	}{{"admin keys file", h.admin}, {"authorized_keys option", optionKey}} {
		t.Run(tc.name, func(t *testing.T) {
			c := h.connect(t, tc.key, 120, 40, true)
			c.waitFor("cognito-dev")
			if strings.Contains(c.screen(), "read-only") {
				t.Fatalf("an admin key gets full access:\n%s", c.screen())
			}
			c.send("a")
			c.waitFor("Add a provider")
			c.send("\x1b")
			c.waitFor("cognito-dev")
			c.filter("ants")
			c.send("e")
			c.waitFor("Edit ants")
			c.send("\x1b")
			c.waitFor("valid") // the table again
			c.send("c")
			c.waitFor("copied the ants token via OSC52")
			// The copy went to this client's terminal, and only there.
			want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(h.token("ants")))
			if !strings.Contains(c.output(), want) {
				t.Fatal("the OSC52 copy of the token did not reach the client")
			}
			c.send("q")
			_ = c.ended()
		})
	}
	// The plain key in the same file is read-only.
	c := h.connect(t, h.user, 120, 40, true)
	c.waitFor("read-only", "cognito-dev")
}
