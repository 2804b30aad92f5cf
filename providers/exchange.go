package providers

import (
	"net/http"
	"time"

	"github.com/tokentop/tokentop/providers/safetext"
)

// Timings break one HTTP exchange into phases (from net/http/httptrace).
// A phase that did not happen (a reused connection has no DNS) is zero.
type Timings struct {
	DNS       time.Duration `json:"dns,omitempty"`
	Connect   time.Duration `json:"connect,omitempty"`
	TLS       time.Duration `json:"tls,omitempty"`
	FirstByte time.Duration `json:"first_byte,omitempty"`
	Total     time.Duration `json:"total"`
}

// Exchange is the flight record of one request to a token endpoint. Secrets
// are redacted before the client hands an Exchange out: the Authorization
// header and every secret field (client_secret, client_assertion,
// access_token, …) by name, and the client secret, the assertion and the
// tokens issued by value, in every header, body, error and hint. It is
// bounded too (see Bounded). Kind is "" for a token request, else the
// endpoint called (introspection, revocation).
type Exchange struct {
	Provider string `json:"provider"`
	Kind     string `json:"kind,omitempty"`
	// Grant is the token request's grant_type ("" for a record written
	// before grants were recorded, which was client_credentials).
	Grant     string    `json:"grant,omitempty"`
	Started   time.Time `json:"started"`
	AuthStyle AuthStyle `json:"auth_style"`
	// BasicEncoding is raw when HTTP Basic was sent without RFC 6749's
	// form-encoding (basic_encoding: raw, or the doctor's retry), else "".
	BasicEncoding   BasicEncoding `json:"basic_encoding,omitempty"`
	Method          string        `json:"method"`
	URL             string        `json:"url"`
	RequestHeaders  http.Header   `json:"request_headers,omitempty"`
	RequestBody     string        `json:"request_body,omitempty"`
	Status          int           `json:"status,omitempty"`
	ResponseHeaders http.Header   `json:"response_headers,omitempty"`
	ResponseBody    string        `json:"response_body,omitempty"`
	Timings         Timings       `json:"timings"`
	// ServerDate is the response's Date header, zero when absent.
	ServerDate time.Time `json:"server_date,omitzero"`
	// Error is the user-facing error text when the exchange failed.
	Error string `json:"error,omitempty"`
	// Hint is the error's hint, if any.
	Hint string `json:"hint,omitempty"`
	// Credential describes the proof sent under private_key_jwt (the
	// assertion's alg, kid, iss, sub, aud, jti and lifetime) or a client
	// certificate (subject, issuer, fingerprint, expiry); never the signed
	// assertion or any key.
	Credential string `json:"credential,omitempty"`
}

// Auth names how the client proved itself: the auth style, and
// "basic (raw)" for HTTP Basic sent without form-encoding.
func (e Exchange) Auth() string {
	if e.AuthStyle == AuthBasic && e.BasicEncoding == BasicRaw {
		return string(AuthBasic) + " (raw)"
	}
	return string(e.AuthStyle)
}

// Bounded returns e within a record's byte budget: at most
// MaxRecordHeaders header lines and MaxRecordHeaderBytes on each side
// (each name and value cut to MaxRecordHeaderValue, the cut ones counted
// under HeadersCutKey), bodies cut to MaxRecordBody, and the URL, error,
// hint and credential to MaxRecordText. A bounded Exchange is its own
// Bounded.
func (e Exchange) Bounded() Exchange {
	e.RequestHeaders, e.ResponseHeaders = boundHeaders(e.RequestHeaders), boundHeaders(e.ResponseHeaders)
	e.RequestBody, e.ResponseBody = cutBody(e.RequestBody), cutBody(e.ResponseBody)
	e.Provider, e.Kind, e.Method, e.Grant = cutText(e.Provider), cutText(e.Kind), cutText(e.Method), cutText(e.Grant)
	e.URL, e.Error, e.Hint, e.Credential = cutText(e.URL), cutText(e.Error), cutText(e.Hint), cutText(e.Credential)
	return e
}

// OK reports whether the exchange produced a token.
func (e Exchange) OK() bool { return e.Error == "" && e.Status >= 200 && e.Status < 300 }

// Outcome words how the exchange ended, for a one-line listing: "token
// issued", "code exchanged: session started", "refreshed",
// "introspection answered", or its error (sanitised). An exchange with
// another endpoint than the token endpoint (a Kind) only "answered": no
// token came of it.
func (e Exchange) Outcome() string {
	switch {
	case e.Error != "":
		return safetext.Line(e.Error)
	case e.Kind != "":
		return safetext.Line(e.Kind) + " answered"
	}
	switch e.GrantName() {
	case "authorization_code":
		return "code exchanged: session started"
	case "device_code":
		return "device login approved: session started"
	case "refresh_token":
		return "refreshed"
	}
	return "token issued"
}

// GrantName is the exchange's grant for a listing: its grant_type, the
// device grant's URN shortened to device_code, "-" for an exchange with
// another endpoint, client_credentials for a record without one.
func (e Exchange) GrantName() string {
	switch {
	case e.Kind != "":
		return "-"
	case e.Grant == "":
		return "client_credentials"
	case e.Grant == "urn:ietf:params:oauth:grant-type:device_code":
		return "device_code"
	}
	return safetext.Line(e.Grant)
}
