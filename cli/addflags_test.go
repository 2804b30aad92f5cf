package cli

import (
	"strings"
	"testing"
)

// TestAddHasAFlagForEverySettingAUserNeeds: the settings issue 13 named
// can be given to `tokentop add`, and land in the provider as the config
// file would put them (export writes them back).
func TestAddHasAFlagForEverySettingAUserNeeds(t *testing.T) {
	e := newEnv(t)
	e.mustRun("s3cret-value\n", "add", "flags", "--token-url", "http://auth.internal.test/oauth2/token",
		"--client-id", "c", "--client-secret-stdin", "--insecure-http", "--default-lifetime", "20m",
		"--jwks-uri", "https://auth.example.test/jwks.json", "--introspection-url", "https://auth.example.test/introspect",
		"--revocation-url", "https://auth.example.test/revoke", "--audience", "https://api.example.test",
		"--resource", "https://api.example.test/v1", "--param", "tenant=acme", "--param", "region=eu")
	out := e.mustRun("", "export", "flags")
	for _, want := range []string{
		"insecure_http: true", "default_lifetime: 20m", "jwks_uri: https://auth.example.test/jwks.json",
		"introspection_url: https://auth.example.test/introspect", "revocation_url: https://auth.example.test/revoke",
		"audience: https://api.example.test", "resource: https://api.example.test/v1", "tenant: acme", "region: eu",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("export after add lacks %q:\n%s", want, out)
		}
	}
	// Without --insecure-http, the same plain-http URL is refused.
	if _, errOut, code := e.run("x\n", "add", "plain", "--token-url", "http://auth.internal.test/oauth2/token",
		"--client-id", "c", "--client-secret-stdin"); code == 0 || !strings.Contains(errOut, "http") {
		t.Fatalf("a plain-http token URL without --insecure-http: exit %d, %q", code, errOut)
	}
	if _, errOut, code := e.run("", "add", "bad", "--token-url", "https://a.test/t", "--client-id", "c",
		"--default-lifetime", "soon"); code != ExitUsage || !strings.Contains(errOut, "default-lifetime") {
		t.Fatalf("--default-lifetime soon: exit %d, %q", code, errOut)
	}
}
