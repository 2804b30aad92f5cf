package providers

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/tokentop/tokentop/providers/safetext"
)

// Redacted stands in for a secret in flight records.
const Redacted = "[redacted]"

// MinRedactLen is the shortest value redacted by value, in bytes. A client
// secret, assertion or token of fewer bytes is still redacted under its
// field name (client_secret=…, "access_token": "…", the Authorization
// header), but not wherever else it appears: replacing "abc" in every
// text would shred words, and the [redacted] marks left behind would
// point at the secret. Secrets that providers issue are 20 bytes and more.
//
// A value of at least this length is found in every text however it is
// spelled (see secrets): raw; percent-encoded in either case of hex, with
// %20 or + for a space; as HTML character references, named (&quot;
// &apos; &lt; &auml;), decimal (&#39; &#039;) or hex (&#x27; &#X27;);
// JSON-escaped, ASCII-only or not (\u00e4, \u0027, \/); any mix of those
// within one text; and base64 (standard or URL alphabet, padded or not),
// alone or inside a longer base64 text such as a Basic header.
const MinRedactLen = 8

// maxErrorText caps a server's words quoted in an error (runes).
const maxErrorText = 1000

// secretFieldNames are JSON and form fields whose values are never
// recorded. (An array and a function rather than a map: nothing to build
// when the process starts.)
var secretFieldNames = [...]string{
	"client_secret", "access_token", "accessToken", "refresh_token",
	"refreshToken", "id_token", "idToken", "client_assertion", "token", "device_code",
}

// secretField says whether k is one of secretFieldNames.
func secretField(k string) bool { return slices.Contains(secretFieldNames[:], k) }

// fieldREs holds fieldPatterns, compiled on first use.
var fieldREs struct {
	once     sync.Once
	patterns [2]*regexp.Regexp
}

// fieldPatterns find a secret field's value in any text: form-encoded
// (client_secret=…) and JSON, escaped or not ("access_token": "…", or
// \"access_token\":\"…\" inside a JSON string). Group 1 is the value.
func fieldPatterns() [2]*regexp.Regexp {
	fieldREs.once.Do(func() { fieldREs.patterns = compileFieldPatterns() })
	return fieldREs.patterns
}

func compileFieldPatterns() [2]*regexp.Regexp {
	names := make([]string, 0, len(secretFieldNames))
	for _, k := range secretFieldNames {
		names = append(names, regexp.QuoteMeta(k))
	}
	// Longest first, so access_token wins over token.
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	alt := strings.Join(names, "|")
	return [2]*regexp.Regexp{
		regexp.MustCompile(`(?i)(?:^|[^a-z0-9_])(?:` + alt + `)=([^&\s"'<>;,\\]+)`),
		regexp.MustCompile(`(?i)"(?:` + alt + `)\\?"\s*:\s*\\?"((?:[^"\\]|\\[^"])+)`),
	}
}

// secrets is what one request knows to be secret by value: the client
// secret, the client assertion, and the tokens the answer carries. It
// redacts them, and every secret field by name, from whatever is recorded
// or shown of the exchange. The zero value knows no value and still
// redacts by name.
//
// Each value is matched however a server escaped it (see MinRedactLen and
// redactEscaped): the text is read unit by unit (a byte, %HH, +, an HTML
// character reference, a JSON escape), so every mix of those escapes is
// found, not only the spellings Go's encoders would write. The base64 of a
// value is matched the same way (a base64 text percent-encoded in a query
// is still found); so are the forms the sanitiser leaves of a value.
type secrets struct {
	// spelled are the values matched in any escaping: each secret and
	// its base64 forms, longest first.
	spelled []string
	// values are every literal form of every secret (spelled, and what
	// Go's encoders and the sanitiser make of them), longest first.
	values []string
}

// add learns v, in every form it may take on the wire or in a record,
// unless it is shorter than MinRedactLen.
func (s *secrets) add(v string) {
	if len(v) < MinRedactLen {
		return
	}
	spelled := append([]string{v}, base64Forms(v)...)
	forms := append(spelled, url.QueryEscape(v), url.PathEscape(v), html.EscapeString(v), safetext.Sanitize(v), safetext.Line(v))
	for _, escapeHTML := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		if enc.Encode(v) == nil {
			j := strings.TrimSuffix(strings.TrimSpace(b.String()), `"`)
			j = strings.TrimPrefix(j, `"`)
			forms = append(forms, j, strings.ReplaceAll(j, "/", `\/`))
		}
	}
	s.spelled = learn(s.spelled, spelled)
	s.values = learn(s.values, forms)
}

