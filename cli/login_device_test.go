package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// noWait is a sleep that does not wait: the sandbox ends these logins by
// poll count, not by time.
func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// deviceLogin runs `tokentop login NAME` for a device login, its polls
// not waiting.
func (e *env) deviceLogin(name string) (string, string, int) {
	e.t.Helper()
	var out, errb bytes.Buffer
	app := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: time.Now, Sleep: noWait,
		LookupEnv: func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok }}
	code := app.Run(context.Background(), []string{"--db", e.db, "login", name})
	return out.String(), errb.String(), code
}

func TestLoginDeviceSavesTheToken(t *testing.T) {
	e := newEnv(t)
	// Polls that come too soon are slowed down, then the third approved.
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{ApproveAfter: 3})
	e.importSandbox()
	out, errOut, code := e.deviceLogin("device-login")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Logging in to device-login", e.url + "/device", "scan this", "every 15s now"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("no %q in stderr\n%s", want, errOut)
		}
	}
	for _, want := range []string{"logged in to device-login", "refresh token kept", "ID token verified: sub sandbox-user"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in stdout\n%s", want, out)
		}
	}
	// The store hands the token out from its cache.
	tok := strings.TrimSpace(e.mustRun("", "token", "device-login"))
	id := strings.TrimSpace(e.mustRun("", "token", "device-login", "--id-token"))
	if tok == "" || id == "" || strings.Contains(out+errOut, tok) || strings.Contains(out+errOut, id) {
		t.Fatalf("token %q, ID token %q, or one printed by login", tok, id)
	}
	if refreshTokenText.MatchString(out + errOut) {
		t.Error("login printed a refresh token")
	}
	// Neither token lies in the file in the clear.
	raw, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(tok)) || bytes.Contains(raw, []byte(id)) || refreshTokenText.Match(raw) {
		t.Error("a token is stored in plaintext")
	}
	// The flight recorder has the login.
	if hist := e.mustRun("", "history", "device-login", "-v"); !strings.Contains(hist, "/oauth2/device/code") || !strings.Contains(hist, "/oauth2/token") {
		t.Errorf("history:\n%s", hist)
	}
}

func TestLoginDeviceDeniedIsRecorded(t *testing.T) {
	e := newEnv(t)
	e.sb.SetDeviceBehaviour(sandbox.DeviceBehaviour{DenyAfter: 1})
	e.importSandbox()
	out, errOut, code := e.deviceLogin("device-login")
	if code == 0 || !strings.Contains(errOut, "denied") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if _, _, code := e.run("", "token", "device-login"); code == 0 {
		t.Error("a denied login left a token")
	}
	if ls := e.mustRun("", "history", "device-login"); !strings.Contains(ls, "access_denied") {
		t.Errorf("history:\n%s", ls)
	}
}

func TestPromptWidthOffATerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []io.Writer{f, &bytes.Buffer{}} {
		if got := promptWidth(w); got != defaultPromptWidth {
			t.Errorf("%T: width %d, want %d", w, got, defaultPromptWidth)
		}
	}
}
