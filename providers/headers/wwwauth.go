package headers

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers/safetext"
)

// Challenge is one challenge of a WWW-Authenticate header (RFC 7235 §4.1):
// a scheme with either a token68 or auth-params. Param names are lower
// case; values are unquoted and sanitised.
type Challenge struct {
	Scheme  string
	Token68 string
	Params  map[string]string
}

// ParseWWWAuthenticate reads every challenge of one or more WWW-Authenticate
// header values (RFC 7235 §4.1 and §2.1: auth-params with tokens or quoted
// strings, several challenges in one value). It is lenient: text it cannot
// read is skipped, and it never fails.
func ParseWWWAuthenticate(values ...string) []Challenge {
	var out []Challenge
	for _, v := range values {
		out = append(out, parseChallenges(v)...)
	}
	return out
}

func parseChallenges(h string) []Challenge {
	var out []Challenge
	i := 0
	for i < len(h) {
		i = skipSpaceComma(h, i)
		if i >= len(h) {
			break
		}
		scheme, j := readToken(h, i)
		if scheme == "" {
			i++ // not a token: skip the byte
			continue
		}
		c := Challenge{Scheme: safetext.Line(scheme), Params: map[string]string{}}
		i = skipSpace(h, j)
		// A token68 straight after the scheme: token68 chars, "=" padding,
		// then a comma or the end.
		if t68, k := readToken68(h, i); t68 != "" {
			if e := skipSpace(h, k); e >= len(h) || h[e] == ',' {
				c.Token68 = safetext.Line(t68)
				out = append(out, c)
				i = e
				continue
			}
		}
		// auth-params until a token that is not followed by "=".
		for i < len(h) {
			k := skipSpaceComma(h, i)
			name, m := readToken(h, k)
			if name == "" {
				i = k
				break
			}
			eq := skipSpace(h, m)
			if eq >= len(h) || h[eq] != '=' {
				i = k // the next challenge's scheme
				break
			}
			val, next := readValue(h, skipSpace(h, eq+1))
			c.Params[strings.ToLower(safetext.Line(name))] = safetext.Line(val)
			i = next
		}
		out = append(out, c)
	}
	return out
}

func skipSpace(h string, i int) int {
	for i < len(h) && (h[i] == ' ' || h[i] == '\t') {
		i++
	}
	return i
}

func skipSpaceComma(h string, i int) int {
	for i < len(h) && (h[i] == ' ' || h[i] == '\t' || h[i] == ',') {
		i++
	}
	return i
}

// isTChar reports an RFC 9110 tchar.
func isTChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func readToken(h string, i int) (string, int) {
	j := i
	for j < len(h) && isTChar(h[j]) {
		j++
	}
	return h[i:j], j
}

// readToken68 reads 1*(ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/") *"=".
func readToken68(h string, i int) (string, int) {
	j := i
	for j < len(h) {
		c := h[j]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+/", c) >= 0 {
			j++
			continue
		}
		break
	}
	if j == i {
		return "", i
	}
	for j < len(h) && h[j] == '=' {
		j++
	}
	return h[i:j], j
}

// readValue reads a token or a quoted-string (with \-escapes; an
// unterminated one runs to the end).
func readValue(h string, i int) (string, int) {
	if i >= len(h) || h[i] != '"' {
		return readToken(h, i)
	}
	var b strings.Builder
	j := i + 1
	for j < len(h) {
		c := h[j]
		switch {
		case c == '\\' && j+1 < len(h):
			b.WriteByte(h[j+1])
			j += 2
		case c == '"':
			return b.String(), j + 1
		default:
			b.WriteByte(c)
			j++
		}
	}
	return b.String(), j
}

// BearerChallenge is the Bearer challenge of an RFC 6750 §3 answer.
type BearerChallenge struct {
	Realm       string `json:"realm,omitempty"`
	Error       string `json:"error,omitempty"`
	Description string `json:"error_description,omitempty"`
	URI         string `json:"error_uri,omitempty"`
	// Scope is the scope the resource needs, space-separated.
	Scope string `json:"scope,omitempty"`
}

// BearerFrom finds the Bearer challenge among the header values; ok is
// false when there is none.
func BearerFrom(values ...string) (BearerChallenge, bool) {
	for _, c := range ParseWWWAuthenticate(values...) {
		if strings.EqualFold(c.Scheme, "Bearer") {
			return BearerChallenge{
				Realm: c.Params["realm"], Error: c.Params["error"], Description: c.Params["error_description"],
				URI: c.Params["error_uri"], Scope: c.Params["scope"],
			}, true
		}
	}
	return BearerChallenge{}, false
}

// APIRefusal explains an API's 401 or 403 from its WWW-Authenticate.
type APIRefusal struct {
	Status int
	// Bearer is the Bearer challenge; HasBearer is false when the answer
	// had none (then Challenges may hold another scheme's).
	Bearer     BearerChallenge
	HasBearer  bool
	Challenges []Challenge
	// Summary says what the API said, in words; Hint what to try.
	Summary, Hint string
	// Wanted are the scopes the API asked for; Missing those of them the
	// token lacks.
	Wanted, Missing []string
}

