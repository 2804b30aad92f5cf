package providers

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrorKind groups errors by what failed.
type ErrorKind string

// Error kinds.
const (
	// KindOAuth is an error answer from the token endpoint: RFC 6749 §5.2,
	// Auth0's access_denied, or a vendor shape such as seed 004's.
	KindOAuth ErrorKind = "oauth"
	// KindHTTP is a non-2xx answer without a recognised error body.
	KindHTTP ErrorKind = "http"
	// KindRateLimited is a 429 or 503, with RetryAfter when the server said.
	KindRateLimited ErrorKind = "rate_limited"
	// KindRedirect is a 3xx from the token endpoint, which is never followed.
	KindRedirect ErrorKind = "redirect"
	// KindTransport is a failure before an answer: DNS, refused, TLS, timeout.
	KindTransport ErrorKind = "transport"
	// KindResponse is a 2xx that is not a usable token response.
	KindResponse ErrorKind = "response"
	// KindConfig is a provider setting that cannot work.
	KindConfig ErrorKind = "config"
	// KindQuota is a fetch refused by tokentop's own quota ledger.
	KindQuota ErrorKind = "quota"
)

// Error is what went wrong in words, with the details kept for triage.
// Every string field that came from a server is sanitised.
type Error struct {
	Kind     ErrorKind
	Provider string
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// Code is the OAuth error code (invalid_client, …) or, for transport
	// failures, one of dns, refused, tls, timeout, canceled, network.
	Code        string
	Description string
	URI         string
	// RetryAfter is the server's Retry-After, clamped to [1s, 1h].
	RetryAfter time.Duration
	// Hint says what to try.
	Hint string
	// Err is the underlying error, if any.
	Err error

	// peer names what could not be reached or answered ("the token
	// endpoint" when empty); test-calls say "the API".
	peer string
	// page is what a non-JSON answer turned out to be.
	page pageKind
}

// Error reads as one sentence: who, what, and the server's words.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Provider != "" {
		fmt.Fprintf(&b, "%s: ", e.Provider)
	}
	b.WriteString(e.Summary())
	return b.String()
}

