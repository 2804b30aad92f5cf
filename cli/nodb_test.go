package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadingCommandsNeedTheDatabase: a mistyped --db must not make an
// empty database (nor its directory) and report "no providers yet"; the
// commands that only read say there is no database and how to make one.
// import and add make it as before.
func TestReadingCommandsNeedTheDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	e := &env{t: t, db: filepath.Join(dir, "x.db"), vars: map[string]string{}}
	for _, argv := range [][]string{
		{"ls"}, {"ls", "--json"}, {"show", "p"}, {"token", "p"}, {"history", "p"}, {"export"},
		{"diff", "p", "q"}, {"inspect", "p"}, {"doctor", "p"}, {"call", "p", "items"},
		{"introspect", "p"}, {"revoke", "p"}, {"rm", "p"},
	} {
		out, errOut, code := e.run("", argv...)
		if code == 0 || !strings.Contains(errOut, "no database at "+e.db) || !strings.Contains(errOut, "tokentop import") {
			t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s", strings.Join(argv, " "), code, out, errOut)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s made %s (%v)", strings.Join(argv, " "), dir, err)
		}
	}

	f := filepath.Join(t.TempDir(), "p.yaml")
	yaml := "providers:\n  - {name: p, token_url: http://127.0.0.1:9/token, client_id: c, client_secret: s3cr3t-value}\n"
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("", "import", f)
	if out := e.mustRun("", "ls"); !strings.Contains(out, "p") {
		t.Errorf("ls after import: %s", out)
	}

	other := &env{t: t, db: filepath.Join(t.TempDir(), "new", "y.db"), vars: map[string]string{}}
	other.mustRun("s3cr3t-value\n", "add", "q", "--token-url", "http://127.0.0.1:9/token", "--client-id", "c", "--client-secret-stdin")
	if _, err := os.Stat(other.db); err != nil {
		t.Errorf("add did not make the database: %v", err)
	}
}
