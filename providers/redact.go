package providers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/tokentop/tokentop/providers/safetext"
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
		// Keep the scheme ("Basic [redacted]"); a value without one is all
		// secret.
		if scheme, _, ok := strings.Cut(v, " "); ok {
			out.Set("Authorization", scheme+" "+Redacted)
		} else {
			out.Set("Authorization", Redacted)
		}
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
			out.Add(safetext.Line(k), safetext.Line(v))
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
// any token-like JSON field, at any depth, however the server escaped it)
// replaced, sanitised, and cut at 64 KiB.
func redactBody(body []byte, accessToken string) string {
	body = redactJSONSecrets(body, accessToken)
	if accessToken != "" {
		body = bytes.ReplaceAll(body, []byte(accessToken), []byte(Redacted))
	}
	s := safetext.Sanitize(string(body))
	if accessToken != "" {
		// Sanitising can join a token split by a control byte.
		s = strings.ReplaceAll(s, accessToken, Redacted)
	}
	if len(s) > recordBodyLimit {
		cut := recordBodyLimit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "\n… (cut at 64 KiB for the record)"
	}
	return s
}

// redactJSONSecrets replaces every JSON string value that sits under a
// secret field name or decodes to accessToken with "[redacted]". It works on
// the raw text, so a value the server escaped ("a\/b", "\u0041") is found
// too and the rest of the body keeps its bytes. Text that is not JSON is
// returned as is; a body that stops being JSON part-way keeps the
// replacements made before that point.
func redactJSONSecrets(body []byte, accessToken string) []byte {
	type frame struct {
		object, wantKey bool
		key             string
	}
	var (
		stack []frame
		spans [][2]int64
	)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	prev := dec.InputOffset()
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		end := dec.InputOffset()
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, frame{object: t == '{', wantKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].wantKey = true
				}
			}
		case string:
			if top != nil && top.object && top.wantKey {
				top.key, top.wantKey = t, false
				break
			}
			if t != "" && t != Redacted && ((top != nil && top.object && secretFields[top.key]) || t == accessToken) {
				if q := bytes.IndexByte(body[prev:end], '"'); q >= 0 {
					spans = append(spans, [2]int64{prev + int64(q), end})
				}
			}
			if top != nil && top.object {
				top.wantKey = true
			}
		default:
			if top != nil && top.object {
				top.wantKey = true
			}
		}
		prev = end
	}
	if len(spans) == 0 {
		return body
	}
	out := make([]byte, 0, len(body))
	var at int64
	for _, sp := range spans {
		out = append(out, body[at:sp[0]]...)
		out = append(out, `"`+Redacted+`"`...)
		at = sp[1]
	}
	return append(out, body[at:]...)
}

// responseAccessToken digs the access token out of a token response that
// failed to parse, so the flight record can redact it all the same.
func responseAccessToken(body []byte, mapping *ResponseMapping) string {
	var m map[string]any
	if json.Unmarshal(bytes.TrimSpace(body), &m) != nil {
		return ""
	}
	mp := mapping
	if mp == nil {
		mp = &ResponseMapping{}
	}
	return lookupString(m, mp.AccessToken, accessTokenKeys)
}