// Summary is the error without the provider name.
func (e *Error) Summary() string {
	var b strings.Builder
	switch e.Kind {
	case KindOAuth, KindHTTP, KindRateLimited:
		if e.peer != "" {
			fmt.Fprintf(&b, "%s answered %d", e.peer, e.Status)
		} else {
			fmt.Fprintf(&b, "token endpoint answered %d", e.Status)
		}
		if e.Code != "" {
			fmt.Fprintf(&b, " %s", e.Code)
		}
		if e.Description != "" {
			fmt.Fprintf(&b, ": %s", e.Description)
		}
		if e.RetryAfter > 0 {
			fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
		}
	case KindTransport:
		peer := e.peer
		if peer == "" {
			peer = "the token endpoint"
		}
		b.WriteString("could not reach " + peer)
		if e.Description != "" {
			fmt.Fprintf(&b, ": %s", e.Description)
		}
		if e.Err != nil {
			fmt.Fprintf(&b, ": %v", e.Err)
		}
	default:
		b.WriteString(e.Description)
		if e.Err != nil {
			if e.Description != "" {
				b.WriteString(": ")
			}
			b.WriteString(e.Err.Error())
		}
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// AsError returns err as an *Error when it is one (or wraps one).
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// HintWithName fills in a hint written for any provider: the hints of
// Verify and ExplainRefusal say "tokentop inspect NAME", and a caller that
// knows the provider puts its name there. An empty name leaves the hint.
func HintWithName(hint, name string) string {
	if name == "" {
		return hint
	}
	return strings.ReplaceAll(hint, " NAME", " "+name)
}

// HintFor returns the hint of err when it carries one.
func HintFor(err error) string {
	if e, ok := AsError(err); ok {
		return e.Hint
	}
	return ""
}

// hintFor fills in the hint for an OAuth error code given what was asked.
func hintFor(e *Error, p Provider, style AuthStyle) string {
	if style.UsesSecret() && NoSecret(p) && (e.Code == "invalid_client" || e.Code == "invalid_request" || e.Status == 401) {
		// Before a rotated secret or another auth style: there is none.
		return NoSecretHint(p.Name)
	}
	switch e.Code {
	case "invalid_client":
		switch style {
		case AuthBasic:
			return "the server refused HTTP Basic client authentication: check the client id and secret, or try `auth_style: post`"
		case AuthPost:
			return "the server refused the credentials in the body: check the client id and secret, or try `auth_style: basic`"
		case AuthPrivateKeyJWT, AuthTLSClient:
			return keyStyleHint(p, style)
		}
		return "check the client id and secret; both auth styles were refused"
	case "unsupported_grant_type":
		return "the client is not enabled for the client credentials grant: enable it in the provider's console"
	case "unauthorized_client":
		return "the client may not use the client credentials grant, or not for these scopes: check its settings in the provider's console"
	case "invalid_scope":
		h := fmt.Sprintf("the server refused the scopes asked for: %s", scopeList(p))
		if len(p.Scopes) > 0 && p.Separator() == " " && anyContains(p.Scopes, ",") {
			h += "; the scopes hold commas: does this provider want `scope_separator: \",\"`?"
		}
		return h
	case "invalid_target":
		return audienceHint(e, p, ResourceOffer{})
	case "invalid_request":
		return invalidRequestHint(e, p, style)
	case "access_denied":
		if e.Status == 401 {
			return "the server refused the client credentials: check the client id and secret"
		}
		if pointsAtAudience(e) {
			return audienceHint(e, p, ResourceOffer{})
		}
		return fmt.Sprintf("the client is not granted the scopes asked for (%s): grant them to it at the vendor, or stop asking for them", scopeList(p))
	case "too_many_requests":
		return "the server's token quota is used up: reuse cached tokens (tokentop does) and wait for the window to reset"
	}
	switch e.Status {
	case 401:
		switch style {
		case AuthBasic:
			return "401 under HTTP Basic: check the client id and secret, or try `auth_style: post`"
		case AuthPost:
			return "401 with credentials in the body: check the client id and secret, or try `auth_style: basic`"
		case AuthPrivateKeyJWT, AuthTLSClient:
			return keyStyleHint(p, style)
		}
		return "the server refused the client credentials: check the client id and secret"
	case 403:
		if p.Audience != "" {
			return fmt.Sprintf("check the audience %q and that the client is granted access to it", p.Audience)
		}
		return "the client is not allowed this token: check its grants, and whether the provider needs an audience"
	case 404, 405:
		return "check token_url: the server has no token endpoint there"
	case 429, 503:
		return "the server is rate limiting or unavailable: tokentop reuses cached tokens; wait for the retry time"
	}
	if e.Status >= 500 {
		return "the authorization server failed: try again later, and check its status page"
	}
	return ""
}

// invalidRequestHint is the hint of invalid_request: under
// private_key_jwt most often the assertion, else the audience or resource
// sent, else a parameter missing.
func invalidRequestHint(e *Error, p Provider, style AuthStyle) string {
	if style == AuthPrivateKeyJWT {
		// fosite, for one, answers an assertion whose kid it does not
		// know with invalid_request, not invalid_client.
		return "the server found the request malformed, which under private_key_jwt is most often the client assertion: " + assertionChecks(p)
	}
	if pointsAtAudience(e) {
		return audienceHint(e, p, ResourceOffer{})
	}
	var sent []string
	if p.Audience != "" {
		sent = append(sent, fmt.Sprintf("audience %q", p.Audience))
	}
	if p.Resource != "" {
		sent = append(sent, fmt.Sprintf("resource %q", p.Resource))
	}
	if len(sent) > 0 {
		return fmt.Sprintf("the server found the request malformed or refused a value in it: check that the client may ask for the %s (the description may name it), else a required parameter may be missing", strings.Join(sent, " and "))
	}
	return "the server found the request malformed: a required parameter (audience, scope, resource) may be missing"
}

// keyStyleHint says what to check when the server refuses a client that
// proves itself with a key: the key or certificate it knows, and (for an
// assertion) the kid, the algorithm and the audience.
func keyStyleHint(p Provider, style AuthStyle) string {
	if style == AuthTLSClient {
		return fmt.Sprintf("the server did not accept the client certificate for %s: check that tls_cert_file is the certificate registered for this client "+
			"(its subject, SAN or fingerprint), that the server trusts its issuer, and that token_url is the server's mTLS endpoint", p.ClientID)
	}
	return fmt.Sprintf("the server refused the client assertion for %s: %s", p.ClientID, assertionChecks(p))
}

// assertionChecks lists what to check when a server will not take p's
// client assertion: the key and kid it knows, the signing algorithm, the
// aud, and the clock.
func assertionChecks(p Provider) string {
	h := "check that it knows this key (register the public key of private_key_file, or its JWKS URL)"
	if p.PrivateKeyKID != "" {
		h += fmt.Sprintf(" under kid %q", p.PrivateKeyKID)
	} else {
		h += "; some servers need the kid: set private_key_kid"
	}
	if p.AssertionAlg != "" {
		h += fmt.Sprintf("; that it takes %s assertions from this client (assertion_alg)", p.AssertionAlg)
	}
	aud := p.AssertionAudience
	switch {
	case aud == p.TokenURL && p.Issuer != "":
		h += fmt.Sprintf("; aud was the token URL %s, some servers want the issuer %s (assertion_audience)", aud, p.Issuer)
	case aud != p.TokenURL:
		h += fmt.Sprintf("; aud was %s, some servers want the token URL %s instead (assertion_audience)", aud, p.TokenURL)
	}
	return h + "; and that this machine's clock is right (the assertion lives 60 s)"
}

func scopeList(p Provider) string {
	if len(p.Scopes) == 0 {
		return "(none)"
	}
	return strings.Join(p.Scopes, p.Separator())
}

func anyContains(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
