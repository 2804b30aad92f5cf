package doctor

import "fmt"

// rawBasicWorks is the doctor's hint when HTTP Basic sent raw worked
// where the RFC's form-encoding was refused.
func rawBasicWorks() string {
	return "set `basic_encoding: raw`: the server does not form-decode HTTP Basic credentials (RFC 6749 §2.3.1 says to), " +
		"and the client id or secret holds characters that form-encoding changes; the secret itself is right"
}

// unpublishedKeyHint: a token fresh from the issuer names a kid its own
// JWKS does not publish, even fetched again.
func unpublishedKeyHint(kid, jwks, held string) string {
	return fmt.Sprintf("the issuer signs with key %s, which its own JWKS (%s, holding %s) does not publish: every API that checks signatures will reject its tokens, and no setting of yours changes that: report it to the issuer", kid, jwks, held)
}

// rotatedKeyHint: the cached token's kid is gone from the JWKS, and a
// fresh token's verifies.
func rotatedKeyHint(kid, freshKid string) string {
	return fmt.Sprintf("the issuer rotated its keys under the cached token: kid %s is gone from its JWKS, and a fresh token (kid %s) verifies: refresh it, `tokentop token NAME --force-refresh`", kid, freshKid)
}
