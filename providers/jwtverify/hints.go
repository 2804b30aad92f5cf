package jwtverify

import "fmt"

// The hints of a token whose signature the issuer's JWKS does not bear
// out, one per cause: each cause has its own fix and its own party to act.
// Verify words what it can tell from the token and the JWKS alone; the
// doctor (package doctor), which can fetch a fresh token, tells rotation
// from an issuer that signs with a key it does not publish.

// notThisIssuerHint: the token names another issuer than the provider's.
func notThisIssuerHint(iss, want string) string {
	return fmt.Sprintf("the token is not from this issuer: it names %s, the provider %s; it belongs to another provider or environment (a sandbox token used for prod, or the reverse, another tenant or region): use the provider that issued it", iss, want)
}

// badSignatureHint: the JWKS holds the token's kid, and that key does not
// verify it.
func badSignatureHint(kid, jwks string) string {
	return fmt.Sprintf("the token is not from this issuer: key %s of %s does not verify it, though the kid matches; it was signed by another server whose kid collides (another environment) or altered after signing: do not use it, and check which provider it came from", orDash(kid), jwks)
}

// unknownKeyHint: the kid is not in the JWKS, and nothing yet tells a
// rotation from an unpublished key; a fresh token tells.
func unknownKeyHint(kid, jwks, held string) string {
	return fmt.Sprintf("kid %s is not in %s (it holds %s): if a fresh token verifies (`tokentop token NAME --force-refresh`, then `tokentop inspect NAME`), the keys rotated under this cached one; if the fresh one fails too, the issuer signs with a key it does not publish: `tokentop doctor NAME` tells which", kid, jwks, held)
}
