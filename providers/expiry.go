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
// disagree; a later exp changes nothing. This is the one place the rule
// lives: ParseResponse calls it once the expiry and the skew are known.
func capExpiryByJWT(tok *Token) {
	if tok.ExpirySource != "expires_in" && tok.ExpirySource != "expires_at" {
		return
	}
	c, err := jwtclaims.Decode(tok.AccessToken)
	if err != nil || c.ExpiresAt.IsZero() {
		return
	}
	exp := c.ExpiresAt.Add(tok.Skew)
	if !exp.Before(tok.ExpiresAt.Add(-clockskew.Tolerance)) {
		return
	}
	tok.Warnings = append(tok.Warnings, fmt.Sprintf("the JWT's exp (%s) is %s before what %s says (%s): APIs go by exp, and so does tokentop; the issuer's %s is wrong: tell the issuer",
		c.ExpiresAt.UTC().Format(time.RFC3339), tok.ExpiresAt.Sub(exp).Round(time.Second), tok.ExpirySource,
		tok.ExpiresAt.UTC().Format(time.RFC3339), tok.ExpirySource))
	tok.ExpiresAt, tok.ExpirySource = exp, "jwt exp"
}

// deadOnArrival is the error of a token whose expiry (at, from source, an
// epoch number read as reading when it was one) is not after o.Now, by
// the local clock. The hint says whose fault it is: with the server's Date
// agreeing with this machine's clock, the issuer mints expired tokens and
// refreshing only gets another one; with the clocks apart, this machine's
// clock is off; without a Date, which single check tells.
func deadOnArrival(source string, at time.Time, reading string, o ParseOptions, skew time.Duration) *Error {
	e := &Error{Kind: KindResponse,
		Description: fmt.Sprintf("the token expired on arrival (%s %s%s, local clock %s%s)", source,
			at.UTC().Format(time.RFC3339), readingNote(reading), o.Now.UTC().Format(time.RFC3339), skewNote(skew))}
	switch {
	case o.ServerDate.IsZero():
		e.Hint = "the server sent no Date header, so its clock cannot be compared: check this machine's clock against a time server (timedatectl, or `ntpdate -q pool.ntp.org`); if it is right, the issuer mints expired tokens and must fix it"
	case skew <= clockskew.Tolerance && skew >= -clockskew.Tolerance:
		e.Hint = fmt.Sprintf("the issuer mints tokens that are already expired: its own Date header agrees with this machine's clock (skew %s), so it is not a clock here; refreshing only gets another dead token: the issuer must fix its token lifetime or its clock", skew)
	default:
		e.Hint = fmt.Sprintf("this machine's clock is %s the server's Date: sync it (NTP); by the server's clock the token is fine", skewWords(skew))
	}
	return e
}

// MaxLifetime is the longest a token may live, whatever form its expiry
// takes (expires_in, expires_at, the JWT's exp, default_lifetime): ten
// years of 365 days. A server that says more has mixed up a unit or a
// field, and a token cached that long would outlive every rotation.
const MaxLifetime = 10 * 365 * 24 * time.Hour

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
// o.Now; at is zero for a relative form); it must be a finite number, in
// the future, and at most MaxLifetime. It returns the error that names
// the form and the bound it broke, or nil. skew is the clock skew from the
// server's Date, named when a token expired on arrival.
func checkExpiry(f expiryForm, secs float64, at time.Time, o ParseOptions, skew time.Duration) *Error {
	switch {
	case math.IsNaN(secs) || math.IsInf(secs, 0):
		return &Error{Kind: KindResponse, Description: f.says() + " is not a finite number"}
	case f.relative && secs*float64(time.Second) < 1:
		if f.source == "default" {
			return &Error{Kind: KindConfig, Description: f.says() + " is not a positive duration", Hint: "set default_lifetime to a duration such as 1h"}
		}
		return &Error{Kind: KindResponse, Description: fmt.Sprintf("the token response's %s is not a usable number of seconds: %s", f.field, safetext.Line(Truncate(fmt.Sprint(f.value), 64)))}
	case !f.relative && !at.After(o.Now):
		return deadOnArrival(f.source, at, f.reading, o, skew)
	case secs > MaxLifetime.Seconds():
		e := &Error{Kind: KindResponse,
			Description: fmt.Sprintf("%s puts the expiry %s away%s, more than tokentop's limit of 10 years", f.says(), yearsWords(secs), readingNote(f.reading))}
		switch f.source {
		case "default":
			e.Kind, e.Hint = KindConfig, "set default_lifetime to 10 years or less (87600h)"
		case "jwt exp":
			e.Hint = "the answer gives no expiry and the token's exp is implausible: if the answer names the expiry under another field, map it with `response: {expires_in: FIELD}` or `{expires_at: FIELD}`"
		default:
			e.Hint = "the server may give milliseconds where seconds belong, or the wrong field: map the right one with `response: {expires_in: FIELD}` or `{expires_at: FIELD}`"
		}
		return e
	}
	return nil
}

// readingNote names the epoch unit a number was read in: ", read as epoch
// milliseconds".
func readingNote(reading string) string {
	if reading == "" {
		return ""
	}
	return ", read as " + reading
}

// yearsWords says a number of seconds in years: "9.2e+09 s" would mean
// nothing to a reader.
func yearsWords(secs float64) string {
	years := secs / (365 * 24 * 3600)
	if years >= 1e6 {
		return fmt.Sprintf("%.3g years", years)
	}
	return fmt.Sprintf("%.0f years", years)
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
		if e := checkExpiry(expiryForm{source: "expires_at", field: key, value: v, reading: reading}, t.Sub(o.Now).Seconds(), t, o, skew); e != nil {
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
	if c, err := jwtclaims.Decode(tok.AccessToken); err == nil && !c.ExpiresAt.IsZero() {
		f := expiryForm{source: "jwt exp", field: "the JWT's exp claim", value: c.ExpiresAt.Unix()}
		if e := checkExpiry(f, c.ExpiresAt.Sub(o.Now).Seconds(), c.ExpiresAt, o, skew); e != nil {
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
