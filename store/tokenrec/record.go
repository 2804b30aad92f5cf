package tokenrec

import (
	"time"

	"github.com/tokentop/tokentop/providers/tokenlife"
)

// The layout a cached token is read from.
const (
	// SchemaVersion is the layout the store reads and writes.
	SchemaVersion = 1
	// Bucket holds one Record per provider, keyed by its name.
	Bucket = "tokens"
	// RecipientsKey, in the meta bucket, is a team's recipient list
	// (empty or missing: everything is sealed to the key file).
	RecipientsKey = "recipients"
)

// Record is a cached token as stored: its metadata readable (listing
// needs no decryption), its tokens sealed with age. T is the token's
// metadata: providers.Token in the store, Meta where providers is not
// linked.
type Record[T any] struct {
	// Token is the token with AccessToken, RefreshToken and IDToken
	// empty.
	Token T `json:"token"`
	// Sealed is the age ciphertext of the access token, or of the
	// access, refresh and ID tokens together (see Plaintext).
	Sealed []byte `json:"sealed"`
	// Refreshable says a refresh token is sealed with the access token;
	// HasIDToken says an ID token is. Neither is a secret.
	Refreshable bool `json:"refreshable,omitempty"`
	HasIDToken  bool `json:"has_id_token,omitempty"`
	// Gen is the change counter when the token was saved: a forced refresh
	// takes a token only when its Gen differs from the one it set out to
	// replace.
	Gen uint64 `json:"gen"`
}

// Meta is providers.Token's stored form, field for field, name for name,
// tag for tag (the store's tests hold the two equal), so that a record
// decodes into it exactly as it decodes into providers.Token: the same
// fields read, the same errors.
type Meta struct {
	AccessToken      string        `json:"access_token"`
	TokenType        string        `json:"token_type"`
	Scope            string        `json:"scope,omitempty"`
	IssuedAt         time.Time     `json:"issued_at"`
	ExpiresAt        time.Time     `json:"expires_at"`
	ExpiryAssumed    bool          `json:"expiry_assumed,omitempty"`
	ExpirySource     string        `json:"expiry_source,omitempty"`
	ServerDate       time.Time     `json:"server_date,omitzero"`
	Skew             time.Duration `json:"skew,omitempty"`
	Warnings         []string      `json:"warnings,omitempty"`
	RefreshToken     string        `json:"refresh_token,omitempty"`
	RefreshExpiresAt time.Time     `json:"refresh_expires_at,omitzero"`
	IDToken          string        `json:"id_token,omitempty"`
}

// Usable reports whether a record holding sealed, for a token issued at
// issued that expires at expires, may be handed out at now: it holds a
// sealed token and now is before the refresh margin (the larger of 30 s
// and 10 % of its lifetime).
func Usable(sealed []byte, issued, expires, now time.Time) bool {
	return len(sealed) > 0 && tokenlife.Usable(issued, expires, now)
}

// Lasts reports whether a token that expires at expires has at least d
// of life left at now.
func Lasts(expires, now time.Time, d time.Duration) bool {
	return !expires.Before(now.Add(d))
}