// ExplainRefusal words an API answer of status with the given
// WWW-Authenticate values, for a token whose granted scope is tokenScope
// (space- or comma-separated; empty when unknown). It is meant for 401
// and 403 but accepts any status.
func ExplainRefusal(status int, tokenScope string, wwwAuthenticate ...string) APIRefusal {
	r := APIRefusal{Status: status, Challenges: ParseWWWAuthenticate(wwwAuthenticate...)}
	r.Bearer, r.HasBearer = BearerFrom(wwwAuthenticate...)
	b := r.Bearer
	desc := ""
	if b.Description != "" {
		desc = ": " + b.Description
	}
	switch b.Error {
	case "invalid_token":
		r.Summary = "the API rejected the token (invalid_token)" + desc
		r.Hint = invalidTokenHint(strings.ToLower(b.Description))
	case "insufficient_scope":
		r.Wanted = strings.Fields(b.Scope)
		have := strings.FieldsFunc(tokenScope, func(c rune) bool { return c == ' ' || c == ',' })
		for _, w := range r.Wanted {
			if !slices.Contains(have, w) {
				r.Missing = append(r.Missing, w)
			}
		}
		r.Summary = "the token lacks a scope this call needs (insufficient_scope)" + desc
		switch {
		case len(r.Missing) > 0:
			r.Hint = fmt.Sprintf("the API wants scope %s; the token has %s: add %s to the provider's `scopes` (and grant it to the client in the provider's console)",
				strings.Join(r.Wanted, " "), cmp.Or(strings.Join(have, " "), "none"), strings.Join(r.Missing, " "))
		case len(r.Wanted) > 0:
			r.Hint = fmt.Sprintf("the API wants scope %s and the token seems to have it: the API may read scopes from another claim, or want them all at once", strings.Join(r.Wanted, " "))
		default:
			r.Hint = "the API did not say which scope it wants: check its documentation, and the token's scope (tokentop inspect NAME)"
		}
	case "invalid_request":
		r.Summary = "the API found the request malformed (invalid_request)" + desc
		r.Hint = "the token may be sent twice (header and query), in the wrong place, or with a wrong scheme: send only `Authorization: Bearer TOKEN`"
	case "":
		switch {
		case status == http.StatusUnauthorized && r.HasBearer:
			r.Summary = "the API wants a bearer token and named no error (RFC 6750 §3.1: no token, or one it could not read)"
			r.Hint = "check that a token was sent, and that this API accepts tokens of this provider"
		case status == http.StatusUnauthorized && len(r.Challenges) > 0:
			r.Summary = fmt.Sprintf("the API asks for %s authentication, not a bearer token", r.Challenges[0].Scheme)
			r.Hint = "this API may not take OAuth2 tokens, or the URL is wrong"
		case status == http.StatusUnauthorized:
			r.Summary = "the API refused the request (401, no WWW-Authenticate)"
			r.Hint = "the API wants a valid bearer token: check the provider's audience and scopes"
		case status == http.StatusForbidden:
			r.Summary = "the API accepted the token but refused the call (403)"
			r.Hint = "the token lacks permission: check scopes and the client's grants"
		}
	default:
		r.Summary = fmt.Sprintf("the API answered %s", b.Error) + desc
	}
	if b.URI != "" && r.Hint != "" {
		r.Hint += " (see " + b.URI + ")"
	}
	return r
}

func invalidTokenHint(desc string) string {
	switch {
	case strings.Contains(desc, "expired"):
		return "the token expired: fetch a new one (tokentop token NAME --force-refresh) and check the clocks (tokentop inspect NAME shows the skew)"
	case strings.Contains(desc, "not valid yet") || strings.Contains(desc, "nbf") || strings.Contains(desc, "before"):
		return "the token is not valid yet for the API: its clock or the issuer's is off (tokentop inspect NAME shows the skew)"
	case strings.Contains(desc, "audience") || strings.Contains(desc, "aud"):
		return "the token is for another audience: check the provider's `audience` or `resource` against the API's identifier"
	case strings.Contains(desc, "revoked"):
		return "the token was revoked: fetch a new one (tokentop token NAME --force-refresh)"
	case strings.Contains(desc, "issuer") || strings.Contains(desc, "iss"):
		return "the API does not trust the token's issuer: is this a sandbox token sent to prod, or the reverse?"
	case strings.Contains(desc, "signature"):
		return "the API cannot verify the token's signature: another issuer or rotated keys (a sandbox token sent to prod?); tokentop inspect NAME checks it against the JWKS"
	}
	return "the token is expired, revoked, malformed or for another audience or issuer: tokentop inspect NAME checks it, and --force-refresh fetches a new one"
}

// ResourceMetadata is the resource_metadata of the first Bearer challenge
// that names one (RFC 9728 §5.1), "" when none does.
func ResourceMetadata(challenges ...string) string {
	for _, c := range ParseWWWAuthenticate(challenges...) {
		if strings.EqualFold(c.Scheme, "Bearer") && c.Params["resource_metadata"] != "" {
			return c.Params["resource_metadata"]
		}
	}
	return ""
}