// learn adds to list each of forms long enough and not known yet, and
// sorts it longest first.
func learn(list, forms []string) []string {
	for _, f := range forms {
		if len(f) >= MinRedactLen && !strings.Contains(Redacted, f) && !slices.Contains(list, f) {
			list = append(list, f)
		}
	}
	slices.SortStableFunc(list, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return list
}

// base64Forms is v in base64: alone (standard and URL alphabets, padded
// and not), and the part of the encoding that v alone decides wherever it
// starts in a longer text such as a Basic header's id:secret (the
// characters at its edges depend on the bytes around it).
func base64Forms(v string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		out = append(out, enc.EncodeToString([]byte(v)))
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for lead := range 3 {
			e := enc.EncodeToString(append(make([]byte, lead), v...))
			out = append(out, e[(8*lead+5)/6:8*(lead+len(v))/6])
		}
	}
	return out
}

// addBasic learns the credentials of an HTTP Basic header: the secret and
// the base64 of id:secret as RFC 6749 §2.3.1 sends it, and as servers that
// skip the form-encoding expect it. The base64 is redacted even when the
// secret alone is too short to be.
func (s *secrets) addBasic(id, secret string) {
	s.add(secret)
	for _, pair := range []string{url.QueryEscape(id) + ":" + url.QueryEscape(secret), id + ":" + secret} {
		s.add(base64.StdEncoding.EncodeToString([]byte(pair)))
	}
}

// learnRequest learns what a request proves the client with: the secret
// (also as Basic credentials with the client id), and any secret field of
// the form, such as the client assertion or the token being introspected.
func (s *secrets) learnRequest(clientID, secret string, form url.Values, h http.Header) {
	if secret != "" {
		s.addBasic(clientID, secret)
	}
	for k, vs := range form {
		if secretField(k) {
			for _, v := range vs {
				s.add(v)
			}
		}
	}
	for _, k := range []string{"Authorization", "Proxy-Authorization"} {
		if v := h.Get(k); v != "" {
			_, cred, _ := strings.Cut(v, " ")
			s.add(cmp.Or(cred, v))
		}
	}
}

// learnAnswer learns the tokens an answer carries: every secret field of a
// JSON body at any depth, the field the response mapping names, and the
// secret fields of a form-encoded body (access_token=…&token_type=bearer,
// which tokentop refuses but must not quote).
func (s *secrets) learnAnswer(body []byte, mapping *ResponseMapping) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		_, found := scanJSON(trimmed, nil)
		for _, v := range found {
			s.add(v)
		}
		s.add(responseAccessToken(trimmed, mapping))
		return
	}
	if trimmed[0] == '<' || !bytes.ContainsRune(trimmed, '=') {
		return
	}
	line, _, _ := bytes.Cut(trimmed, []byte("\n"))
	form, _ := url.ParseQuery(string(line)) // what parses is enough
	for k, vs := range form {
		if secretField(k) || strings.EqualFold(k, "access_token") || (mapping != nil && k == mapping.AccessToken) {
			for _, v := range vs {
				s.add(strings.TrimSpace(v))
			}
		}
	}
}

// text redacts every secret field by name and every known secret by value.
func (s *secrets) text(t string) string {
	if t == "" {
		return t
	}
	if mayNameASecret(t) {
		for _, re := range fieldPatterns() {
			t = replaceGroup(re, t)
		}
	}
	return s.byValueText(t)
}

// RedactValues replaces in t every spelling of each of values that is at
// least MinRedactLen bytes long (raw, escaped by any server, in base64:
// see MinRedactLen) with Redacted, and nothing else: for a writer that
// knows the secrets of what it writes (a report: the token, the client
// secret).
func RedactValues(t string, values ...string) string {
	var s secrets
	for _, v := range values {
		s.add(v)
	}
	return s.byValueText(t)
}

// byValueText replaces every known secret in t by value: every spelling
// of each, then the literal forms left.
func (s *secrets) byValueText(t string) string {
	if len(s.spelled) > 0 {
		t = redactEscaped(t, s.spelled)
	}
	for _, v := range s.values {
		t = strings.ReplaceAll(t, v, Redacted)
	}
	return t
}

// byValue replaces every known secret in b by value, and nothing else: for
// bytes passed on as they came (an API's body into a pipe), where a field
// name proves nothing.
func (s *secrets) byValue(b []byte) []byte {
	if len(s.spelled) == 0 {
		return b
	}
	return []byte(s.byValueText(string(b)))
}

// mayNameASecret reports whether t holds a word every secret field name
// holds (token, secret, assertion), in any case: text without one needs no
// look for field names.
func mayNameASecret(t string) bool {
	l := strings.ToLower(t)
	return strings.Contains(l, "token") || strings.Contains(l, "secret") || strings.Contains(l, "assertion")
}

// replaceGroup replaces group 1 of every match of re in t with Redacted.
func replaceGroup(re *regexp.Regexp, t string) string {
	ms := re.FindAllStringSubmatchIndex(t, -1)
	if ms == nil {
		return t
	}
	var b strings.Builder
	at := 0
	for _, m := range ms {
		b.WriteString(t[at:m[2]])
		b.WriteString(Redacted)
		at = m[3]
	}
	b.WriteString(t[at:])
	return b.String()
}

