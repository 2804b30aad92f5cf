package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestTokenCallBuildsOnlyItsCommand: `tokentop token …` (after --db at
// most) gets a root with the token command alone, any other command line
// the whole tree; and on each token command line (a token printed, --json,
// help, a wrong argument count, an unknown flag or provider, a bad
// --min-ttl) the one-command root prints the same bytes to stdout and
// stderr and exits with the same code as the whole tree.
func TestTokenCallBuildsOnlyItsCommand(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	full := len((&App{}).NewRootCommand().Commands())
	for _, tc := range []struct {
		argv []string
		one  bool
	}{
		{[]string{"token", "ants"}, true},
		{[]string{"--db", e.db, "token", "ants"}, true},
		{[]string{"--db=" + e.db, "token", "ants"}, true},
		{[]string{"ls"}, false},
		{[]string{"--db", e.db, "ls"}, false},
		{[]string{"--theme", "token", "token", "ants"}, false},
		{[]string{"--db"}, false},
		{[]string{"help", "token"}, false},
		{[]string{"__complete", "token", ""}, false},
		{nil, false},
	} {
		root := (&App{}).rootFor(tc.argv)
		n := len(root.Commands())
		if (n == 1) != tc.one || (!tc.one && n != full) {
			t.Errorf("%q: a root with %d commands; want %s", tc.argv, n, map[bool]string{true: "the token command alone", false: "all of them"}[tc.one])
		}
	}

	for _, argv := range [][]string{
		{"token", "ants"},
		{"token", "ants", "--json"},
		{"token", "--help"},
		{"token", "-h"},
		{"token"},
		{"token", "ants", "extra"},
		{"token", "--bogus", "ants"},
		{"token", "no-such-provider"},
		{"token", "ants", "--min-ttl", "-1s"},
		{"token", "ants", "--version"},
		{"token", "help"},
	} {
		argv = append([]string{"--db", e.db}, argv...)
		runs := [2]struct {
			out, errOut string
			code        int
		}{}
		for i := range runs {
			var out, errb bytes.Buffer
			a := &App{
				Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
				LookupEnv: func(k string) (string, bool) { v, ok := e.vars[k]; return v, ok },
				Now:       time.Now,
			}
			if i == 0 {
				runs[i].code = a.Run(context.Background(), argv)
			} else {
				runs[i].code = a.run(context.Background(), a.NewRootCommand(), argv)
			}
			runs[i].out, runs[i].errOut = out.String(), errb.String()
		}
		if runs[0] != runs[1] {
			t.Errorf("%q: one-command root and whole tree differ:\n one: exit %d, stdout %q, stderr %q\n all: exit %d, stdout %q, stderr %q",
				argv[2:], runs[0].code, runs[0].out, runs[0].errOut, runs[1].code, runs[1].out, runs[1].errOut)
		}
		if len(argv) == 4 && argv[3] == "ants" && (runs[0].code != 0 || strings.Count(runs[0].out, "\n") != 1) {
			t.Errorf("%q: exit %d, %d lines; want the token", argv[2:], runs[0].code, strings.Count(runs[0].out, "\n"))
		}
	}
}
