package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDashboardConfigFile: the dashboard, the demo and serve read
// --config (else the XDG default) before anything starts; every problem
// names the file and the line; a good file goes on to the terminal check.
func TestDashboardConfigFile(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bad := write("bad.yaml", "theme: charm\ncolums: [name]\n")
	for _, cmd := range [][]string{{}, {"demo"}, {"serve"}} {
		_, errOut, code := e.run("", append(cmd, "--config", bad)...)
		if code == 0 || !strings.Contains(errOut, bad+`:2: unknown key "colums" at the top level (did you mean "columns"?)`) {
			t.Errorf("tokentop %v --config bad.yaml: exit %d, %s", cmd, code, errOut)
		}
	}
	if _, errOut, code := e.run("", "--config", filepath.Join(dir, "none.yaml")); code == 0 || !strings.Contains(errOut, "none.yaml") {
		t.Errorf("a missing --config file is an error naming it: %d %s", code, errOut)
	}

	// The default place under XDG_CONFIG_HOME: a key two actions share.
	e.vars["XDG_CONFIG_HOME"] = dir
	conflict := write("tokentop/config.yaml", "# mine\nkeys:\n  refresh: q\n")
	if _, errOut, code := e.run(""); code == 0 || !strings.Contains(errOut, conflict+`:3: keys.refresh: "q" is also the key of quit in the table`) {
		t.Errorf("the default config's conflict: exit %d, %s", code, errOut)
	}

	// A good config and a palette file beside it: on to the terminal check.
	write("tokentop/night.yaml", "base: dracula\naccent: \"#ff00ff\"\n")
	write("tokentop/config.yaml", "theme: night.yaml\nkeys:\n  refresh: [r, ctrl+r]\nenvs:\n  prod: {color: red}\nmouse: false\n")
	if _, errOut, _ := e.run(""); !strings.Contains(errOut, "needs a terminal") {
		t.Errorf("a good config should pass: %s", errOut)
	}
	if _, errOut, _ := e.run("", "--theme", filepath.Join(dir, "tokentop", "missing.yaml")); !strings.Contains(errOut, "missing.yaml") {
		t.Errorf("--theme FILE that is missing: %s", errOut)
	}
	// No home at all: no config file, no error.
	e.vars = map[string]string{}
	if _, errOut, _ := e.run(""); !strings.Contains(errOut, "needs a terminal") {
		t.Errorf("without HOME the dashboard runs without a config: %s", errOut)
	}
}
