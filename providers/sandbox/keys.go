package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
)

// jwk is an RSA public key as a JSON Web Key (RFC 7517, RFC 7518 §6.3.1).
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// jwkSet is a JWK Set (RFC 7517 §5).
type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// publicJWK describes pub as a signing JWK.
func publicJWK(pub *rsa.PublicKey, kid string) jwk {
	return jwk{
		Kty: "RSA",
		Kid: kid,
		Use: "sig",
		Alg: "RS256",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// keyID is the RFC 7638 JWK thumbprint of pub (SHA-256, base64url).
func keyID(pub *rsa.PublicKey) string {
	// The thumbprint hashes the required members in lexicographic order
	// with no whitespace; encoding/json writes struct fields in order.
	b, _ := json.Marshal(struct {
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
	}{
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		Kty: "RSA",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
	})
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// signingKey is a key the server signs with, or did until a rotation.
type signingKey struct {
	key *rsa.PrivateKey
	kid string
}

// handleJWKS serves the signing key set: the current key and, after a
// rotation, the previous one.
func (s *Server) handleJWKS(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	set := jwkSet{Keys: make([]jwk, 0, len(s.signing))}
	for _, k := range s.signing {
		set.Keys = append(set.Keys, publicJWK(&k.key.PublicKey, k.kid))
	}
	s.jwksFetches++
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, set)
}

// current is the key new tokens are signed with.
func (s *Server) current() signingKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signing[0]
}

// verificationKey is the public key with that kid, if the JWKS holds it.
func (s *Server) verificationKey(kid string) (*rsa.PublicKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.signing {
		if k.kid == kid {
			return &k.key.PublicKey, true
		}
	}
	return nil, false
}

// KeyID is the kid new tokens are signed with.
func (s *Server) KeyID() string { return s.current().kid }

// RotateKey starts signing with a new 2048-bit key and returns its kid. The
// previous key stays in the JWKS, and its tokens stay valid, until the next
// rotation; the one before it is dropped.
func (s *Server) RotateKey() (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("sandbox: generate signing key: %w", err)
	}
	return s.RotateKeyTo(key), nil
}

// RotateKeyTo is [Server.RotateKey] with a given key (tests keep a few
// around: generating one costs time). Rotating to the current key does
// nothing.
func (s *Server) RotateKeyTo(key *rsa.PrivateKey) string {
	kid := keyID(&key.PublicKey)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signing[0].kid != kid {
		s.signing = []signingKey{{key: key, kid: kid}, s.signing[0]}
	}
	return kid
}

// JWKSFetches counts the requests for the JWKS so far.
func (s *Server) JWKSFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jwksFetches
}
