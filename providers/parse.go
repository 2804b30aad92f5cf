package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/clockskew"
	"github.com/tokentop/tokentop/providers/safetext"
)

// ParseOptions carry what the parser needs besides the body.
type ParseOptions struct {
	// Mapping names non-standard fields; it wins over detection.
	Mapping *ResponseMapping
	// Now is when the answer arrived, by the local clock.
	Now time.Time
	// ServerDate is the answer's Date header (zero when absent).
	ServerDate time.Time
	// DefaultLifetime is assumed when neither the body nor a JWT says (1h
	// when zero).
	DefaultLifetime time.Duration
}

// Field names tried in order when no mapping is given.
var (
	accessTokenKeys = []string{"access_token", "accessToken", "AccessToken"}
	tokenTypeKeys   = []string{"token_type", "tokenType", "TokenType"}
	expiresInKeys   = []string{"expires_in", "expiresIn", "ExpiresIn", "expires"}
	expiresAtKeys   = []string{"expires_at", "expiresAt", "expires_on", "expiresOn", "accessTokenExpiresAt", "access_token_expires_at"}
	scopeKeys       = []string{"scope", "scp", "scopes"}
)

// ParseResponse reads a 2xx token response body of any shape tokentop knows:
// RFC 6749 §5.1, expires_in as a number, a numeric string or a float,
// expires_at/expires_on as epoch seconds, epoch milliseconds or RFC 3339,
// and camelCase variants such as seed 004's accessToken and
// accessTokenExpiresAt. Every form of expiry, the JWT's exp and the default
// lifetime included, passes one rule: in the future and at most
// [MaxLifetime] away. A 200 that carries an error, is not JSON, or has no
// access token is an *Error of kind KindOAuth or KindResponse.
func ParseResponse(body []byte, o ParseOptions) (*Token, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &Error{Kind: KindResponse, Description: "the token endpoint answered 2xx with an empty body"}
	}
	if trimmed[0] != '{' {
		return nil, nonJSONResponse(trimmed)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, &Error{Kind: KindResponse, Description: "the token endpoint answered 2xx with malformed JSON", Err: err}
	}
	if oe := oauthErrorFromJSON(m); oe != nil {
		oe.Description = "a 2xx answer carrying an error: " + oe.Description
		return nil, oe
	}

	mp := o.Mapping
	if mp == nil {
		mp = &ResponseMapping{}
	}
	tok := &Token{IssuedAt: o.Now, ServerDate: o.ServerDate}
	tok.AccessToken = lookupString(m, mp.AccessToken, accessTokenKeys)
	if tok.AccessToken == "" {
		desc := "the token response has no access token"
		if mp.AccessToken != "" {
			desc = fmt.Sprintf("the token response has no %q field (from the response mapping)", mp.AccessToken)
		}
		return nil, &Error{Kind: KindResponse, Description: desc + "; fields present: " + strings.Join(sortedKeys(m), ", "),
			Hint: "if the token is under another name, map it with `response: {access_token: FIELD}`"}
	}
	if strings.IndexFunc(tok.AccessToken, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		// RFC 6749 A.12: an access token is printable ASCII. Anything else
		// would reach terminals and scripts through `tokentop token`.
		return nil, &Error{Kind: KindResponse, Description: "the access token holds characters outside printable ASCII (RFC 6749 appendix A.12); tokentop will not hand it out",
			Hint: "check token_url and the response mapping: this does not look like a token"}
	}
	tok.TokenType = normaliseTokenType(lookupString(m, mp.TokenType, tokenTypeKeys))
	tok.Scope = lookupScope(m, mp.Scope)
	if err := setUserTokens(tok, m, o.Now); err != nil {
		return nil, err
	}

	if !o.ServerDate.IsZero() {
		tok.Skew = o.Now.Sub(o.ServerDate).Truncate(time.Second)
	}
	if err := setExpiry(tok, m, mp, o, tok.Skew); err != nil {
		return nil, err
	}
	// An exp earlier than the body's expiry wins (capExpiryByJWT), and may
	// make the token dead on arrival after all.
	if e := capExpiryByJWT(tok, o.Now); e != nil {
		return nil, e
	}
	if !tok.ExpiresAt.After(o.Now) {
		// The expiry is on this machine's clock here; deadOnArrival
		// takes it on the issuer's.
		return nil, deadOnArrival(tok.ExpirySource, tok.ExpiresAt.Add(-tok.Skew), "", o, tok.Skew)
	}
	if life := tok.Lifetime(); life <= RefreshMargin(life) || life <= MinRefreshMargin {
		tok.Warnings = append(tok.Warnings, fmt.Sprintf("the token lives %s, less than the refresh margin %s: it cannot be cached%s",
			life.Round(time.Second), RefreshMargin(life), skewNote(tok.Skew)))
	}
	// One Date cannot say whose clock is off: the verdict is
	// clockskew.Check's, the doctor's clock step's too, with one clock.
	if ch := clockskew.Check("clock", &clockskew.Measure{Offset: tok.Skew, Bound: clockskew.DateResolution}, nil); ch.Status == check.Warn {
		tok.Warnings = append(tok.Warnings, "clock skew: "+ch.Detail+": "+ch.Hint)
	}
	return tok, nil
}

