package providers

import (
	"fmt"
	"time"
)

// QuotaState is tokentop's own ledger of a provider's tokens (the store
// keeps it): the counts of the current UTC hour, day and month, and the
// quota's use of its window.
type QuotaState struct {
	Hour, Day, Month int
	// Limit and Per are the provider's quota; Limit is 0 when it has none.
	Limit int
	Per   Period
	// Used is the count in the Per window (the month when there is no
	// quota); Resets is when that window ends.
	Used   int
	Resets time.Time
}

// Window words a quota's window: "this hour", "today", "this month".
func (q QuotaState) Window() string {
	switch q.Per {
	case PerHour:
		return "this hour"
	case PerDay:
		return "today"
	}
	return "this month"
}

// Describe says what the ledger holds, in one line.
func (q QuotaState) Describe() string {
	counts := fmt.Sprintf("this hour %d, today %d, this month %d", q.Hour, q.Day, q.Month)
	if q.Limit <= 0 {
		return "tokentop's ledger: no quota set (" + counts + ")"
	}
	return fmt.Sprintf("tokentop's ledger: %d/%d %s (quota %d per %s), resets %s (%s)",
		q.Used, q.Limit, q.Window(), q.Limit, q.Per, q.Resets.UTC().Format("2006-01-02 15:04 UTC"), counts)
}

// QuotaRefusal is the error of a fetch tokentop's own ledger forbids: it
// says the count is tokentop's, not the vendor's, and what --force risks.
func QuotaRefusal(name string, q QuotaState) *Error {
	return &Error{
		Kind:     KindQuota,
		Provider: name,
		Description: fmt.Sprintf("tokentop's own ledger counts %d/%d tokens %s (quota %d per %s), so no request was made; it resets at %s",
			q.Used, q.Limit, q.Window(), q.Limit, q.Per, q.Resets.UTC().Format("2006-01-02 15:04 UTC")),
		Hint: QuotaHint(),
	}
}

// QuotaHint is what to do when tokentop's own ledger is full.
func QuotaHint() string {
	return "this is tokentop's count, not the vendor's answer: wait for the reset, or fetch anyway with --force, " +
		"which may go past the vendor's real limit (a 429, or a bill); if the vendor allows more, raise quota.limit"
}
