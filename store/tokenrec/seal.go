package tokenrec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// What a token record seals. A token with no refresh or ID token seals
// its access token alone, as every version of tokentop has; a user
// grant's token seals its access, refresh and ID tokens together, as one
// ciphertext, so that all three are replaced in the same write (a rotated
// refresh token never outlives the access token it came with) and every
// re-encryption (a team's new recipients, a local cache's identities)
// carries them all. The envelope starts with a NUL byte, which no access
// token holds (RFC 6749 A.12: printable ASCII), so the two never mix.
const userEnvelope = "\x00tokentop-user-tokens\x00"

// Tokens are what a record seals.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// Plaintext is what a record seals for t.
func Plaintext(t Tokens) (string, error) {
	if t.RefreshToken == "" && t.IDToken == "" {
		return t.AccessToken, nil
	}
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encoding the tokens to seal: %w", err)
	}
	return userEnvelope + string(b), nil
}

// FromPlaintext is the tokens a record sealed as text.
func FromPlaintext(text string) (Tokens, error) {
	rest, ok := strings.CutPrefix(text, userEnvelope)
	if !ok {
		return Tokens{AccessToken: text}, nil
	}
	var t Tokens
	if err := json.Unmarshal([]byte(rest), &t); err != nil {
		return Tokens{}, fmt.Errorf("reading the sealed tokens: %w", err)
	}
	return t, nil
}

// Decrypt opens sealed with ids.
func Decrypt(sealed []byte, ids ...age.Identity) (string, error) {
	r, err := age.Decrypt(bytes.NewReader(sealed), ids...)
	if err != nil {
		return "", err
	}
	plain, err := io.ReadAll(r)
	return string(plain), err
}
