package sandbox

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// ProdIssuer is the one issuer the sandbox's "prod" API trusts, and no
// style of the sandbox issues its tokens: every token the sandbox issues
// is a sandbox token sent to prod there.
const ProdIssuer = "https://auth.prod.example"

// PathProdAPI is the "prod" API: a fault switch for triage. It refuses
// every token with 401, in the words of the framework named by the query
// parameter as (spring, aspnet, express, kong, aws; spring by default),
// as an API that trusts another issuer does.
const PathProdAPI = "/prod-api/v1/items"

// handleProdAPI answers as an API behind the framework ?as= names that
// trusts only ProdIssuer.
func (s *Server) handleProdAPI(w http.ResponseWriter, r *http.Request) {
	if _, be := s.authorize(r); be != nil && be.code == "" {
		be.write(w) // no token at all: the usual answer
		return
	}
	h := w.Header()
	status, body := http.StatusUnauthorized, ""
	switch strings.ToLower(r.URL.Query().Get("as")) {
	case "aspnet":
		h.Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_token", error_description="The issuer '%s' is invalid"`, tokenIssuer(r)))
	case "express":
		h.Set("Content-Type", "application/json")
		body = fmt.Sprintf(`{"name":"UnauthorizedError","message":"jwt issuer invalid. expected: %s","code":"invalid_token","status":401}`, ProdIssuer)
	case "kong":
		h.Set("Content-Type", "application/json")
		body = `{"message":"No credentials found for given 'iss'"}`
	case "aws":
		h.Set("WWW-Authenticate", `Bearer scope="" error="invalid_token" error_description="the token does not have a valid issuer"`)
		h.Set("Content-Type", "application/json")
		body = `{"message":"Unauthorized"}`
	default:
		h.Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: Jwt issuer is not valid", error_uri="https://tools.ietf.org/html/rfc6750#section-3.1"`)
	}
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// tokenIssuer is the iss of the request's bearer JWT, read without
// verifying it ("" for an opaque token).
func tokenIssuer(r *http.Request) string {
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	mc := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(tok), mc); err != nil {
		return ""
	}
	iss, _ := mc["iss"].(string)
	return strings.NewReplacer(`"`, "", `\`, "").Replace(iss)
}
