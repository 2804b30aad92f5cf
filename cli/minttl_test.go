package cli

import (
	"strings"
	"testing"
)

// TestTokenMinTTL: token --min-ttl takes the cached token while it has
// that much life left, fetches a new one when it has not (said in a
// warning when even a new one lives less), and refuses a negative one.
func TestTokenMinTTL(t *testing.T) {
	e := newEnv(t)
	e.importSandbox()
	first := e.mustRun("", "token", "ants") // an hour of life
	if got := e.mustRun("", "token", "ants", "--min-ttl", "30m"); got != first || e.sb.TotalIssued() != 1 {
		t.Fatalf("--min-ttl 30m with an hour left: new token %v, issued %d; want the cached one", got != first, e.sb.TotalIssued())
	}
	out, errOut, code := e.run("", "token", "ants", "--min-ttl", "2h")
	if code != 0 || out == first || e.sb.TotalIssued() != 2 {
		t.Fatalf("--min-ttl 2h: exit %d, new token %v, issued %d; want one new token", code, out != first, e.sb.TotalIssued())
	}
	if !strings.Contains(errOut, "warning: the token of ants has ") || !strings.Contains(errOut, "less than the 2h0m0s asked") {
		t.Fatalf("--min-ttl 2h of 1h tokens: stderr %q; want a warning", errOut)
	}
	_, errOut, code = e.run("", "token", "ants", "--min-ttl", "-5m")
	if code != ExitUsage || !strings.Contains(errOut, "--min-ttl -5m0s is negative") || e.sb.TotalIssued() != 2 {
		t.Fatalf("--min-ttl -5m: exit %d, stderr %q, issued %d", code, errOut, e.sb.TotalIssued())
	}
}
