package sandbox

import (
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBytes bounds a token request body.
const maxFormBytes = 64 << 10

// credSource says where a token request carried its client credentials.
type credSource int

const (
	credNone  credSource = iota // no credentials
	credBasic                   // Authorization: Basic
	credBody                    // client_id and client_secret in the form
)

// tokenRequest is a token request that passed the checks every style shares.
type tokenRequest struct {
	form   url.Values
	source credSource
	id     string
	secret string
	// rawID and rawSecret are HTTP Basic's id and secret before
	// form-decoding, for clients of servers that do not decode.
	rawID, rawSecret string
}

// parseTokenRequest applies the checks every token endpoint shares: POST,
// a form body, grant_type=client_credentials, no repeated parameters and at
// most one way of sending client credentials. Failures are oauthErrors with
// RFC 6749 codes for the style to render in its own shape.
func parseTokenRequest(w http.ResponseWriter, r *http.Request) (tokenRequest, *oauthError) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return tokenRequest{}, badRequest(errUnsupportedGrant, "the token endpoint accepts only POST")
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return tokenRequest{}, badRequest(errUnsupportedGrant, "Content-Type must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return tokenRequest{}, badRequest(errInvalidRequest, "the form body could not be read")
	}
	form := r.PostForm
	// Parameters must not be repeated (RFC 6749 §3.2).
	for _, p := range []string{"grant_type", "client_id", "client_secret", "scope", "audience"} {
		if len(form[p]) > 1 {
			return tokenRequest{}, badRequest(errInvalidRequest, "parameter "+p+" is repeated")
		}
	}
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return tokenRequest{}, badRequest(errUnsupportedGrant, "grant_type is missing")
	default:
		return tokenRequest{}, badRequest(errUnsupportedGrant, "grant_type "+gt+" is not supported")
	}
	req := tokenRequest{form: form}
	if h := r.Header.Get("Authorization"); h != "" {
		id, secret, err := parseBasic(h)
		if err != nil {
			return tokenRequest{}, &oauthError{Status: http.StatusBadRequest, Code: errInvalidClient, Desc: err.Error()}
		}
		req.source, req.id, req.secret = credBasic, id, secret
		req.rawID, req.rawSecret = rawBasic(h)
	}
	if form.Has("client_secret") || (form.Has("client_id") && req.source == credNone) {
		if req.source == credBasic {
			return tokenRequest{}, badRequest(errInvalidRequest, "send client credentials either with HTTP Basic or in the body, not both")
		}
		req.source, req.id, req.secret = credBody, form.Get("client_id"), form.Get("client_secret")
	}
	if req.source == credBasic && form.Has("client_id") && form.Get("client_id") != req.id {
		return tokenRequest{}, badRequest(errInvalidRequest, "client_id in the body differs from the one in HTTP Basic")
	}
	return req, nil
}

// rawBasic is an Authorization: Basic header's id and secret as sent,
// not form-decoded ("" when it cannot be read).
func rawBasic(header string) (id, secret string) {
	_, enc, _ := strings.Cut(header, " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", ""
	}
	id, secret, _ = strings.Cut(string(raw), ":")
	return id, secret
}

// errBasic is wrapped by every Basic credential parsing failure.
var errBasic = errors.New("malformed HTTP Basic credentials")

// parseBasic decodes an Authorization: Basic header. Per RFC 6749 §2.3.1 the
// client id and secret are form-urlencoded before they are joined with ':'
// and base64-encoded, so they are split on the first ':' and then unescaped.
func parseBasic(header string) (id, secret string, err error) {
	scheme, enc, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", fmt.Errorf("%w: the Authorization scheme is not Basic", errBasic)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", errBasic, err)
	}
	rawID, rawSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", fmt.Errorf("%w: no ':' between id and secret", errBasic)
	}
	if id, err = url.QueryUnescape(rawID); err != nil {
		return "", "", fmt.Errorf("%w: client id: %w", errBasic, err)
	}
	if secret, err = url.QueryUnescape(rawSecret); err != nil {
		return "", "", fmt.Errorf("%w: client secret: %w", errBasic, err)
	}
	return id, secret, nil
}
