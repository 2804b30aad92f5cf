package sandbox

import (
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Forgery says how a token minted by [Server.Mint] is broken, for tests of
// clients that must spot it. The sandbox never issues such tokens from its
// token endpoints.
type Forgery int

const (
	// Genuine is a token exactly as the token endpoints sign it.
	Genuine Forgery = iota
	// BadSignature is a genuine token whose signature has one byte changed.
	BadSignature
	// AlgNone is an unsigned token (alg: none, empty signature).
	AlgNone
)

// MintOptions shape a token minted by [Server.Mint]. Zero values take the
// defaults of a token the server would issue.
type MintOptions struct {
	// Issuer is the iss claim; required (a style's issuer, such as
	// baseURL or baseURL+"/auth0").
	Issuer string
	// ClientID is the sub and client_id claims.
	ClientID string
	// Audience is the aud claim; empty means none.
	Audience string
	// Scope is the scope claim; empty means none.
	Scope string
	// IssuedAt is iat (and nbf unless NotBefore is set); zero means the
	// server's clock.
	IssuedAt  time.Time
	NotBefore time.Time
	// Lifetime is exp minus iat; zero means an hour, negative an expired
	// token.
	Lifetime time.Duration
	// Key signs the token instead of the server's current key; its kid is
	// its thumbprint, so a key the JWKS does not hold gives an unknown kid.
	Key *rsa.PrivateKey
	// Forgery breaks the token.
	Forgery Forgery
}

// Mint signs a JWT access token shaped by o, for tests. Tokens signed with
// the server's keys are accepted by its API like issued ones; a Forgery is
// refused.
func (s *Server) Mint(o MintOptions) (string, error) {
	if o.Issuer == "" {
		return "", fmt.Errorf("sandbox: mint: no issuer")
	}
	iat := o.IssuedAt
	if iat.IsZero() {
		iat = s.now()
	}
	nbf := o.NotBefore
	if nbf.IsZero() {
		nbf = iat
	}
	life := o.Lifetime
	if life == 0 {
		life = time.Hour
	}
	claims := jwt.MapClaims{
		"iss": o.Issuer, "sub": o.ClientID, "client_id": o.ClientID,
		"iat": iat.Unix(), "nbf": nbf.Unix(), "exp": iat.Add(life).Unix(),
		"jti": randomString(16, base64.RawURLEncoding),
	}
	if o.Audience != "" {
		claims["aud"] = o.Audience
	}
	if o.Scope != "" {
		claims["scope"] = o.Scope
	}
	if o.Forgery == AlgNone {
		return jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	}
	signed, err := s.signRS256(claims, o.Key)
	if err != nil {
		return "", fmt.Errorf("sandbox: mint: %w", err)
	}
	if o.Forgery == BadSignature {
		signed = corruptSignature(signed)
	}
	return signed, nil
}

// signRS256 signs claims as an RS256 JWT whose kid names the key: key
// when not nil (one the server need not publish), else the server's
// current signing key.
func (s *Server) signRS256(claims jwt.MapClaims, key *rsa.PrivateKey) (string, error) {
	sk := s.current()
	if key != nil {
		sk = signingKey{key: key, kid: keyID(&key.PublicKey)}
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = sk.kid
	return tok.SignedString(sk.key)
}

// MintBadSignature is a token for clientID from issuer whose signature does
// not verify.
func (s *Server) MintBadSignature(issuer, clientID string) (string, error) {
	return s.Mint(MintOptions{Issuer: issuer, ClientID: clientID, Forgery: BadSignature})
}

// MintAlgNone is an unsigned token (alg: none) for clientID from issuer.
func (s *Server) MintAlgNone(issuer, clientID string) (string, error) {
	return s.Mint(MintOptions{Issuer: issuer, ClientID: clientID, Forgery: AlgNone})
}

// corruptSignature flips the bits of the signature's first byte.
func corruptSignature(tok string) string {
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || len(sig) == 0 {
		return tok + "x"
	}
	sig[0] ^= 0xff
	return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}
