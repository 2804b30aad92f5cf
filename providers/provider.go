package providers

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// AuthStyle says how the client authenticates at the token endpoint.
type AuthStyle string

// The client authentication styles.
const (
	// AuthAuto tries HTTP Basic first and, on 401 or invalid_client, once
	// more with the credentials in the body.
	AuthAuto AuthStyle = "auto"
	// AuthBasic sends Authorization: Basic (RFC 6749 §2.3.1).
	AuthBasic AuthStyle = "basic"
	// AuthPost sends client_id and client_secret in the form body.
	AuthPost AuthStyle = "post"
	// AuthPrivateKeyJWT sends client_id and a JWT signed with the client's
	// private key (RFC 7523 §2.2, OIDC Core §9 private_key_jwt); no secret.
	AuthPrivateKeyJWT AuthStyle = "private_key_jwt"
	// AuthTLSClient presents a client certificate in the TLS handshake and
	// sends client_id in the body (RFC 8705 §2.1.1 tls_client_auth); no
	// secret.
	AuthTLSClient AuthStyle = "tls_client_auth"
)

// Valid reports whether s is one of the known styles (empty counts as auto).
func (s AuthStyle) Valid() bool {
	switch s {
	case "", AuthAuto, AuthBasic, AuthPost, AuthPrivateKeyJWT, AuthTLSClient:
		return true
	}
	return false
}

// UsesSecret reports whether the style sends a client secret: basic, post
// and auto do; private_key_jwt and tls_client_auth prove the client with a
// key instead.
func (s AuthStyle) UsesSecret() bool {
	return s != AuthPrivateKeyJWT && s != AuthTLSClient
}

// OtherSecretStyle is the secret style to retry with after
// invalid_client: post for basic and basic for post; none for the others
// (auto already tried both).
func (s AuthStyle) OtherSecretStyle() AuthStyle {
	switch s {
	case AuthBasic:
		return AuthPost
	case AuthPost:
		return AuthBasic
	}
	return ""
}

// Period is the window a quota limit applies to.
type Period string

// Quota periods, counted in UTC.
const (
	PerHour  Period = "hour"
	PerDay   Period = "day"
	PerMonth Period = "month"
)

// Quota is a provider's limit on issued tokens.
type Quota struct {
	Limit int    `yaml:"limit" json:"limit"`
	Per   Period `yaml:"per" json:"per"`
}

// String renders the quota as "1000/month".
func (q Quota) String() string { return fmt.Sprintf("%d/%s", q.Limit, q.Per) }

// ParseQuota reads "1000/month" (also "1000/mo", "50/h", "200/day").
func ParseQuota(s string) (Quota, error) {
	n, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Quota{}, fmt.Errorf("quota %q: want LIMIT/PERIOD, for example 1000/month", s)
	}
	var q Quota
	if _, err := fmt.Sscanf(n, "%d", &q.Limit); err != nil || q.Limit <= 0 {
		return Quota{}, fmt.Errorf("quota %q: the limit must be a positive whole number", s)
	}
	switch strings.ToLower(per) {
	case "h", "hr", "hour":
		q.Per = PerHour
	case "d", "day":
		q.Per = PerDay
	case "mo", "mon", "month":
		q.Per = PerMonth
	default:
		return Quota{}, fmt.Errorf("quota %q: the period must be hour, day or month", s)
	}
	return q, nil
}

// Endpoint is an API call saved with a provider, used by test-calls.
type Endpoint struct {
	Name    string            `yaml:"name" json:"name"`
	Method  string            `yaml:"method,omitempty" json:"method,omitempty"`
	URL     string            `yaml:"url" json:"url"`
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	Body    string            `yaml:"body,omitempty" json:"body,omitempty"`
}

// ResponseMapping names the JSON fields of a non-standard token response.
// Each field is a top-level key (or a dotted path such as "data.token").
// A mapping wins over detection.
type ResponseMapping struct {
	AccessToken string `yaml:"access_token,omitempty" json:"access_token,omitempty"`
	TokenType   string `yaml:"token_type,omitempty" json:"token_type,omitempty"`
	ExpiresIn   string `yaml:"expires_in,omitempty" json:"expires_in,omitempty"`
	ExpiresAt   string `yaml:"expires_at,omitempty" json:"expires_at,omitempty"`
	Scope       string `yaml:"scope,omitempty" json:"scope,omitempty"`
}

