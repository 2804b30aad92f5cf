package doctor

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/jwtclaims"
)

// The doctor's test-call step explains each framework's answer with the
// fix; after a verified signature a key rejection is an issuer's.
func TestDoctorAPIRejectsTheIssuer(t *testing.T) {
	for _, c := range frameworkRejections() {
		if c.audience {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			_, ps, base := doctorSandboxWith(t, func(mux *http.ServeMux) {
				mux.HandleFunc("/prod-api/items", func(w http.ResponseWriter, r *http.Request) {
					if c.header != "" {
						w.Header().Set("WWW-Authenticate", c.header)
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(c.status)
					fmt.Fprint(w, c.body)
				})
			})
			p := ps["cognito-dev"]
			p.Env = "sandbox"
			cl := &providers.Client{}
			d := Run(t.Context(), cl, p, Options{Fetch: directFetch(cl, p), Endpoint: base + "/prod-api/items"})
			wantStatus(t, checkNamed(t, d, "JWT signature"), check.Pass, "valid signature")
			ch := checkNamed(t, d, StepTestCall)
			claims, err := jwtclaims.Decode(d.Token.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, ch, check.Fail, claims.Issuer)
			want := "cognito-dev is env sandbox: a sandbox token sent to an API that trusts another (prod?) issuer"
			if c.expected != "" {
				want = "the API trusts issuer " + c.expected + ", and cognito-dev's token comes from " + claims.Issuer
			}
			if !strings.Contains(ch.Hint, want) {
				t.Errorf("hint %q\nwant it to contain %q", ch.Hint, want)
			}
		})
	}
}

// rejectionCase is one framework's answer to a token it refuses.
type rejectionCase struct {
	name     string
	status   int
	header   string // WWW-Authenticate, "" for none
	body     string
	audience bool   // the answer refuses the token's audience
	expected string // the value the answer names, when it does
}

// frameworkRejections are the answers of the common frameworks, as they
// write them, one per phrase the providers package knows (a copy of its
// own test's table, which it matches phrase by phrase).
func frameworkRejections() []rejectionCase {
	return []rejectionCase{
		{"spring issuer", 401, `Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: Jwt issuer is not valid", error_uri="https://tools.ietf.org/html/rfc6750#section-3.1"`, "", false, ""},
		{"spring iss claim", 401, `Bearer error="invalid_token", error_description="The iss claim is not valid"`, "", false, ""},
		{"spring no key", 401, `Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: Signed JWT rejected: Another algorithm expected, or no matching key(s) found"`, "", false, ""},
		{"spring bad signature", 401, `Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: Signed JWT rejected: Invalid signature"`, "", false, ""},
		{"spring aud claim", 401, `Bearer error="invalid_token", error_description="The aud claim is not valid"`, "", true, ""},
		{"aspnet issuer", 401, `Bearer error="invalid_token", error_description="The issuer 'https://sandbox.example/' is invalid"`, "", false, ""},
		{"aspnet IDX10205", 401, `Bearer error="invalid_token"`, `IDX10205: Issuer validation failed. Issuer: 'https://sandbox.example'. Did not match: validationParameters.ValidIssuer: 'https://prod.example' or validationParameters.ValidIssuers: 'null'.`, false, "https://prod.example"},
		{"aspnet signature key", 401, `Bearer error="invalid_token", error_description="The signature key was not found"`, "", false, ""},
		{"aspnet IDX10501", 401, `Bearer error="invalid_token"`, `IDX10501: Signature validation failed. Unable to match key: kid: 'abc'.`, false, ""},
		{"aspnet IDX10503", 401, `Bearer error="invalid_token"`, `IDX10503: Signature validation failed. Token does not have a kid. Keys tried: '[PII is hidden]'.`, false, ""},
		{"aspnet audience", 401, `Bearer error="invalid_token", error_description="The audience 'https://api.sandbox.example' is invalid"`, "", true, ""},
		{"aspnet IDX10214", 401, `Bearer error="invalid_token"`, `IDX10214: Audience validation failed. Audiences: 'x'. Did not match: validationParameters.ValidAudience: 'https://api.prod.example' or validationParameters.ValidAudiences: 'null'.`, true, "https://api.prod.example"},
		{"express-jwt issuer", 401, "", `{"name":"UnauthorizedError","message":"jwt issuer invalid. expected: https://prod.example/","code":"invalid_token","status":401}`, false, "https://prod.example/"},
		{"express-jwt audience", 401, "", `{"message":"jwt audience invalid. expected: https://api.prod.example","code":"invalid_token"}`, true, "https://api.prod.example"},
		{"kong iss", 401, "", `{"message":"No credentials found for given 'iss'"}`, false, ""},
		{"kong signature", 401, "", `{"message":"Bad token; invalid signature"}`, false, ""},
		{"aws issuer", 401, `Bearer scope="" error="invalid_token" error_description="the token does not have a valid issuer"`, `{"message":"Unauthorized"}`, false, ""},
		{"aws audience", 401, `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`, `{"message":"Unauthorized"}`, true, ""},
		{"express-jwt signature", 401, "", `{"message":"invalid signature","code":"invalid_token"}`, false, ""},
		{"no matching key", 403, "", `no matching key found for kid 7`, false, ""},
	}
}
