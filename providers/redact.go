package providers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Redacted stands in for a secret in flight records.
const Redacted = "[redacted]"

// recordBodyLimit caps a body kept in a flight record.
const recordBodyLimit = 64 << 10

// secretFields are JSON and form fields whose values are never recorded.
var secretFields = map[string]bool{
	"client_secret": true, "access_token": true, "accessToken": true, "refresh_token": true,
	"refreshToken": true, "id_token": true, "idToken": true, "client_assertion": true, "token": true,
}

// redactHeaders copies h with Authorization and cookies redacted.
func redactHeaders(h http.Header) http.Header {
	out := h.Clone()
	if v := out.Get("Authorization"); v != "" {
		scheme, _, _ := strings.Cut(v, " ")
		out.Set("Authorization", scheme+" "+Redacted)
	}
	if out.Get("Cookie") != "" {
		out.Set("Cookie", Redacted)
	}
	return out
}

// redactResponseHeaders copies h with Set-Cookie redacted and every value
// sanitised for display.
func redactResponseHeaders(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			if strings.EqualFold(k, "Set-Cookie") {
				v = Redacted
			}
			out.Add(SanitizeLine(k), SanitizeLine(v))
		}
	}
	return out
}

// redactForm encodes a form with secret fields replaced.
func redactForm(form url.Values) string {
	out := url.Values{}
	for k, vs := range form {
		for _, v := range vs {
			if secretFields[k] {
				v = Redacted
			}
			out.Add(k, v)
		}
	}
	return out.Encode()
}

// redactBody returns a body fit for the flight record: the access token (and
// any token-like JSON field) replaced, sanitised, and cut at 64 KiB.
func redactBody(body []byte, accessToken string) string {
	if accessToken != "" {
		body = bytes.ReplaceAll(body, []byte(accessToken), []byte(Redacted))
	}
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.UseNumber()
		if dec.Decode(&m) == nil {
			for k, v := range m {
				if s, ok := v.(string); ok && secretFields[k] && s != Redacted && s != "" {
					body = bytes.ReplaceAll(body, mustJSON(s), mustJSON(Redacted))
				}
			}
		}
	}
	s := Sanitize(string(body))
	if len(s) > recordBodyLimit {
		s = s[:recordBodyLimit] + "\n… (cut at 64 KiB for the record)"
	}
	return s
}

func mustJSON(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}
