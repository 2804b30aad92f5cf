package earlyterm

import (
	"bytes"
	"os"
	"testing"
)

// startTERM is TERM as the process started with it, from
// /proc/self/environ, which setenv does not change.
func startTERM(t *testing.T) (string, bool) {
	t.Helper()
	env, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		t.Skipf("no /proc/self/environ: %v", err)
	}
	for kv := range bytes.SplitSeq(env, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("TERM=")); ok {
			return string(v), true
		}
	}
	return "", false
}

// TestRestoreGivesBackTheStartingTERM: until Restore, TERM is dumb (init
// ran before this test, as before any package that imports os); after
// it, TERM is what the process started with, set or not, and a second
// Restore changes nothing.
func TestRestoreGivesBackTheStartingTERM(t *testing.T) {
	want, wantSet := startTERM(t)
	if got, _ := os.LookupEnv("TERM"); got != dumb {
		t.Fatalf("before Restore TERM=%q, want %q", got, dumb)
	}
	Restore()
	if got, set := os.LookupEnv("TERM"); got != want || set != wantSet {
		t.Errorf("after Restore TERM=%q (set %v), want %q (set %v)", got, set, want, wantSet)
	}
	t.Setenv("TERM", "changed-since")
	Restore()
	if got := os.Getenv("TERM"); got != "changed-since" {
		t.Errorf("a second Restore set TERM=%q", got)
	}
}
