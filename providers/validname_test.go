package providers

import (
	"regexp"
	"testing"
)

// TestValidNameAsTheRule: ValidName is [a-z0-9._-]+ except "." and "..",
// written without a regexp (nothing compiled when a process starts);
// checked against the rule as a regexp, on names at the edges of each
// character range and on every two-byte string.
func TestValidNameAsTheRule(t *testing.T) {
	rule := regexp.MustCompile(`^[a-z0-9._-]+$`)
	want := func(s string) bool { return s != "." && s != ".." && rule.MatchString(s) }
	names := []string{"", ".", "..", "...", "a", "z", "0", "9", "_", "-", "a.b", "cognito-dev", "x_1.2",
		"A", "a/b", "a b", "`", "{", "/", ":", "@", "é", "a\x00", "ants\n", "..a", "a.."}
	for i := range 256 {
		for j := range 256 {
			names = append(names, string([]byte{byte(i), byte(j)}))
		}
	}
	for _, n := range names {
		if got := ValidName(n); got != want(n) {
			t.Errorf("ValidName(%q) = %v, want %v", n, got, want(n))
		}
	}
}