// IsZero reports whether no field is mapped.
func (m *ResponseMapping) IsZero() bool { return m == nil || *m == ResponseMapping{} }

// Duration is a time.Duration written as "15s" in YAML and JSON.
type Duration time.Duration

// String renders the duration as Go does ("15s").
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; a bare number is seconds.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		*d = 0
		return nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil && strings.Trim(s, "0123456789.") == "" {
		if secs*float64(time.Second) >= math.MaxInt64 {
			return fmt.Errorf("duration %q: too long", s)
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: want a value such as 15s or 1m30s", s)
	}
	if v < 0 {
		return fmt.Errorf("duration %q: must not be negative", s)
	}
	*d = Duration(v)
	return nil
}

// Provider is one set of client credentials and how to use them.
//
// ClientSecret holds the plaintext secret only in memory: the store keeps it
// encrypted and never writes it to the providers bucket. ClientSecretRef
// (env:VAR, file:PATH or cmd:COMMAND) is resolved at fetch time and never
// stored resolved.
//
// JWKSURI, IntrospectURL and RevokeURL (jwks_uri, introspection_url and
// revocation_url in the file) override what discovery finds.
type Provider struct {
	Name   string `yaml:"name" json:"name"`
	Env    string `yaml:"env,omitempty" json:"env,omitempty"`
	Preset string `yaml:"preset,omitempty" json:"preset,omitempty"`
	// Grant is the kind of credential and how a token is got for it
	// (empty: client_credentials).
	Grant Grant `yaml:"grant,omitempty" json:"grant,omitempty"`
	// AuthorizeURL is the authorization endpoint a login opens in the
	// browser (grant authorization_code).
	AuthorizeURL string `yaml:"authorize_url,omitempty" json:"authorize_url,omitempty"`
	// RedirectPort is the loopback port of a login's redirect URI, for
	// servers that register one; 0 picks a free port (RFC 8252 §7.3).
	RedirectPort    int               `yaml:"redirect_port,omitempty" json:"redirect_port,omitempty"`
	TokenURL        string            `yaml:"token_url,omitempty" json:"token_url,omitempty"`
	Issuer          string            `yaml:"issuer,omitempty" json:"issuer,omitempty"`
	JWKSURI         string            `yaml:"jwks_uri,omitempty" json:"jwks_uri,omitempty"`
	IntrospectURL   string            `yaml:"introspection_url,omitempty" json:"introspection_url,omitempty"`
	RevokeURL       string            `yaml:"revocation_url,omitempty" json:"revocation_url,omitempty"`
	ClientID        string            `yaml:"client_id" json:"client_id"`
	ClientSecret    string            `yaml:"client_secret,omitempty" json:"-"`
	ClientSecretRef string            `yaml:"client_secret_ref,omitempty" json:"client_secret_ref,omitempty"`
	AuthStyle       AuthStyle         `yaml:"auth_style,omitempty" json:"auth_style,omitempty"`
	Scopes          []string          `yaml:"scopes,omitempty" json:"scopes,omitempty"`
	ScopeSeparator  string            `yaml:"scope_separator,omitempty" json:"scope_separator,omitempty"`
	Audience        string            `yaml:"audience,omitempty" json:"audience,omitempty"`
	Resource        string            `yaml:"resource,omitempty" json:"resource,omitempty"`
	Params          map[string]string `yaml:"params,omitempty" json:"params,omitempty"`
	Response        *ResponseMapping  `yaml:"response,omitempty" json:"response,omitempty"`
	Quota           *Quota            `yaml:"quota,omitempty" json:"quota,omitempty"`
	Endpoints       []Endpoint        `yaml:"endpoints,omitempty" json:"endpoints,omitempty"`
	Timeout         Duration          `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// DefaultLifetime is assumed when neither the body nor a JWT says when
	// the token expires (1h when unset).
	DefaultLifetime Duration `yaml:"default_lifetime,omitempty" json:"default_lifetime,omitempty"`
	CAFile          string   `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	// PrivateKeyFile is the PEM private key (PKCS#8, PKCS#1 RSA or SEC 1
	// EC) that signs the client assertion under private_key_jwt. Only the
	// path is kept; the key is read at fetch time.
	PrivateKeyFile string `yaml:"private_key_file,omitempty" json:"private_key_file,omitempty"`
	// PrivateKeyKID is sent as the assertion's kid header when set.
	PrivateKeyKID string `yaml:"private_key_kid,omitempty" json:"private_key_kid,omitempty"`
	// AssertionAlg is the assertion's signing algorithm (RS256, PS256,
	// ES256, EdDSA, …); empty means derived from the key.
	AssertionAlg string `yaml:"assertion_alg,omitempty" json:"assertion_alg,omitempty"`
	// AssertionAudience is the assertion's aud; empty means the issuer, or
	// the token URL when there is no issuer (or the preset says so).
	AssertionAudience string `yaml:"assertion_audience,omitempty" json:"assertion_audience,omitempty"`
	// TLSCertFile and TLSKeyFile are the PEM client certificate (chain)
	// and its key, presented in the TLS handshake: the client's proof
	// under tls_client_auth, and sent along under any other style (for
	// servers that want mTLS at the connection as well).
	TLSCertFile string `yaml:"tls_cert_file,omitempty" json:"tls_cert_file,omitempty"`
	TLSKeyFile  string `yaml:"tls_key_file,omitempty" json:"tls_key_file,omitempty"`
	// BasicEncoding is how HTTP Basic writes the id and secret: form (RFC
	// 6749 §2.3.1, the default) or raw, for servers that do not decode.
	BasicEncoding BasicEncoding `yaml:"basic_encoding,omitempty" json:"basic_encoding,omitempty"`
	// KeyHeader, KeyPrefix and KeyQuery say where an API key goes
	// (grant api_key): a header (Authorization with "Bearer " when
	// unset) with a prefix, or a query parameter. See [Provider.Placement].
	KeyHeader string `yaml:"key_header,omitempty" json:"key_header,omitempty"`
	KeyPrefix string `yaml:"key_prefix,omitempty" json:"key_prefix,omitempty"`
	KeyQuery  string `yaml:"key_query,omitempty" json:"key_query,omitempty"`
	// Expires and RotateBy are an API key's dates (YYYY-MM-DD or RFC
	// 3339): when it stops working, and when it is due for rotation.
	// WarnBefore is how long ahead the key is shown as due (14 days when
	// unset).
	Expires    string   `yaml:"expires,omitempty" json:"expires,omitempty"`
	RotateBy   string   `yaml:"rotate_by,omitempty" json:"rotate_by,omitempty"`
	WarnBefore LeadTime `yaml:"warn_before,omitempty" json:"warn_before,omitempty"`
	// InsecureHTTP allows an http:// token URL on a non-loopback host.
	InsecureHTTP bool   `yaml:"insecure_http,omitempty" json:"insecure_http,omitempty"`
	Notes        string `yaml:"notes,omitempty" json:"notes,omitempty"`

	// DeviceAuthURL is the RFC 8628 device authorization endpoint of
	// grant device_code (device_authorization_url; default: from
	// discovery).
	DeviceAuthURL string `yaml:"device_authorization_url,omitempty" json:"device_authorization_url,omitempty"`
}

