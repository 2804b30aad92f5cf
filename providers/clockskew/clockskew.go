// Package clockskew compares a server's clock with this machine's by the
// Date header of its answer, and says whose clock is off when an issuer's
// and an API's are both known. The doctor's clock step and a JWT's
// verification use it; it knows nothing of providers.
package clockskew

import (
	"fmt"
	"time"

	"github.com/tokentop/tokentop/providers/check"
)

// Tolerance is how far apart two clocks may be before tokentop holds
// it against a token: a JWT's nbf and iat may be this far in the future,
// and its exp this far before what expires_in says, without a verdict.
// HTTP Date and JWT times have a resolution of one second, and JWT
// libraries commonly allow a few seconds of leeway; 5 s covers both
// without hiding a clock that is really off.
const Tolerance = 5 * time.Second

// DateResolution is the resolution of an HTTP Date header (RFC 9110
// §5.6.7): whole seconds, the server's time truncated.
const DateResolution = time.Second

// Measure is one server's clock compared with this machine's.
type Measure struct {
	// Offset is this machine's clock minus the server's, the best
	// estimate; Bound is how far the truth may be from it either way.
	Offset, Bound time.Duration
}

// Of compares a server's clock with ours from the Date header of
// an answer to a request that started at start and ended at end (both by
// our clock). The Date is the server's time, truncated to the second, at
// some instant between start and end, so the skew lies in (start − date −
// 1 s, end − date]; the estimate is the middle of that interval and Bound
// its half-width: ±0.5 s plus half the round trip (±0.5 s on loopback).
func Of(start, end, date time.Time) Measure {
	if end.Before(start) {
		end = start
	}
	lo := start.Sub(date) - DateResolution
	hi := end.Sub(date)
	return Measure{Offset: lo + (hi-lo)/2, Bound: (hi - lo) / 2}
}

// off reports a clock off by more than Tolerance beyond the
// measurement's uncertainty.
func (m Measure) off() bool {
	d := m.Offset
	if d < 0 {
		d = -d
	}
	return d > Tolerance+m.Bound
}

// against says our clock against a server's: "1.2s ahead of the
// issuer's (±0.5s)", to a tenth of a second.
func (m Measure) against(whose string) string {
	return fmt.Sprintf("%s %s (±%s)", ours(m.Offset, tenths), whose, tenths(m.Bound))
}

// theirs words a server's clock against ours: "1m30s ahead of" when the
// skew (ours minus theirs) is negative, "1m30s behind" when positive.
func (m Measure) theirs() string {
	if m.Offset <= 0 {
		return seconds(m.Offset) + " ahead of"
	}
	return seconds(m.Offset) + " behind"
}

// tenths is |d| to a tenth of a second: "0.5s", "1m29.9s".
func tenths(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(100 * time.Millisecond).String()
}

// seconds is |d| to the second, for a verdict: the measure itself is only
// good to about half a second.
func seconds(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	return d.Round(time.Second).String()
}

// Check says whose clock is off, from the issuer's Date and the
// API's (either may be nil: not measured). Ours is off when both servers
// agree with each other and not with us; a server is off when it alone
// disagrees. With only the issuer's Date it cannot tell whose, and says
// what would.
func Check(name string, issuer, api *Measure) check.Check {
	switch {
	case issuer == nil && api == nil:
		return check.Skipped(name, "no Date header to compare the clocks with")
	case issuer != nil && api != nil:
		d := fmt.Sprintf("ours is %s and %s, by their Date headers", issuer.against("the issuer's"), api.against("the API's"))
		apart := Measure{Offset: issuer.Offset - api.Offset, Bound: issuer.Bound + api.Bound}
		switch {
		case !issuer.off() && !api.off():
			return check.Passed(name, "in step: "+d)
		case issuer.off() && api.off() && !apart.off():
			return check.Warned(name, fmt.Sprintf("this machine's clock is %s the issuer's and the API's alike: %s", ours(issuer.Offset, seconds), d),
				"sync this machine's clock (NTP: `timedatectl set-ntp true`): tokens look expired or not yet valid here, though not to the API")
		case issuer.off() && !api.off():
			return check.Warned(name, fmt.Sprintf("the issuer's clock is %s ours and the API's: %s", issuer.theirs(), d),
				"the issuer's clock is off, not yours: its tokens' iat, nbf and exp are off with it, so APIs refuse them as not yet valid or expire them early; the issuer must sync its clock")
		case api.off() && !issuer.off():
			return check.Warned(name, fmt.Sprintf("the API's clock is %s ours and the issuer's: %s", api.theirs(), d),
				"the API's clock is off, not yours: it judges tokens' exp and nbf by it, so it refuses good tokens; the API's operators must sync its clock")
		}
		return check.Warned(name, "three clocks disagree: "+d,
			"check this machine's clock against a time server (`ntpdate -q pool.ntp.org`): if it is right, the issuer and the API must both sync theirs")
	case api == nil:
		d := "this machine's clock is " + issuer.against("the issuer's") + ", by its Date header"
		if !issuer.off() {
			return check.Passed(name, "in step: "+d)
		}
		return check.Warned(name, d, "this machine's clock or the issuer's is off: a test-call tells which (the API's Date sides with one of them), or compare this machine's clock with a time server (`ntpdate -q pool.ntp.org`)")
	}
	d := "this machine's clock is " + api.against("the API's") + ", by its Date header"
	if !api.off() {
		return check.Passed(name, "in step: "+d)
	}
	return check.Warned(name, d, "this machine's clock or the API's is off: compare this machine's clock with a time server (`ntpdate -q pool.ntp.org`)")
}

// ours words our clock against a server's: "2m0s ahead of" for a
// positive skew, "2m0s behind" for a negative one, with the duration
// formatted by f.
func ours(skew time.Duration, f func(time.Duration) string) string {
	if skew >= 0 {
		return f(skew) + " ahead of"
	}
	return f(skew) + " behind"
}

// FromDate is the local clock minus a server's Date header, with the
// local time the answer arrived.
func FromDate(local, serverDate time.Time) time.Duration {
	return local.Sub(serverDate).Round(time.Second)
}
