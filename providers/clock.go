package providers

import (
	"fmt"
	"time"
)

// StepClock is the doctor's step that compares this machine's clock with
// the issuer's and the API's.
const StepClock = "clock"

// dateResolution is the resolution of an HTTP Date header (RFC 9110
// §5.6.7): whole seconds, the server's time truncated.
const dateResolution = time.Second

// SkewMeasure is one server's clock compared with this machine's.
type SkewMeasure struct {
	// Offset is this machine's clock minus the server's, the best
	// estimate; Bound is how far the truth may be from it either way.
	Offset, Bound time.Duration
}

// MeasureSkew compares a server's clock with ours from the Date header of
// an answer to a request that started at start and ended at end (both by
// our clock). The Date is the server's time, truncated to the second, at
// some instant between start and end, so the skew lies in (start − date −
// 1 s, end − date]; the estimate is the middle of that interval and Bound
// its half-width: ±0.5 s plus half the round trip (±0.5 s on loopback).
func MeasureSkew(start, end, date time.Time) SkewMeasure {
	if end.Before(start) {
		end = start
	}
	lo := start.Sub(date) - dateResolution
	hi := end.Sub(date)
	return SkewMeasure{Offset: lo + (hi-lo)/2, Bound: (hi - lo) / 2}
}

// off reports a clock off by more than ClockTolerance beyond the
// measurement's uncertainty.
func (m SkewMeasure) off() bool {
	d := m.Offset
	if d < 0 {
		d = -d
	}
	return d > ClockTolerance+m.Bound
}

// against says our clock against a server's: "1.2s ahead of the
// issuer's (±0.5s)", to a tenth of a second.
func (m SkewMeasure) against(whose string) string {
	return fmt.Sprintf("%s %s (±%s)", ours(m.Offset, tenths), whose, tenths(m.Bound))
}

// theirs words a server's clock against ours: "1m30s ahead of" when the
// skew (ours minus theirs) is negative, "1m30s behind" when positive.
func (m SkewMeasure) theirs() string {
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

// clockCheck says whose clock is off, from the issuer's Date and the
// API's (either may be nil: not measured). Ours is off when both servers
// agree with each other and not with us; a server is off when it alone
// disagrees. With only the issuer's Date it cannot tell whose, and says
// what would.
func clockCheck(name string, issuer, api *SkewMeasure) Check {
	switch {
	case issuer == nil && api == nil:
		return skip(name, "no Date header to compare the clocks with")
	case issuer != nil && api != nil:
		d := fmt.Sprintf("ours is %s and %s, by their Date headers", issuer.against("the issuer's"), api.against("the API's"))
		apart := SkewMeasure{Offset: issuer.Offset - api.Offset, Bound: issuer.Bound + api.Bound}
		switch {
		case !issuer.off() && !api.off():
			return pass(name, "in step: "+d)
		case issuer.off() && api.off() && !apart.off():
			return warn(name, fmt.Sprintf("this machine's clock is %s the issuer's and the API's alike: %s", ours(issuer.Offset, seconds), d),
				"sync this machine's clock (NTP: `timedatectl set-ntp true`): tokens look expired or not yet valid here, though not to the API")
		case issuer.off() && !api.off():
			return warn(name, fmt.Sprintf("the issuer's clock is %s ours and the API's: %s", issuer.theirs(), d),
				"the issuer's clock is off, not yours: its tokens' iat, nbf and exp are off with it, so APIs refuse them as not yet valid or expire them early; the issuer must sync its clock")
		case api.off() && !issuer.off():
			return warn(name, fmt.Sprintf("the API's clock is %s ours and the issuer's: %s", api.theirs(), d),
				"the API's clock is off, not yours: it judges tokens' exp and nbf by it, so it refuses good tokens; the API's operators must sync its clock")
		}
		return warn(name, "three clocks disagree: "+d,
			"check this machine's clock against a time server (`ntpdate -q pool.ntp.org`): if it is right, the issuer and the API must both sync theirs")
	case api == nil:
		d := "this machine's clock is " + issuer.against("the issuer's") + ", by its Date header"
		if !issuer.off() {
			return pass(name, "in step: "+d)
		}
		return warn(name, d, "this machine's clock or the issuer's is off: a test-call tells which (the API's Date sides with one of them), or compare this machine's clock with a time server (`ntpdate -q pool.ntp.org`)")
	}
	d := "this machine's clock is " + api.against("the API's") + ", by its Date header"
	if !api.off() {
		return pass(name, "in step: "+d)
	}
	return warn(name, d, "this machine's clock or the API's is off: compare this machine's clock with a time server (`ntpdate -q pool.ntp.org`)")
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
