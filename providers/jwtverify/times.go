package jwtverify

import (
	"fmt"
	"time"

	"github.com/tokentop/tokentop/providers/jwtclaims"
)

// implausibleHint is the hint of a time claim no issuer can mean.
const implausibleHint = "the issuer writes an implausible time claim: tokentop refuses such a token, and APIs refuse or misread it; the issuer must fix it"

// undated reports whether n names no date: not finite, or beyond the
// years 1 to 9999 (read through int64 it would be 292 billion years off).
func undated(n *jwtclaims.NumericDate) bool {
	_, ok := n.Time()
	return !ok
}

// undatedWords says why n is no date, from at: "1e300: 3.17e+292 years
// away, past any date".
func undatedWords(n *jwtclaims.NumericDate, at time.Time) string {
	secs := n.SecondsFrom(at)
	switch {
	case !n.Finite():
		return n.Text + ": not a finite number"
	case secs > 0:
		return fmt.Sprintf("%s: %s away, past any date", n.Text, jwtclaims.YearsWords(secs))
	}
	return fmt.Sprintf("%s: %s ago, before any date", n.Text, jwtclaims.YearsWords(-secs))
}

// implausible says why an exp breaks the rule every expiry passes (not a
// date, or more than [jwtclaims.MaxLifetime] away), "" when it does not.
func implausible(exp *jwtclaims.NumericDate, at time.Time) string {
	switch secs := exp.SecondsFrom(at); {
	case undated(exp):
		return undatedWords(exp, at)
	case secs > jwtclaims.MaxLifetime.Seconds():
		t, _ := exp.Time()
		return fmt.Sprintf("%s (%s): %s away, more than tokentop's limit of 10 years", exp.Text, t.UTC().Format(time.RFC3339), jwtclaims.YearsWords(secs))
	}
	return ""
}
