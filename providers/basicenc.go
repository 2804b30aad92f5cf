package providers

import (
	"encoding/base64"
	"fmt"
	"net/url"
)

// BasicEncoding says how the client id and secret are written into an
// HTTP Basic Authorization header.
type BasicEncoding string

// The Basic encodings.
const (
	// BasicForm form-urlencodes the id and secret before Base64, as RFC
	// 6749 §2.3.1 says (the default).
	BasicForm BasicEncoding = "form"
	// BasicRaw sends them as they are, for servers that do not
	// form-decode them (go-oauth2, older Spring, some gateways).
	BasicRaw BasicEncoding = "raw"
)

// Valid reports whether e is a known encoding (empty counts as form).
func (e BasicEncoding) Valid() bool { return e == "" || e == BasicForm || e == BasicRaw }

// BasicEncodingOf is p's Basic encoding, form when unset.
func (p Provider) BasicEncodingOf() BasicEncoding {
	if p.BasicEncoding == "" {
		return BasicForm
	}
	return p.BasicEncoding
}

// BasicAuth is the Authorization header value of RFC 6749 §2.3.1: the id
// and secret are form-urlencoded before they are joined and base64-encoded.
func BasicAuth(id, secret string) string {
	return BasicAuthWith(BasicForm, id, secret)
}

// BasicAuthWith is the Authorization header value with the given
// encoding: form (RFC 6749 §2.3.1) or raw (the bytes as they are).
func BasicAuthWith(enc BasicEncoding, id, secret string) string {
	if enc != BasicRaw {
		id, secret = url.QueryEscape(id), url.QueryEscape(secret)
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// FormEncodingChanges reports whether form-encoding changes the client id
// or secret, so that a server that does not decode Basic credentials sees
// other ones than were configured.
func FormEncodingChanges(id, secret string) bool {
	return url.QueryEscape(id) != id || url.QueryEscape(secret) != secret
}

// basicEncodingHint is the hint of a refused HTTP Basic request whose id
// or secret form-encoding changes: the secret may well be right, and the
// doctor's retry tells.
func basicEncodingHint(name string) string {
	return fmt.Sprintf("the server refused HTTP Basic, and the client id or secret holds characters that RFC 6749 form-encoding changes (+ / = : %% …), "+
		"which some servers do not decode: `tokentop doctor %s` sends them raw once and tells whether `basic_encoding: raw` is the fix", name)
}
