package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// env is a test harness: a sandbox on loopback and a database in a temp dir.
type env struct {
	t    *testing.T
	sb   *sandbox.Server
	url  string
	db   string
	vars map[string]string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, sandbox.New(sandbox.Options{}), nil)
}

// newEnvOn is newEnv with the sandbox given, served behind wrap (nil:
// nothing in front).
func newEnvOn(t *testing.T, sb *sandbox.Server, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	srv := sandboxenv.Serve(t, sb, wrap)
	return &env{t: t, sb: sb, url: srv.URL, db: filepath.Join(t.TempDir(), "tokentop.db"), vars: map[string]string{}}
}

// run runs one command line and returns stdout, stderr and the exit code.
func (e *env) run(stdin string, argv ...string) (string, string, int) {
	e.t.Helper()
	var out, errb bytes.Buffer
	app := &App{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		LookupEnv: func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok },
		Now:       time.Now,
	}
	code := app.Run(context.Background(), append([]string{"--db", e.db}, argv...))
	return out.String(), errb.String(), code
}

// mustRun runs a command that must succeed.
func (e *env) mustRun(stdin string, argv ...string) string {
	e.t.Helper()
	out, errOut, code := e.run(stdin, argv...)
	if code != 0 {
		e.t.Fatalf("tokentop %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(argv, " "), code, out, errOut)
	}
	return out
}

// importSandbox loads the sandbox's providers YAML into the database.
func (e *env) importSandbox() {
	e.t.Helper()
	f := filepath.Join(e.t.TempDir(), "sandbox.yaml")
	if err := os.WriteFile(f, []byte(e.sb.ProvidersYAML(e.url)), 0o600); err != nil {
		e.t.Fatal(err)
	}
	e.mustRun("", "import", f)
}

func TestTokenForEverySeedStyle(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	for _, c := range e.sb.Clients() {
		if c.Broken || c.Style == sandbox.StyleUser || c.Grant != "" {
			continue // a user's login is not a fetch: login_test.go
		}
		t.Run(c.Name, func(t *testing.T) {
			out := strings.TrimSpace(e.mustRun("", "token", c.Name))
			if out == "" || strings.ContainsAny(out, " \n") {
				t.Fatalf("token should print one bare token, got %q", out)
			}
			if got := e.sb.Issued(c.ClientID); got != 1 {
				t.Fatalf("issued %d tokens, want 1", got)
			}
			again := strings.TrimSpace(e.mustRun("", "token", c.Name))
			if again != out || e.sb.Issued(c.ClientID) != 1 {
				t.Fatalf("second call should reuse the cached token (issued %d)", e.sb.Issued(c.ClientID))
			}
		})
	}
}

func TestTokenJSONAndForceRefresh(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	var first, second tokenJSON
	if err := json.Unmarshal([]byte(e.mustRun("", "token", "ants", "--json")), &first); err != nil {
		t.Fatal(err)
	}
	if first.Cached || first.AccessToken == "" || first.Scope != "item,event" || first.TokenType != "Bearer" {
		t.Fatalf("first --json: %+v", first)
	}
	if _, err := time.Parse(time.RFC3339, first.ExpiresAt); err != nil {
		t.Fatalf("expires_at %q is not RFC 3339: %v", first.ExpiresAt, err)
	}
	if err := json.Unmarshal([]byte(e.mustRun("", "token", "ants", "--json")), &second); err != nil {
		t.Fatal(err)
	}
	if !second.Cached || second.AccessToken != first.AccessToken {
		t.Fatalf("second --json should be the cached token: %+v", second)
	}
	fresh := strings.TrimSpace(e.mustRun("", "token", "ants", "--force-refresh"))
	if fresh == first.AccessToken {
		t.Fatal("--force-refresh returned the cached token")
	}
}

func TestBrokenProviderFailsWithHint(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	out, errOut, code := e.run("", "token", "broken")
	if code != ExitFailure || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if !strings.Contains(errOut, "invalid_client") || !strings.Contains(errOut, "hint:") {
		t.Fatalf("stderr should name invalid_client and give a hint:\n%s", errOut)
	}
	hist := e.mustRun("", "history", "broken")
	if !strings.Contains(hist, "invalid_client") {
		t.Fatalf("history should record the failure:\n%s", hist)
	}
	ls := e.mustRun("", "ls")
	if !strings.Contains(lineOf(ls, "broken"), "error") {
		t.Fatalf("ls should show broken as error:\n%s", ls)
	}
}

func TestExitCodes(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		argv []string
		want int
	}{
		{[]string{"version"}, ExitOK},
		{[]string{"token"}, ExitUsage},
		{[]string{"token", "a", "b"}, ExitUsage},
		{[]string{"ls", "--bogus"}, ExitUsage},
		{[]string{"nosuchcommand"}, ExitUsage},
		{[]string{"add", "x", "--quota", "lots"}, ExitUsage},
		{[]string{"token", "nosuch"}, ExitFailure},
		{[]string{"import", "/nonexistent/file.yaml"}, ExitFailure},
	}
	for _, c := range cases {
		_, errOut, code := e.run("", c.argv...)
		if code != c.want {
			t.Errorf("tokentop %v: exit %d, want %d (stderr %q)", c.argv, code, c.want, errOut)
		}
	}
}

