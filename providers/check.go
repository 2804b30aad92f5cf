package providers

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
