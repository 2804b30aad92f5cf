package sandbox

import (
	"encoding/base64"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// userRedirectPath is the path every user-style client registers for its
// loopback redirect; any port is allowed (RFC 8252 §7.3).
const userRedirectPath = "/callback"

// handleAuthorize is the user style's authorization endpoint (RFC 6749
// §4.1.1 with RFC 7636): code only, PKCE S256 only, a loopback redirect
// URI at the client's registered path on any port. Its login page
// approves at once (the sandbox's one user is always logged in), unless
// LoginSwitches.Deny says to refuse. A request without a known client or
// a usable redirect URI gets an error page, never a redirect (§4.1.2.1);
// any other fault goes back to the redirect URI as error=….
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, ok := s.userClient(q.Get("client_id"))
	if !ok {
		errorPage(w, "unknown client_id")
		return
	}
	redirect, ok := loopbackRedirect(q.Get("redirect_uri"))
	if !ok {
		errorPage(w, "redirect_uri must be http://127.0.0.1:PORT"+userRedirectPath+" (a loopback redirect, RFC 8252 §7.3)")
		return
	}
	back := func(params url.Values) {
		if st := q.Get("state"); st != "" {
			params.Set("state", st)
		}
		u := *redirect
		u.RawQuery = params.Encode()
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) { back(url.Values{"error": {code}, "error_description": {desc}}) }
	scopes, unknown := grantScopes(strings.Fields(q.Get("scope")), c.Scopes)
	challenge := q.Get("code_challenge")
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only response_type=code")
	case q.Get("code_challenge_method") != "S256":
		fail(errInvalidRequest, "PKCE is required, with code_challenge_method=S256")
	case !validChallenge(challenge):
		fail(errInvalidRequest, "code_challenge must be 43 characters of base64url (S256)")
	case len(unknown) > 0:
		fail(errInvalidScope, "unknown scope")
	case s.users.switches().Deny:
		fail(errAccessDenied, "the user declined the login")
	default:
		code := randomString(24, base64.RawURLEncoding)
		ac := authCode{clientID: c.ClientID, redirectURI: redirect.String(), challenge: challenge,
			nonce: q.Get("nonce"), scopes: scopes, expires: s.now().Add(codeLifetime)}
		if !s.users.putCode(code, ac, s.now()) {
			fail("temporarily_unavailable", "too many logins under way")
			return
		}
		back(url.Values{"code": {code}})
	}
}

// userClient is the user-style client with id.
func (s *Server) userClient(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[id]
	if !ok || id == "" || s.clients[i].Style != StyleUser {
		return Client{}, false
	}
	return s.clients[i].clone(), true
}

// loopbackRedirect parses raw as a loopback redirect URI at the
// registered path: http, 127.0.0.1 or [::1], any port, no fragment.
func loopbackRedirect(raw string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Fragment != "" || u.User != nil || u.Path != userRedirectPath {
		return nil, false
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() || u.Port() == "" {
		return nil, false
	}
	return u, true
}

// validChallenge reports an S256 challenge's shape: 43 base64url
// characters, the encoding of 32 bytes.
func validChallenge(ch string) bool {
	b, err := base64.RawURLEncoding.DecodeString(ch)
	return err == nil && len(ch) == 43 && len(b) == 32
}

// errorPage is the authorization endpoint's answer when it cannot
// redirect.
func errorPage(w http.ResponseWriter, why string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte("<!doctype html><title>sandbox login</title><p>Cannot log in: " + html.EscapeString(why) + "</p>\n"))
}