// line is text for one line of a record: redacted and sanitised.
func (s *secrets) line(t string) string { return s.sanitized(t, safetext.Line) }

// sanitized is t redacted and passed through clean, redacted once more if
// clean changed it (dropping a control byte can join a split secret).
func (s *secrets) sanitized(t string, clean func(string) string) string {
	r := s.text(t)
	if c := clean(r); c != r {
		return s.text(c)
	}
	return r
}

// headers copies h for a record: Authorization (keeping its scheme),
// Proxy-Authorization, Cookie and Set-Cookie redacted, every name and
// value sanitised and redacted, then bounded (see boundHeaders).
func (s *secrets) headers(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Proxy-Authorization":
				// Keep the scheme ("Basic [redacted]"); a value without
				// one is all secret.
				if scheme, _, ok := strings.Cut(v, " "); ok {
					v = scheme + " " + Redacted
				} else {
					v = Redacted
				}
			case "Cookie", "Set-Cookie":
				v = Redacted
			}
			out.Add(s.line(k), s.line(v))
		}
	}
	return boundHeaders(out)
}

// form encodes a request's form for the record, secret fields redacted.
func (s *secrets) form(form url.Values) string {
	out := url.Values{}
	for k, vs := range form {
		for _, v := range vs {
			if secretField(k) {
				v = Redacted
			}
			out.Add(s.text(k), s.text(v))
		}
	}
	return out.Encode()
}

// body returns a body fit for a record: every JSON string under a secret
// field name (at any depth, however the server escaped it) or equal to a
// known secret replaced, then secret fields in any other text and known
// secrets by value, sanitised, and cut at 64 KiB.
func (s *secrets) body(body []byte) string {
	if spans, _ := scanJSON(body, s.known); len(spans) > 0 {
		out := make([]byte, 0, len(body))
		var at int64
		for _, sp := range spans {
			out = append(out, body[at:sp[0]]...)
			out = append(out, `"`+Redacted+`"`...)
			at = sp[1]
		}
		body = append(out, body[at:]...)
	}
	return cutBody(s.sanitized(string(body), safetext.Sanitize))
}

// known reports whether v is a known secret.
func (s *secrets) known(v string) bool { return slices.Contains(s.values, v) }

// exchange redacts every text of ex with what is known now, and bounds it:
// the last pass over a record before it leaves the client.
func (s *secrets) exchange(ex *Exchange) {
	ex.URL = s.line(ex.URL)
	ex.RequestHeaders = s.headers(ex.RequestHeaders)
	ex.ResponseHeaders = s.headers(ex.ResponseHeaders)
	if f, err := url.ParseQuery(ex.RequestBody); err == nil {
		ex.RequestBody = s.form(f)
	} else {
		ex.RequestBody = s.text(ex.RequestBody)
	}
	ex.ResponseBody = s.text(ex.ResponseBody)
	ex.Error, ex.Hint, ex.Credential = s.text(ex.Error), s.text(ex.Hint), s.text(ex.Credential)
	*ex = ex.Bounded()
}

// err redacts what err says. An *Error (anywhere in the chain) has its
// server-given texts redacted and its description cut to 1,000
// characters; an underlying error whose text held a secret is replaced by
// one that says the same, redacted, and unwraps to it.
func (s *secrets) err(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := AsError(err); ok {
		e.Code, e.URI, e.Hint = s.line(e.Code), s.line(e.URI), s.text(e.Hint)
		e.Description = Truncate(s.text(e.Description), maxErrorText)
		if e.Err != nil {
			e.Err = s.err(e.Err)
		}
		if err == error(e) {
			return e
		}
	}
	if msg := err.Error(); s.text(msg) != msg {
		return &redactedError{msg: s.text(msg), err: err}
	}
	return err
}

// redactedError says what err says with the secrets taken out.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactBody is a record's body with only the secret fields and token
// redacted; see secrets.body.
func redactBody(body []byte, token string) string {
	var s secrets
	s.add(token)
	return s.body(body)
}

// scanJSON walks body as JSON and returns the byte spans of the string
// values to redact: those under a secret field name and those known
// reports (known may be nil). found holds the decoded values under secret
// field names. It works on the raw text, so a value the server escaped
// ("a\/b", "\u0041") is found too and the rest keeps its bytes. Text that
// is not JSON has no spans; a body that stops being JSON part-way keeps
// those found before that point.
func scanJSON(body []byte, known func(string) bool) (spans [][2]int64, found []string) {
	type frame struct {
		object, wantKey bool
		key             string
	}
	var stack []frame
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
			named := top != nil && top.object && secretField(top.key)
			if named && t != "" && t != Redacted {
				found = append(found, t)
			}
			if t != "" && t != Redacted && (named || (known != nil && known(t))) {
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
	return spans, found
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
