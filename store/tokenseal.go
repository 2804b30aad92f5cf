package store

import (
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/tokenrec"
)

// What a token record seals is tokenrec's: the access token alone, or a
// user grant's access, refresh and ID tokens together in one envelope.

// tokenPlaintext is what putToken seals for tok.
func tokenPlaintext(tok *providers.Token) (string, error) {
	return tokenrec.Plaintext(tokenrec.Tokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, IDToken: tok.IDToken})
}

// fromPlaintext sets tok's tokens from what a record sealed.
func fromPlaintext(text string, tok *providers.Token) error {
	t, err := tokenrec.FromPlaintext(text)
	if err != nil {
		return err
	}
	tok.AccessToken, tok.RefreshToken, tok.IDToken = t.AccessToken, t.RefreshToken, t.IDToken
	return nil
}
