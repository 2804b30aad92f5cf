package providers

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/tokentop/tokentop/providers/safetext"
)

// explain makes a failed token request's hint concrete from what the
// server publishes about itself, best effort and bounded by ctx: the
// scopes it offers on invalid_scope, the identifier the API names itself
// by (RFC 9728) when the refusal points at the audience or resource, and
// the token endpoint its discovery document names when token_url is a 404, a 405, a 404 page or a login
// page. Every caller of Fetch (token, the dashboard, the doctor) gets the
// same hint.
func (c *Client) explain(ctx context.Context, hc *http.Client, p Provider, e *Error) {
	switch {
	case e.Code == "invalid_scope":
		if offered := c.discoverScopes(ctx, hc, p); len(offered) > 0 {
			if _, h := UnsupportedScopes(p, offered); h != "" {
				e.Hint = h
			} else {
				e.Hint += "; the server offers all of them (" + safetext.Line(strings.Join(offered, " ")) + "): the client may not be allowed them: check its grants at the vendor"
			}
		}
	case pointsAtAudience(e):
		if len(p.Endpoints) > 0 {
			if offer := c.FindResource(ctx, p, p.Endpoints[0].URL, ""); offer.Value != "" || offer.Ignored != "" {
				e.Hint = audienceHint(e, p, offer)
			}
		}
	case wrongTokenURL(e):
		d, err := discover(ctx, hc, p, true)
		discovered := ""
		if err == nil {
			discovered = d.Metadata.TokenEndpoint
		}
		e.Hint = tokenURLHint(e, p, discovered)
	}
}

// wrongTokenURL is an answer that says nothing takes token requests at
// token_url: 404, 405, or a page that is a 404 or a web login.
func wrongTokenURL(e *Error) bool {
	return e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed ||
		e.page == pageNotFound || e.page == pageLogin
}

// tokenURLHint is the hint of a token_url where no token endpoint answers:
// the token endpoint discovery names when it is another URL, else the one
// check that would tell.
func tokenURLHint(e *Error, p Provider, discovered string) string {
	what := fmt.Sprintf("token_url answered %d", e.Status)
	switch {
	case e.page == pageLogin:
		what = "token_url answered with a web login page"
	case e.page == pageNotFound && e.Status/100 == 2:
		what = "token_url answered with a 404 page"
	}
	if discovered != "" && !sameURL(discovered, p.TokenURL) {
		return fmt.Sprintf("%s, and the server's discovery document names token_endpoint %s: set `token_url: %s`", what, safetext.Line(discovered), safetext.Line(discovered))
	}
	if discovered != "" {
		return what + ", the very URL the server's discovery document names: the server is misconfigured; tell its operators"
	}
	// Nothing to offer: the hint of the answer itself, and where the
	// right URL is.
	return e.Hint + "; no discovery document names the token endpoint: the vendor's documentation does"
}

// sameURL compares two URLs, ignoring a trailing slash.
func sameURL(a, b string) bool {
	return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
}
