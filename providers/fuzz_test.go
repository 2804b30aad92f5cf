package providers

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
)

// fuzzNow is the parser's clock under fuzzing; the committed corpus in
// testdata/fuzz/FuzzParseResponse holds expiries after it.
var fuzzNow = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

// FuzzParseResponse feeds ParseResponse arbitrary bodies, with and without a
// response mapping and a server Date. It must never panic; a token it returns
// is usable (non-empty, printable ASCII, expiring after now) and an error is
// an *Error whose text is safe for a terminal. The flight record of the body
// never holds the token.
func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{
		`{"access_token":"a","token_type":"bearer","expires_in":3600}`,
		`{"accessToken":"5474r2x214z26484u2e4y4a403q5e4z5m4j4b403s526","accessTokenExpiresAt":"2030-08-10T12:41:57.643Z","scope":"item"}`,
		`{"error":"invalid_client","error_description":"bad"}`,
		`<html><title>Sign in</title></html>`,
		``,
	} {
		f.Add([]byte(s))
	}
	mapping := &ResponseMapping{AccessToken: "data.token", ExpiresAt: "data.validUntil", Scope: "data.scope"}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, o := range []ParseOptions{
			{Now: fuzzNow},
			{Now: fuzzNow, Mapping: mapping, ServerDate: fuzzNow.Add(-42 * time.Second), DefaultLifetime: 5 * time.Minute},
		} {
			tok, err := ParseResponse(body, o)
			if err != nil {
				if tok != nil {
					t.Fatalf("a token and an error: %+v, %v", tok, err)
				}
				e, ok := AsError(err)
				if !ok {
					t.Fatalf("error %T is not an *Error: %v", err, err)
				}
				if e.Kind != KindOAuth && e.Kind != KindResponse {
					t.Fatalf("error kind %s: %v", e.Kind, err)
				}
				fuzzTerminalSafe(t, "Error()", err.Error())
				fuzzTerminalSafe(t, "Hint", e.Hint)
				continue
			}
			if tok == nil || tok.AccessToken == "" {
				t.Fatalf("no error and no access token: %+v", tok)
			}
			if !tok.ExpiresAt.After(o.Now) {
				t.Fatalf("ExpiresAt %v is not after now %v", tok.ExpiresAt, o.Now)
			}
			if !tok.IssuedAt.Equal(o.Now) {
				t.Fatalf("IssuedAt %v, want %v", tok.IssuedAt, o.Now)
			}
			if tok.AccessToken != strings.TrimSpace(tok.AccessToken) {
				t.Fatalf("access token %q is not trimmed", tok.AccessToken)
			}
			for _, r := range tok.AccessToken {
				if r < 0x20 || r > 0x7e {
					t.Fatalf("access token %q holds %U", tok.AccessToken, r)
				}
			}
			if tok.TokenType == "" {
				t.Fatal("empty token type")
			}
			fuzzTerminalSafe(t, "TokenType", tok.TokenType)
			fuzzTerminalSafe(t, "Scope", tok.Scope)
			for _, w := range tok.Warnings {
				fuzzTerminalSafe(t, "warning", w)
			}
			switch tok.ExpirySource {
			case "expires_in", "expires_at":
				if tok.ExpiryAssumed {
					t.Fatalf("expiry from %s marked assumed", tok.ExpirySource)
				}
			case "jwt exp":
				// assumed when the body gave no expiry; not when exp was
				// earlier than the body's (capExpiryByJWT)
			case "default":
				if !tok.ExpiryAssumed {
					t.Fatalf("expiry from %s not marked assumed", tok.ExpirySource)
				}
			default:
				t.Fatalf("ExpirySource %q", tok.ExpirySource)
			}
			// Tokens too short to be told from ordinary text, or that
			// overlap the marker, cannot be checked by substring.
			if len(tok.AccessToken) >= 16 && !strings.ContainsAny(tok.AccessToken, "[]") {
				if rec := redactBody(body, tok.AccessToken); strings.Contains(rec, tok.AccessToken) {
					t.Fatalf("the record holds the token %q: %s", tok.AccessToken, rec)
				}
			}
		}
	})
}

// FuzzDecodeJWT feeds DecodeJWT arbitrary strings: it must never panic,
// only decode what looks like a JWS, and give claims safe for a terminal.
func FuzzDecodeJWT(f *testing.F) {
	for _, s := range []string{
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzIiwiZXhwIjoxOTAwMDAwMDAwfQ.c2ln",
		"eyJhbGciOiJub25lIn0.e30.",
		"eyJ.e30.x",
		"NgXCXRKc/Qk+Mz0Yjw=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := jwtclaims.Decode(token)
		if err != nil {
			if c != nil {
				t.Fatalf("claims and an error: %+v, %v", c, err)
			}
			return
		}
		if !jwtclaims.LooksLikeJWT(token) {
			t.Fatalf("decoded %q, which does not look like a JWT", token)
		}
		for name, v := range map[string]string{"alg": c.Algorithm, "kid": c.KeyID, "iss": c.Issuer, "sub": c.Subject,
			"client_id": c.ClientID, "scope": c.Scope, "jti": c.ID} {
			fuzzTerminalSafe(t, name, v)
		}
		for _, a := range c.Audience {
			fuzzTerminalSafe(t, "aud", a)
		}
		_ = jwtclaims.Marshal(c)
	})
}

// FuzzSanitize checks Sanitize and SanitizeLine on arbitrary text: valid
// UTF-8 out, no escapes or controls (bar newline and tab in Sanitize), no
// bidi controls, and a second pass changes nothing.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"plain", "\x1b[31mred\x1b[0m", "\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\", "\x1bPq\x1b\\", "\u009b2J",
		"a\rb\bc\x07", "\u202eevil", "\xff\xfe", "line\n\tnext", "\x1b", "\x1b(", "\u009d0;t\u009c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := safetext.Sanitize(s)
		for _, r := range out {
			if r == '\n' || r == '\t' {
				continue
			}
			if fuzzUnsafeRune(r) {
				t.Fatalf("safetext.Sanitize(%q) = %q holds %U", s, out, r)
			}
		}
		if !utf8.ValidString(out) {
			t.Fatalf("safetext.Sanitize(%q) = %q is not valid UTF-8", s, out)
		}
		if again := safetext.Sanitize(out); again != out {
			t.Fatalf("Sanitize is not idempotent: %q → %q → %q", s, out, again)
		}
		line := safetext.Line(s)
		fuzzTerminalSafe(t, "SanitizeLine", line)
		if strings.Contains(line, "  ") || line != strings.TrimSpace(line) {
			t.Fatalf("safetext.Line(%q) = %q has runs of space", s, line)
		}
		if len(out) > len(s) || len(line) > len(s) {
			t.Fatalf("sanitising %q made it longer", s)
		}
	})
}

func fuzzUnsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// fuzzTerminalSafe fails when a one-line field holds anything a terminal
// would act on.
func fuzzTerminalSafe(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if fuzzUnsafeRune(r) {
			t.Fatalf("%s %q holds %U", what, s, r)
		}
	}
}
