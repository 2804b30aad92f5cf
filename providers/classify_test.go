package providers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var classifyNow = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

func TestClassifyResponse(t *testing.T) {
	p := Provider{Name: "acme", Scopes: []string{"api/read", "api/write"}, ClientSecret: "s"}
	withAudience := Provider{Name: "wave", Audience: "https://api.wave.bemobi.com", ClientSecretRef: "env:WAVE_SECRET"}
	noSecret := Provider{Name: "bare", ClientID: "c"}
	withKey := Provider{Name: "keyed", ClientID: "c", AuthStyle: AuthPrivateKeyJWT, PrivateKeyKID: "k1", TokenURL: "https://a.example/token", AssertionAudience: "https://a.example/token"}
	jsonH := http.Header{"Content-Type": {"application/json"}}
	rfc := func(code string) string {
		return fmt.Sprintf(`{"error":%q,"error_description":"the %s description","error_uri":"https://errors.example/%s"}`, code, code, code)
	}
	tests := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		p          Provider
		style      AuthStyle
		kind       ErrorKind
		code, uri  string
		desc       string // substring of Description
		hint       string // substring of Hint; "-" means the hint is empty
		retryAfter time.Duration
		msg        []string // substrings of Error()
	}{
		// RFC 6749 §5.2, with description and URI kept.
		{name: "invalid_request", status: 400, header: jsonH, body: rfc("invalid_request"), p: p, style: AuthBasic,
			kind: KindOAuth, code: "invalid_request", uri: "https://errors.example/invalid_request", desc: "the invalid_request description",
			hint: "a required parameter (audience, scope, resource) may be missing",
			msg:  []string{"acme: token endpoint answered 400 invalid_request: the invalid_request description"}},
		{name: "invalid_request with an audience", status: 400, header: jsonH, body: rfc("invalid_request"), p: withAudience, style: AuthBasic,
			kind: KindOAuth, code: "invalid_request", uri: "https://errors.example/invalid_request", desc: "the invalid_request description",
			hint: `check that the client may ask for the audience "https://api.wave.bemobi.com"`},
		// fosite answers an assertion with an unknown kid with invalid_request.
		{name: "invalid_request under private_key_jwt", status: 400, header: jsonH, body: rfc("invalid_request"), p: withKey, style: AuthPrivateKeyJWT,
			kind: KindOAuth, code: "invalid_request", uri: "https://errors.example/invalid_request", desc: "the invalid_request description",
			hint: `most often the client assertion: check that it knows this key (register the public key of private_key_file, or its JWKS URL) under kid "k1"`},
		{name: "invalid_client under basic", status: 401, header: jsonH, body: rfc("invalid_client"), p: p, style: AuthBasic,
			kind: KindOAuth, code: "invalid_client", uri: "https://errors.example/invalid_client", desc: "the invalid_client description",
			hint: "try `auth_style: post`"},
		{name: "invalid_client under post", status: 400, header: jsonH, body: rfc("invalid_client"), p: p, style: AuthPost,
			kind: KindOAuth, code: "invalid_client", uri: "https://errors.example/invalid_client", desc: "the invalid_client description",
			hint: "try `auth_style: basic`"},
		{name: "invalid_client after both styles", status: 401, header: jsonH, body: rfc("invalid_client"), p: p, style: AuthAuto,
			kind: KindOAuth, code: "invalid_client", uri: "https://errors.example/invalid_client", desc: "the invalid_client description",
			hint: "both auth styles were refused"},
		// No secret set: said before a rotated secret or another style.
		{name: "invalid_client with no secret set", status: 401, header: jsonH, body: rfc("invalid_client"), p: noSecret, style: AuthBasic,
			kind: KindOAuth, code: "invalid_client", uri: "https://errors.example/invalid_client", desc: "the invalid_client description",
			hint: "no client secret is set for bare: give it one with `tokentop add bare --client-secret-stdin` (which sets only the secret), or with `client_secret:` or `client_secret_ref:` in the YAML"},
		{name: "401 with no body and no secret set", status: 401, p: noSecret, style: AuthPost,
			kind: KindHTTP, hint: "no client secret is set for bare"},
		{name: "invalid_request with no secret set", status: 400, header: jsonH, body: rfc("invalid_request"), p: noSecret, style: AuthAuto,
			kind: KindOAuth, code: "invalid_request", uri: "https://errors.example/invalid_request", desc: "the invalid_request description",
			hint: "no client secret is set for bare"},
		{name: "invalid_grant", status: 400, header: jsonH, body: rfc("invalid_grant"), p: p, style: AuthBasic,
			kind: KindOAuth, code: "invalid_grant", uri: "https://errors.example/invalid_grant", desc: "the invalid_grant description", hint: "-"},
		{name: "unauthorized_client", status: 400, header: jsonH, body: rfc("unauthorized_client"), p: p, style: AuthBasic,
			kind: KindOAuth, code: "unauthorized_client", uri: "https://errors.example/unauthorized_client", desc: "the unauthorized_client description",
			hint: "may not use the client credentials grant"},
		{name: "unsupported_grant_type", status: 400, header: jsonH, body: rfc("unsupported_grant_type"), p: p, style: AuthBasic,
			kind: KindOAuth, code: "unsupported_grant_type", uri: "https://errors.example/unsupported_grant_type", desc: "the unsupported_grant_type description",
			hint: "not enabled for the client credentials grant"},
		{name: "invalid_scope", status: 400, header: jsonH, body: rfc("invalid_scope"), p: p, style: AuthBasic,
			kind: KindOAuth, code: "invalid_scope", uri: "https://errors.example/invalid_scope", desc: "the invalid_scope description",
			hint: "the server refused the scopes asked for: api/read api/write"},
		{name: "invalid_scope, commas in space-separated scopes", status: 400, header: jsonH, body: rfc("invalid_scope"),
			p: Provider{Scopes: []string{"item,event"}}, style: AuthPost,
			kind: KindOAuth, code: "invalid_scope", uri: "https://errors.example/invalid_scope", desc: "the invalid_scope description",
			hint: "does this provider want `scope_separator: \",\"`?"},
		{name: "invalid_scope, no scopes asked", status: 400, header: jsonH, body: rfc("invalid_scope"), p: Provider{}, style: AuthPost,
			kind: KindOAuth, code: "invalid_scope", uri: "https://errors.example/invalid_scope", desc: "the invalid_scope description",
			hint: "asked for: (none)"},
		{name: "invalid_target", status: 400, header: jsonH, body: rfc("invalid_target"),
			p: Provider{Resource: "https://api.example/", Audience: "aud"}, style: AuthPost,
			kind: KindOAuth, code: "invalid_target", uri: "https://errors.example/invalid_target", desc: "the invalid_target description",
			hint: `resource "https://api.example/" was sent and refused`},

		// Auth0 (seed 003).
		{name: "Auth0 403 access_denied with an audience", status: 403, header: jsonH, p: withAudience, style: AuthPost,
			body: `{"error":"access_denied","error_description":"Client is not authorized to access \"https://api.wave.bemobi.com\". You need to create a \"client-grant\" associated to this API."}`,
			kind: KindOAuth, code: "access_denied", desc: "Client is not authorized", hint: `audience "https://api.wave.bemobi.com" was sent and the server knows the API, but the client has no grant for it`},
		{name: "Auth0 403 access_denied without an audience", status: 403, header: jsonH, p: p, style: AuthPost,
			body: `{"error":"access_denied","error_description":"No audience parameter was provided, and no default audience has been configured"}`,
			kind: KindOAuth, code: "access_denied", desc: "No audience parameter", hint: "no audience or resource was sent, and the server wants one: set `audience:`"},
		{name: "Auth0 401 access_denied", status: 401, header: jsonH, p: withAudience, style: AuthPost,
			body: `{"error":"access_denied","error_description":"Unauthorized"}`,
			kind: KindOAuth, code: "access_denied", desc: "Unauthorized", hint: "refused the client credentials",
			msg: []string{"wave: token endpoint answered 401 access_denied: Unauthorized"}},

		// Vendor shapes.
		{name: "seed 004 shape", status: 400, header: jsonH, p: Provider{Scopes: []string{"item", "orders"}, ScopeSeparator: ","}, style: AuthPost,
			body: `{"statusCode":400,"status":400,"code":400,"message":"Invalid scope: Requested scope is invalid","name":"invalid_scope"}`,
			kind: KindOAuth, code: "invalid_scope", desc: "Invalid scope: Requested scope is invalid", hint: "asked for: item,orders"},
		{name: "nested error object", status: 401, header: jsonH, p: p, style: AuthBasic,
			body: `{"error":{"code":"invalid_client","message":"Client secret expired"}}`,
			kind: KindOAuth, code: "invalid_client", desc: "Client secret expired", hint: "auth_style: post"},
		{name: "nested error with a numeric code", status: 400, header: jsonH, p: p, style: AuthBasic,
			body: `{"error":{"code":40001,"message":"bad"}}`,
			kind: KindOAuth, code: "40001", desc: "bad", hint: "-"},
		{name: "JSON message without an error code", status: 500, header: jsonH, p: p, style: AuthBasic,
			body: `{"message":"Internal failure \u001b[5mNOW\u001b[0m\r\nretry"}`,
			kind: KindHTTP, desc: "Internal failure NOW retry", hint: "the authorization server failed"},
		{name: "problem+json detail", status: 401, header: http.Header{"Content-Type": {"application/problem+json"}}, p: p, style: AuthBasic,
			body: `{"type":"about:blank","title":"Unauthorized","detail":"Bad client credentials"}`,
			kind: KindHTTP, desc: "Bad client credentials", hint: "401 under HTTP Basic"},
		{name: "JSON with nothing readable", status: 400, header: jsonH, p: p, style: AuthBasic, body: `{"ok":false}`,
			kind: KindHTTP, desc: "Bad Request", hint: "-"},
		{name: "malformed JSON", status: 400, header: jsonH, p: p, style: AuthBasic, body: `{"error":`,
			kind: KindHTTP, desc: "Bad Request", hint: "-"},

		// Text and HTML.
		{name: "text/plain: first line, sanitised", status: 401, header: http.Header{"Content-Type": {"text/plain"}}, p: p, style: AuthPost,
			body: "Unauthorized\x1b[2J\x07 client\r\nsecond line", kind: KindHTTP, desc: `"Unauthorized client"`, hint: "401 with credentials in the body"},
		// A text line is a message, not a page: its words never replace
		// the status's hint (once "Client authentication failed" sent the
		// user to token_url as an SSO page, and "upstream" in a 500's text
		// gave the gateway hint).
		{name: "text/plain 401 naming authentication", status: 401, header: http.Header{"Content-Type": {"text/plain"}}, p: p, style: AuthBasic,
			body: "Client authentication failed", kind: KindHTTP, desc: `"Client authentication failed"`, hint: "401 under HTTP Basic: check the client id and secret"},
		{name: "text/plain 500 naming upstream", status: 500, header: http.Header{"Content-Type": {"text/plain"}}, p: p, style: AuthBasic,
			body: "upstream request timeout", kind: KindHTTP, desc: `"upstream request timeout"`, hint: "the authorization server failed: try again later, and check its status page"},
		{name: "HTML login page behind a 401", status: 401, header: http.Header{"Content-Type": {"text/html"}}, p: p, style: AuthPost,
			body: "<html><title>Sign in</title></html>", kind: KindHTTP, desc: `titled "Sign in"`, hint: "401 with credentials in the body: check the client id and secret"},
		{name: "HTML login page behind a 403", status: 403, header: http.Header{"Content-Type": {"text/html"}}, p: p, style: AuthPost,
			body: "<html><title>Sign in</title></html>", kind: KindHTTP, desc: `titled "Sign in"`, hint: "it points at a web login (SSO) page"},
		{name: "seed 001: 401 with no body", status: 401, p: p, style: AuthBasic,
			kind: KindHTTP, desc: "Unauthorized", hint: "401 under HTTP Basic: check the client id and secret, or try `auth_style: post`"},
		{name: "401 with no body under auto", status: 401, p: p, style: AuthAuto,
			kind: KindHTTP, desc: "Unauthorized", hint: "the server refused the client credentials"},
		{name: "HTML 404", status: 404, header: http.Header{"Content-Type": {"text/html"}}, p: p, style: AuthBasic,
			body: "<html><head><TITLE>404 Not Found</TITLE></head></html>", kind: KindHTTP, desc: `an HTML page titled "404 Not Found"`, hint: "check token_url"},
		{name: "405", status: 405, p: p, style: AuthBasic, kind: KindHTTP, desc: "Method Not Allowed", hint: "check token_url"},
		{name: "403 without a body, with an audience", status: 403, p: withAudience, style: AuthPost,
			kind: KindHTTP, desc: "Forbidden", hint: `check the audience "https://api.wave.bemobi.com"`},
		{name: "403 without a body or audience", status: 403, p: p, style: AuthPost,
			kind: KindHTTP, desc: "Forbidden", hint: "whether the provider needs an audience"},
		{name: "502 HTML from a proxy", status: 502, p: p, style: AuthBasic,
			body: "<html><title>502 Bad Gateway</title></html>", kind: KindHTTP, desc: "502 Bad Gateway", hint: "authorization server failed"},

		// Rate limits.
		{name: "429 Retry-After seconds", status: 429, header: http.Header{"Retry-After": {"30"}}, p: p, style: AuthBasic,
			kind: KindRateLimited, desc: "Too Many Requests", retryAfter: 30 * time.Second, hint: "rate limiting",
			msg: []string{"token endpoint answered 429: Too Many Requests (retry after 30s)"}},
		{name: "429 Retry-After HTTP-date", status: 429, p: p, style: AuthBasic,
			header: http.Header{"Retry-After": {classifyNow.Add(2 * time.Minute).Format(http.TimeFormat)}},
			kind:   KindRateLimited, desc: "Too Many Requests", retryAfter: 2 * time.Minute, hint: "rate limiting"},
		{name: "429 Retry-After clamped up", status: 429, header: http.Header{"Retry-After": {"0"}}, p: p, style: AuthBasic,
			kind: KindRateLimited, retryAfter: time.Second, desc: "Too Many Requests", hint: "rate limiting"},
		{name: "429 Retry-After clamped down", status: 429, header: http.Header{"Retry-After": {"86400"}}, p: p, style: AuthBasic,
			kind: KindRateLimited, retryAfter: time.Hour, desc: "Too Many Requests", hint: "rate limiting"},
		{name: "429 with an OAuth body keeps the kind", status: 429, header: http.Header{"Retry-After": {"5"}}, p: p, style: AuthBasic,
			body: `{"error":"too_many_requests","error_description":"Global limit has been reached"}`,
			kind: KindRateLimited, code: "too_many_requests", desc: "Global limit", retryAfter: 5 * time.Second, hint: "token quota is used up"},
		{name: "503 without Retry-After", status: 503, p: p, style: AuthBasic,
			kind: KindRateLimited, desc: "Service Unavailable", hint: "rate limiting or unavailable"},

		// Redirects.
		{name: "307", status: 307, header: http.Header{"Location": {"https://login.example/token"}}, p: p, style: AuthBasic,
			kind: KindRedirect, desc: `redirected (307) to "https://login.example/token"`, hint: "set token_url to the final address"},
		{name: "302 with escapes in Location", status: 302, header: http.Header{"Location": {"https://x/\x1b[31mred"}}, p: p, style: AuthBasic,
			kind: KindRedirect, desc: `to "https://x/red"`, hint: "final address"},

		// Server text with escapes never reaches Error() raw.
		{name: "escapes in every field", status: 400, header: jsonH, p: p, style: AuthPost,
			body: `{"error":"invalid_\u001b[31mrequest","error_description":"line\u001b]8;;https://evil\u001b\\click\u001b]8;;\u001b\\\nnext\u009b2J\u202eend","error_uri":"https://x/\u0007y"}`,
			kind: KindOAuth, code: "invalid_request", uri: "https://x/y", desc: "lineclick nextend", hint: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			e := ClassifyResponse(tt.status, h, []byte(tt.body), tt.p, tt.style, classifyNow)
			if e.Kind != tt.kind || e.Code != tt.code || e.Status != tt.status || e.Provider != tt.p.Name {
				t.Errorf("Kind %s Code %q Status %d Provider %q; want %s %q %d %q", e.Kind, e.Code, e.Status, e.Provider, tt.kind, tt.code, tt.status, tt.p.Name)
			}
			if e.URI != tt.uri {
				t.Errorf("URI = %q, want %q", e.URI, tt.uri)
			}
			if !strings.Contains(e.Description, tt.desc) {
				t.Errorf("Description = %q, want it to hold %q", e.Description, tt.desc)
			}
			switch {
			case tt.hint == "-" && e.Hint != "":
				t.Errorf("Hint = %q, want none", e.Hint)
			case tt.hint != "-" && (tt.hint == "" || !strings.Contains(e.Hint, tt.hint)):
				t.Errorf("Hint = %q, want it to hold %q", e.Hint, tt.hint)
			}
			if e.RetryAfter != tt.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, tt.retryAfter)
			}
			msg := e.Error()
			for _, s := range tt.msg {
				if !strings.Contains(msg, s) {
					t.Errorf("Error() = %q, want it to hold %q", msg, s)
				}
			}
			assertTerminalSafe(t, "Error()", msg)
			assertTerminalSafe(t, "Hint", e.Hint)
		})
	}
}

