package providers

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// Retry-After values are clamped to this range.
const (
	minRetryAfter = time.Second
	maxRetryAfter = time.Hour
)

// ClassifyResponse turns a non-2xx answer from a token endpoint into an
// *Error: RFC 6749 §5.2 bodies, Auth0's access_denied, seed 004's
// {statusCode, status, code, message, name}, nested {"error": {…}} objects,
// text/plain and HTML bodies, redirects, and 429/503 with Retry-After. The
// hint is worded for p and the auth style that was used.
func ClassifyResponse(status int, h http.Header, body []byte, p Provider, style AuthStyle, now time.Time) *Error {
	e := &Error{Provider: p.Name, Status: status, Kind: KindHTTP}
	switch {
	case status >= 300 && status < 400:
		e.Kind = KindRedirect
		loc := safetext.Line(h.Get("Location"))
		e.Description = fmt.Sprintf("the token endpoint redirected (%d) to %q; tokentop never follows a token endpoint's redirect, since the credentials would go along", status, loc)
		e.Hint = "set token_url to the final address, if you trust it"
		return e
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		e.Kind = KindRateLimited
		e.RetryAfter = ParseRetryAfter(h.Get("Retry-After"), now)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) == nil {
			if oe := oauthErrorFromJSON(m); oe != nil {
				if e.Kind != KindRateLimited {
					e.Kind = KindOAuth
				}
				e.Code, e.Description, e.URI = oe.Code, oe.Description, oe.URI
			} else if msg := firstString(m, "message", "error_description", "detail", "title"); msg != "" {
				e.Description = Truncate(safetext.Line(msg), 200)
			}
		}
	} else if len(trimmed) > 0 {
		pg := readPage(trimmed)
		e.Description, e.page = pg.describe(), pg.kind()
		if status == http.StatusUnauthorized {
			// A 401 is the credentials, whatever page carries it: a
			// login-looking page must not send the user to token_url.
			e.page = pageOther
		}
	}
	if e.Description == "" && e.Code == "" {
		e.Description = http.StatusText(status)
	}
	// An HTML page that says what it is explains the status better than
	// the status alone (a login page behind a 200 or 403, a gateway's
	// behind a 500); a 401's page never counts (above).
	e.Hint = cmp.Or(e.page.hint("token_url"), hintFor(e, p, style))
	return e
}

// oauthErrorFromJSON recognises the error shapes providers send, or nil.
func oauthErrorFromJSON(m map[string]any) *Error {
	switch v := m["error"].(type) {
	case string:
		if v == "" {
			break
		}
		return &Error{Kind: KindOAuth, Code: safetext.Line(v),
			Description: safetext.Line(firstString(m, "error_description", "errorDescription", "message")),
			URI:         safetext.Line(firstString(m, "error_uri", "errorUri"))}
	case map[string]any: // {"error": {"code": "...", "message": "..."}}
		code := firstString(v, "code", "status", "name")
		if code == "" {
			if n, ok := v["code"].(json.Number); ok {
				code = n.String()
			}
		}
		return &Error{Kind: KindOAuth, Code: safetext.Line(code), Description: safetext.Line(firstString(v, "message", "description"))}
	}
	// Seed 004: {"statusCode":400,"status":400,"code":400,"message":"…","name":"invalid_scope"}
	if name, ok := m["name"].(string); ok && name != "" {
		if _, hasStatus := m["statusCode"]; hasStatus {
			return &Error{Kind: KindOAuth, Code: safetext.Line(name), Description: safetext.Line(firstString(m, "message"))}
		}
	}
	return nil
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// ParseRetryAfter reads a Retry-After header (delay seconds or an HTTP date)
// and clamps it to [1s, 1h]; an absent or unreadable header is 0.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs > maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		d = time.Duration(secs * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0
	}
	return min(max(d, minRetryAfter), maxRetryAfter)
}
