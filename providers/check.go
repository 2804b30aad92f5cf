package providers

import "time"

// CheckStatus is the outcome of one check of a triage report.
type CheckStatus string

// The outcomes of a check.
const (
	CheckPass CheckStatus = "pass"
	CheckFail CheckStatus = "fail"
	CheckWarn CheckStatus = "warn"
	// CheckSkip is a check that could not run (nothing to compare with).
	CheckSkip CheckStatus = "skip"
)

// Check is one step of a triage report: what was checked, how it went,
// what was seen, and what to try when it did not pass. Every text is safe
// for a terminal.
type Check struct {
	Name   string      `json:"name"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail,omitempty"`
	Hint   string      `json:"hint,omitempty"`
	// Took is how long the step took, when it made a request.
	Took time.Duration `json:"took_ns,omitempty"`
}

// FailedNames names the checks that failed, in order.
func FailedNames(checks []Check) []string {
	var out []string
	for _, c := range checks {
		if c.Status == CheckFail {
			out = append(out, c.Name)
		}
	}
	return out
}

// CountStatuses counts the checks by outcome.
func CountStatuses(checks []Check) map[CheckStatus]int {
	n := make(map[CheckStatus]int, 4)
	for _, c := range checks {
		n[c.Status]++
	}
	return n
}

// AnyFailed reports whether any check failed.
func AnyFailed(checks []Check) bool {
	for _, c := range checks {
		if c.Status == CheckFail {
			return true
		}
	}
	return false
}

func pass(name, detail string) Check { return Check{Name: name, Status: CheckPass, Detail: detail} }
func warn(name, detail, hint string) Check {
	return Check{Name: name, Status: CheckWarn, Detail: detail, Hint: hint}
}
func fail(name, detail, hint string) Check {
	return Check{Name: name, Status: CheckFail, Detail: detail, Hint: hint}
}
func skip(name, detail string) Check { return Check{Name: name, Status: CheckSkip, Detail: detail} }