// lookup finds a value by the mapped key (a dotted path) or, when none is
// mapped, the first of keys present.
func lookup(m map[string]any, mapped string, keys []string) (any, string, bool) {
	if mapped != "" {
		v, ok := path(m, mapped)
		return v, mapped, ok && v != nil
	}
	for _, k := range keys {
		if v, ok := m[k]; ok && v != nil {
			if s, isStr := v.(string); isStr && s == "" {
				continue
			}
			return v, k, true
		}
	}
	return nil, "", false
}

func path(m map[string]any, p string) (any, bool) {
	var cur any = m
	for _, part := range strings.Split(p, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func lookupString(m map[string]any, mapped string, keys []string) string {
	v, _, ok := lookup(m, mapped, keys)
	if !ok {
		return ""
	}
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

func lookupScope(m map[string]any, mapped string) string {
	v, _, ok := lookup(m, mapped, scopeKeys)
	if !ok {
		return ""
	}
	switch s := v.(type) {
	case string:
		return safetext.Line(s)
	case []any:
		parts := make([]string, 0, len(s))
		for _, x := range s {
			if str, ok := x.(string); ok {
				parts = append(parts, str)
			}
		}
		return safetext.Line(strings.Join(parts, " "))
	}
	return ""
}

func normaliseTokenType(s string) string {
	s = safetext.Line(s) // first, so a type of only control characters counts as none
	switch {
	case s == "":
		return "Bearer"
	case strings.EqualFold(s, "bearer"):
		return "Bearer"
	case strings.EqualFold(s, "dpop"):
		return "DPoP"
	case strings.EqualFold(s, "mac"):
		return "MAC"
	}
	return s
}

// number reads a JSON number or a numeric string.
func number(v any) (float64, error) {
	var f float64
	var err error
	switch x := v.(type) {
	case json.Number:
		f, err = x.Float64()
	case string:
		f, err = strconv.ParseFloat(strings.TrimSpace(x), 64)
	case float64:
		f = x
	default:
		return 0, fmt.Errorf("not a number")
	}
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = fmt.Errorf("not a finite number")
	}
	return f, err
}

// instant reads epoch seconds, epoch milliseconds (numbers above 1e11) or an
// RFC 3339 time. reading says which epoch unit a number was read in ("" for
// a text time), for messages: a 12-digit number of seconds is read as
// milliseconds.
func instant(v any) (t time.Time, reading string, err error) {
	if f, err := number(v); err == nil {
		if f <= 0 || f > 1e15 {
			return time.Time{}, "", fmt.Errorf("epoch %v is out of range", f)
		}
		if f > 1e11 {
			return time.UnixMilli(int64(f)), "epoch milliseconds", nil
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), "epoch seconds", nil
	}
	s, ok := v.(string)
	if !ok {
		return time.Time{}, "", fmt.Errorf("want epoch seconds, epoch milliseconds or RFC 3339")
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05Z07:00", time.RFC1123, time.RFC1123Z} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, "", nil
		}
	}
	return time.Time{}, "", fmt.Errorf("want epoch seconds, epoch milliseconds or RFC 3339")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, safetext.Line(k))
	}
	slices.Sort(keys)
	return keys
}

func skewNote(skew time.Duration) string {
	if skew == 0 {
		return ""
	}
	return "; clock skew: local is " + skewWords(skew) + " the server"
}

func skewWords(skew time.Duration) string {
	if skew >= 0 {
		return skew.String() + " ahead of"
	}
	return (-skew).String() + " behind"
}
