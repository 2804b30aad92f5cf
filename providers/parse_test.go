package providers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// parseNow is the local clock of the parser tests.
var parseNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

func TestParseResponseShapes(t *testing.T) {
	jwtWithExp := hs256JWT(t, jwt.MapClaims{"sub": "s", "exp": parseNow.Add(90 * time.Minute).Unix()}, "")
	jwtWithoutExp := hs256JWT(t, jwt.MapClaims{"sub": "s"}, "")
	seed004Expiry := parseNow.Add(time.Hour + 643*time.Millisecond)

	type want struct {
		token, typ, scope, source string
		expiresAt                 time.Time
		assumed                   bool
		skew                      time.Duration
		warnings                  []string // substrings, one per warning, in order
	}
	tests := []struct {
		name string
		body string
		opts ParseOptions // Now defaults to parseNow
		want want
	}{
		{
			name: "RFC 6749 5.1",
			body: `{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","example_parameter":"example_value"}`,
			want: want{token: "2YotnFZFEjr1zCsicMWpAA", typ: "example", source: "expires_in", expiresAt: parseNow.Add(time.Hour)},
		},
		{
			name: "seed 001 and 002 (Bearer, 3600, no scope)",
			body: `{"token_type":"Bearer","expires_in":3600,"access_token":"NgXCXRKc/Qk+Mz0Yjw="}`,
			want: want{token: "NgXCXRKc/Qk+Mz0Yjw=", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Hour)},
		},
		{
			name: "token_type bearer lower case",
			body: `{"access_token":"a","token_type":"bearer","expires_in":60}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "token_type BEARER upper case",
			body: `{"access_token":"a","token_type":"BEARER","expires_in":60}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "token_type dpop and mac",
			body: `{"access_token":"a","token_type":"dpop","expires_in":60}`,
			want: want{token: "a", typ: "DPoP", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "token_type missing means Bearer",
			body: `{"access_token":"a","expires_in":60}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "token_type with escapes is sanitised",
			body: `{"access_token":"a","token_type":"N_A\u001b[31m","expires_in":60}`,
			want: want{token: "a", typ: "N_A", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			// Found by FuzzParseResponse: the type sanitised to "".
			name: "token_type of only control characters means Bearer",
			body: `{"access_token":"a","token_type":"\u0010\u001b[0m","expires_in":60}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "expires_in as a string",
			body: `{"access_token":"a","token_type":"Bearer","expires_in":"3599"}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(3599 * time.Second)},
		},
		{
			name: "expires_in as a float",
			body: `{"access_token":"a","expires_in":3599.5}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(3599*time.Second + 500*time.Millisecond)},
		},
		{
			name: "expires_in wins over expires_at when both are detected",
			body: fmt.Sprintf(`{"access_token":"a","expires_in":600,"expires_at":%d}`, parseNow.Add(time.Hour).Unix()),
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(10 * time.Minute)},
		},
		{
			name: "expires_at epoch seconds",
			body: fmt.Sprintf(`{"access_token":"a","expires_at":%d}`, parseNow.Add(time.Hour).Unix()),
			want: want{token: "a", typ: "Bearer", source: "expires_at", expiresAt: parseNow.Add(time.Hour)},
		},
		{
			name: "expires_at epoch milliseconds",
			body: fmt.Sprintf(`{"access_token":"a","expires_at":%d}`, parseNow.Add(time.Hour+250*time.Millisecond).UnixMilli()),
			want: want{token: "a", typ: "Bearer", source: "expires_at", expiresAt: parseNow.Add(time.Hour + 250*time.Millisecond)},
		},
		{
			name: "expires_on as an epoch string (Entra v1)",
			body: fmt.Sprintf(`{"access_token":"a","token_type":"Bearer","expires_on":"%d","resource":"https://graph"}`, parseNow.Add(time.Hour).Unix()),
			want: want{token: "a", typ: "Bearer", source: "expires_at", expiresAt: parseNow.Add(time.Hour)},
		},
		{
			name: "expires_at RFC 3339 with offset",
			body: `{"access_token":"a","expires_at":"2025-03-14T17:09:26+01:00"}`,
			want: want{token: "a", typ: "Bearer", source: "expires_at", expiresAt: parseNow.Add(time.Hour)},
		},
		{
			name: "seed 004: camelCase, RFC 3339 with milliseconds and Z",
			body: `{"accessToken":"5474r2x214z26484u2e4y4a403q5e4z5m4j4b403s526","accessTokenExpiresAt":"` + seed004Expiry.Format("2006-01-02T15:04:05.000Z07:00") + `","scope":"item"}`,
			want: want{token: "5474r2x214z26484u2e4y4a403q5e4z5m4j4b403s526", typ: "Bearer", scope: "item", source: "expires_at", expiresAt: seed004Expiry},
		},
		{
			name: "camelCase expiresIn and tokenType",
			body: `{"accessToken":"a","tokenType":"bearer","expiresIn":120}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(2 * time.Minute)},
		},
		{
			name: "PascalCase",
			body: `{"AccessToken":"a","TokenType":"Bearer","ExpiresIn":120}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(2 * time.Minute)},
		},
		{
			name: "an empty access_token falls through to accessToken",
			body: `{"access_token":"","accessToken":"b","expires_in":60}`,
			want: want{token: "b", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "access token trimmed",
			body: `{"access_token":"  a \n","expires_in":60}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "scope as an array",
			body: `{"access_token":"a","expires_in":60,"scope":["read","write",3]}`,
			want: want{token: "a", typ: "Bearer", scope: "read write", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "scp",
			body: `{"access_token":"a","expires_in":60,"scp":"x y"}`,
			want: want{token: "a", typ: "Bearer", scope: "x y", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "mapping wins: expires_at mapped while expires_in is present",
			body: fmt.Sprintf(`{"access_token":"a","expires_in":60,"validUntil":%d}`, parseNow.Add(2*time.Hour).Unix()),
			opts: ParseOptions{Mapping: &ResponseMapping{ExpiresAt: "validUntil"}},
			want: want{token: "a", typ: "Bearer", source: "expires_at", expiresAt: parseNow.Add(2 * time.Hour)},
		},
		{
			name: "mapped expires_at absent falls back to detection",
			body: `{"access_token":"a","expires_in":60}`,
			opts: ParseOptions{Mapping: &ResponseMapping{ExpiresAt: "validUntil"}},
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
		{
			name: "mapping wins: expires_in mapped",
			body: `{"access_token":"a","expires_in":60,"ttl":900}`,
			opts: ParseOptions{Mapping: &ResponseMapping{ExpiresIn: "ttl"}},
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(15 * time.Minute)},
		},
		{
			name: "mapping with dotted paths",
			body: `{"access_token":"decoy","data":{"token":"real","kind":"bearer","ttl":"300","grants":"g1 g2"}}`,
			opts: ParseOptions{Mapping: &ResponseMapping{AccessToken: "data.token", TokenType: "data.kind", ExpiresIn: "data.ttl", Scope: "data.grants"}},
			want: want{token: "real", typ: "Bearer", scope: "g1 g2", source: "expires_in", expiresAt: parseNow.Add(5 * time.Minute)},
		},
		{
			name: "no expiry, JWT: the exp claim, assumed",
			body: `{"access_token":"` + jwtWithExp + `","token_type":"Bearer"}`,
			want: want{token: jwtWithExp, typ: "Bearer", source: "jwt exp", assumed: true, expiresAt: parseNow.Add(90 * time.Minute)},
		},
		{
			name: "no expiry, JWT without exp: the default lifetime",
			body: `{"access_token":"` + jwtWithoutExp + `"}`,
			want: want{token: jwtWithoutExp, typ: "Bearer", source: "default", assumed: true, expiresAt: parseNow.Add(DefaultLifetime)},
		},
		{
			name: "no expiry, opaque: the default lifetime",
			body: `{"access_token":"opaque"}`,
			want: want{token: "opaque", typ: "Bearer", source: "default", assumed: true, expiresAt: parseNow.Add(time.Hour)},
		},
		{
			name: "no expiry, opaque: a custom default lifetime",
			body: `{"access_token":"opaque"}`,
			opts: ParseOptions{DefaultLifetime: 10 * time.Minute},
			want: want{token: "opaque", typ: "Bearer", source: "default", assumed: true, expiresAt: parseNow.Add(10 * time.Minute)},
		},
		{
			name: "null expiry fields are absent",
			body: `{"access_token":"opaque","expires_in":null,"expires_at":null}`,
			want: want{token: "opaque", typ: "Bearer", source: "default", assumed: true, expiresAt: parseNow.Add(time.Hour)},
		},
		{
			name: "20 s lifetime: warned, cannot be cached",
			body: `{"access_token":"a","expires_in":20}`,
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(20 * time.Second),
				warnings: []string{"lives 20s, less than the refresh margin 30s"}},
		},
		{
			name: "skew from the server's Date: local ahead",
			body: `{"access_token":"a","expires_in":3600}`,
			opts: ParseOptions{ServerDate: parseNow.Add(-90 * time.Second)},
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Hour), skew: 90 * time.Second,
				// One Date cannot say whose clock is off: the one verdict
				// (clockskew.Check, the doctor's clock step's) says so.
				warnings: []string{"clock skew: this machine's clock is 1m30s ahead of the issuer's (±1.0s), by its Date header: this machine's clock or the issuer's is off: a test-call tells which"}},
		},
		{
			name: "skew from the server's Date: local behind",
			body: `{"access_token":"a","expires_in":3600}`,
			opts: ParseOptions{ServerDate: parseNow.Add(10 * time.Minute)},
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Hour), skew: -10 * time.Minute,
				warnings: []string{"10m0s behind the issuer's"}},
		},
		{
			name: "small skew: no warning",
			body: `{"access_token":"a","expires_in":3600}`,
			opts: ParseOptions{ServerDate: parseNow.Add(-2 * time.Second)},
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Hour), skew: 2 * time.Second},
		},
		{
			name: "leading whitespace and a BOM-free body with trailing newline",
			body: "\n\t {\"access_token\":\"a\",\"expires_in\":60}\n",
			want: want{token: "a", typ: "Bearer", source: "expires_in", expiresAt: parseNow.Add(time.Minute)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Now = parseNow
			tok, err := ParseResponse([]byte(tt.body), o)
			if err != nil {
				t.Fatalf("ParseResponse: %v", err)
			}
			w := tt.want
			if tok.AccessToken != w.token || tok.TokenType != w.typ || tok.Scope != w.scope || tok.ExpirySource != w.source || tok.ExpiryAssumed != w.assumed {
				t.Errorf("token = {%q %q scope %q source %q assumed %v}, want {%q %q scope %q source %q assumed %v}",
					tok.AccessToken, tok.TokenType, tok.Scope, tok.ExpirySource, tok.ExpiryAssumed, w.token, w.typ, w.scope, w.source, w.assumed)
			}
			if !tok.ExpiresAt.Equal(w.expiresAt) {
				t.Errorf("ExpiresAt = %v, want %v", tok.ExpiresAt, w.expiresAt)
			}
			if !tok.IssuedAt.Equal(parseNow) {
				t.Errorf("IssuedAt = %v, want %v", tok.IssuedAt, parseNow)
			}
			if tok.Skew != w.skew || !tok.ServerDate.Equal(o.ServerDate) {
				t.Errorf("Skew = %v ServerDate = %v, want %v %v", tok.Skew, tok.ServerDate, w.skew, o.ServerDate)
			}
			if len(tok.Warnings) != len(w.warnings) {
				t.Fatalf("Warnings = %q, want %d matching %q", tok.Warnings, len(w.warnings), w.warnings)
			}
			for i, sub := range w.warnings {
				if !strings.Contains(tok.Warnings[i], sub) {
					t.Errorf("warning %q does not mention %q", tok.Warnings[i], sub)
				}
			}
		})
	}
}

func TestParseResponseErrors(t *testing.T) {
	past := parseNow.Add(-time.Minute)
	tests := []struct {
		name     string
		body     string
		opts     ParseOptions
		kind     ErrorKind
		code     string
		contains []string // in Error()
		absent   []string
	}{
		{
			name: "200 carrying an RFC 6749 error", kind: KindOAuth, code: "invalid_client",
			body:     `{"error":"invalid_client","error_description":"Client authentication failed","error_uri":"https://docs/errors#ic"}`,
			contains: []string{"a 2xx answer carrying an error", "Client authentication failed"},
		},
		{
			name: "200 carrying a nested error", kind: KindOAuth, code: "UNAUTHORIZED",
			body:     `{"error":{"code":"UNAUTHORIZED","message":"bad key"}}`,
			contains: []string{"bad key"},
		},
		{
			name: "200 carrying seed 004's error", kind: KindOAuth, code: "invalid_scope",
			body:     `{"statusCode":400,"status":400,"code":400,"message":"Invalid scope: Requested scope is invalid","name":"invalid_scope"}`,
			contains: []string{"Invalid scope: Requested scope is invalid"},
		},
		{
			name: "200 carrying an error beside a token", kind: KindOAuth, code: "server_error",
			body: `{"access_token":"a","error":"server_error"}`,
		},
		{
			name: "HTML login page", kind: KindResponse,
			body:     "<!DOCTYPE html>\n<html><head><title>Sign in \x1b[31m– Example SSO</title></head><body>…</body></html>",
			contains: []string{`an HTML page titled "Sign in – Example SSO"`, "not a JSON token response"},
			absent:   []string{"\x1b"},
		},
		{
			name: "HTML without a title", kind: KindResponse,
			body:     "<html><body>hi</body></html>",
			contains: []string{"an HTML page,"},
		},
		{
			name: "plain text", kind: KindResponse,
			body:     "OK\nsecond line",
			contains: []string{`"OK"`}, absent: []string{"second line"},
		},
		{
			name: "form-encoded answer", kind: KindResponse,
			body:     "access_token=abc&expires_in=3600",
			contains: []string{"not a JSON token response"},
		},
		{name: "empty body", kind: KindResponse, body: "", contains: []string{"empty body"}},
		{name: "whitespace body", kind: KindResponse, body: " \r\n\t", contains: []string{"empty body"}},
		{name: "JSON array", kind: KindResponse, body: `[{"access_token":"a"}]`, contains: []string{"not a JSON token response"}},
		{name: "malformed JSON", kind: KindResponse, body: `{"access_token":"a",`, contains: []string{"malformed JSON"}},
		{
			name: "missing access token lists the fields present", kind: KindResponse,
			body:     `{"token_type":"Bearer","expires_in":3600,"id_token":"x"}`,
			contains: []string{"no access token", "fields present: expires_in, id_token, token_type"},
		},
		{
			name: "empty access token", kind: KindResponse,
			body:     `{"access_token":"","expires_in":3600}`,
			contains: []string{"no access token", "fields present: access_token, expires_in"},
		},
		{
			name: "blank access token", kind: KindResponse,
			body:     `{"access_token":"   ","expires_in":3600}`,
			contains: []string{"no access token"},
		},
		{
			name: "access token not a string", kind: KindResponse,
			body:     `{"access_token":12345,"expires_in":3600}`,
			contains: []string{"no access token"},
		},
		{
			name: "empty object", kind: KindResponse,
			body:     `{}`,
			contains: []string{"no access token; fields present: "},
		},
		{
			name: "mapped access token missing", kind: KindResponse,
			body:     `{"access_token":"a","data":{}}`,
			opts:     ParseOptions{Mapping: &ResponseMapping{AccessToken: "data.token"}},
			contains: []string{`no "data.token" field (from the response mapping)`},
		},
		{
			name: "field names with escapes are sanitised", kind: KindResponse,
			body:     `{"tok\u001b]0;pwned\u0007en":1}`,
			contains: []string{"fields present: token"}, absent: []string{"\x1b", "\a"},
		},
		{
			name: "access token with control characters", kind: KindResponse,
			body:     `{"access_token":"abc\u001b[2Jdef","expires_in":60}`,
			contains: []string{"printable ASCII"}, absent: []string{"\x1b", "abc"},
		},
		{
			name: "access token with non-ASCII", kind: KindResponse,
			body:     `{"access_token":"tökén","expires_in":60}`,
			contains: []string{"printable ASCII"},
		},
		{name: "expires_in zero", kind: KindResponse, body: `{"access_token":"a","expires_in":0}`, contains: []string{"expires_in is not a usable number of seconds: 0"}},
		{name: "expires_in negative", kind: KindResponse, body: `{"access_token":"a","expires_in":-5}`, contains: []string{"not a usable number"}},
		{name: "expires_in words", kind: KindResponse, body: `{"access_token":"a","expires_in":"one hour"}`, contains: []string{"not a usable number", "one hour"}},
		{name: "expires_in an object", kind: KindResponse, body: `{"access_token":"a","expires_in":{}}`, contains: []string{"not a usable number"}},
		{name: "expires_in absurd", kind: KindResponse, body: `{"access_token":"a","expires_in":1e300}`, contains: []string{"expires_in (1e300)", "more than tokentop's limit of 10 years"}},
		{name: "expires_in NaN string", kind: KindResponse, body: `{"access_token":"a","expires_in":"NaN"}`, contains: []string{"not a usable number"}},
		{name: "expires_at garbage", kind: KindResponse, body: `{"access_token":"a","expires_at":"next tuesday"}`, contains: []string{"expires_at is not a time"}},
		{name: "expires_at negative", kind: KindResponse, body: `{"access_token":"a","expires_at":-1}`, contains: []string{"not a time"}},
		{name: "expires_at boolean", kind: KindResponse, body: `{"access_token":"a","expires_at":true}`, contains: []string{"not a time"}},
		{
			name: "expired on arrival", kind: KindResponse,
			body:     fmt.Sprintf(`{"access_token":"a","expires_at":%d}`, past.Unix()),
			contains: []string{"expired on arrival", "2025-03-14T15:08:26Z", "local clock 2025-03-14T15:09:26Z"},
			absent:   []string{"skew"},
		},
		{
			name: "expired on arrival, with the server's Date: names the skew", kind: KindResponse,
			body:     fmt.Sprintf(`{"access_token":"a","expires_at":"%s"}`, parseNow.Add(-time.Hour).Format(time.RFC3339)),
			opts:     ParseOptions{ServerDate: parseNow.Add(-2 * time.Hour)},
			contains: []string{"expired on arrival by this machine's clock (expires_at 2025-03-14T14:09:26Z, now 2025-03-14T15:09:26Z on this machine's clock); the issuer's clock is 2h0m0s behind this machine's, and by it the token has 1h0m0s left"},
		},
		{
			name: "expired JWT without expiry fields", kind: KindResponse,
			body:     `{"access_token":"` + hs256JWT(t, jwt.MapClaims{"exp": past.Unix()}, "") + `"}`,
			contains: []string{"expired on arrival"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Now = parseNow
			tok, err := ParseResponse([]byte(tt.body), o)
			if err == nil {
				t.Fatalf("ParseResponse = %+v, want an error", tok)
			}
			if tok != nil {
				t.Errorf("ParseResponse returned a token with its error: %+v", tok)
			}
			e, ok := AsError(err)
			if !ok {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if e.Kind != tt.kind || e.Code != tt.code {
				t.Errorf("Kind, Code = %s, %q; want %s, %q", e.Kind, e.Code, tt.kind, tt.code)
			}
			msg := err.Error()
			for _, s := range tt.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not mention %q", msg, s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(msg, s) {
					t.Errorf("error %q should not hold %q", msg, s)
				}
			}
		})
	}
}

func TestParseResponseOAuthErrorKeepsURI(t *testing.T) {
	_, err := ParseResponse([]byte(`{"error":"invalid_request","error_description":"d","error_uri":"https://x/e"}`), ParseOptions{Now: parseNow})
	e, _ := AsError(err)
	if e == nil || e.URI != "https://x/e" || e.Code != "invalid_request" {
		t.Fatalf("err = %#v", err)
	}
}

func TestParseResponseDefaultsNowToTheClock(t *testing.T) {
	before := time.Now()
	tok, err := ParseResponse([]byte(`{"access_token":"a","expires_in":60}`), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tok.IssuedAt.Before(before) || !tok.ExpiresAt.After(before) {
		t.Errorf("IssuedAt %v ExpiresAt %v: want the wall clock (after %v)", tok.IssuedAt, tok.ExpiresAt, before)
	}
}

// Bodies for BenchmarkParseResponse.
const (
	benchStandardBody = `{"access_token":"eyJraWQiOiJLTzZ4In0.eyJzdWIiOiJzdmMifQ.c2ln","token_type":"Bearer","expires_in":3600,"scope":"api/write"}`
	benchSeed004Body  = `{"accessToken":"5474r2x214z26484u2e4y4a403q5e4z5m4j4b403s526","accessTokenExpiresAt":"2025-03-14T16:09:26.643Z","scope":"item"}`
)

func BenchmarkParseResponse(b *testing.B) {
	for _, bc := range []struct{ name, body string }{
		{"standard", benchStandardBody},
		{"seed004", benchSeed004Body},
	} {
		b.Run(bc.name, func(b *testing.B) {
			body := []byte(bc.body)
			o := ParseOptions{Now: parseNow}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := ParseResponse(body, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
