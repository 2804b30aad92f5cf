package providers

import (
	"time"

	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/tokenlife"
)

// MinRefreshMargin is the smallest refresh margin: a cached token is not
// handed out when it has less than this left.
const MinRefreshMargin = tokenlife.MinRefreshMargin

// Token is an access token and what is known of its life.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	// Scope is the scope the server granted (as sent; empty when the server
	// did not say).
	Scope     string    `json:"scope,omitempty"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// ExpiryAssumed is true when the body gave no expiry and ExpiresAt comes
	// from the JWT exp claim or the provider's default lifetime.
	ExpiryAssumed bool `json:"expiry_assumed,omitempty"`
	// ExpirySource names where ExpiresAt came from: expires_in, expires_at,
	// jwt exp or default.
	ExpirySource string `json:"expiry_source,omitempty"`
	// ServerDate is the token response's Date header (zero when absent).
	ServerDate time.Time `json:"server_date,omitzero"`
	// Skew is the local clock minus the server's Date (positive: we are ahead).
	Skew time.Duration `json:"skew,omitempty"`
	// Warnings are things a user should know about this token, such as a
	// lifetime shorter than the refresh margin.
	Warnings []string `json:"warnings,omitempty"`

	// The user grants (authorization code, device code, refresh token)
	// bring more than an access token. These live only inside the sealed
	// token record: never printed, exported or sent anywhere but to the
	// server that issued them.

	// RefreshToken is the refresh token the server returned (empty when
	// it returned none).
	RefreshToken string `json:"refresh_token,omitempty"`
	// RefreshExpiresAt is when the refresh token dies, where the server
	// said so (refresh_expires_in, refresh_token_expires_in); zero when
	// unknown.
	RefreshExpiresAt time.Time `json:"refresh_expires_at,omitzero"`
	// IDToken is the OpenID Connect ID token that came with the access
	// token (empty when none did).
	IDToken string `json:"id_token,omitempty"`
}

// GrantedScope is the scope the server granted: the response's scope,
// else the JWT's scope (or scp) claim; source says which ("the response",
// "the JWT"), and both are empty when neither says.
func (t *Token) GrantedScope() (scope, source string) {
	if t.Scope != "" {
		return t.Scope, "the response"
	}
	if c, err := jwtclaims.Decode(t.AccessToken); err == nil && c.Scope != "" {
		return c.Scope, "the JWT"
	}
	return "", ""
}

// Lifetime is the time from issue to expiry.
func (t *Token) Lifetime() time.Duration { return t.ExpiresAt.Sub(t.IssuedAt) }

// RefreshMargin is the larger of 30 s and 10 % of the token's lifetime.
func (t *Token) RefreshMargin() time.Duration {
	return RefreshMargin(t.Lifetime())
}

// RefreshMargin is the larger of 30 s and 10 % of lifetime.
func RefreshMargin(lifetime time.Duration) time.Duration {
	return tokenlife.RefreshMargin(lifetime)
}

// Usable reports whether the token may be handed out at now: it exists and
// is outside its refresh margin.
func (t *Token) Usable(now time.Time) bool {
	return t != nil && t.AccessToken != "" && tokenlife.Usable(t.IssuedAt, t.ExpiresAt, now)
}

// Status names a token's state.
type Status string

// Token states as shown by ls and the dashboard.
const (
	StatusNone     Status = "none"
	StatusValid    Status = "valid"
	StatusExpiring Status = "expiring"
	StatusExpired  Status = "expired"
	StatusError    Status = "error"
)

// Status is the token's expiry state at now (without the error state,
// which depends on the last exchange): expiring once inside its refresh
// margin (the larger of 30 s and 10 % of its lifetime), when a cached
// token is no longer handed out and a new one is fetched. A 5-minute
// token is valid for its first 4 min 30 s, a 1-hour one for 54 minutes.
func (t *Token) Status(now time.Time) Status {
	switch {
	case t == nil || t.ExpiresAt.IsZero():
		return StatusNone
	case !now.Before(t.ExpiresAt):
		return StatusExpired
	case !now.Before(t.ExpiresAt.Add(-t.RefreshMargin())):
		return StatusExpiring
	}
	return StatusValid
}
