package providers

import (
	"fmt"
	"time"
)

// ClockTolerance is how far apart two clocks may be before tokentop holds
// it against a token: a JWT's nbf and iat may be this far in the future,
// and its exp this far before what expires_in says, without a verdict.
// HTTP Date and JWT times have a resolution of one second, and JWT
// libraries commonly allow a few seconds of leeway; 5 s covers both
// without hiding a clock that is really off.
const ClockTolerance = 5 * time.Second

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
	c, err := DecodeJWT(tok.AccessToken)
	if err != nil || c.ExpiresAt.IsZero() {
		return
	}
	exp := c.ExpiresAt.Add(tok.Skew)
	if !exp.Before(tok.ExpiresAt.Add(-ClockTolerance)) {
		return
	}
	tok.Warnings = append(tok.Warnings, fmt.Sprintf("the JWT's exp (%s) is %s before what %s says (%s): APIs go by exp, and so does tokentop; the issuer's %s is wrong: tell the issuer",
		c.ExpiresAt.UTC().Format(time.RFC3339), tok.ExpiresAt.Sub(exp).Round(time.Second), tok.ExpirySource,
		tok.ExpiresAt.UTC().Format(time.RFC3339), tok.ExpirySource))
	tok.ExpiresAt, tok.ExpirySource = exp, "jwt exp"
}

// deadOnArrival is the error of a token that expired before it arrived
// (now, by the local clock). The hint says whose fault it is: with the
// server's Date agreeing with this machine's clock, the issuer mints
// expired tokens and refreshing only gets another one; with the clocks
// apart, this machine's clock is off; without a Date, which single check
// tells.
func deadOnArrival(tok *Token, now time.Time) *Error {
	e := &Error{Kind: KindResponse,
		Description: fmt.Sprintf("the token expired on arrival (%s %s, local clock %s%s)", tok.ExpirySource,
			tok.ExpiresAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), skewNote(tok.Skew))}
	switch skew := tok.Skew; {
	case tok.ServerDate.IsZero():
		e.Hint = "the server sent no Date header, so its clock cannot be compared: check this machine's clock against a time server (timedatectl, or `ntpdate -q pool.ntp.org`); if it is right, the issuer mints expired tokens and must fix it"
	case skew <= ClockTolerance && skew >= -ClockTolerance:
		e.Hint = fmt.Sprintf("the issuer mints tokens that are already expired: its own Date header agrees with this machine's clock (skew %s), so it is not a clock here; refreshing only gets another dead token: the issuer must fix its token lifetime or its clock", skew)
	default:
		e.Hint = fmt.Sprintf("this machine's clock is %s the server's Date: sync it (NTP); by the server's clock the token is fine", skewWords(skew))
	}
	return e
}
