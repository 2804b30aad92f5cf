package check

import (
	"slices"
	"testing"
)

func TestTallies(t *testing.T) {
	checks := []Check{
		Passed("DNS", "resolves"),
		Failed("TCP", "refused", "check the port"),
		Warned("TLS", "expires soon", "tell its operator"),
		Skipped("token request", "no connection"),
		Failed("test-call", "401", "see the body"),
	}
	if got := FailedNames(checks); !slices.Equal(got, []string{"TCP", "test-call"}) {
		t.Fatalf("FailedNames = %v", got)
	}
	n := CountStatuses(checks)
	if n[Pass] != 1 || n[Fail] != 2 || n[Warn] != 1 || n[Skip] != 1 {
		t.Fatalf("CountStatuses = %v", n)
	}
	if !AnyFailed(checks) || AnyFailed(checks[:1]) || AnyFailed(nil) {
		t.Fatal("AnyFailed does not tell a failure from none")
	}
	if c := checks[1]; c.Name != "TCP" || c.Status != Fail || c.Detail != "refused" || c.Hint != "check the port" {
		t.Fatalf("Failed built %+v", c)
	}
}
