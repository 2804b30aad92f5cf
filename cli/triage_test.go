package cli

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// secrets are every client secret of the sandbox.
func (e *env) secrets() []string {
	var out []string
	for _, c := range e.sb.Clients() {
		if c.ClientSecret != "" { // a public client has none
			out = append(out, c.ClientSecret)
		}
	}
	return out
}

// noLeak fails when text holds a full token or any client secret.
func (e *env) noLeak(t *testing.T, text string, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		if tok != "" && strings.Contains(text, tok) {
			t.Errorf("the output holds a full token:\n%s", text)
		}
	}
	for _, s := range e.secrets() {
		if strings.Contains(text, s) {
			t.Errorf("the output holds a client secret:\n%s", text)
		}
	}
}

func TestInspectProvider(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	out, errOut, code := e.run("", "inspect", "auth0-prod")
	if code != 0 || !strings.Contains(errOut, "no cached token: fetched one") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"valid signature", "[ ok ] iss       " + e.url + "/auth0", "[ ok ] aud       https://api.sandbox.test",
		"[ ok ] alg       RS256 (as discovery says)", "oauth-authorization-server at " + e.url + "/.well-known/oauth-authorization-server/auth0", " UTC · "} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect lacks %q:\n%s", want, out)
		}
	}
	tok := strings.TrimSpace(e.mustRun("", "token", "auth0-prod"))
	e.noLeak(t, out, tok)
	out, errOut, code = e.run("", "inspect", "auth0-prod")
	if code != 0 || errOut != "" || !strings.Contains(out, "cached token of auth0-prod") || e.sb.Issued("XYLzuwYzfr5l9P7iseP5MzpI8YtgxMaa") != 1 {
		t.Fatalf("second inspect should read the cache: exit %d\n%s\n%s", code, out, errOut)
	}
	// Opaque tokens are labelled, and point at introspect.
	out = e.mustRun("", "inspect", "basic-only")
	if !strings.Contains(out, "opaque") || !strings.Contains(out, "tokentop introspect basic-only") {
		t.Errorf("opaque:\n%s", out)
	}
	if _, errOut, code := e.run("", "inspect", "nosuch"); code != ExitFailure || !strings.Contains(errOut, "inspect -") {
		t.Errorf("unknown provider: exit %d %s", code, errOut)
	}
}

func TestInspectBrokenTokens(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	iss := e.url + "/auth0"
	bad, _ := e.sb.MintBadSignature(iss, "c")
	none, _ := e.sb.MintAlgNone(iss, "c")
	other, _ := e.sb.Mint(sandbox.MintOptions{Issuer: e.url + "/ants", ClientID: "c", Audience: "https://api.sandbox.test"})
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, token string
		code        int
		want        []string
	}{
		{"bad signature", bad, ExitFailure, []string{"[FAIL] signature bad signature"}},
		{"alg none", none, ExitFailure, []string{"alg: none (unsigned, unsafe)"}},
		{"wrong issuer", other, ExitFailure, []string{"valid signature", "[FAIL] iss       " + e.url + "/ants, expected " + iss}},
		{"JWE", b64(`{"alg":"RSA-OAEP","enc":"A256GCM"}`) + ".a.b.c.d", 0, []string{"JWE", "enc A256GCM"}},
		{"malformed", "eyJhbGciOiJSUzI1NiJ9.%%%.x", ExitFailure, []string{"malformed"}},
		{"opaque", "2YotnFZFEjr1zCsicMWpAA", 0, []string{"opaque"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := e.run(tt.token+"\n", "inspect", "-", "--provider", "auth0-prod")
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			if len(tt.token) > 30 {
				e.noLeak(t, out+errOut, tt.token)
			}
		})
	}
	// A raw token without --provider is checked against the configured
	// provider whose issuer it names, and says which.
	good, _ := e.sb.Mint(sandbox.MintOptions{Issuer: iss, ClientID: "c"})
	out, errOut, code := e.run(good, "inspect", "-")
	if code != 0 || !strings.Contains(out, "valid signature") || !strings.Contains(out, "[ ok ] iss") ||
		!strings.Contains(out, "provider: auth0-prod, the configured provider whose issuer is the token's iss") {
		t.Errorf("raw token: exit %d\n%s\n%s", code, out, errOut)
	}
	out, _, code = e.run(good, "inspect", "-", "--offline")
	if code != 0 || !strings.Contains(out, "not verified") {
		t.Errorf("--offline: exit %d\n%s", code, out)
	}
	// --json names the provider it found.
	out, _, code = e.run(good, "inspect", "-", "--json")
	var js struct {
		Provider *string `json:"provider"`
	}
	if err := json.Unmarshal([]byte(out), &js); code != 0 || err != nil || js.Provider == nil || *js.Provider != "auth0-prod" {
		t.Errorf("--json: exit %d, %v, provider %v\n%s", code, err, js.Provider, out)
	}
}

