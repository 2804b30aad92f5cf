// Package check is one step of a triage report: what was checked, how it
// went, what was seen and what to try. The doctor's steps, the network
// checks and a JWT's verification all report in it; it knows nothing of
// providers.
package check

import "time"

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Warn Status = "warn"
	// Skip is a check that could not run (nothing to compare with).
	Skip Status = "skip"
)

// Check is one step of a triage report: what was checked, how it went,
// what was seen, and what to try when it did not pass. Every text is safe
// for a terminal.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	Hint   string `json:"hint,omitempty"`
	// Took is how long the step took, when it made a request.
	Took time.Duration `json:"took_ns,omitempty"`
}

// Passed is a check that passed.
func Passed(name, detail string) Check { return Check{Name: name, Status: Pass, Detail: detail} }

// Warned is a check that passed with a warning, and what to try.
func Warned(name, detail, hint string) Check {
	return Check{Name: name, Status: Warn, Detail: detail, Hint: hint}
}

// Failed is a check that failed, and what to try.
func Failed(name, detail, hint string) Check {
	return Check{Name: name, Status: Fail, Detail: detail, Hint: hint}
}

// Skipped is a check that could not run, and why.
func Skipped(name, detail string) Check { return Check{Name: name, Status: Skip, Detail: detail} }

// FailedNames names the checks that failed, in order.
func FailedNames(checks []Check) []string {
	var out []string
	for _, c := range checks {
		if c.Status == Fail {
			out = append(out, c.Name)
		}
	}
	return out
}

// CountStatuses counts the checks by outcome.
func CountStatuses(checks []Check) map[Status]int {
	n := make(map[Status]int, 4)
	for _, c := range checks {
		n[c.Status]++
	}
	return n
}

// AnyFailed reports whether any check failed.
func AnyFailed(checks []Check) bool {
	for _, c := range checks {
		if c.Status == Fail {
			return true
		}
	}
	return false
}
