package providers

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/jwtverify"
	"github.com/tokentop/tokentop/providers/safetext"
)

// OpenID Connect ID tokens (OIDC Core §3.1.3.7): an ID token that comes
// back is kept only once its signature verifies against the provider's
// JWKS, its iss is the provider's issuer, its aud holds the client_id and
// its nonce is the login's.

// VerifyIDToken verifies raw for p: signature (jwks_uri, else discovery's),
// iss (issuer, else discovery's), aud = client_id, and nonce when nonce
// is not empty. The Verification lists every check; the error says the
// first that failed.
func (c *Client) VerifyIDToken(ctx context.Context, p Provider, raw, nonce string) (*jwtverify.Verification, error) {
	jwks, issuer := p.JWKSURI, p.Issuer
	if jwks == "" || issuer == "" {
		d, err := c.DiscoverDetail(ctx, p)
		if err == nil && d != nil && d.Metadata != nil {
			jwks = cmp.Or(jwks, d.Metadata.JWKSURI)
			issuer = cmp.Or(issuer, d.Metadata.Issuer)
		}
	}
	if jwks == "" || issuer == "" {
		return nil, &Error{Kind: KindConfig, Provider: p.Name, Description: "cannot verify the ID token: the provider has no jwks_uri or issuer and discovery names none",
			Hint: "set issuer and jwks_uri on the provider"}
	}
	ks, err := c.FetchKeySet(ctx, p, jwks)
	if err != nil {
		return nil, err
	}
	v := jwtverify.Verify(ctx, raw, ks, jwtverify.Options{Now: c.now(), Issuer: issuer, Audiences: []string{p.ClientID}})
	for _, ch := range v.Checks {
		if ch.Status == check.Fail {
			return v, idTokenError(p.Name, ch.Name+": "+ch.Detail, ch.Hint)
		}
	}
	if v.Verdict != jwtverify.VerdictValid {
		return v, idTokenError(p.Name, string(v.Verdict)+": "+v.Reason, v.Hint)
	}
	if nonce != "" {
		if got := claimString(raw, "nonce"); got != nonce {
			return v, idTokenError(p.Name, fmt.Sprintf("its nonce %q is not the one the login sent", safetext.Line(Truncate(got, 80))),
				"the ID token does not answer this login (a replay, or a server that drops the nonce)")
		}
	}
	return v, nil
}

// checkIDToken verifies raw when there is one.
func (c *Client) checkIDToken(ctx context.Context, p Provider, raw, nonce string) error {
	if raw == "" {
		return nil
	}
	_, err := c.VerifyIDToken(ctx, p, raw, nonce)
	return err
}

func idTokenError(name, why, hint string) *Error {
	return &Error{Kind: KindResponse, Provider: name, Code: "invalid_id_token", Description: "the ID token does not verify: " + why, Hint: hint}
}

// claimString is a string claim of a JWT's payload, unverified ("" when
// absent or unreadable).
func claimString(raw, name string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || len(parts[1]) > MaxBodyBytes {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	s, _ := m[name].(string)
	return s
}
