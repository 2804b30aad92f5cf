package jwtclaims

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// The dates a time claim may name to be read as a date, in seconds since
// the epoch: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, what RFC 3339
// writes. A number beyond them (1e18, 1e300, -1e20) is kept as a number:
// converted, it would saturate int64 and read as a date 292 billion years
// away in either direction.
const (
	FirstDate = -62135596800
	LastDate  = 253402300799
)

// NumericDate is a time claim (exp, iat, nbf) as the token gives it: a
// number of seconds since the epoch (RFC 7519 §2), read from its text,
// never through a conversion that saturates.
type NumericDate struct {
	// Seconds is the number; ±Inf when it is beyond a float64 (1e400).
	Seconds float64
	// Text is the number as written, sanitised and cut, for messages.
	Text string
}

// Finite reports whether the number is a finite one.
func (n NumericDate) Finite() bool { return !math.IsInf(n.Seconds, 0) && !math.IsNaN(n.Seconds) }

// Time is the date the number names, in whole seconds as golang-jwt
// reads it, and whether it names one: false when not finite or outside
// the years 1 to 9999.
func (n NumericDate) Time() (time.Time, bool) {
	if !n.Finite() || n.Seconds < FirstDate || n.Seconds > LastDate {
		return time.Time{}, false
	}
	return time.Unix(int64(n.Seconds), 0), true
}

// SecondsFrom is the number of seconds from now to the date, without the
// saturation of time.Time.Sub (a Duration ends 292 years away).
func (n NumericDate) SecondsFrom(now time.Time) float64 {
	return n.Seconds - float64(now.Unix()) - float64(now.Nanosecond())/1e9
}

// numericDate reads claim key of mc as a number, nil when it is absent or
// no number.
func numericDate(mc map[string]any, key string) *NumericDate {
	var text string
	switch v := mc[key].(type) {
	case json.Number:
		text = v.String()
	case float64:
		text = strconv.FormatFloat(v, 'g', -1, 64)
	default:
		return nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		// Only a range error (±Inf) is kept: the claim is a number, too
		// large for any reading.
		return nil
	}
	return &NumericDate{Seconds: f, Text: safetext.Truncate(safetext.Line(text), 40)}
}

// dateOf is the date n names, zero when absent or none.
func dateOf(n *NumericDate) time.Time {
	if n == nil {
		return time.Time{}
	}
	t, _ := n.Time()
	return t
}
