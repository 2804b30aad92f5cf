package cli

import (
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// basic_encoding: raw, end to end: the doctor finds it for a server that
// does not decode HTTP Basic, `token` points at the doctor meanwhile, and
// the setting goes through add, show, export, diff and the fetch.
func TestBasicEncodingRaw(t *testing.T) {
	e := newEnv(t)
	e.sb.AddClient(sandbox.RawBasicClient())
	secret := sandbox.RawBasicClient().ClientSecret
	add := func(name string, extra ...string) {
		e.mustRun(secret+"\n", append([]string{"add", name, "--token-url", e.url + "/oauth/v2/token", "--client-id", "legacy-gateway",
			"--client-secret-stdin", "--auth", "basic", "--env", "sandbox"}, extra...)...)
	}
	add("legacy")
	_, errOut, code := e.run("", "token", "legacy")
	if code != ExitFailure || !strings.Contains(errOut, "`tokentop doctor legacy`") || strings.Contains(errOut, "check the client id") {
		t.Fatalf("token with form-encoded Basic: exit %d\n%s", code, errOut)
	}
	out, _, code := e.run("", "doctor", "legacy")
	if code != ExitFailure || !strings.Contains(out, "sent raw it works") || !strings.Contains(out, "set `basic_encoding: raw`") {
		t.Fatalf("doctor: exit %d\n%s", code, out)
	}
	e.noLeak(t, out)
	// A diagnosis, not a fix: the configured encoding still fails.
	if _, _, code := e.run("", "token", "legacy"); code != ExitFailure {
		t.Fatal("token works after the doctor, with basic_encoding still form")
	}

	add("fixed", "--basic-encoding", "raw")
	if tok := strings.TrimSpace(e.mustRun("", "token", "fixed")); tok == "" {
		t.Fatal("no token with basic_encoding raw")
	}
	if show := e.mustRun("", "show", "fixed"); !strings.Contains(lineOf(show, "basic_encoding"), "raw") {
		t.Errorf("show:\n%s", show)
	}
	if show := e.mustRun("", "show", "legacy"); !strings.Contains(lineOf(show, "basic_encoding"), "form") {
		t.Errorf("show of the default:\n%s", show)
	}
	if exp := e.mustRun("", "export", "fixed"); !strings.Contains(exp, "basic_encoding: raw") {
		t.Errorf("export:\n%s", exp)
	}
	if exp := e.mustRun("", "export", "legacy"); strings.Contains(exp, "basic_encoding") {
		t.Errorf("export writes the default:\n%s", exp)
	}
	if diff := e.mustRun("", "diff", "legacy", "fixed"); !strings.Contains(lineOf(diff, "basic_encoding"), "≠") {
		t.Errorf("diff does not mark basic_encoding:\n%s", diff)
	}
	if _, errOut, code := e.run(secret+"\n", "add", "bad", "--token-url", e.url+"/oauth/v2/token", "--client-id", "x",
		"--client-secret-stdin", "--basic-encoding", "base64"); code == 0 || !strings.Contains(errOut, "basic_encoding") {
		t.Errorf("an unknown encoding: exit %d %s", code, errOut)
	}
}
