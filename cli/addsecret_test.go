package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAddSetsOnlyTheSecret: the missing-secret hint names a command that
// works as written: `tokentop add NAME --client-secret-stdin`, on a
// provider that exists, stores the secret and changes nothing else.
func TestAddSetsOnlyTheSecret(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	secret := ""
	for _, c := range e.sb.Clients() {
		if c.Name == "cognito-dev" {
			secret = c.ClientSecret
		}
	}
	exported := e.mustRun("", "export", "cognito-dev")
	f := filepath.Join(t.TempDir(), "exported.yaml")
	if err := os.WriteFile(f, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	other := &env{t: t, sb: e.sb, url: e.url, db: filepath.Join(t.TempDir(), "other.db"), vars: map[string]string{}}
	other.mustRun("", "import", f)
	_, errOut, code := other.run("", "token", "cognito-dev")
	const fix = "tokentop add cognito-dev --client-secret-stdin"
	if code != ExitFailure || !strings.Contains(errOut, "`"+fix+"` (which sets only the secret)") {
		t.Fatalf("token without a secret: exit %d, stderr %q; want the hint to name %q", code, errOut, fix)
	}

	before := other.mustRun("", "export", "cognito-dev")
	out := other.mustRun(secret+"\n", strings.Fields(fix)[1:]...)
	if !strings.Contains(out, "set the client secret of cognito-dev; its other settings are unchanged") {
		t.Errorf("add: %q", out)
	}
	if after := other.mustRun("", "export", "cognito-dev"); after != before {
		t.Errorf("the settings changed:\n%s\nwere:\n%s", after, before)
	}
	if tok := strings.TrimSpace(other.mustRun("", "token", "cognito-dev")); tok == "" {
		t.Error("no token with the secret set")
	}
	if got := other.mustRun("", "export", "cognito-dev", "--with-secrets"); !strings.Contains(got, "client_secret: "+secret) {
		t.Errorf("the secret was not stored:\n%s", got)
	}

	// A provider with a client_secret_ref: the stored secret replaces it, and
	// that is said.
	ref := filepath.Join(t.TempDir(), "ref.yaml")
	yaml := "providers:\n  - {name: reffed, token_url: https://auth.example.com/token, client_id: c, client_secret_ref: env:NOPE}\n" +
		"  - {name: jwt-client, token_url: https://auth.example.com/token, client_id: c, auth_style: private_key_jwt, private_key_file: " + writeECKey(t) + "}\n"
	if err := os.WriteFile(ref, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	other.mustRun("", "import", ref)
	if out := other.mustRun("s3cr3t-typed\n", "add", "reffed", "--client-secret-stdin"); !strings.Contains(out, "replaces client_secret_ref env:NOPE") {
		t.Errorf("add over a ref: %q", out)
	}
	if got := other.mustRun("", "export", "reffed", "--with-secrets"); !strings.Contains(got, "client_secret: s3cr3t-typed") || strings.Contains(got, "client_secret_ref") {
		t.Errorf("export after the secret replaced the ref:\n%s", got)
	}

	for _, tt := range []struct {
		argv []string
		code int
		want string
	}{
		{[]string{"add", "jwt-client", "--client-secret-stdin"}, ExitUsage, "jwt-client uses auth_style private_key_jwt, which takes no secret"},
		{[]string{"add", "nosuch", "--client-secret-stdin"}, ExitUsage, "--client-id is required"},
		{[]string{"add", "cognito-dev", "--client-secret-stdin", "--scope", "x"}, ExitUsage, "--client-id is required"},
		{[]string{"add", "cognito-dev", "--client-secret-stdin", "--client-id", "x", "--token-url", "https://auth.example.com/token"}, ExitFailure, "a provider named cognito-dev exists: use --replace"},
	} {
		_, errOut, code := other.run("another\n", tt.argv...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.argv, code, errOut, tt.code, tt.want)
		}
	}
	if got := other.mustRun("", "export", "cognito-dev", "--with-secrets"); !strings.Contains(got, "client_secret: "+secret) {
		t.Errorf("a refused add changed the secret:\n%s", got)
	}
}