// assertTerminalSafe fails when s holds an escape, a control character
// (newlines and tabs included: these are one-line fields), a bidi control or
// invalid UTF-8.
func assertTerminalSafe(t *testing.T, what, s string) {
	t.Helper()
	for i, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || !utf8.ValidString(s) {
			t.Errorf("%s holds %U at %d: %q", what, r, i, s)
			return
		}
	}
}

func TestClassifyResponseLongMessagesAreCut(t *testing.T) {
	long := strings.Repeat("x", 5000)
	e := ClassifyResponse(500, http.Header{}, []byte(`{"message":"`+long+`"}`), Provider{}, AuthBasic, classifyNow)
	if n := len([]rune(e.Description)); n > 200 {
		t.Errorf("Description is %d runes long, want at most 200", n)
	}
	e = ClassifyResponse(500, http.Header{}, []byte(long+"\n"), Provider{}, AuthBasic, classifyNow)
	if n := len([]rune(e.Description)); n > 202 { // quoted
		t.Errorf("text Description is %d runes long, want at most 202", n)
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"   ", 0},
		{"soon", 0},
		{"30", 30 * time.Second},
		{" 30 ", 30 * time.Second},
		{"1.5", 1500 * time.Millisecond},
		{"0", time.Second},
		{"-5", time.Second},
		{"3600", time.Hour},
		{"3601", time.Hour},
		{"99999999999999999999999", time.Hour},
		{"Inf", time.Hour},
		{classifyNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{classifyNow.Add(-time.Hour).Format(http.TimeFormat), time.Second},
		{classifyNow.Add(48 * time.Hour).Format(http.TimeFormat), time.Hour},
		{"Monday, 02-Jun-25 09:35:00 GMT", 5 * time.Minute}, // RFC 850
		{"Mon Jun  2 09:31:00 2025", time.Minute},           // asctime
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ParseRetryAfter(tt.in, classifyNow); got != tt.want {
				t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"oauth", &Error{Kind: KindOAuth, Provider: "p", Status: 400, Code: "invalid_scope", Description: "bad scope"},
			"p: token endpoint answered 400 invalid_scope: bad scope"},
		{"oauth without description", &Error{Kind: KindOAuth, Status: 400, Code: "invalid_grant"},
			"token endpoint answered 400 invalid_grant"},
		{"http", &Error{Kind: KindHTTP, Provider: "p", Status: 404, Description: "Not Found"},
			"p: token endpoint answered 404: Not Found"},
		{"rate limited", &Error{Kind: KindRateLimited, Status: 429, Description: "slow down", RetryAfter: time.Minute},
			"token endpoint answered 429: slow down (retry after 1m0s)"},
		{"transport", &Error{Kind: KindTransport, Provider: "p", Code: "refused", Description: "connection to h refused"},
			"p: could not reach the token endpoint: connection to h refused"},
		{"transport with cause", &Error{Kind: KindTransport, Code: "network", Err: cause},
			"could not reach the token endpoint: " + cause.Error()},
		{"transport to an API", &Error{Kind: KindTransport, Code: "refused", Description: "connection to h refused", peer: "the API"},
			"could not reach the API: connection to h refused"},
		{"config", &Error{Kind: KindConfig, Provider: "p", Description: "cannot resolve the client secret", Err: errors.New("env X unset")},
			"p: cannot resolve the client secret: env X unset"},
		{"config without description", &Error{Kind: KindConfig, Err: io.EOF}, "EOF"},
		{"response", &Error{Kind: KindResponse, Description: "empty body"}, "empty body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAsErrorAndHintFor(t *testing.T) {
	inner := &Error{Kind: KindOAuth, Code: "invalid_client", Hint: "try post", Err: io.ErrUnexpectedEOF}
	wrapped := fmt.Errorf("fetching: %w", inner)
	if e, ok := AsError(wrapped); !ok || e != inner {
		t.Errorf("AsError(wrapped) = %v, %v", e, ok)
	}
	if !errors.Is(wrapped, io.ErrUnexpectedEOF) {
		t.Error("errors.Is does not reach the cause through Unwrap")
	}
	if got := HintFor(wrapped); got != "try post" {
		t.Errorf("HintFor = %q", got)
	}
	if _, ok := AsError(io.EOF); ok {
		t.Error("AsError(io.EOF) = ok")
	}
	if HintFor(io.EOF) != "" || HintFor(nil) != "" {
		t.Error("HintFor of a plain error or nil should be empty")
	}
}
