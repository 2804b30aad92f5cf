// Package jwtverify checks a JWT access token the way an API would, and
// says what it found: its form (opaque, JWE, JWS), its signature against
// the issuer's JSON Web Key Set ([KeySet]), its alg, and iss, aud, exp,
// nbf, iat and lifetime against what is expected ([Options]), by the
// issuer's clock when its skew is known. [Verify] never fails: whatever
// the input, the answer is a [Verification] with a verdict and a hint
// per cause, every text safe for a terminal.
//
// It knows nothing of providers: the JWKS is fetched with the
// *http.Client handed to [NewKeySet] (package providers hands in a
// provider's, and builds the [Options] a provider expects).
package jwtverify
