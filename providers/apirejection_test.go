package providers

import (
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tokentop/tokentop/providers/headers"
)

// rejectionCase is one framework's answer to a token it refuses.
type rejectionCase struct {
	name     string
	status   int
	header   string // WWW-Authenticate, "" for none
	body     string
	kind     rejection
	expected string // the value the answer names, when it does
}

// frameworkRejections are the answers of the common frameworks, as they
// write them, one per phrase of apiPhrases.
func frameworkRejections() []rejectionCase {
	return []rejectionCase{
		{"spring issuer", 401, `Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: Jwt issuer is not valid", error_uri="https://tools.ietf.org/html/rfc6750#section-3.1"`, "", rejectIssuer, ""},
		{"spring iss claim", 401, `Bearer error="invalid_token", error_description="The iss claim is not valid"`, "", rejectIssuer, ""},
		{"spring no key", 401, `Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: Signed JWT rejected: Another algorithm expected, or no matching key(s) found"`, "", rejectKey, ""},
		{"spring bad signature", 401, `Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: Signed JWT rejected: Invalid signature"`, "", rejectKey, ""},
		{"spring aud claim", 401, `Bearer error="invalid_token", error_description="The aud claim is not valid"`, "", rejectAudience, ""},
		{"aspnet issuer", 401, `Bearer error="invalid_token", error_description="The issuer 'https://sandbox.example/' is invalid"`, "", rejectIssuer, ""},
		{"aspnet IDX10205", 401, `Bearer error="invalid_token"`, `IDX10205: Issuer validation failed. Issuer: 'https://sandbox.example'. Did not match: validationParameters.ValidIssuer: 'https://prod.example' or validationParameters.ValidIssuers: 'null'.`, rejectIssuer, "https://prod.example"},
		{"aspnet signature key", 401, `Bearer error="invalid_token", error_description="The signature key was not found"`, "", rejectKey, ""},
		{"aspnet IDX10501", 401, `Bearer error="invalid_token"`, `IDX10501: Signature validation failed. Unable to match key: kid: 'abc'.`, rejectKey, ""},
		{"aspnet IDX10503", 401, `Bearer error="invalid_token"`, `IDX10503: Signature validation failed. Token does not have a kid. Keys tried: '[PII is hidden]'.`, rejectKey, ""},
		{"aspnet audience", 401, `Bearer error="invalid_token", error_description="The audience 'https://api.sandbox.example' is invalid"`, "", rejectAudience, ""},
		{"aspnet IDX10214", 401, `Bearer error="invalid_token"`, `IDX10214: Audience validation failed. Audiences: 'x'. Did not match: validationParameters.ValidAudience: 'https://api.prod.example' or validationParameters.ValidAudiences: 'null'.`, rejectAudience, "https://api.prod.example"},
		{"express-jwt issuer", 401, "", `{"name":"UnauthorizedError","message":"jwt issuer invalid. expected: https://prod.example/","code":"invalid_token","status":401}`, rejectIssuer, "https://prod.example/"},
		{"express-jwt audience", 401, "", `{"message":"jwt audience invalid. expected: https://api.prod.example","code":"invalid_token"}`, rejectAudience, "https://api.prod.example"},
		{"kong iss", 401, "", `{"message":"No credentials found for given 'iss'"}`, rejectIssuer, ""},
		{"kong signature", 401, "", `{"message":"Bad token; invalid signature"}`, rejectKey, ""},
		{"aws issuer", 401, `Bearer scope="" error="invalid_token" error_description="the token does not have a valid issuer"`, `{"message":"Unauthorized"}`, rejectIssuer, ""},
		{"aws audience", 401, `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`, `{"message":"Unauthorized"}`, rejectAudience, ""},
		{"express-jwt signature", 401, "", `{"message":"invalid signature","code":"invalid_token"}`, rejectKey, ""},
		{"no matching key", 403, "", `no matching key found for kid 7`, rejectKey, ""},
	}
}

func rejectionResult(c rejectionCase) *CallResult {
	h := http.Header{}
	if c.header != "" {
		h.Set("WWW-Authenticate", c.header)
	}
	return &CallResult{Status: c.status, Headers: h, Body: c.body, WWWAuthenticate: c.header}
}

