package providers

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// API keys (grant: api_key) are static secrets: nothing is exchanged. The
// key is the provider's client secret (client_secret, client_secret_ref
// or --client-secret-stdin), sealed at rest as every secret is; it is sent
// to the API as a header (Authorization: Bearer KEY by default, or any
// header key_header names, with key_prefix in front) or as the query
// parameter key_query. An optional expires (the key stops working) and
// rotate_by (the key is due for rotation) date drive the countdown, with
// a warning warn_before ahead (14 days by default).

// TokenTypeAPIKey is the token type of an API key handed out as a token:
// what `tokentop exec` puts in VAR_TYPE.
const TokenTypeAPIKey = "api-key"

// DefaultWarnBefore is how long before its date an API key is shown as
// due, when warn_before is not set.
const DefaultWarnBefore = 14 * 24 * time.Hour

// DefaultKeyHeader and DefaultKeyPrefix are how a key goes when no
// key_header or key_query is set: Authorization: Bearer KEY, which most
// APIs with static keys take and which a client-credentials token uses.
const (
	DefaultKeyHeader = "Authorization"
	DefaultKeyPrefix = "Bearer "
)

// NoKeyPrefix is the key_prefix that sends the key alone, even in the
// Authorization header.
const NoKeyPrefix = "none"

// IsAPIKey reports whether t is an API key rather than an issued token.
func (t *Token) IsAPIKey() bool { return t != nil && t.TokenType == TokenTypeAPIKey }

// IsAPIKey reports whether the provider holds an API key.
func (p Provider) IsAPIKey() bool { return p.Grant == GrantAPIKey }

// ParseKeyDate reads an expires or rotate_by date: RFC 3339, or
// YYYY-MM-DD (the start of that day, UTC).
func ParseKeyDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date: want YYYY-MM-DD or RFC 3339 (2026-05-01T00:00:00Z)", s)
}

// KeyDate is when an API key is next due, and which setting says so: the
// earlier of expires and rotate_by; zero (and "") when neither is set or
// readable.
func (p Provider) KeyDate() (time.Time, string) {
	var at time.Time
	var from string
	for _, d := range []struct{ key, v string }{{"expires", p.Expires}, {"rotate_by", p.RotateBy}} {
		if d.v == "" {
			continue
		}
		t, err := ParseKeyDate(d.v)
		if err == nil && (at.IsZero() || t.Before(at)) {
			at, from = t, d.key
		}
	}
	return at, from
}

// EffectiveWarnBefore is warn_before, or 14 days when unset.
func (p Provider) EffectiveWarnBefore() time.Duration {
	if p.WarnBefore > 0 {
		return time.Duration(p.WarnBefore)
	}
	return DefaultWarnBefore
}

// KeyStatus is an API key's state at now: expired once past expires (or,
// when only rotate_by is set, never: a key past its rotation date still
// works, and is shown as expiring), expiring inside warn_before of its
// date or past rotate_by, valid otherwise or with no date.
func (p Provider) KeyStatus(now time.Time) Status {
	if p.Expires != "" {
		if t, err := ParseKeyDate(p.Expires); err == nil && !now.Before(t) {
			return StatusExpired
		}
	}
	at, _ := p.KeyDate()
	if !at.IsZero() && !now.Before(at.Add(-p.EffectiveWarnBefore())) {
		return StatusExpiring
	}
	return StatusValid
}

// KeyToken is the key as a token (key "" for its metadata alone): type
// api-key, expiring at [Provider.KeyDate] (zero: no expiry).
func (p Provider) KeyToken(key string) *Token {
	at, from := p.KeyDate()
	return &Token{AccessToken: key, TokenType: TokenTypeAPIKey, ExpiresAt: at, ExpirySource: from}
}

// KeyProblem is the error for an API key past its expires date, nil when
// it has none or is before it.
func (p Provider) KeyProblem(now time.Time) error {
	if p.Expires == "" {
		return nil
	}
	t, err := ParseKeyDate(p.Expires)
	if err != nil || now.Before(t) {
		return nil
	}
	return &Error{Kind: KindConfig, Provider: p.Name,
		Description: fmt.Sprintf("the API key expired on %s (%s ago)", KeyDay(t), DaysText(now.Sub(t))),
		Hint:        KeyRotationHint(p.Name, "expires")}
}

