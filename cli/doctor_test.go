package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDoctorHealthy(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	tok := strings.TrimSpace(e.mustRun("", "token", "auth0-prod"))
	issued := e.sb.TotalIssued()
	out := e.mustRun("", "doctor", "auth0-prod")
	for _, want := range []string{"[ ok ] settings", "[ ok ] DNS", "[ ok ] TCP", "[skip] TLS", "[ ok ] discovery", "issuer " + e.url + "/auth0 matches",
		"[ ok ] auth methods", "[ ok ] token request", "the cached token", "[ ok ] scopes", "[ ok ] JWT signature", "[ ok ] JWT aud",
		"[ ok ] test-call", "[ ok ] clock", "200 OK", "no step failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor lacks %q:\n%s", want, out)
		}
	}
	if e.sb.TotalIssued() != issued {
		t.Error("the doctor fetched a token although one was cached")
	}
	e.noLeak(t, out, tok)

	// --fetch tests the exchange itself: one more token.
	out = e.mustRun("", "doctor", "auth0-prod", "--fetch")
	if e.sb.TotalIssued() != issued+1 || !strings.Contains(out, "200 from "+e.url+"/oauth/token with post") {
		t.Errorf("--fetch issued %d tokens:\n%s", e.sb.TotalIssued()-issued, out)
	}
}

func TestDoctorFailures(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	out, errOut, code := e.run("", "doctor", "broken")
	if code != ExitFailure || !strings.Contains(out, "[FAIL] token request") || !strings.Contains(out, "both secret styles were refused") ||
		!strings.Contains(out, "[skip] test-call") || !strings.Contains(errOut, "token request failed") {
		t.Errorf("doctor broken: exit %d\n%s\n%s", code, out, errOut)
	}
	e.noLeak(t, out+errOut)

	// A call the token's scopes do not allow is explained from the
	// API's WWW-Authenticate.
	out, _, code = e.run("", "doctor", "cognito-dev", "--endpoint", e.url+"/api/v1/admin")
	if code != ExitFailure || !strings.Contains(out, "insufficient_scope") || !strings.Contains(out, "add admin") {
		t.Errorf("doctor with the admin endpoint: exit %d\n%s", code, out)
	}
	if _, errOut, code := e.run("", "doctor", "nope"); code != ExitFailure || !strings.Contains(errOut, "nope") {
		t.Errorf("unknown provider: exit %d %s", code, errOut)
	}
	if _, _, code := e.run("", "doctor", "ants", "--json", "--markdown"); code != ExitUsage {
		t.Errorf("--json with --markdown: exit %d", code)
	}
}

func TestDoctorMarkdownAndJSON(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	tok := strings.TrimSpace(e.mustRun("", "token", "ants"))
	md := e.mustRun("", "doctor", "ants", "--markdown")
	for _, want := range []string{"### tokentop doctor ants", "| ✅ pass | JWT signature |", "| ✅ pass | test-call |", TokenPreview(tok)} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	e.noLeak(t, md, tok)

	js := e.mustRun("", "doctor", "ants", "--json")
	var got doctorJSON
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatalf("%v:\n%s", err, js)
	}
	if !got.OK || !got.TokenCached || len(got.Checks) < 10 || got.Checks[0].Name != "settings" {
		t.Errorf("json: %+v", got)
	}
	e.noLeak(t, js, tok)
}

