package providers

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// PKCE (RFC 7636) with the S256 method only: the plain method proves
// nothing to a server that never sees the verifier before the exchange.

// PKCEMethod is the only code_challenge_method tokentop sends.
const PKCEMethod = "S256"

// NewVerifier is a fresh code_verifier: 32 random bytes in unpadded
// base64url, 43 characters of the unreserved set RFC 7636 §4.1 allows.
func NewVerifier() string { return randomURLString(32) }

// Challenge is the S256 code_challenge of verifier: BASE64URL(SHA256(verifier))
// without padding (RFC 7636 §4.2).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// randomURLString is n random bytes in unpadded base64url: the state,
// nonce and verifier of a login.
func randomURLString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