func TestExplainCallNamesTheIssuerAndTheFix(t *testing.T) {
	const iss = "https://sandbox.example/"
	tok := &Token{AccessToken: hs256JWT(t, jwt.MapClaims{"iss": iss, "aud": "https://api.sandbox.example", "exp": 4e9}, "k1")}
	p := Provider{Name: "acme-sandbox", Env: "sandbox"}
	seen := map[string]bool{}
	for _, c := range frameworkRejections() {
		t.Run(c.name, func(t *testing.T) {
			ph, _, ok := matchRejection(c.header, c.body)
			if !ok || ph.kind != c.kind {
				t.Fatalf("matched %+v (%v), want kind %d", ph, ok, c.kind)
			}
			seen[strings.Join(ph.parts, "…")] = true
			for _, verified := range []bool{false, true} {
				r := ExplainCall(rejectionResult(c), CallContext{Provider: p, Token: tok, SignatureVerified: verified})
				all := r.Summary + " " + r.Hint
				if strings.Contains(all, "NAME") || !strings.Contains(r.Hint, "acme-sandbox") {
					t.Errorf("the hint does not name the provider: %q", r.Hint)
				}
				switch {
				case c.kind == rejectAudience && c.expected != "":
					if want := "`audience: " + c.expected + "`"; !strings.Contains(r.Hint, want) {
						t.Errorf("hint %q lacks %s", r.Hint, want)
					}
				case c.kind == rejectAudience:
					if !strings.Contains(r.Summary, "https://api.sandbox.example") || !strings.Contains(r.Hint, "set `audience:` to the API's identifier") {
						t.Errorf("summary %q hint %q", r.Summary, r.Hint)
					}
				case c.kind == rejectKey && !verified:
					// Without the doctor's signature check it cannot know:
					// it names the one check that tells.
					if !strings.Contains(r.Hint, "tokentop doctor acme-sandbox") || !strings.Contains(r.Hint, iss) {
						t.Errorf("hint %q", r.Hint)
					}
				case c.expected != "":
					if !strings.Contains(r.Hint, "trusts issuer "+c.expected) || !strings.Contains(r.Hint, "comes from "+iss) {
						t.Errorf("hint %q does not name both issuers", r.Hint)
					}
				default:
					if !strings.Contains(all, iss) || !strings.Contains(r.Hint, "sandbox token sent to an API that trusts another (prod?) issuer") {
						t.Errorf("summary %q hint %q", r.Summary, r.Hint)
					}
				}
			}
		})
	}
	for _, ph := range apiPhrases() {
		if k := strings.Join(ph.parts, "…"); !seen[k] {
			t.Errorf("no case answers with %q (%s)", k, ph.framework)
		}
	}
}

func TestExplainCallByEnv(t *testing.T) {
	c := rejectionCase{status: 401, body: `{"message":"No credentials found for given 'iss'"}`}
	tok := &Token{AccessToken: hs256JWT(t, jwt.MapClaims{"iss": "https://prod.example"}, "")}
	for env, want := range map[string]string{
		"prod": "NAME is env prod, so this API is likely a sandbox's",
		"":     "a sandbox token sent to prod?",
	} {
		r := ExplainCall(rejectionResult(c), CallContext{Provider: Provider{Env: env}, Token: tok})
		if !strings.Contains(r.Hint, strings.TrimPrefix(want, "NAME ")) || !strings.Contains(r.Summary, "https://prod.example") {
			t.Errorf("env %q: summary %q hint %q", env, r.Summary, r.Hint)
		}
	}
	// An opaque token: the issuer cannot be read, and the summary says so.
	r := ExplainCall(rejectionResult(c), CallContext{Provider: Provider{Name: "x"}, Token: &Token{AccessToken: "opaque"}})
	if !strings.Contains(r.Summary, "opaque") {
		t.Errorf("opaque: %q", r.Summary)
	}
	// RFC 6750 words that name the issuer get the same explanation.
	r = ExplainCall(&CallResult{Status: 401, WWWAuthenticate: `Bearer error="invalid_token", error_description="Invalid issuer"`},
		CallContext{Provider: Provider{Name: "x", Env: "prod"}, Token: tok})
	if !strings.Contains(r.Summary, `"Invalid issuer"`) || !strings.Contains(r.Hint, "x is env prod") {
		t.Errorf("invalid issuer: %q %q", r.Summary, r.Hint)
	}
	// Words it does not know leave RFC 6750's explanation as it was.
	r = ExplainCall(&CallResult{Status: 401, Body: `{"message":"Unauthorized"}`}, CallContext{Token: tok})
	if want := headers.ExplainRefusal(401, "", ""); r.Summary != want.Summary || r.Hint != want.Hint {
		t.Errorf("unknown words changed the explanation: %q %q", r.Summary, r.Hint)
	}
	// A 500 that happens to say "invalid signature" is not a rejection.
	if r := ExplainCall(&CallResult{Status: 500, Body: "invalid signature"}, CallContext{Token: tok}); strings.Contains(r.Summary, "signature") {
		t.Errorf("500: %q", r.Summary)
	}
}
