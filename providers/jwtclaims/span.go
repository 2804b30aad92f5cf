package jwtclaims

import (
	"fmt"
	"math"
	"time"
)

// MaxLifetime is the longest a token may live, whatever form its expiry
// takes (expires_in, expires_at, the JWT's exp, default_lifetime): ten
// years of 365 days. A server that says more has mixed up a unit or a
// field, and a token cached that long would outlive every rotation.
// providers.MaxLifetime is this one; jwtverify checks exp by it too.
const MaxLifetime = 10 * 365 * 24 * time.Hour

// secondsPerYear is a Gregorian year's mean length, so that the years
// between two dates are the years a calendar shows.
const secondsPerYear = 365.2425 * 24 * 3600

// YearsWords says a number of seconds in whole years ("9.2e+09 s" would
// mean nothing to a reader): "474 years", "3.17e+10 years".
func YearsWords(secs float64) string {
	years := secs / secondsPerYear
	if years >= 1e6 {
		return fmt.Sprintf("%.3g years", years)
	}
	return fmt.Sprintf("%.0f years", math.Floor(years))
}

// SpanWords says a span of secs seconds (not negative): a rounded
// Duration up to MaxLifetime, years beyond it, where a Duration would
// saturate at 292 years.
func SpanWords(secs float64) string {
	if secs > MaxLifetime.Seconds() {
		return YearsWords(secs)
	}
	return time.Duration(secs * float64(time.Second)).Round(time.Second).String()
}
