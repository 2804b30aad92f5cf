package cli

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// browsingWriter is stderr with a user behind it: the first login URL
// written to it is followed, as a browser that logs in would.
type browsingWriter struct {
	t    *testing.T
	mu   sync.Mutex
	buf  bytes.Buffer
	once sync.Once
	done chan struct{}
}

var loginURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/user/authorize\?\S+`)

// refreshTokenText is a sandbox refresh token ("rt." and 43 characters).
var refreshTokenText = regexp.MustCompile(`rt\.[A-Za-z0-9_-]{40,}`)

func newBrowsingWriter(t *testing.T) *browsingWriter {
	return &browsingWriter{t: t, done: make(chan struct{})}
}

func (w *browsingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if link := loginURL.FindString(w.buf.String()); link != "" {
		w.once.Do(func() {
			go func() {
				defer close(w.done)
				resp, err := http.Get(link)
				if err != nil {
					w.t.Errorf("browser: %v", err)
					return
				}
				resp.Body.Close()
			}()
		})
	}
	return len(p), nil
}

func (w *browsingWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// login runs `tokentop login NAME` with a browsing user on stderr.
func (e *env) login(name string, extra ...string) (string, string, int) {
	e.t.Helper()
	var out bytes.Buffer
	errb := newBrowsingWriter(e.t)
	opened := false
	app := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: errb, Now: time.Now,
		LookupEnv:   func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok },
		OpenBrowser: func(string) error { opened = true; return nil }}
	code := app.Run(context.Background(), append([]string{"--db", e.db, "login", name}, extra...))
	if opened {
		e.t.Error("a browser was opened with stderr not a terminal")
	}
	return out.String(), errb.String(), code
}

func TestLoginThenTokenAndIDToken(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	out, errOut, code := e.login("user-login")
	if code != 0 {
		t.Fatalf("login: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "open this URL") || !strings.Contains(out, "logged in to user-login") ||
		!strings.Contains(out, "refresh token kept, valid until") || !strings.Contains(out, "ID token verified: sub sandbox-user") {
		t.Errorf("login said:\n%s\n%s", out, errOut)
	}
	at := strings.TrimSpace(e.mustRun("", "token", "user-login"))
	id := strings.TrimSpace(e.mustRun("", "token", "user-login", "--id-token"))
	if at == "" || id == "" || at == id || strings.Count(id, ".") != 2 {
		t.Fatalf("token %q, ID token %q", at, id)
	}
	if got := e.mustRun("", "exec", "user-login", "--", "sh", "-c", `printf %s "$TOKEN"`); got != at {
		t.Errorf("exec gave the child %q, token printed %q", got, at)
	}
	if n := e.sb.Issued("tokentop-native-app"); n != 1 {
		t.Errorf("the server issued %d tokens for one login, two token calls and an exec, want 1", n)
	}
	// The refresh token appears in nothing tokentop prints or exports.
	for _, argv := range [][]string{
		{"token", "user-login", "--json"}, {"token", "user-login", "--id-token", "--json"},
		{"ls", "--json"}, {"show", "user-login"}, {"export", "user-login"}, {"history", "user-login", "-v"},
	} {
		got := e.mustRun("", argv...)
		if refreshTokenText.MatchString(got) {
			t.Errorf("tokentop %s prints a refresh token:\n%s", strings.Join(argv, " "), got)
		}
	}
}

func TestLoginWithoutRefreshTokenThenIDTokenMissing(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	out, errOut, code := e.login("user-norefresh")
	if code != 0 || !strings.Contains(out, "no refresh token: log in again when it expires") {
		t.Fatalf("login: exit %d\n%s\n%s", code, out, errOut)
	}
	_, errOut, code = e.run("", "token", "user-norefresh", "--id-token")
	if code == 0 || !strings.Contains(errOut, "no ID token") {
		t.Errorf("--id-token without one: exit %d, %s", code, errOut)
	}
}

func TestLoginDeniedAndTimeout(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	e.sb.SetLoginSwitches(sandbox.LoginSwitches{Deny: true})
	_, errOut, code := e.login("user-login")
	if code == 0 || !strings.Contains(errOut, "access_denied") {
		t.Errorf("denied login: exit %d, %s", code, errOut)
	}
	_, errOut, code = e.run("", "login", "user-login", "--timeout", "50ms")
	if code == 0 || !strings.Contains(errOut, "no login came back within 50ms") {
		t.Errorf("login nobody finishes: exit %d, %s", code, errOut)
	}
	_, errOut, code = e.run("", "token", "user-login")
	if code == 0 || !strings.Contains(errOut, "log in again: tokentop login user-login") {
		t.Errorf("token before any login: exit %d, %s", code, errOut)
	}
	_, errOut, code = e.run("", "login", "cognito-dev")
	if code == 0 || !strings.Contains(errOut, "needs no login") {
		t.Errorf("login of a client-credentials provider: exit %d, %s", code, errOut)
	}
}

func TestLoginWithARefreshTokenOnStdin(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	var clientID string
	for _, c := range e.sb.Clients() {
		if c.Name == "user-refresh" {
			clientID = c.ClientID
		}
	}
	rt, err := e.sb.IssueRefreshToken(clientID)
	if err != nil {
		t.Fatal(err)
	}
	_, errOut, code := e.run("", "login", "user-refresh", "--refresh-token-stdin")
	if code != ExitUsage || !strings.Contains(errOut, "standard input is empty") {
		t.Errorf("empty stdin: exit %d, %s", code, errOut)
	}
	out := e.mustRun(rt+"\n", "login", "user-refresh", "--refresh-token-stdin")
	if !strings.Contains(out, "logged in to user-refresh") || strings.Contains(out, rt) {
		t.Errorf("login said: %s", out)
	}
	if at := strings.TrimSpace(e.mustRun("", "token", "user-refresh")); at == "" {
		t.Error("no token after the login")
	}
	if hist := e.mustRun("", "history", "user-refresh", "-v"); strings.Contains(hist, rt) || refreshTokenText.MatchString(hist) {
		t.Errorf("the history quotes a refresh token:\n%s", hist)
	}
}

// TestLsSaysWhoNeedsALogin: a user grant's provider with no session,
// never logged in or revoked, reads "login" in ls, not "error" or
// "none"; one logged in reads valid.
func TestLsSaysWhoNeedsALogin(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	status := func(name string) string {
		for _, line := range strings.Split(e.mustRun("", "ls"), "\n") {
			if f := strings.Fields(line); len(f) > 2 && f[0] == name {
				return f[2]
			}
		}
		t.Fatalf("ls lists no %s", name)
		return ""
	}
	if got := status("user-login"); got != "login" {
		t.Errorf("never logged in: status %q, want login", got)
	}
	if _, errOut, code := e.login("user-login"); code != 0 {
		t.Fatalf("login: exit %d, %s", code, errOut)
	}
	if got := status("user-login"); got != "valid" {
		t.Errorf("logged in: status %q, want valid", got)
	}
	e.mustRun("", "revoke", "user-login")
	if got := status("user-login"); got != "login" {
		t.Errorf("revoked: status %q, want login", got)
	}
	if got := status("cognito-dev"); got == "login" {
		t.Error("a client-credentials provider says login")
	}
}
