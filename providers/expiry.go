package providers

import (
	"fmt"
	"math"
	"time"

	"github.com/tokentop/tokentop/providers/clockskew"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
)

// capExpiryByJWT makes a token expire at its JWT's exp when that is
// earlier than the body's expiry (expires_in or expires_at): an API judges
// the token by exp, so a token cached by expires_in would be handed out
// dead. exp is read on the issuer's clock and moved to ours by the skew.
// The earlier expiry wins, with a warning that the issuer's two answers
// disagree; a later exp changes nothing. An exp that breaks the bound of
// [boundExpiry] (not finite, more than 10 years away, before any date) is
// an error whatever the body says: the API reads it too. This is the one
// place the rule lives: ParseResponse calls it once the expiry and the
// skew are known, before its dead-on-arrival check.
func capExpiryByJWT(tok *Token, now time.Time) *Error {
	if tok.ExpirySource != "expires_in" && tok.ExpirySource != "expires_at" {
		return nil
	}
	c, err := jwtclaims.Decode(tok.AccessToken)
	if err != nil || c.Exp == nil {
		return nil
	}
	at, _ := c.Exp.Time()
	if e := boundExpiry(jwtExpForm(c.Exp), c.Exp.SecondsFrom(now), at, now); e != nil {
		e.Hint = fmt.Sprintf("the token's exp claim is implausible although %s is fine: APIs read exp, and will refuse or misread the token; the issuer must fix its exp", tok.ExpirySource)
		return e
	}
	exp := at.Add(tok.Skew)
	if !exp.Before(tok.ExpiresAt.Add(-clockskew.Tolerance)) {
		return nil
	}
	// Both times on this machine's clock: exp moved by the skew.
	onIssuers := ""
	if tok.Skew != 0 {
		onIssuers = fmt.Sprintf("; %s on the issuer's", c.ExpiresAt.UTC().Format(time.RFC3339))
	}
	tok.Warnings = append(tok.Warnings, fmt.Sprintf("the JWT's exp (%s on this machine's clock%s) is %s before what %s says (%s): APIs go by exp, and so does tokentop; the issuer's %s is wrong: tell the issuer",
		exp.UTC().Format(time.RFC3339), onIssuers, tok.ExpiresAt.Sub(exp).Round(time.Second), tok.ExpirySource,
		tok.ExpiresAt.UTC().Format(time.RFC3339), tok.ExpirySource))
	tok.ExpiresAt, tok.ExpirySource = exp, "jwt exp"
	return nil
}

// jwtExpForm is the form of a JWT's exp claim.
func jwtExpForm(exp *jwtclaims.NumericDate) expiryForm {
	return expiryForm{source: "jwt exp", field: "the JWT's exp claim", value: exp.Text}
}

// deadOnArrival is the error of a token whose expiry (at, on the
// issuer's clock, from source, an epoch number read as reading when it
// was one) is not after o.Now by this machine's clock. Times are shown on
// this machine's clock, saying so. The hint says whose fault it is: a
// token dead by the issuer's own clock (its Date) is the issuer's, since
// refreshing only gets another one; one dead by ours only means the
// clocks are apart, and whose is off is the one verdict of
// [clockskew.Check], which a single Date cannot give; without a Date, the
// single check that tells.
func deadOnArrival(source string, at time.Time, reading string, o ParseOptions, skew time.Duration) *Error {
	local := at.Add(skew)
	desc := fmt.Sprintf("the token expired on arrival (%s %s%s, local clock %s)", source,
		at.UTC().Format(time.RFC3339), readingNote(reading), o.Now.UTC().Format(time.RFC3339))
	switch {
	case skew != 0 && !local.After(o.Now):
		desc = fmt.Sprintf("the token expired on arrival (%s %s%s on the issuer's clock, %s on this machine's clock, now %s on this machine's clock; the issuer's clock is %s)", source,
			at.UTC().Format(time.RFC3339), readingNote(reading), local.UTC().Format(time.RFC3339), o.Now.UTC().Format(time.RFC3339), issuerClockWords(skew))
	case skew != 0:
		desc = fmt.Sprintf("the token expired on arrival by this machine's clock (%s %s%s, now %s on this machine's clock); the issuer's clock is %s, and by it the token has %s left", source,
			at.UTC().Format(time.RFC3339), readingNote(reading), o.Now.UTC().Format(time.RFC3339), issuerClockWords(skew), local.Sub(o.Now).Round(time.Second))
	}
	e := &Error{Kind: KindResponse, Description: desc}
	switch {
	case o.ServerDate.IsZero():
		e.Hint = "the server sent no Date header, so its clock cannot be compared: check this machine's clock against a time server (timedatectl, or `ntpdate -q pool.ntp.org`); if it is right, the issuer mints expired tokens and must fix it"
	case !local.After(o.Now):
		e.Hint = fmt.Sprintf("the issuer mints tokens that are already expired: by its own clock (its Date header, skew %s) the token was dead when sent, so it is not a clock here; refreshing only gets another dead token: the issuer must fix its token lifetime or its clock", skew)
	default:
		ch := clockskew.Check("clock", &clockskew.Measure{Offset: skew, Bound: clockskew.DateResolution}, nil)
		e.Hint = fmt.Sprintf("by the issuer's clock the token is good, by this machine's it is dead: %s; %s", ch.Detail, ch.Hint)
	}
	return e
}

