package headers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// RateLimit is what an API answer said about its rate limit, from
// X-RateLimit-* headers, the IETF RateLimit-Limit/-Remaining/-Reset
// headers, the combined RateLimit header (draft 7: "limit=100, remaining=9,
// reset=30"; later drafts: `"default";r=9;t=30`) and RateLimit-Policy.
type RateLimit struct {
	Limit     int       `json:"limit,omitempty"`
	Remaining int       `json:"remaining"`
	Reset     time.Time `json:"reset,omitzero"`
	Policy    string    `json:"policy,omitempty"`
	// Found reports whether any rate-limit header was present.
	Found bool `json:"found"`
}

// MaxPolicy caps the RateLimit-Policy kept (runes).
const MaxPolicy = 200

// ParseRateLimit reads the rate-limit headers of h; now turns relative
// resets into times.
func ParseRateLimit(h http.Header, now time.Time) RateLimit {
	var rl RateLimit
	setInt := func(dst *int, names ...string) {
		for _, n := range names {
			if v := strings.TrimSpace(h.Get(n)); v != "" {
				// "100, 100;w=60" lists: the first number counts.
				v, _, _ = strings.Cut(v, ",")
				v, _, _ = strings.Cut(v, ";")
				if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					*dst = i
					rl.Found = true
					return
				}
			}
		}
	}
	setInt(&rl.Limit, "X-RateLimit-Limit", "RateLimit-Limit", "X-Rate-Limit-Limit")
	setInt(&rl.Remaining, "X-RateLimit-Remaining", "RateLimit-Remaining", "X-Rate-Limit-Remaining")
	for _, n := range []string{"X-RateLimit-Reset", "RateLimit-Reset", "X-Rate-Limit-Reset"} {
		if v := strings.TrimSpace(h.Get(n)); v != "" {
			if t, ok := resetTime(v, now); ok {
				rl.Reset, rl.Found = t, true
				break
			}
		}
	}
	if v := h.Get("RateLimit"); v != "" {
		parseCombined(&rl, v, now)
	}
	if v := h.Get("RateLimit-Policy"); v != "" {
		rl.Policy = safetext.Truncate(safetext.Line(v), MaxPolicy)
		rl.Found = true
		if rl.Limit == 0 {
			for _, item := range strings.Split(v, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(item), "=")
				if ok && k == "q" {
					rl.Limit, _ = strconv.Atoi(val)
				}
			}
			if rl.Limit == 0 {
				first, _, _ := strings.Cut(v, ";")
				rl.Limit, _ = strconv.Atoi(strings.TrimSpace(first))
			}
		}
	}
	return rl
}

// parseCombined reads "limit=100, remaining=9, reset=30" and
// `"default";r=9;t=30`.
func parseCombined(rl *RateLimit, v string, now time.Time) {
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.Trim(val, `" `))
		if err != nil {
			continue
		}
		switch strings.ToLower(k) {
		case "limit", "q":
			rl.Limit, rl.Found = n, true
		case "remaining", "r":
			rl.Remaining, rl.Found = n, true
		case "reset", "t":
			rl.Reset, rl.Found = now.Add(time.Duration(n)*time.Second), true
		}
	}
}

// resetTime reads a reset as epoch seconds (large numbers) or seconds from
// now (small ones), or an HTTP date.
func resetTime(v string, now time.Time) (time.Time, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > 1_000_000_000 {
			return time.Unix(n, 0), true
		}
		return now.Add(time.Duration(n) * time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// Fields lists the figures for display (limit, remaining, reset, policy).
func (rl RateLimit) Fields(now time.Time) map[string]string {
	if !rl.Found {
		return nil
	}
	out := map[string]string{"remaining": strconv.Itoa(rl.Remaining)}
	if rl.Limit > 0 {
		out["limit"] = strconv.Itoa(rl.Limit)
	}
	if !rl.Reset.IsZero() {
		out["reset"] = rl.Reset.UTC().Format(time.RFC3339)
		if d := rl.Reset.Sub(now); d > 0 {
			out["reset_in"] = d.Round(time.Second).String()
		}
	}
	if rl.Policy != "" {
		out["policy"] = rl.Policy
	}
	return out
}