// TestInspectTrustsNoIssuerATokenNames: a forged token naming another
// host as its issuer (which would serve keys that "verify" it) makes
// tokentop contact nothing; the signature is said to be unchecked, with
// the flags that check it.
func TestInspectTrustsNoIssuerATokenNames(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	var hits atomic.Int32
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(attacker.Close)
	forged, _ := e.sb.Mint(sandbox.MintOptions{Issuer: attacker.URL + "/", ClientID: "c"})
	for _, argv := range [][]string{{"inspect", "-"}, {"inspect", "-", "--json"}, {"inspect", "-", "--markdown"}} {
		out, errOut, code := e.run(forged, argv...)
		if code != 0 || hits.Load() != 0 {
			t.Fatalf("%v: exit %d, %d requests reached the token's issuer\n%s\n%s", argv, code, hits.Load(), out, errOut)
		}
		for _, want := range []string{"the signature was not checked", "is not the issuer of any configured provider", "--provider NAME", "--jwks-uri"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v lacks %q:\n%s", argv, want, out)
			}
		}
	}
	// Without a database, a raw token is decoded all the same.
	noDB := &env{t: t, db: filepath.Join(t.TempDir(), "none.db"), vars: map[string]string{}}
	if out, errOut, code := noDB.run(forged, "inspect", "-"); code != 0 || !strings.Contains(out, "the signature was not checked") || hits.Load() != 0 {
		t.Errorf("no database: exit %d\n%s\n%s", code, out, errOut)
	}
	// --provider checks it, against the provider's keys: it fails on iss.
	out, _, code := e.run(forged, "inspect", "-", "--provider", "auth0-prod")
	if code != ExitFailure || !strings.Contains(out, "[FAIL] iss") || hits.Load() != 0 {
		t.Errorf("--provider: exit %d\n%s", code, out)
	}
}

func TestInspectAfterKeyRotation(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	e.mustRun("", "token", "cognito-dev")
	before := e.sb.KeyID()
	if _, err := e.sb.RotateKey(); err != nil {
		t.Fatal(err)
	}
	e.mustRun("", "token", "cognito-dev", "--force-refresh")
	out := e.mustRun("", "inspect", "cognito-dev")
	if !strings.Contains(out, "kid "+e.sb.KeyID()) || !strings.Contains(out, before) {
		t.Errorf("after rotation: want the new kid verified and both keys listed:\n%s", out)
	}
}