// issuerClockWords words the issuer's clock against ours by the skew
// (ours minus the issuer's): "2m0s behind this machine's".
func issuerClockWords(skew time.Duration) string {
	if skew < 0 {
		return (-skew).String() + " ahead of this machine's"
	}
	return skew.String() + " behind this machine's"
}

// MaxLifetime is the longest a token may live, whatever form its expiry
// takes: ten years of 365 days (the one bound, [jwtclaims.MaxLifetime]).
const MaxLifetime = jwtclaims.MaxLifetime

// expiryForm is one form a token's expiry was given in: where it came
// from and the value as given, for the rule's messages.
type expiryForm struct {
	// source is what Token.ExpirySource will say: expires_in, expires_at,
	// jwt exp or default.
	source string
	// field names the value for people: the response's key, "the JWT's
	// exp claim" or "default_lifetime".
	field string
	// value is the value as given.
	value any
	// relative is true for a number of seconds (expires_in, the default
	// lifetime), false for an instant (expires_at, exp).
	relative bool
	// reading is the epoch unit a number was read in, when it was one.
	reading string
}

// says words the form for a message: "the token response's expires_in
// (1e300)".
func (f expiryForm) says() string {
	v := safetext.Line(Truncate(fmt.Sprint(f.value), 64))
	switch f.source {
	case "jwt exp":
		return fmt.Sprintf("%s (%s)", f.field, v)
	case "default":
		return fmt.Sprintf("%s %s", f.field, v)
	}
	return fmt.Sprintf("the token response's %s (%s)", f.field, v)
}

// checkExpiry is the one rule every form of expiry passes. secs is the
// lifetime in seconds from o.Now the form says (for an instant, at minus
// o.Now, see [secondsFrom]; at is zero for a relative form, and for an
// instant no date can hold); it must be a finite number, in the future,
// and at most MaxLifetime. The bound ([boundExpiry]) runs before the
// dead-on-arrival check, so a number no date can hold is never read as
// one. It returns the error that names the form and the bound it broke,
// or nil. skew is the clock skew from the server's Date, named when a
// token expired on arrival.
func checkExpiry(f expiryForm, secs float64, at time.Time, o ParseOptions, skew time.Duration) *Error {
	finite := !math.IsNaN(secs) && !math.IsInf(secs, 0)
	if f.relative && finite && secs*float64(time.Second) < 1 {
		if f.source == "default" {
			return &Error{Kind: KindConfig, Description: f.says() + " is not a positive duration", Hint: "set default_lifetime to a duration such as 1h"}
		}
		return &Error{Kind: KindResponse, Description: fmt.Sprintf("the token response's %s is not a usable number of seconds: %s", f.field, safetext.Line(Truncate(fmt.Sprint(f.value), 64)))}
	}
	if e := boundExpiry(f, secs, at, o.Now); e != nil {
		return e
	}
	if !f.relative && !at.After(o.Now) {
		return deadOnArrival(f.source, at, f.reading, o, skew)
	}
	return nil
}

// boundExpiry is the bound of the rule: secs (from now) must be a finite
// number, at most MaxLifetime ahead, and an instant must name a date (not
// before the year 1; at is zero past the year 9999). The description gives the date, or the years when no date
// can hold it.
func boundExpiry(f expiryForm, secs float64, at time.Time, now time.Time) *Error {
	switch {
	case math.IsNaN(secs) || math.IsInf(secs, 0):
		e := &Error{Kind: KindResponse, Description: f.says() + " is not a finite number",
			Hint: "the server writes an expiry no clock can read: tell the issuer"}
		if f.source == "jwt exp" {
			e.Hint = "the issuer writes an exp no clock can read: the issuer must fix it"
		}
		return e
	case secs > MaxLifetime.Seconds():
		if f.relative {
			at = dateAfter(now, secs)
		}
		where := jwtclaims.YearsWords(secs) + " away, past any date"
		if !at.IsZero() {
			where = "at " + at.UTC().Format(time.RFC3339)
			if secs >= 100*365.2425*24*3600 {
				where += fmt.Sprintf(" (%s away)", jwtclaims.YearsWords(secs))
			}
		}
		e := &Error{Kind: KindResponse,
			Description: fmt.Sprintf("%s puts the expiry %s%s, more than tokentop's limit of 10 years", f.says(), where, readingNote(f.reading))}
		switch f.source {
		case "default":
			e.Kind, e.Hint = KindConfig, "set default_lifetime to 10 years or less (87600h)"
		case "jwt exp":
			e.Hint = "the answer gives no expiry and the token's exp is implausible: if the answer names the expiry under another field, map it with `response: {expires_in: FIELD}` or `{expires_at: FIELD}`"
		default:
			e.Hint = "the server may give milliseconds where seconds belong, or the wrong field: map the right one with `response: {expires_in: FIELD}` or `{expires_at: FIELD}`"
		}
		return e
	case !f.relative && secs < float64(jwtclaims.FirstDate-now.Unix()):
		e := &Error{Kind: KindResponse,
			Description: fmt.Sprintf("%s puts the expiry %s ago, before any date: no token expires then", f.says(), jwtclaims.YearsWords(-secs))}
		e.Hint = "the issuer writes an implausible exp: the issuer must fix it"
		return e
	}
	return nil
}

