package providers

import "time"

// CheckStatus is how one diagnostic step ended.
type CheckStatus string

// The outcomes of a step. Only a failure makes a diagnosis fail; a warning
// is worth reading but does not stop anything working.
const (
	CheckPass CheckStatus = "pass"
	CheckWarn CheckStatus = "warn"
	CheckFail CheckStatus = "fail"
	CheckSkip CheckStatus = "skip"
)

// Check is one step of a diagnosis: what was checked, how it ended, what
// was found, and what to try. Every string in it is safe to print: server
// text is sanitised and secrets never reach it.
type Check struct {
	Step   string        `json:"step"`
	Status CheckStatus   `json:"status"`
	Detail string        `json:"detail"`
	Hint   string        `json:"hint,omitempty"`
	Took   time.Duration `json:"took_ns,omitempty"`
}

func pass(step, detail string) Check { return Check{Step: step, Status: CheckPass, Detail: detail} }
func warn(step, detail, hint string) Check {
	return Check{Step: step, Status: CheckWarn, Detail: detail, Hint: hint}
}
func fail(step, detail, hint string) Check {
	return Check{Step: step, Status: CheckFail, Detail: detail, Hint: hint}
}
func skip(step, detail string) Check { return Check{Step: step, Status: CheckSkip, Detail: detail} }
