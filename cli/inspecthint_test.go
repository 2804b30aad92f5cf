package cli

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestInspectEndsWithTheHintOfWhatFailed: a token whose exp names no
// date ends with the exp check's hint, not the signature's.
func TestInspectEndsWithTheHintOfWhatFailed(t *testing.T) {
	e := newEnv(t)
	enc := base64.RawURLEncoding.EncodeToString
	tok := enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(`{"iss":"https://x.example","exp":1e300}`)) + ".c2ln"
	_, errOut, code := e.run(tok, "inspect", "-", "--offline")
	if code != ExitFailure {
		t.Fatalf("exit %d, want %d; stderr %q", code, ExitFailure, errOut)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "hint: ") || !strings.Contains(last, "implausible time claim") || strings.Contains(last, "jwks_uri") {
		t.Fatalf("the last line should be the exp check's hint, got %q", last)
	}
}