// dateAfter is the date secs seconds after now, zero when it is past the
// year 9999.
func dateAfter(now time.Time, secs float64) time.Time {
	if secs > float64(jwtclaims.LastDate-now.Unix()) {
		return time.Time{}
	}
	return time.Unix(now.Unix()+int64(secs), int64(now.Nanosecond()))
}

// secondsFrom is the seconds from now to t, without the saturation of
// time.Time.Sub (a Duration ends 292 years away).
func secondsFrom(t, now time.Time) float64 {
	return float64(t.Unix()-now.Unix()) + float64(t.Nanosecond()-now.Nanosecond())/1e9
}

// readingNote names the epoch unit a number was read in: ", read as epoch
// milliseconds".
func readingNote(reading string) string {
	if reading == "" {
		return ""
	}
	return ", read as " + reading
}

// setExpiry sets tok's expiry from the first form present: expires_in or
// expires_at (a mapping says which wins), the JWT's exp, else the default
// lifetime; every form passes checkExpiry.
func setExpiry(tok *Token, m map[string]any, mp *ResponseMapping, o ParseOptions, skew time.Duration) error {
	fromIn := func() (bool, error) {
		v, key, ok := lookup(m, mp.ExpiresIn, expiresInKeys)
		if !ok {
			return false, nil
		}
		secs, err := number(v)
		if err != nil {
			return true, &Error{Kind: KindResponse, Description: fmt.Sprintf("the token response's %s is not a usable number of seconds: %s", key, safetext.Line(fmt.Sprint(v)))}
		}
		if e := checkExpiry(expiryForm{source: "expires_in", field: key, value: v, relative: true}, secs, time.Time{}, o, skew); e != nil {
			return true, e
		}
		tok.ExpiresAt = o.Now.Add(time.Duration(secs * float64(time.Second)))
		tok.ExpirySource = "expires_in"
		return true, nil
	}
	fromAt := func() (bool, error) {
		v, key, ok := lookup(m, mp.ExpiresAt, expiresAtKeys)
		if !ok {
			return false, nil
		}
		t, reading, err := instant(v)
		if err != nil {
			return true, &Error{Kind: KindResponse, Description: fmt.Sprintf("the token response's %s is not a time: %s", key, safetext.Line(fmt.Sprint(v))), Err: err}
		}
		if e := checkExpiry(expiryForm{source: "expires_at", field: key, value: v, reading: reading}, secondsFrom(t, o.Now), t, o, skew); e != nil {
			return true, e
		}
		tok.ExpiresAt = t
		tok.ExpirySource = "expires_at"
		return true, nil
	}
	// expires_in is preferred, unless only expires_at is mapped: a mapping
	// wins over detection.
	order := []func() (bool, error){fromIn, fromAt}
	if mp.ExpiresAt != "" && mp.ExpiresIn == "" {
		order = []func() (bool, error){fromAt, fromIn}
	}
	for _, f := range order {
		if found, err := f(); found || err != nil {
			return err
		}
	}
	if c, err := jwtclaims.Decode(tok.AccessToken); err == nil && c.Exp != nil {
		if e := checkExpiry(jwtExpForm(c.Exp), c.Exp.SecondsFrom(o.Now), c.ExpiresAt, o, skew); e != nil {
			return e
		}
		tok.ExpiresAt = c.ExpiresAt
		tok.ExpiryAssumed = true
		tok.ExpirySource = "jwt exp"
		return nil
	}
	life := o.DefaultLifetime
	if life <= 0 {
		life = DefaultLifetime
	}
	if e := checkExpiry(expiryForm{source: "default", field: "default_lifetime", value: life, relative: true}, life.Seconds(), time.Time{}, o, skew); e != nil {
		return e
	}
	tok.ExpiresAt = o.Now.Add(life)
	tok.ExpiryAssumed = true
	tok.ExpirySource = "default"
	return nil
}
