package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// complete runs cobra's hidden __complete command in-process, as a shell's
// completion script does, and returns the offered words (descriptions
// cut off) and the directive line.
func (e *env) complete(args ...string) (words []string, directive string) {
	e.t.Helper()
	out, errOut, code := e.run("", append([]string{"__complete"}, args...)...)
	if code != 0 || strings.Contains(errOut, "tokentop:") {
		e.t.Fatalf("__complete %q: exit %d, stderr %q", args, code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines[:len(lines)-1] {
		w, _, _ := strings.Cut(l, "\t")
		words = append(words, w)
	}
	return words, lines[len(lines)-1]
}

// TestCompletionScripts: each shell's script is cobra's, unchanged by the
// sanitiser it passes through; help lists the command; an unknown shell
// is a usage error.
func TestCompletionScripts(t *testing.T) {
	e := newEnv(t)
	gen := map[string]func(*cobra.Command, *bytes.Buffer) error{
		"bash":       func(r *cobra.Command, b *bytes.Buffer) error { return r.GenBashCompletionV2(b, true) },
		"zsh":        func(r *cobra.Command, b *bytes.Buffer) error { return r.GenZshCompletion(b) },
		"fish":       func(r *cobra.Command, b *bytes.Buffer) error { return r.GenFishCompletion(b, true) },
		"powershell": func(r *cobra.Command, b *bytes.Buffer) error { return r.GenPowerShellCompletionWithDesc(b) },
	}
	for _, sh := range completionShells() {
		out := e.mustRun("", "completion", sh)
		var raw bytes.Buffer
		if err := gen[sh]((&App{}).NewRootCommand(), &raw); err != nil {
			t.Fatal(err)
		}
		if out != raw.String() || !strings.Contains(out, "__complete") {
			t.Errorf("completion %s: %d bytes, cobra's script is %d; the sanitiser changed it or it is not cobra's", sh, len(out), raw.Len())
		}
	}
	if help := e.mustRun("", "--help"); !strings.Contains(help, "completion  ") {
		t.Errorf("help does not list completion:\n%s", help)
	}
	if _, errOut, code := e.run("", "completion", "tcsh"); code != ExitUsage || !strings.Contains(errOut, `does not know the shell "tcsh"`) {
		t.Errorf("completion tcsh: exit %d, stderr %q", code, errOut)
	}
}

// TestCompleteProviderNames: provider names from the database for every
// command that takes one (each once), endpoint names after call NAME, and
// the values of flags with a fixed set.
func TestCompleteProviderNames(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	var all []string
	for _, c := range e.sb.Clients() {
		all = append(all, c.Name)
	}
	for _, cmd := range []string{"token", "show", "history", "doctor", "inspect", "introspect", "revoke", "diff", "rm", "export", "call", "exec"} {
		words, dir := e.complete(cmd, "")
		if len(words) != len(all) || !containsEvery(words, all...) || dir != ":4" {
			t.Errorf("%s <TAB>: %q %s; want every provider (%q), no files", cmd, words, dir, all)
		}
	}
	if words, _ := e.complete("diff", "ants", ""); len(words) != len(all)-1 || containsEvery(words, "ants") {
		t.Errorf("diff ants <TAB>: %q; want the others", words)
	}
	if words, _ := e.complete("token", "ants", ""); len(words) != 0 {
		t.Errorf("token ants <TAB>: %q; token takes one name", words)
	}
	if words, _ := e.complete("exec", "ants=A", ""); containsEvery(words, "ants") || len(words) != len(all)-1 {
		t.Errorf("exec ants=A <TAB>: %q", words)
	}
	if _, dir := e.complete("exec", "ants", "--", ""); dir != ":0" {
		t.Errorf("exec ants -- <TAB>: directive %s; want the shell's own (commands, files)", dir)
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"call", "auth0-prod", ""}, []string{"items"}},
		{[]string{"doctor", "auth0-prod", "--endpoint", ""}, []string{"items"}},
		{[]string{"inspect", "--provider", ""}, all},
		{[]string{"--theme", ""}, []string{"charm", "dracula", "solarized"}},
		{[]string{"add", "x", "--auth", ""}, []string{"auto", "basic", "post", "private_key_jwt", "tls_client_auth"}},
		{[]string{"add", "x", "--basic-encoding", ""}, []string{"form", "raw"}},
		{[]string{"add", "x", "--preset", ""}, []string{"cognito", "auth0", "generic"}},
		{[]string{"call", "ants", "-X", ""}, []string{"GET", "POST", "DELETE"}},
		{[]string{"completion", ""}, completionShells()},
	} {
		words, _ := e.complete(c.args...)
		if !containsEvery(words, c.want...) {
			t.Errorf("%q: offered %q, want %q among them", c.args, words, c.want)
		}
	}
}

// TestCompleteWithoutADatabase: a missing database offers no names, says
// nothing and is not created; one whose key file is gone (or needs a
// passphrase) still offers its names, since completion decrypts nothing.
func TestCompleteWithoutADatabase(t *testing.T) {
	e := newEnv(t)
	words, _ := e.complete("token", "")
	if len(words) != 0 {
		t.Fatalf("offered %q from no database", words)
	}
	if _, err := os.Stat(e.db); !os.IsNotExist(err) {
		t.Fatalf("completion created the database: %v", err)
	}
	e.importSandbox()
	if err := os.Remove(e.db + ".key"); err != nil {
		t.Fatal(err)
	}
	e.vars["TOKENTOP_PASSPHRASE"] = "wrong"
	if words, _ := e.complete("token", ""); !containsEvery(words, "ants") {
		t.Fatalf("offered %q with the key file gone", words)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(e.db), "tokentop.db.key")); !os.IsNotExist(err) {
		t.Fatalf("completion made a key file: %v", err)
	}
}

func containsEvery(words []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, x := range words {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return true
}

// TestVersionFlag: --version prints what tokentop version prints.
func TestVersionFlag(t *testing.T) {
	e := newEnv(t)
	v, flag := e.mustRun("", "version"), e.mustRun("", "--version")
	if flag != v || !strings.HasPrefix(v, "tokentop ") || !strings.HasSuffix(v, "\n") {
		t.Fatalf("--version %q, version %q", flag, v)
	}
}

// TestCompleteOverASharedStore: with TOKENTOP_STORE set, names come from
// this machine's local cache of the cluster, and no cluster is asked (the
// address here has nothing listening).
func TestCompleteOverASharedStore(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	vars := map[string]string{"TOKENTOP_STORE": "etcd://127.0.0.1:1/team"}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	sh, err := (&App{LookupEnv: lookup}).sharedStore()
	if err != nil || sh == nil {
		t.Fatalf("sharedStore: %v, %v", sh, err)
	}
	e := newEnv(t)
	e.db = sh.cache
	e.importSandbox()
	var out, errb bytes.Buffer
	app := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, LookupEnv: lookup, Now: time.Now}
	if code := app.Run(context.Background(), []string{"__complete", "token", ""}); code != 0 {
		t.Fatalf("__complete: exit %d, %s", code, errb.String())
	}
	for _, c := range e.sb.Clients() {
		if !strings.Contains(out.String(), c.Name+"\t") && !strings.Contains(out.String(), c.Name+"\n") {
			t.Errorf("%s is not offered over the shared store:\n%s", c.Name, out.String())
		}
	}
}