func TestImportExportRoundTripKeepsSecretsOut(t *testing.T) {
	e := newEnv(t)
	e.vars["SECRET"] = "s3cr3t-value-xyz"
	f := filepath.Join(t.TempDir(), "p.yaml")
	yaml := `providers:
  - name: one
    env: prod
    token_url: https://auth.example.com/oauth2/token
    client_id: cid
    client_secret: ${SECRET}
    scopes: [a, b]
    quota: {limit: 1000, per: month}
`
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("", "import", f)
	exported := e.mustRun("", "export")
	if strings.Contains(exported, "s3cr3t") || !strings.Contains(exported, "name: one") {
		t.Fatalf("export without --with-secrets:\n%s", exported)
	}
	with, errOut, code := e.run("", "export", "--with-secrets")
	if code != 0 || !strings.Contains(with, "s3cr3t-value-xyz") || !strings.Contains(errOut, "warning") {
		t.Fatalf("export --with-secrets: exit %d\n%s\n%s", code, with, errOut)
	}
	// The export loads back.
	e2 := newEnv(t)
	g := filepath.Join(t.TempDir(), "back.yaml")
	if err := os.WriteFile(g, []byte(with), 0o600); err != nil {
		t.Fatal(err)
	}
	e2.mustRun("", "import", g)
	if got := e2.mustRun("", "export", "--with-secrets"); got != with {
		t.Fatalf("round trip changed the export:\n%s\n---\n%s", with, got)
	}
	show := e.mustRun("", "show", "one")
	if strings.Contains(show, "s3cr3t") {
		t.Fatalf("show printed the secret:\n%s", show)
	}
}

func TestImportUnknownKeyNamesLine(t *testing.T) {
	e := newEnv(t)
	f := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(f, []byte("providers:\n  - name: x\n    client_id: a\n    token_url: https://a.example/t\n    scope: [x]\n"), 0o600)
	_, errOut, code := e.run("", "import", f)
	if code != ExitFailure || !strings.Contains(errOut, "line 5") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestAddShowRm(t *testing.T) {
	e := newEnv(t)
	e.mustRun("the-secret\n", "add", "mine", "--token-url", e.url+"/oauth2/token", "--client-id", "3bn43arz0h95uqtbqodz8jn54g",
		"--client-secret-stdin", "--scope", "api/write", "--auth", "basic", "--preset", "cognito", "--quota", "1000/month", "--env", "sandbox")
	show := e.mustRun("", "show", "mine")
	for _, want := range []string{"token_url", "preset", "1000/month", "api/write"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	if strings.Contains(show, "the-secret") {
		t.Fatalf("show printed the secret")
	}
	if _, _, code := e.run("x\n", "add", "mine", "--token-url", e.url+"/oauth2/token", "--client-id", "c", "--client-secret-stdin"); code == 0 {
		t.Fatal("adding a duplicate name should fail without --replace")
	}
	e.mustRun("", "rm", "mine")
	if _, _, code := e.run("", "show", "mine"); code != ExitFailure {
		t.Fatal("show after rm should fail")
	}
}

func TestCallEndpoint(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	out, errOut, code := e.run("", "call", "cognito-dev", "items")
	if code != 0 || !strings.Contains(errOut, "200") || !strings.Contains(errOut, "rate limit") || !strings.HasPrefix(strings.TrimSpace(out), "[") && !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Fatalf("call items: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	_, errOut, code = e.run("", "call", "cognito-dev", e.url+"/api/v1/admin")
	if code != ExitFailure || !strings.Contains(errOut, "403") || !strings.Contains(errOut, "insufficient_scope") {
		t.Fatalf("call admin: exit %d\nstderr %s", code, errOut)
	}
}

func TestHistoryVerboseRedacts(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	tok := strings.TrimSpace(e.mustRun("", "token", "cognito-dev"))
	hist := e.mustRun("", "history", "cognito-dev", "-v")
	if strings.Contains(hist, tok) {
		t.Fatal("history printed the access token")
	}
	for _, c := range e.sb.Clients() {
		if c.Name == "cognito-dev" && strings.Contains(hist, c.ClientSecret) {
			t.Fatal("history printed the client secret")
		}
	}
	for _, want := range []string{"POST", "Basic [redacted]", "grant_type=client_credentials", "< 200", "time:"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history -v lacks %q:\n%s", want, hist)
		}
	}
}

func lineOf(text, name string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, name+" ") {
			return l
		}
	}
	return ""
}

// A preset fills token_url from the issuer and the comma separator: the
// fetch must use those effective settings, as `show` prints them.
func TestPresetSettingsReachTheRequest(t *testing.T) {
	e := newEnv(t)
	var id, secret string
	for _, c := range e.sb.Clients() {
		if c.Name == "ants" {
			id, secret = c.ClientID, c.ClientSecret
		}
	}
	e.mustRun(secret+"\n", "add", "ants2", "--preset", "ants", "--issuer", e.url+"/ants", "--client-id", id,
		"--client-secret-stdin", "--scope", "item,event")
	out := e.mustRun("", "token", "ants2", "--json")
	if !strings.Contains(out, `"scope": "item,event"`) {
		t.Fatalf("token via preset: %s", out)
	}
}