// Defaults used when a provider leaves them unset.
const (
	DefaultTimeout  = 15 * time.Second
	DefaultLifetime = time.Hour
	MaxBodyBytes    = 1 << 20
)

// ValidName reports whether name is a valid provider name ([a-z0-9._-]+,
// but not "." or "..", which name directories).
func ValidName(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	for i := range len(name) {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// EffectiveTimeout is the provider's timeout or the 15 s default.
func (p Provider) EffectiveTimeout() time.Duration {
	if p.Timeout > 0 {
		return time.Duration(p.Timeout)
	}
	return DefaultTimeout
}

// EffectiveLifetime is the lifetime assumed when a response gives none.
func (p Provider) EffectiveLifetime() time.Duration {
	if p.DefaultLifetime > 0 {
		return time.Duration(p.DefaultLifetime)
	}
	return DefaultLifetime
}

// Separator is the scope separator, a space unless set.
func (p Provider) Separator() string {
	if p.ScopeSeparator == "" {
		return " "
	}
	return p.ScopeSeparator
}

// Style is the configured auth style, auto when unset.
func (p Provider) Style() AuthStyle {
	if p.AuthStyle == "" {
		return AuthAuto
	}
	return p.AuthStyle
}

// Endpoint finds a saved endpoint by name.
func (p Provider) Endpoint(name string) (Endpoint, bool) {
	for _, e := range p.Endpoints {
		if e.Name == name {
			return e, true
		}
	}
	return Endpoint{}, false
}
