//go:build unix

package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/sandbox"
)

// TestExecPutsTheAPIKeyInTheEnvironment: a real child sees the key in
// its variable, api-key as its type and the key's date (none: empty); a
// key inside its lead time warns on stderr, and nothing is issued.
func TestExecPutsTheAPIKeyInTheEnvironment(t *testing.T) {
	e := newEnv(t)
	e.addKey("key")
	due := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3)
	e.addKey("due", "--rotate-by", due.Format(time.DateOnly))
	out, errOut, code := e.run("", "exec", "key=API", "due=DUE", "--", "/bin/sh", "-c",
		`printf '%s|%s|%s|%s|%s\n' "$API" "$API_TYPE" "$API_EXPIRES_AT" "$DUE_TYPE" "$DUE_EXPIRES_AT"`)
	want := sandbox.APIKey + "|api-key||api-key|" + due.Format(time.RFC3339) + "\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
	if !strings.Contains(errOut, "the API key of due is due for rotation in 2d") || strings.Contains(errOut, sandbox.APIKey) {
		t.Errorf("stderr %q: want the rotation warning and no key", errOut)
	}
	if n := e.sb.TotalIssued(); n != 0 {
		t.Errorf("the sandbox issued %d tokens for API keys", n)
	}
}
