package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportListsSecretCommands: importing a file with cmd: references
// runs nothing, but says on stderr which command each provider's first
// fetch will run. (A reference holding a control character is refused at
// import, as every other config field is: TestLoadConfigRefusesControlCharacters.)
func TestImportListsSecretCommands(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	yaml := "providers:\n" +
		"  - name: shared\n    token_url: https://auth.example.com/token\n    client_id: c\n" +
		"    client_secret_ref: \"cmd:touch " + marker + "; echo s\"\n" +
		"  - name: plain\n    token_url: https://auth.example.com/token\n    client_id: c\n    client_secret_ref: env:PLAIN_SECRET\n"
	f := filepath.Join(dir, "shared.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := e.run("", "import", f)
	if code != 0 {
		t.Fatalf("import: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("import ran the command")
	}
	want := "warning: the first token fetch of these providers runs a command as you (/bin/sh -c) to get the client secret; check each before fetching:\n" +
		"  shared: touch " + marker + "; echo s\n"
	if errOut != want {
		t.Fatalf("stderr\n%q\nwant\n%q", errOut, want)
	}
}

// TestMissingSecretIsSaid: providers exported without their secrets and
// imported elsewhere are warned about at import; the doctor says "no
// client secret is set" first, and so does a refused fetch. A provider
// added without a secret is warned about too; one with a key, or a piped
// secret, is not.
func TestMissingSecretIsSaid(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	exported := e.mustRun("", "export", "cognito-dev", "ants")
	f := filepath.Join(t.TempDir(), "exported.yaml")
	if err := os.WriteFile(f, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	other := newEnv(t)
	_, errOut, code := other.run("", "import", f)
	for _, name := range []string{"cognito-dev", "ants"} {
		if code != 0 || !strings.Contains(errOut, "warning: no client secret is set for "+name+": give it one with `tokentop add "+name+" --client-secret-stdin` (which sets only the secret)") {
			t.Fatalf("import: exit %d, stderr %q; want %s warned about", code, errOut, name)
		}
	}
	// Imported over the first database, the stored secrets stay: no warning.
	if _, errOut, _ := e.run("", "import", f); strings.Contains(errOut, "no client secret") {
		t.Fatalf("import over stored secrets warned: %q", errOut)
	}

	out, _, code := other.run("", "doctor", "cognito-dev")
	settings := strings.Index(out, "no client secret is set for cognito-dev")
	if code != ExitFailure || settings < 0 || strings.Contains(out, "rotated") {
		t.Fatalf("doctor: exit %d\n%s\nwant the missing secret said first, no rotated secret", code, out)
	}
	for _, step := range []string{"dns", "token request"} {
		if i := strings.Index(out, step); i >= 0 && i < settings {
			t.Fatalf("doctor says %q before the missing secret:\n%s", step, out)
		}
	}
	_, errOut, code = other.run("", "token", "cognito-dev")
	if code != ExitFailure || !strings.Contains(errOut, "hint: no client secret is set for cognito-dev") {
		t.Fatalf("token: exit %d, stderr %q; want the no-secret hint", code, errOut)
	}

	_, errOut, _ = other.run("", "add", "bare", "--token-url", "https://auth.example.com/token", "--client-id", "c")
	if !strings.Contains(errOut, "warning: no client secret is set for bare") {
		t.Fatalf("add without a secret: stderr %q", errOut)
	}
	_, errOut, _ = other.run("s3cret\n", "add", "piped", "--token-url", "https://auth.example.com/token", "--client-id", "c", "--client-secret-stdin")
	if strings.Contains(errOut, "no client secret") {
		t.Fatalf("add with a piped secret warned: %q", errOut)
	}
	_, errOut, _ = other.run("", "add", "reffed", "--token-url", "https://auth.example.com/token", "--client-id", "c", "--client-secret-ref", "env:X")
	if strings.Contains(errOut, "no client secret") {
		t.Fatalf("add with a secret ref warned: %q", errOut)
	}
}

// TestAddReadsAPipedSecret: from a pipe, --client-secret-stdin takes the
// first line and asks nothing.
func TestAddReadsAPipedSecret(t *testing.T) {
	e := newEnv(t)
	_, errOut, code := e.run("piped-s3cret\nsecond line\n", "add", "piped", "--token-url", "https://auth.example.com/token", "--client-id", "c", "--client-secret-stdin")
	if code != 0 || strings.Contains(errOut, "client secret for") {
		t.Fatalf("add: exit %d, stderr %q; want no prompt", code, errOut)
	}
	if got := e.mustRun("", "export", "piped", "--with-secrets"); !strings.Contains(got, "client_secret: piped-s3cret\n") {
		t.Fatalf("the piped secret was not stored as its first line:\n%s", got)
	}
	if _, errOut, code := e.run("", "add", "empty", "--token-url", "https://auth.example.com/token", "--client-id", "c", "--client-secret-stdin"); code != ExitUsage || !strings.Contains(errOut, "standard input is empty") {
		t.Fatalf("add with empty stdin: exit %d, stderr %q", code, errOut)
	}
}
