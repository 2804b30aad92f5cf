package providers

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ClientAssertionType is the client_assertion_type of a JWT client
// assertion (RFC 7523 §2.2).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionLifetime is how long a client assertion is valid: long enough
// for one request, short enough that a copy is soon useless.
const AssertionLifetime = 60 * time.Second

// assertionAlgKey is the key type that signs assertions with alg, for the
// signing algorithms tokentop signs with; ok is false for another alg.
func assertionAlgKey(alg string) (kind string, ok bool) {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return "RSA", true
	case "ES256":
		return "EC P-256", true
	case "ES384":
		return "EC P-384", true
	case "ES512":
		return "EC P-521", true
	case "EdDSA":
		return "Ed25519", true
	}
	return "", false
}

// assertionKey is a loaded private_key_jwt signing key. It lives only for
// one fetch and is never recorded.
type assertionKey struct {
	signer crypto.Signer
	method jwt.SigningMethod
}

// loadAssertionKey reads p's private_key_file and picks the algorithm:
// assertion_alg when set (it must suit the key), else RS256, ES256/384/512
// or EdDSA by the key's type.
func loadAssertionKey(p Provider) (*assertionKey, error) {
	if p.PrivateKeyFile == "" {
		return nil, fmt.Errorf("auth_style %s needs private_key_file (a PEM private key)", AuthPrivateKeyJWT)
	}
	key, err := loadPrivateKey("private_key_file", p.PrivateKeyFile)
	if err != nil {
		return nil, err
	}
	alg, err := assertionAlg(p.AssertionAlg, key)
	if err != nil {
		return nil, err
	}
	return &assertionKey{signer: key, method: jwt.GetSigningMethod(alg)}, nil
}

// assertionAlg checks a configured algorithm against the key, or derives
// one from it.
func assertionAlg(configured string, key crypto.Signer) (string, error) {
	derived, err := defaultAlg(key)
	if err != nil {
		return "", err
	}
	if configured == "" {
		return derived, nil
	}
	want, ok := assertionAlgKey(configured)
	if !ok {
		return "", fmt.Errorf("assertion_alg %q is not one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (leave it out to derive it from the key)", configured)
	}
	kind := keyKind(key)
	if !strings.HasPrefix(kind, want) {
		return "", fmt.Errorf("assertion_alg %s needs an %s key, but private_key_file holds an %s key (%s would suit it)", configured, want, kind, derived)
	}
	return configured, nil
}

// defaultAlg is the usual algorithm for a key.
func defaultAlg(key crypto.Signer) (string, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return "RS256", nil
	case *ecdsa.PrivateKey:
		return ecAlg(k)
	case ed25519.PrivateKey:
		return "EdDSA", nil
	}
	return "", fmt.Errorf("the key is a %T, which tokentop cannot sign with", key)
}

func ecAlg(k *ecdsa.PrivateKey) (string, error) {
	switch k.Curve.Params().Name {
	case "P-256":
		return "ES256", nil
	case "P-384":
		return "ES384", nil
	case "P-521":
		return "ES512", nil
	}
	return "", fmt.Errorf("the EC key is on curve %s; use P-256, P-384 or P-521", k.Curve.Params().Name)
}

// assertion is a signed client assertion and what it says, for the flight
// record (which never holds the signed JWT).
type assertion struct {
	jwt     string
	summary string
}

// clientAssertion signs the RFC 7523 §3 client assertion of p: iss and sub
// the client id, aud p.AssertionAudience (filled by [Provider.Resolve]),
// a random jti, iat now and exp one [AssertionLifetime] later, and the kid
// header when private_key_kid is set.
func clientAssertion(p Provider, key *assertionKey, now time.Time) (assertion, error) {
	jti := make([]byte, 18)
	_, _ = rand.Read(jti) // crypto/rand.Read never fails
	claims := jwt.MapClaims{
		"iss": p.ClientID,
		"sub": p.ClientID,
		"aud": p.AssertionAudience,
		"jti": base64.RawURLEncoding.EncodeToString(jti),
		"iat": now.Unix(),
		"exp": now.Add(AssertionLifetime).Unix(),
	}
	tok := jwt.NewWithClaims(key.method, claims)
	if p.PrivateKeyKID != "" {
		tok.Header["kid"] = p.PrivateKeyKID
	}
	signed, err := tok.SignedString(key.signer)
	if err != nil {
		return assertion{}, fmt.Errorf("signing the client assertion with private_key_file %s: %w", p.PrivateKeyFile, err)
	}
	kid := p.PrivateKeyKID
	if kid == "" {
		kid = "(none)"
	}
	return assertion{jwt: signed, summary: fmt.Sprintf("client assertion %s (%s key) kid=%s iss=sub=%s aud=%s jti=%s exp=iat+%s",
		key.method.Alg(), keyKind(key.signer), kid, p.ClientID, p.AssertionAudience, claims["jti"], AssertionLifetime)}, nil
}
