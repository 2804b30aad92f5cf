package providers

import (
	"bytes"
	"encoding/json"
	"time"
)

// readUserTokens adds what a user grant's answer brings besides the
// access token: the refresh token, its expiry (refresh_expires_in or
// refresh_token_expires_in, at most MaxLifetime away) and the ID token.
// Each must be printable ASCII, as tokens are, or the answer is refused
// rather than a token kept that would reach a terminal.
func readUserTokens(tok *Token, body []byte, now time.Time) error {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(body)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return &Error{Kind: KindResponse, Description: "unreadable token response", Err: err}
	}
	tok.RefreshToken = lookupString(m, "", []string{"refresh_token", "refreshToken"})
	tok.IDToken = lookupString(m, "", []string{"id_token", "idToken"})
	for _, s := range []string{tok.RefreshToken, tok.IDToken} {
		if !printableASCII(s) {
			return &Error{Kind: KindResponse, Description: "the refresh or ID token holds characters outside printable ASCII; tokentop will not keep it",
				Hint: "check token_url: this does not look like a token response"}
		}
	}
	if v, _, ok := lookup(m, "", []string{"refresh_expires_in", "refresh_token_expires_in"}); ok && tok.RefreshToken != "" {
		if d, err := boundedSeconds(v, 0, MaxLifetime); err == nil && d > 0 {
			tok.RefreshExpiresAt = now.Add(d)
		}
	}
	return nil
}
