package providers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/headers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// StepQuota names the doctor's last step: tokentop's own count of the
// provider's tokens, and the vendor's rate-limit headers seen in the run.
const StepQuota = "quota"

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

// window words a quota's window: "this hour", "today", "this month".
func (q QuotaState) window() string {
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
		q.Used, q.Limit, q.window(), q.Limit, q.Per, q.Resets.UTC().Format("2006-01-02 15:04 UTC"), counts)
}

// QuotaRefusal is the error of a fetch tokentop's own ledger forbids: it
// says the count is tokentop's, not the vendor's, and what --force risks.
func QuotaRefusal(name string, q QuotaState) *Error {
	return &Error{
		Kind:     KindQuota,
		Provider: name,
		Description: fmt.Sprintf("tokentop's own ledger counts %d/%d tokens %s (quota %d per %s), so no request was made; it resets at %s",
			q.Used, q.Limit, q.window(), q.Limit, q.Per, q.Resets.UTC().Format("2006-01-02 15:04 UTC")),
		Hint: quotaHint(),
	}
}

// quotaHint is what to do when tokentop's own ledger is full.
func quotaHint() string {
	return "this is tokentop's count, not the vendor's answer: wait for the reset, or fetch anyway with --force, " +
		"which may go past the vendor's real limit (a 429, or a bill); if the vendor allows more, raise quota.limit"
}

// quota reports the ledger and the vendor's rate-limit headers seen on
// the token endpoint and the API in this run.
func (r *doctorRun) quota(ctx context.Context) {
	if r.o.Quota == nil && r.tokenHeaders == nil && r.apiHeaders == nil {
		r.add(check.Skipped(StepQuota, "no ledger was given and no answer came"))
		return
	}
	now := r.c.now()
	var parts []string
	status, hint := check.Pass, ""
	switch {
	case r.o.Quota == nil:
		parts = append(parts, "tokentop's ledger: not given")
	default:
		q, err := r.o.Quota(ctx)
		switch {
		case err != nil:
			parts = append(parts, "tokentop's ledger: "+safetext.Line(err.Error()))
		default:
			parts = append(parts, q.Describe())
			if q.Limit > 0 && q.Used >= q.Limit {
				status, hint = check.Warn, quotaHint()
			} else if q.Limit > 0 && q.Used*5 >= q.Limit*4 {
				status, hint = check.Warn, fmt.Sprintf("%d of %d used %s: tokentop refuses to fetch at the limit (--force goes past it)", q.Used, q.Limit, q.window())
			}
		}
	}
	for _, seen := range []struct {
		peer string
		h    http.Header
		note string
	}{
		{"token endpoint", r.tokenHeaders, r.tokenNote},
		{"API", r.apiHeaders, r.apiNote},
	} {
		switch {
		case seen.note != "":
			parts = append(parts, seen.peer+": "+seen.note)
		case seen.h == nil:
			parts = append(parts, seen.peer+": not asked")
		default:
			rl := headers.ParseRateLimit(seen.h, now)
			if !rl.Found {
				parts = append(parts, seen.peer+": no rate-limit headers")
				continue
			}
			parts = append(parts, seen.peer+" says "+rateLimitWords(rl, now))
			if rl.Remaining == 0 && status == check.Pass {
				status, hint = check.Warn, "the "+seen.peer+"'s rate limit is used up: wait for its reset"
			}
		}
	}
	r.add(check.Check{Name: StepQuota, Status: status, Detail: safetext.Line(strings.Join(parts, " · ")), Hint: hint})
}

// rateLimitWords words a vendor's rate-limit figures.
func rateLimitWords(rl headers.RateLimit, now time.Time) string {
	f := rl.Fields(now)
	var out []string
	for _, k := range []string{"remaining", "limit", "reset_in", "policy"} {
		if v, ok := f[k]; ok {
			out = append(out, strings.ReplaceAll(k, "_", " ")+" "+v)
		}
	}
	if _, in := f["reset_in"]; !in && f["reset"] != "" {
		out = append(out, "reset "+f["reset"])
	}
	return strings.Join(out, ", ")
}
