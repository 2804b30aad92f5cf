package jwtclaims

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tokentop/tokentop/providers/safetext"
)

// Claims are the decoded claims of a JWT access token that matter for
// triage. They are read without verifying the signature: they are for
// display, never for a trust decision.
type Claims struct {
	Algorithm string    `json:"alg,omitempty"`
	KeyID     string    `json:"kid,omitempty"`
	Issuer    string    `json:"iss,omitempty"`
	Subject   string    `json:"sub,omitempty"`
	Audience  []string  `json:"aud,omitempty"`
	ClientID  string    `json:"client_id,omitempty"`
	Scope     string    `json:"scope,omitempty"`
	IssuedAt  time.Time `json:"iat,omitzero"`
	NotBefore time.Time `json:"nbf,omitzero"`
	ExpiresAt time.Time `json:"exp,omitzero"`
	ID        string    `json:"jti,omitempty"`
	// Exp, Iat and Nbf are the time claims as numbers, nil when absent.
	// ExpiresAt, IssuedAt and NotBefore are their dates, zero when a
	// number names no date (see [NumericDate.Time]): a caller that needs
	// to know an exp is present reads Exp.
	Exp *NumericDate `json:"-"`
	Iat *NumericDate `json:"-"`
	Nbf *NumericDate `json:"-"`
}

// LooksLikeJWT reports whether s has the three dot-separated parts of a JWS.
func LooksLikeJWT(s string) bool {
	return strings.Count(s, ".") == 2 && strings.HasPrefix(s, "eyJ")
}

// Decode decodes a JWT's header and claims without verifying it. Text
// claims are sanitised. Opaque tokens give an error.
func Decode(token string) (*Claims, error) {
	if !LooksLikeJWT(token) {
		return nil, fmt.Errorf("not a JWT: an opaque token")
	}
	mc := jwt.MapClaims{}
	parsed, _, err := jwt.NewParser(jwt.WithJSONNumber()).ParseUnverified(token, mc)
	if err != nil {
		return nil, fmt.Errorf("decode JWT: %w", err)
	}
	c := &Claims{
		Issuer:   claimString(mc, "iss"),
		Subject:  claimString(mc, "sub"),
		ClientID: firstNonEmpty(claimString(mc, "client_id"), claimString(mc, "azp"), claimString(mc, "appid"), claimString(mc, "cid")),
		ID:       claimString(mc, "jti"),
		Scope:    scopeClaim(mc),
	}
	if alg, ok := parsed.Header["alg"].(string); ok {
		c.Algorithm = safetext.Line(alg)
	}
	if kid, ok := parsed.Header["kid"].(string); ok {
		c.KeyID = safetext.Line(kid)
	}
	if aud, err := mc.GetAudience(); err == nil {
		for _, a := range aud {
			c.Audience = append(c.Audience, safetext.Line(a))
		}
	}
	// The numbers are read from their text: golang-jwt's NumericDate
	// converts with int64(f), which saturates.
	c.Exp, c.Iat, c.Nbf = numericDate(mc, "exp"), numericDate(mc, "iat"), numericDate(mc, "nbf")
	c.ExpiresAt, c.IssuedAt, c.NotBefore = dateOf(c.Exp), dateOf(c.Iat), dateOf(c.Nbf)
	return c, nil
}

func claimString(mc jwt.MapClaims, key string) string {
	s, _ := mc[key].(string)
	return safetext.Line(s)
}

func scopeClaim(mc jwt.MapClaims) string {
	for _, k := range []string{"scope", "scp"} {
		switch v := mc[k].(type) {
		case string:
			return safetext.Line(v)
		case []any:
			parts := make([]string, 0, len(v))
			for _, x := range v {
				if s, ok := x.(string); ok {
					parts = append(parts, s)
				}
			}
			return safetext.Line(strings.Join(parts, " "))
		}
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// Marshal renders claims as indented JSON for display.
func Marshal(c *Claims) string {
	b, _ := json.MarshalIndent(c, "", "  ")
	return string(b)
}
