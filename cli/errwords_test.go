package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArgCountsReadAsEnglish: a wrong number of arguments is said in
// words, with what was given, as a usage error (exit 2).
func TestArgCountsReadAsEnglish(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{"token", "a", "b"}, "tokentop: tokentop token takes one provider name; got 2: a b\n"},
		{[]string{"token"}, "tokentop: tokentop token takes one provider name; got none\n"},
		{[]string{"diff", "a"}, "tokentop: tokentop diff takes two provider names; got 1: a\n"},
		{[]string{"call", "a", "b", "c"}, "tokentop: tokentop call takes a provider name and optionally an endpoint name or URL; got 3: a b c\n"},
		{[]string{"rm"}, "tokentop: tokentop rm takes one or more provider names; got none\n"},
		{[]string{"ls", "x"}, "tokentop: tokentop ls takes no arguments; got 1: x\n"},
		{[]string{"import"}, "tokentop: tokentop import takes one file name (- for stdin); got none\n"},
		{[]string{"completion"}, "tokentop: tokentop completion takes one shell name (bash, zsh, fish or powershell); got none\n"},
		{[]string{"token", "1", "2", "3", "4", "5", "6", strings.Repeat("x", 60)}, "tokentop: tokentop token takes one provider name; got 7: 1 2 3 4 5 …\n"},
	} {
		_, errOut, code := e.run("", c.argv...)
		if code != ExitUsage || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("tokentop %s: exit %d, stderr %q; want exit 2 and %q first", strings.Join(c.argv, " "), code, errOut, c.want)
		}
		if want := "hint: usage: tokentop " + c.argv[0]; !strings.Contains(errOut, want) {
			t.Errorf("tokentop %s: stderr %q lacks %q", strings.Join(c.argv, " "), errOut, want)
		}
	}
}

// TestNoCommandSaysArgumentsInNumbers: every command's argument check,
// given none and given eleven, says what it takes in words, never in
// cobra's "accepts 1 arg(s)" or a bare "argument(s)".
func TestNoCommandSaysArgumentsInNumbers(t *testing.T) {
	root := (&App{}).NewRootCommand()
	for _, cmd := range root.Commands() {
		if cmd.Hidden || cmd.Args == nil {
			continue
		}
		for _, argv := range [][]string{nil, strings.Fields("a b c d e f g h i j k")} {
			err := cmd.Args(cmd, argv)
			if err == nil {
				continue // the count is fine for this command
			}
			msg := err.Error()
			if strings.Contains(msg, "(s)") || !strings.HasPrefix(msg, "tokentop "+cmd.Name()+" ") {
				t.Errorf("%s with %d arguments: %q", cmd.Name(), len(argv), msg)
			}
		}
	}
}

// TestSeveralProblemsOnePerLine: an import with two ${VAR}s that are not
// set says the file once and each problem on its own line.
func TestSeveralProblemsOnePerLine(t *testing.T) {
	e := newEnv(t)
	f := filepath.Join(t.TempDir(), "p.yaml")
	yaml := "providers:\n  - name: a\n    client_id: ${NOPE_A}\n    token_url: https://a.example/t\n" +
		"  - name: b\n    client_id: ${NOPE_B}\n    token_url: https://b.example/t\n"
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := e.run("", "import", f)
	want := "tokentop: import " + f + ": 2 problems\n  line 3: ${NOPE_A} is not set\n  line 6: ${NOPE_B} is not set\n"
	if code != ExitFailure || errOut != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", code, errOut, want)
	}
}

// TestSeveralProblemsSanitisedAndBounded: each problem's line goes through
// the sanitiser, and a thousand problems print fifty and a count.
func TestSeveralProblemsSanitisedAndBounded(t *testing.T) {
	var errb bytes.Buffer
	a := &App{Stdout: &bytes.Buffer{}, Stderr: &errb}
	a.safeStreams()
	a.printError(fmt.Errorf("import x: %w", errors.Join(
		errors.New("line 1: \x1b]52;c;aGk=\x07clipboard"),
		errors.New("line 2: \u009b31mred\nand a second line"),
	)))
	want := "tokentop: import x: 2 problems\n  line 1: clipboard\n  line 2: red\n  and a second line\n"
	if errb.String() != want {
		t.Fatalf("stderr %q, want %q", errb.String(), want)
	}

	errb.Reset()
	many := make([]error, 1000)
	for i := range many {
		many[i] = fmt.Errorf("line %d: bad", i+1)
	}
	a.printError(errors.Join(many...))
	lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
	if len(lines) != 1+maxErrorLines+1 || lines[0] != "tokentop: 1000 problems" || lines[len(lines)-1] != "  … and 950 more" {
		t.Fatalf("%d lines: first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}
