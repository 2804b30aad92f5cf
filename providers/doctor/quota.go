package doctor

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/headers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// StepQuota names the doctor's last step: tokentop's own count of the
// provider's tokens, and the vendor's rate-limit headers seen in the run.
const StepQuota = "quota"

// quota reports the ledger and the vendor's rate-limit headers seen on
// the token endpoint and the API in this run.
func (r *doctorRun) quota(ctx context.Context) {
	if r.o.Quota == nil && r.tokenHeaders == nil && r.apiHeaders == nil && r.tokenOutcome == "" {
		r.add(check.Skipped(StepQuota, "no ledger was given and no answer came"))
		return
	}
	now := r.now()
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
				status, hint = check.Warn, providers.QuotaHint()
			} else if q.Limit > 0 && q.Used*5 >= q.Limit*4 {
				status, hint = check.Warn, fmt.Sprintf("%d of %d used %s: tokentop refuses to fetch at the limit (--force goes past it)", q.Used, q.Limit, q.Window())
			}
		}
	}
	for _, seen := range []struct {
		peer string
		h    http.Header
		note string
	}{
		{"token endpoint", r.tokenHeaders, cmp.Or(r.tokenOutcome, r.tokenNote)},
		{"API", r.apiHeaders, r.apiNote},
	} {
		switch {
		case seen.note != "" && seen.h == nil:
			parts = append(parts, seen.peer+": "+seen.note)
		case seen.h == nil:
			parts = append(parts, seen.peer+": not asked")
		default:
			rl := headers.ParseRateLimit(seen.h, now)
			peer := seen.peer
			if seen.note != "" {
				// A failed answer says what it was before its figures.
				peer += " (" + seen.note + ")"
			}
			if !rl.Found {
				parts = append(parts, peer+": no rate-limit headers")
				continue
			}
			parts = append(parts, peer+" says "+rateLimitWords(rl, now))
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
