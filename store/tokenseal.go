package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tokentop/tokentop/providers"
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

// sealedTokens is the envelope's JSON.
type sealedTokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// tokenPlaintext is what putToken seals for tok.
func tokenPlaintext(tok *providers.Token) (string, error) {
	if tok.RefreshToken == "" && tok.IDToken == "" {
		return tok.AccessToken, nil
	}
	b, err := json.Marshal(sealedTokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, IDToken: tok.IDToken})
	if err != nil {
		return "", fmt.Errorf("encoding the tokens to seal: %w", err)
	}
	return userEnvelope + string(b), nil
}

// fromPlaintext sets tok's tokens from what a record sealed.
func fromPlaintext(text string, tok *providers.Token) error {
	rest, ok := strings.CutPrefix(text, userEnvelope)
	if !ok {
		tok.AccessToken = text
		return nil
	}
	var st sealedTokens
	if err := json.Unmarshal([]byte(rest), &st); err != nil {
		return fmt.Errorf("reading the sealed tokens: %w", err)
	}
	tok.AccessToken, tok.RefreshToken, tok.IDToken = st.AccessToken, st.RefreshToken, st.IDToken
	return nil
}