// TestDoctorRetryIsADiagnosisNotAFix: the doctor finds that another
// auth_style works, but the token it got that way is not cached, so
// `tokentop token` keeps failing, with the fix in its hint, until the
// configuration changes.
func TestDoctorRetryIsADiagnosisNotAFix(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	yml := e.mustRun("", "export", "basic-only", "--with-secrets")
	f := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(f, []byte(strings.Replace(yml, "auth_style: basic", "auth_style: post", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("", "import", f)
	out, _, code := e.run("", "doctor", "basic-only")
	if code != ExitFailure || !strings.Contains(out, "with basic it works") || !strings.Contains(out, "set `auth_style: basic`") {
		t.Fatalf("doctor: exit %d\n%s", code, out)
	}
	for range 2 {
		_, errOut, code := e.run("", "token", "basic-only")
		if code != ExitFailure || !strings.Contains(errOut, "try `auth_style: basic`") {
			t.Fatalf("token after the doctor: exit %d\n%s", code, errOut)
		}
	}
	if out := e.mustRun("", "ls"); !strings.Contains(lineOf(out, "basic-only"), "error") {
		t.Errorf("ls after the doctor's retry:\n%s", out)
	}
}

// TestDoctorQuota: the doctor reads tokentop's ledger through the store,
// and a refusal of that ledger says whose count it is and what --force
// risks.
func TestDoctorQuota(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	secret := ""
	for _, c := range e.sb.Clients() {
		if c.Name == "cognito-dev" {
			secret = c.ClientSecret
		}
	}
	e.mustRun(secret+"\n", "add", "capped", "--token-url", e.url+"/oauth2/token", "--client-id", "3bn43arz0h95uqtbqodz8jn54g",
		"--client-secret-stdin", "--scope", "api/read", "--auth", "basic", "--quota", "1/day", "--endpoint", "items="+e.url+"/api/v1/items")
	out := e.mustRun("", "doctor", "capped")
	if !strings.Contains(out, "[warn] quota          tokentop's ledger: 1/1 today (quota 1 per day), resets") || !strings.Contains(out, "API says remaining 99, limit 100") {
		t.Errorf("quota step:\n%s", out)
	}
	out, _, code := e.run("", "doctor", "capped", "--fetch")
	if code != ExitFailure || !strings.Contains(out, "tokentop's own ledger counts 1/1 tokens today") ||
		!strings.Contains(out, "token endpoint: not asked (tokentop's own ledger refused)") {
		t.Fatalf("doctor --fetch at the limit: exit %d\n%s", code, out)
	}
	_, errOut, code := e.run("", "token", "capped", "--force-refresh")
	if code != ExitFailure || !strings.Contains(errOut, "tokentop's count, not the vendor's answer") || !strings.Contains(errOut, "--force") {
		t.Fatalf("token at the limit: exit %d\n%s", code, errOut)
	}
}

// TestDoctorMarkdownTicket: the ticket report holds when it ran, which
// tokentop, the client id and token URL, and the failing exchange as the
// flight record keeps it: secrets and tokens redacted.
func TestDoctorMarkdownTicket(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	md, _, code := e.run("", "doctor", "broken", "--markdown")
	if code != ExitFailure {
		t.Fatalf("exit %d", code)
	}
	var broken, good string
	for _, c := range e.sb.Clients() {
		if c.Name == "broken" {
			broken = c.ClientID
		}
	}
	for _, want := range []string{
		"| run | `" + time.Now().UTC().Format("2006-01-02 "), "| tokentop | `" + Version() + "` |",
		"| client\\_id | `" + broken + "` |", "| token\\_url | `" + e.url + "/oauth2/token` |",
		"**Failing exchange (redacted, as the flight recorder keeps it)**", "```\nPOST " + e.url + "/oauth2/token\n",
		"Authorization: Basic [redacted]", "grant_type=client_credentials", "\n400 Bad Request\n", "Content-Type: application/json", "\n{\"error\":\"invalid_client\"}\n```\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the ticket lacks %q:\n%s", want, md)
		}
	}
	e.noLeak(t, md)
	exp := e.mustRun("", "export", "broken", "--with-secrets")
	for _, l := range strings.Split(exp, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "client_secret: "); ok && k == "" {
			good = v
		}
	}
	if good == "" || strings.Contains(md, good) {
		t.Fatalf("the ticket shows the configured secret (%q)", good)
	}

	// A healthy run names no failing exchange.
	md = e.mustRun("", "doctor", "ants", "--markdown")
	if !strings.Contains(md, "no token request failed in this run") {
		t.Errorf("healthy ticket:\n%s", md)
	}
}