func TestInspectMarkdownAndJSON(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	tok := strings.TrimSpace(e.mustRun("", "token", "cognito-dev"))
	md := e.mustRun("", "inspect", "cognito-dev", "--markdown")
	for _, want := range []string{"### tokentop inspect", "| ✅ pass | signature |", "`eyJhbGci…"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	e.noLeak(t, md, tok)
	js := e.mustRun("", "inspect", "cognito-dev", "--json")
	if !strings.Contains(js, `"verdict": "valid signature"`) {
		t.Errorf("json:\n%s", js)
	}
	e.noLeak(t, js, tok)
	if _, _, code := e.run("", "inspect", "cognito-dev", "--json", "--markdown"); code != ExitUsage {
		t.Errorf("--json --markdown: exit %d", code)
	}
}

func TestIntrospectAndRevoke(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	tok := strings.TrimSpace(e.mustRun("", "token", "cognito-dev"))
	out := e.mustRun("", "introspect", "cognito-dev")
	for _, want := range []string{"active      true", "client_id   3bn43arz0h95uqtbqodz8jn54g", "(from discovery)", "scope       api/write"} {
		if !strings.Contains(out, want) {
			t.Errorf("introspect lacks %q:\n%s", want, out)
		}
	}
	e.noLeak(t, out, tok)
	out = e.mustRun("", "revoke", "cognito-dev")
	if !strings.Contains(out, "revoked the token of cognito-dev") || !strings.Contains(out, "/oauth2/revoke") {
		t.Errorf("revoke:\n%s", out)
	}
	e.noLeak(t, out, tok)
	// The server refuses the old token, and the cache is empty.
	req, _ := http.NewRequest(http.MethodGet, e.url+"/api/v1/items", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "revoked") {
		t.Errorf("the API after revoke: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if !strings.Contains(lineOf(e.mustRun("", "ls"), "cognito-dev"), "none") {
		t.Error("the cached token is still listed after revoke")
	}
	hist := e.mustRun("", "history", "cognito-dev")
	if !strings.Contains(hist, "revocation answered") || !strings.Contains(hist, "introspection answered") {
		t.Errorf("history:\n%s", hist)
	}
	e.noLeak(t, e.mustRun("", "history", "cognito-dev", "-v"), tok)
	if out := e.mustRun("", "revoke", "cognito-dev"); !strings.Contains(out, "nothing to revoke") {
		t.Errorf("second revoke: %s", out)
	}
	// A new token, then introspect --json.
	js := e.mustRun("", "introspect", "cognito-dev", "--json")
	if !strings.Contains(js, `"active": true`) {
		t.Errorf("introspect --json:\n%s", js)
	}
}

func TestRevokeWithoutEndpoint(t *testing.T) {
	e := newEnv(t)
	var id, secret string
	for _, c := range e.sb.Clients() {
		if c.Name == "cognito-dev" {
			id, secret = c.ClientID, c.ClientSecret
		}
	}
	f := filepath.Join(t.TempDir(), "p.yaml")
	yaml := "providers:\n  - name: bare\n    token_url: " + e.url + "/oauth2/token\n    issuer: " + e.url + "/nowhere\n    client_id: " + id + "\n    client_secret: " + secret + "\n"
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("", "import", f)
	e.mustRun("", "token", "bare")
	_, errOut, code := e.run("", "revoke", "bare")
	if code != ExitFailure || !strings.Contains(errOut, "this server offers no revocation endpoint") || !strings.Contains(errOut, "revoke bare --local") {
		t.Fatalf("revoke without endpoint: exit %d\n%s", code, errOut)
	}
	_, errOut, code = e.run("", "introspect", "bare")
	if code != ExitFailure || !strings.Contains(errOut, "set introspection_url") {
		t.Fatalf("introspect without endpoint: exit %d\n%s", code, errOut)
	}
	if out := e.mustRun("", "revoke", "bare", "--local"); !strings.Contains(out, "forgot the cached token of bare") {
		t.Errorf("--local: %s", out)
	}
	// introspection_url from the config wins over discovery, and shows.
	yaml += "    introspection_url: " + e.url + "/oauth2/introspect\n"
	os.WriteFile(f, []byte(yaml), 0o600)
	e.mustRun("", "import", f)
	if out := e.mustRun("", "introspect", "bare"); !strings.Contains(out, "(from config)") {
		t.Errorf("introspect from config:\n%s", out)
	}
	if show := e.mustRun("", "show", "bare"); !strings.Contains(show, "introspection_url") {
		t.Errorf("show lacks introspection_url:\n%s", show)
	}
	if exp := e.mustRun("", "export", "bare"); !strings.Contains(exp, "introspection_url: "+e.url) {
		t.Errorf("export lacks introspection_url:\n%s", exp)
	}
}

func TestDiff(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	ta := strings.TrimSpace(e.mustRun("", "token", "cognito-dev"))
	tb := strings.TrimSpace(e.mustRun("", "token", "auth0-prod"))
	out := e.mustRun("", "diff", "cognito-dev", "auth0-prod")
	for _, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	for _, want := range []string{"issuer             ≠", "auth_style         ≠  basic", "iss                ≠", "client_secret         (set, encrypted)"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(lineOf(out, "jti"), "≠") {
		t.Errorf("jti always differs and is not marked:\n%s", out)
	}
	e.noLeak(t, out, ta, tb)
	md := e.mustRun("", "diff", "cognito-dev", "auth0-prod", "--markdown")
	if !strings.Contains(md, "| issuer | `"+e.url+"` | `"+e.url+"/auth0` | ≠ |") {
		t.Errorf("markdown:\n%s", md)
	}
	e.noLeak(t, md, ta, tb)
	if out := e.mustRun("", "diff", "a55", "ants"); !strings.Contains(out, "neither has a cached token") {
		t.Errorf("no tokens:\n%s", out)
	}
}