// KeyWarning words an API key inside its warning lead time or past its
// rotation date ("" when neither).
func (p Provider) KeyWarning(now time.Time) string {
	at, from := p.KeyDate()
	if at.IsZero() || p.KeyStatus(now) != StatusExpiring {
		return ""
	}
	what := "expires"
	if from == "rotate_by" {
		what = "is due for rotation"
	}
	if !now.Before(at) {
		return fmt.Sprintf("the API key of %s was due for rotation on %s, %s ago: rotate it before it stops working", p.Name, KeyDay(at), DaysText(now.Sub(at)))
	}
	return fmt.Sprintf("the API key of %s %s in %s, on %s (warn_before %s): rotate it", p.Name, what, DaysText(at.Sub(now)), KeyDay(at), DaysText(p.EffectiveWarnBefore()))
}

// KeyDay writes a key date as a day, or with its time when it has one.
func KeyDay(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// DaysText is a key's time left in whole days ("41d"), or hours under a
// day ("5h"), or "<1h".
func DaysText(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd", int64(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int64(d/time.Hour))
	}
	return "<1h"
}

// KeyCountdown is what `ls` and the dashboard show of an API key's time
// left at now: "41d", "expired 3d ago", or "no expiry".
func KeyCountdown(t *Token, now time.Time) string {
	if t == nil || t.ExpiresAt.IsZero() {
		return "no expiry"
	}
	if left := t.ExpiresAt.Sub(now); left > 0 {
		return DaysText(left)
	}
	return "past " + DaysText(now.Sub(t.ExpiresAt))
}

// KeyPlacement is where an API key goes in a request: a header (with a
// prefix) or a query parameter.
type KeyPlacement struct {
	Header string // the header's canonical name, "" when Query is set
	Prefix string // sent before the key in the header
	Query  string // the query parameter, "" when Header is set
}

// Placement is where p's API key goes.
func (p Provider) Placement() KeyPlacement {
	if p.KeyQuery != "" {
		return KeyPlacement{Query: p.KeyQuery}
	}
	h := http.CanonicalHeaderKey(p.KeyHeader)
	if h == "" {
		h = DefaultKeyHeader
	}
	prefix := p.KeyPrefix
	switch {
	case prefix == NoKeyPrefix:
		prefix = ""
	case prefix == "" && h == DefaultKeyHeader:
		prefix = DefaultKeyPrefix
	}
	return KeyPlacement{Header: h, Prefix: prefix}
}

// String names the placement for a person: `header X-Api-Key` or `query
// parameter api_key`.
func (k KeyPlacement) String() string {
	if k.Query != "" {
		return "query parameter " + k.Query
	}
	if k.Prefix != "" {
		return fmt.Sprintf("header %s (%q prefix)", k.Header, k.Prefix)
	}
	return "header " + k.Header
}

// Strip removes any copy of the key's header or query parameter a client
// sent, reporting whether there was one.
func (k KeyPlacement) Strip(req *http.Request) bool {
	if k.Query != "" {
		q := req.URL.Query()
		if !q.Has(k.Query) {
			return false
		}
		q.Del(k.Query)
		req.URL.RawQuery = q.Encode()
		return true
	}
	had := len(req.Header.Values(k.Header)) > 0
	req.Header.Del(k.Header)
	return had
}

// Apply puts key in req where k says, replacing any copy there.
func (k KeyPlacement) Apply(req *http.Request, key string) {
	if k.Query != "" {
		q := req.URL.Query()
		q.Set(k.Query, key)
		req.URL.RawQuery = q.Encode()
		return
	}
	req.Header.Set(k.Header, k.Prefix+key)
}

// KeyRotationHint says how to rotate the API key of the provider called
// name and move its date setting (expires or rotate_by) on.
func KeyRotationHint(name, date string) string {
	return fmt.Sprintf("rotate it: get a new key from the vendor, store it with `tokentop add %s --client-secret-stdin` (only the key changes), "+
		"and move %s: to the new key's date in the providers file (then `tokentop import` it)", name, date)
}
