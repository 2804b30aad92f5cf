package providers

import (
	"context"
	"fmt"
	"net/url"
)

// The refresh token grant (RFC 6749 §6): a new access token for a refresh
// token, over the provider's own client authentication. A server may
// rotate the refresh token (a new one in the answer replaces the old);
// one that does not leaves the old one in force.

// Refresh exchanges refreshToken for a new access token. An answer with
// an ID token has it verified (iss, aud, signature; the nonce is a
// login's). A refresh token the server no longer takes is an *Error whose
// Code is invalid_grant and whose hint says to log in again (see
// [LoginAgain]). Like Fetch it never returns a nil *Result.
func (c *Client) Refresh(ctx context.Context, p Provider, refreshToken string, o FetchOptions) (*Result, error) {
	if refreshToken == "" {
		return &Result{}, NoRefreshToken(p.Name, false)
	}
	form := url.Values{}
	for k, v := range p.Params {
		form.Set(k, v)
	}
	form.Set("grant_type", "refresh_token")
	form.Set("refresh_token", refreshToken)
	res, err := c.fetchGrant(ctx, p, o, grantRequest{form: form, secret: []string{refreshToken}})
	if e, ok := AsError(err); ok && e.Code == "invalid_grant" {
		e.Hint = "the server no longer takes the refresh token (expired, revoked, or already used once rotated): " + LoginAgain(p.Name)
		if n := len(res.Exchanges); n > 0 {
			res.Exchanges[n-1].Hint = e.Hint
		}
		return res, e
	}
	if err != nil {
		return res, err
	}
	if err := c.checkIDToken(ctx, p, res.Token.IDToken, ""); err != nil {
		res.Token = nil
		return res, err
	}
	return res, nil
}

// loginWithRefreshToken is Login for grant refresh_token: the refresh
// token the user was given is used at once, which proves it and brings
// the first access token. A server that does not rotate leaves the given
// one in force, so it is kept.
func (c *Client) loginWithRefreshToken(ctx context.Context, p Provider, refreshToken string) (*Result, error) {
	if refreshToken == "" {
		return &Result{}, &Error{Kind: KindConfig, Provider: p.Name, Description: "grant refresh_token logs in with the refresh token you were given",
			Hint: fmt.Sprintf("give it on standard input: tokentop login %s --refresh-token-stdin < FILE", p.Name)}
	}
	res, err := c.Refresh(ctx, p, refreshToken, FetchOptions{})
	if err == nil && res.Token.RefreshToken == "" {
		res.Token.RefreshToken = refreshToken
	}
	return res, err
}

// LoginAgain is the words every place uses for a session that only a new
// login can restore.
func LoginAgain(name string) string {
	return fmt.Sprintf("log in again: tokentop login %s", name)
}

// NeedsLogin reports whether err means the user must log in again: the
// server refused the refresh token, or there is none.
func NeedsLogin(err error) bool {
	e, ok := AsError(err)
	return ok && (e.Code == "invalid_grant" || e.Code == codeNoRefreshToken)
}

// codeNoRefreshToken is the Code of the error for a session with no
// refresh token left to use.
const codeNoRefreshToken = "no_refresh_token"

// NoRefreshToken is the error for a user grant whose access token is no
// longer usable and which holds no refresh token: only a login helps,
// and its words say so.
func NoRefreshToken(name string, expired bool) *Error {
	desc := "the access token is too near its expiry and no refresh token is stored"
	if expired {
		desc = "the access token has expired and no refresh token is stored"
	}
	return &Error{Kind: KindConfig, Provider: name, Code: codeNoRefreshToken, Description: desc + ": " + LoginAgain(name)}
}
