package providers

import (
	"time"
)

// What the user grants' answers bring besides the access token: a refresh
// token, its lifetime where the server says it, and an OpenID Connect ID
// token. Each is read when present, whatever the grant.
var (
	refreshTokenKeys     = []string{"refresh_token", "refreshToken"}
	idTokenKeys          = []string{"id_token", "idToken"}
	refreshExpiresInKeys = []string{"refresh_token_expires_in", "refresh_expires_in", "refreshTokenExpiresIn"}
)

// setUserTokens reads the refresh token, its expiry and the ID token of
// m into tok. A refresh or ID token that is not printable ASCII is
// refused as the access token is: it would be sent back to the server
// and handed to scripts.
func setUserTokens(tok *Token, m map[string]any, now time.Time) error {
	tok.RefreshToken = lookupString(m, "", refreshTokenKeys)
	tok.IDToken = lookupString(m, "", idTokenKeys)
	for what, v := range map[string]string{"refresh token": tok.RefreshToken, "ID token": tok.IDToken} {
		if !printableASCII(v) {
			return &Error{Kind: KindResponse, Description: "the " + what + " holds characters outside printable ASCII; tokentop will not keep it"}
		}
		if len(v) > MaxBodyBytes/4 {
			return &Error{Kind: KindResponse, Description: "the " + what + " is too long to keep"}
		}
	}
	if tok.RefreshToken == "" {
		return nil
	}
	if v, _, ok := lookup(m, "", refreshExpiresInKeys); ok {
		if secs, err := number(v); err == nil && secs > 0 && secs <= MaxLifetime.Seconds() {
			tok.RefreshExpiresAt = now.Add(time.Duration(secs * float64(time.Second)))
		}
	}
	return nil
}
