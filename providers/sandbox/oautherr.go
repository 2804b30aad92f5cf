package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// RFC 6749 §5.2 error codes (and Auth0's additions) used by the sandbox.
const (
	errInvalidRequest   = "invalid_request"
	errInvalidClient    = "invalid_client"
	errInvalidScope     = "invalid_scope"
	errUnsupportedGrant = "unsupported_grant_type"
	errAccessDenied     = "access_denied"
	errTooManyRequests  = "too_many_requests"
)

// oauthError is a token endpoint failure before a style renders it.
type oauthError struct {
	Status int
	Code   string
	Desc   string
}

// badRequest is a 400 oauthError.
func badRequest(code, desc string) *oauthError {
	return &oauthError{Status: http.StatusBadRequest, Code: code, Desc: desc}
}

// writeJSON sends v as a JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeTokenJSON sends a token endpoint answer: JSON, never cached
// (RFC 6749 §5.1).
func writeTokenJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, v)
}

// errorBody is the RFC 6749 §5.2 error body.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeCognitoError renders e as Cognito does: {"error": code} only.
func writeCognitoError(w http.ResponseWriter, e *oauthError) {
	writeTokenJSON(w, e.Status, errorBody{Error: e.Code})
}

// writeRFCError renders e as {"error", "error_description"}.
func writeRFCError(w http.ResponseWriter, e *oauthError) {
	writeTokenJSON(w, e.Status, errorBody{Error: e.Code, Description: e.Desc})
}

// antsError is the error body of node-oauth2-server, which ANTS runs.
type antsError struct {
	StatusCode int    `json:"statusCode"`
	Status     int    `json:"status"`
	Code       int    `json:"code"`
	Message    string `json:"message"`
	Name       string `json:"name"`
}

// writeANTSError renders e in node-oauth2-server's shape.
func writeANTSError(w http.ResponseWriter, e *oauthError) {
	writeTokenJSON(w, e.Status, antsError{
		StatusCode: e.Status, Status: e.Status, Code: e.Status,
		Message: e.Desc, Name: e.Code,
	})
}

// writeBasicChallenge is the basic-only style's answer to missing or bad
// credentials: 401, a Basic challenge and a plain-text body.
func writeBasicChallenge(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte("Unauthorized"))
}
