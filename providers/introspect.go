package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
)

// Introspection is an RFC 7662 §2.2 answer, sanitised.
type Introspection struct {
	Active    bool      `json:"active"`
	Scope     string    `json:"scope,omitempty"`
	ClientID  string    `json:"client_id,omitempty"`
	Username  string    `json:"username,omitempty"`
	TokenType string    `json:"token_type,omitempty"`
	Subject   string    `json:"sub,omitempty"`
	Audience  []string  `json:"aud,omitempty"`
	Issuer    string    `json:"iss,omitempty"`
	ID        string    `json:"jti,omitempty"`
	ExpiresAt time.Time `json:"exp,omitzero"`
	IssuedAt  time.Time `json:"iat,omitzero"`
	NotBefore time.Time `json:"nbf,omitzero"`
	// Fields are every member of the answer, sorted by name.
	Fields []jwtclaims.Field `json:"fields,omitempty"`
}

// EndpointResult is the outcome of a call to an introspection or
// revocation endpoint: where it went and every request made (for the
// flight recorder), whatever happened.
type EndpointResult struct {
	Endpoint string
	// Source is "config", "discovery" or "discovery's
	// mtls_endpoint_aliases".
	Source    string
	Status    int
	Exchanges []Exchange
	// Introspection is set by Introspect on success.
	Introspection *Introspection
}

// Introspect asks p's introspection endpoint (RFC 7662) about token,
// authenticated as the token request is. The endpoint is introspection_url,
// else discovery's introspection_endpoint. The result is never nil; its
// Exchanges hold every request made.
func (c *Client) Introspect(ctx context.Context, p Provider, token string, o EndpointOptions) (*EndpointResult, error) {
	res, ans, err := c.callEndpoint(ctx, p, EndpointIntrospection, token, o)
	if err != nil {
		return res, err
	}
	// The answer is shown field by field: the token it is about (an echo
	// of it, a token field) is taken out first.
	rd := &secrets{}
	rd.add(token)
	in, perr := ParseIntrospection([]byte(rd.text(string(ans.body))))
	if perr != nil {
		e := &Error{Kind: KindResponse, Provider: p.Name, Status: ans.status,
			Description: "the introspection endpoint's answer is not RFC 7662 JSON", Err: perr,
			Hint: fmt.Sprintf("check introspection_url (%s): it should answer {\"active\": true, …}", safetext.Line(res.Endpoint))}
		res.Exchanges[len(res.Exchanges)-1].Error = e.Summary()
		return res, e
	}
	res.Introspection = in
	return res, nil
}

// Revoke asks p's revocation endpoint (RFC 7009) to revoke token. The
// server answers 200 whether or not it knew the token (§2.2), so success
// means only that the request was accepted.
func (c *Client) Revoke(ctx context.Context, p Provider, token string, o EndpointOptions) (*EndpointResult, error) {
	res, _, err := c.callEndpoint(ctx, p, EndpointRevocation, token, o)
	return res, err
}

func (c *Client) callEndpoint(ctx context.Context, p Provider, kind ServerEndpoint, token string, o EndpointOptions) (*EndpointResult, *serverAnswer, error) {
	res := &EndpointResult{}
	if eff, err := p.Resolve(); err == nil {
		p = eff
	}
	endpoint, source, d, err := c.resolveEndpoint(ctx, p, kind, o.Discovery)
	if err != nil {
		return res, nil, err
	}
	var methods []string
	if d != nil && d.Metadata != nil {
		methods = d.Metadata.IntrospectionEndpointAuthMethodsSupported
		if kind == EndpointRevocation {
			methods = d.Metadata.RevocationEndpointAuthMethodsSupported
		}
	}
	res.Endpoint, res.Source = safetext.Line(endpoint), source
	hint := o.TokenTypeHint
	if hint == "" {
		hint = "access_token"
	}
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	ans, exs, err := c.postForm(ctx, p, kind, endpoint, form, token, endpointStyles(p.Style(), o.Learned, methods))
	res.Exchanges = exs
	if ans != nil {
		res.Status = ans.status
	} else if n := len(exs); n > 0 {
		res.Status = exs[n-1].Status
	}
	return res, ans, err
}

// ParseIntrospection reads an RFC 7662 answer: a JSON object whose active
// member is a boolean. Numeric dates may be numbers or numeric strings;
// aud a string or a list. Every text is sanitised.
func ParseIntrospection(body []byte) (*Introspection, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(body)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	active, ok := m["active"].(bool)
	if !ok {
		return nil, fmt.Errorf("no boolean \"active\" member")
	}
	str := func(k string) string { s, _ := m[k].(string); return safetext.Line(s) }
	in := &Introspection{
		Active: active, Scope: str("scope"), ClientID: str("client_id"), Username: str("username"),
		TokenType: str("token_type"), Subject: str("sub"), Issuer: str("iss"), ID: str("jti"),
		ExpiresAt: numericDate(m["exp"]), IssuedAt: numericDate(m["iat"]), NotBefore: numericDate(m["nbf"]),
		Fields: jwtclaims.FieldsOf(m),
	}
	switch a := m["aud"].(type) {
	case string:
		in.Audience = []string{safetext.Line(a)}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				in.Audience = append(in.Audience, safetext.Line(s))
			}
		}
	}
	return in, nil
}

// numericDate reads seconds since the epoch from a JSON number or a numeric
// string; anything else is the zero time.
func numericDate(v any) time.Time {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return time.Time{}
	}
	f, err := json.Number(s).Float64()
	if err != nil || f <= 0 || f > 1e11 {
		return time.Time{}
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
}
