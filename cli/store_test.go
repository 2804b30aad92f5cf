package cli

import (
	"strings"
	"testing"
)

// TestUnknownProviderWords: every command that reads a provider by name
// says the store's words when there is none, through the one helper (inspect
// adds how to inspect a raw token instead).
func TestUnknownProviderWords(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	const want = "tokentop: no provider named nope\n"
	for _, argv := range [][]string{
		{"token", "nope"},
		{"call", "nope"},
		{"history", "nope"},
		{"introspect", "nope"},
		{"revoke", "nope"},
		{"show", "nope"},
		{"rm", "nope"},
		{"export", "nope"},
		{"diff", "auth0-prod", "nope"},
		{"inspect", "-", "--provider", "nope"},
	} {
		out, errOut, code := e.run("eyJ.e30.x", argv...)
		if code != ExitFailure || out != "" || errOut != want {
			t.Errorf("tokentop %s: exit %d, stdout %q, stderr %q; want exit 1 and %q", strings.Join(argv, " "), code, out, errOut, want)
		}
	}
	_, errOut, code := e.run("", "inspect", "nope")
	if code != ExitFailure || errOut != "tokentop: no provider named nope (to inspect a raw token, pipe it: tokentop inspect - < token.txt)\n" {
		t.Errorf("inspect nope: exit %d, %q", code, errOut)
	}
	// The doctor says which provider it examines before it looks it up.
	out, errOut, code := e.run("", "doctor", "nope")
	if code != ExitFailure || out != "tokentop doctor nope\n\n" || errOut != want {
		t.Errorf("doctor nope: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n := e.sb.TotalIssued(); n != 0 {
		t.Errorf("%d tokens were fetched for providers that do not exist", n)
	}
}
