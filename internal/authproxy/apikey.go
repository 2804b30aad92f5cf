package authproxy

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
)

// keyRecheck is how long the proxy keeps an API key in memory before it
// reads the store again (one read and one decryption), so that a key
// rotated with `tokentop add` is picked up without a restart.
const keyRecheck = time.Minute

// keyFresh reports whether an API key read at at may still be sent at
// now without asking the store: read less than keyRecheck ago and not
// past its date.
func keyFresh(tok *providers.Token, at, now time.Time) bool {
	return tok.IsAPIKey() && now.Sub(at) < keyRecheck && (tok.ExpiresAt.IsZero() || now.Before(tok.ExpiresAt))
}

// clientCredential reports whether the client sent a credential the
// proxy replaces: Authorization, or the API key's header or parameter.
func (r *route) clientCredential(req *http.Request) bool {
	if r.Key == nil {
		return req.Header.Get("Authorization") != ""
	}
	if r.Key.Query != "" {
		return req.URL.Query().Has(r.Key.Query)
	}
	return len(req.Header.Values(r.Key.Header)) > 0
}

// setCredential puts tok in out: the API key where the route says (any
// copy of the client's removed first), else Authorization.
func (r *route) setCredential(out *http.Request, tok *providers.Token) {
	if r.Key == nil || !tok.IsAPIKey() {
		out.Header.Set("Authorization", authorization(tok))
		return
	}
	r.Key.Strip(out)
	r.Key.Apply(out, tok.AccessToken)
}

// replacedWords says, for the log, what of the client's was replaced.
func (r *route) replacedWords() string {
	switch {
	case r.Key == nil:
		return "the client's own Authorization header was replaced"
	case r.Key.Query != "":
		return "the client's own " + r.Key.Query + " query parameter was removed and replaced"
	}
	return "the client's own " + r.Key.Header + " header was removed and replaced"
}

// keyHidden is u for the log with the API key's query parameter, when
// the route sends one, hidden whatever its name (the client's own copy
// included).
func (r *route) keyHidden(u *url.URL) *url.URL {
	if r.Key == nil || r.Key.Query == "" || u.RawQuery == "" {
		return u
	}
	parts := strings.Split(u.RawQuery, "&")
	for i, part := range parts {
		k, _, _ := strings.Cut(part, "=")
		if name, err := url.QueryUnescape(k); err == nil && name == r.Key.Query {
			parts[i] = k + "=" + providers.Redacted
		}
	}
	c := *u
	c.RawQuery = strings.Join(parts, "&")
	return &c
}
