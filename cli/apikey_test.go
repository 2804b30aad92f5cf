package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// addKey adds an api_key provider for the sandbox's key API, the key
// read from stdin, with the extra flags given.
func (e *env) addKey(name string, flags ...string) {
	e.t.Helper()
	argv := append([]string{"add", name, "--grant", "api_key", "--client-secret-stdin",
		"--endpoint", "items=" + e.url + sandbox.PathKeyAPI}, flags...)
	e.mustRun(sandbox.APIKey+"\n", argv...)
}

// keyVia is where the sandbox says the key came from in a call's body.
func keyVia(t *testing.T, body string) string {
	t.Helper()
	var v struct {
		KeyVia string `json:"key_via"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("call body %q: %v", body, err)
	}
	return v.KeyVia
}

// TestAPIKeySentWhereConfigured: the key goes as X-API-Key, as a query
// parameter, and with a custom prefix in Authorization; the sandbox says
// where it found it, and no output holds the key.
func TestAPIKeySentWhereConfigured(t *testing.T) {
	e := newEnv(t)
	e.addKey("hdr", "--key-header", "X-API-Key")
	e.addKey("qry", "--key-query", "api_key")
	e.addKey("pfx", "--key-header", "Authorization", "--key-prefix", "ApiKey ")
	for name, want := range map[string]string{"hdr": "header X-API-Key", "qry": "query parameter api_key", "pfx": "Authorization ApiKey"} {
		out, errOut, code := e.run("", "call", name)
		if code != 0 || keyVia(t, out) != want {
			t.Errorf("call %s: exit %d, key via %q, want %q\n%s", name, code, out, want, errOut)
		}
		if strings.Contains(errOut, sandbox.APIKey) {
			t.Errorf("call %s: stderr holds the key:\n%s", name, errOut)
		}
	}
	if got := strings.TrimSpace(e.mustRun("", "token", "hdr")); got != sandbox.APIKey {
		t.Errorf("token hdr = %q, want the key", got)
	}
	var tj tokenJSON
	if err := json.Unmarshal([]byte(e.mustRun("", "token", "qry", "--json")), &tj); err != nil {
		t.Fatal(err)
	}
	if tj.AccessToken != sandbox.APIKey || tj.TokenType != "api-key" || tj.ExpiresAt != "" || !tj.Cached {
		t.Errorf("token --json = %+v; want the key, type api-key, no expiry", tj)
	}
	for _, argv := range [][]string{{"ls"}, {"ls", "--json"}, {"show", "qry"}, {"history", "qry"}, {"export"}, {"history", "hdr", "--json"}} {
		if out, errOut, _ := e.run("", argv...); strings.Contains(out+errOut, sandbox.APIKey) {
			t.Errorf("%v shows the key:\n%s%s", argv, out, errOut)
		}
	}
	if out := e.mustRun("", "export", "--with-secrets"); !strings.Contains(out, sandbox.APIKey) {
		t.Errorf("export --with-secrets has no key:\n%s", out)
	}
	e.mustRun("rotated-key-0123456789\n", "add", "hdr", "--client-secret-stdin") // a rotation: only the key changes
	if got := strings.TrimSpace(e.mustRun("", "token", "hdr")); got != "rotated-key-0123456789" {
		t.Errorf("token after the rotation = %q", got)
	}
	if out := e.mustRun("", "show", "hdr"); !strings.Contains(out, "key:     header X-Api-Key, no expiry") {
		t.Errorf("the rotation changed the key's settings:\n%s", out)
	}
	if out := e.mustRun("", "show", "qry"); !strings.Contains(out, "key:     query parameter api_key, no expiry") || !strings.Contains(out, "(not used by api_key)") || strings.Contains(out, "auth_style") {
		t.Errorf("show qry does not say where the key goes or that no token URL is used:\n%s", out)
	}
}

// TestAPIKeyDates: an expired key is refused with the date and how to
// rotate it; one inside its lead time is handed out with a warning, and
// ls counts it in days and marks it expiring; one with no date shows no
// expiry.
func TestAPIKeyDates(t *testing.T) {
	e := newEnv(t)
	e.addKey("old", "--expires", "2020-01-31")
	today := time.Now().UTC().Truncate(24 * time.Hour)
	soon := today.AddDate(0, 0, 6).Format(time.DateOnly) // 5 days and some hours away
	e.addKey("soon", "--rotate-by", soon, "--warn-before", "14d")
	e.addKey("far", "--expires", today.AddDate(0, 0, 42).Format(time.DateOnly))
	e.addKey("forever")

	_, errOut, code := e.run("", "token", "old")
	if code == 0 || !strings.Contains(errOut, "expired on 2020-01-31") || !strings.Contains(errOut, "rotate it") {
		t.Errorf("token old: exit %d, stderr %q; want the expiry date and how to rotate", code, errOut)
	}
	out, errOut, code := e.run("", "token", "soon")
	if code != 0 || strings.TrimSpace(out) != sandbox.APIKey || !strings.Contains(errOut, "warning: the API key of soon is due for rotation in 5d, on "+soon) {
		t.Errorf("token soon: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var rows []lsRow
	if err := json.Unmarshal([]byte(e.mustRun("", "ls", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ status, left string }{
		"old": {"expired", "past "}, "soon": {"expiring", "5d"}, "far": {"valid", "41d"}, "forever": {"valid", "no expiry"},
	}
	for _, r := range rows {
		w := want[r.Name]
		if !r.APIKey || r.Status != w.status || !strings.HasPrefix(r.KeyLeft, w.left) {
			t.Errorf("ls %s: %+v; want status %s, left %s…", r.Name, r, w.status, w.left)
		}
	}
	out, errOut = e.mustRun("", "ls"), ""
	_, errOut, _ = e.run("", "ls")
	if !strings.Contains(out, "41d") || !strings.Contains(out, "no expiry") || !strings.Contains(errOut, "due for rotation") {
		t.Errorf("ls:\n%s\nstderr:\n%s", out, errOut)
	}
}

// TestAPIKeyDoctor: the doctor skips the token endpoint's steps, passes
// a key the API takes with its rate limit, names the header used and
// the alternatives when the API refuses it, and names a revocation.
func TestAPIKeyDoctor(t *testing.T) {
	e := newEnv(t)
	e.addKey("good", "--key-header", "X-API-Key")
	e.addKey("wrong") // Authorization: Bearer, which the key API does not read
	out, _, code := e.run("", "doctor", "good")
	for _, w := range []string{"not used by api_key", "X-Api-Key", "200", "remaining 99"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("doctor good: exit %d, want %q in:\n%s", code, w, out)
		}
	}
	var dj doctorJSON
	js, _, _ := e.run("", "doctor", "good", "--json")
	if err := json.Unmarshal([]byte(js), &dj); err != nil || !dj.OK || dj.TokenCached || len(dj.Checks) == 0 || strings.Contains(js, sandbox.APIKey) || !strings.HasPrefix(dj.Token, "ttk_") {
		t.Errorf("doctor --json: %v\n%s", err, js)
	}
	out, _, code = e.run("", "doctor", "wrong")
	for _, w := range []string{`header Authorization ("Bearer " prefix)`, "key_header: X-API-Key", "key_query: api_key", "missing_api_key"} {
		if code == 0 || !strings.Contains(out, w) {
			t.Errorf("doctor wrong: exit %d, want %q in:\n%s", code, w, out)
		}
	}
	e.sb.RevokeAPIKey(sandbox.APIKey)
	out, _, code = e.run("", "doctor", "good")
	if code == 0 || !strings.Contains(out, "key_revoked") || !strings.Contains(out, "revoked at the vendor") {
		t.Errorf("doctor after revocation: exit %d:\n%s", code, out)
	}
	if strings.Contains(out, sandbox.APIKey) {
		t.Errorf("the doctor printed the key:\n%s", out)
	}
}

// TestAPIKeyValidation: the settings of a key are checked with clear
// words, and are refused on other grants.
func TestAPIKeyValidation(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"add", "a", "--grant", "api_key", "--key-header", "X Bad"}, `key_header "X Bad" is not a valid HTTP header name`},
		{[]string{"add", "a", "--grant", "api_key", "--key-query", "k", "--key-header", "X-Key"}, "leave key_header and key_prefix unset"},
		{[]string{"add", "a", "--grant", "api_key", "--expires", "next week"}, "want YYYY-MM-DD or RFC 3339"},
		{[]string{"add", "a", "--grant", "api_key", "--quota", "10/day"}, "an API key is never fetched"},
		{[]string{"add", "a", "--token-url", e.url + "/oauth2/token", "--client-id", "x", "--key-header", "X-Key"}, "key_header is a setting of API keys"},
		{[]string{"add", "a", "--grant", "api_key", "--warn-before", "soon"}, "want days such as 14d"},
	} {
		if _, errOut, code := e.run("", c.argv...); code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.argv, code, errOut, c.want)
		}
	}
}
