package authproxy

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// Route sends the requests under Prefix to Upstream with Provider's token.
// The prefix is stripped: with Prefix "/vendor-a" and Upstream
// "https://api.example.com/v2", a request for /vendor-a/items goes to
// https://api.example.com/v2/items. Prefix "/" takes every request that no
// longer prefix takes, and strips nothing.
type Route struct {
	Prefix   string
	Provider string
	Upstream *url.URL
	// Transport carries the route's requests (nil: DefaultTransport's
	// settings); see [TransportFor] for a provider's CA file.
	Transport http.RoundTripper
	// Key, when set, is where the provider's API key goes (grant api_key)
	// instead of Authorization: <type> <token>; the client's own copy of
	// that header or query parameter is removed.
	Key *providers.KeyPlacement
}

// ParseRoute reads a --route value: PREFIX=NAME@URL, as in
// /vendor-a=vendor-a@https://api.vendor-a.example.
func ParseRoute(v string) (Route, error) {
	prefix, rest, ok := strings.Cut(v, "=")
	name, raw, ok2 := strings.Cut(rest, "@")
	if !ok || !ok2 || prefix == "" || name == "" || raw == "" {
		return Route{}, fmt.Errorf("route %q: want PREFIX=NAME@URL, for example /vendor-a=vendor-a@https://api.vendor-a.example", safetext.Line(v))
	}
	return NewRoute(prefix, name, raw)
}

// NewRoute checks and builds a route: the prefix a clean absolute path,
// the upstream an absolute http(s) URL without a query or fragment.
func NewRoute(prefix, provider, upstream string) (Route, error) {
	p, err := cleanPrefix(prefix)
	if err != nil {
		return Route{}, err
	}
	u, err := url.Parse(upstream)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return Route{}, fmt.Errorf("upstream %q is not an absolute http(s) URL without credentials", safetext.Line(upstream))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Route{}, fmt.Errorf("upstream %q: a query or fragment is not passed on; leave it out", safetext.Line(upstream))
	}
	return Route{Prefix: p, Provider: provider, Upstream: u}, nil
}

// cleanPrefix is prefix without a trailing slash ("/" stays "/").
func cleanPrefix(prefix string) (string, error) {
	if !strings.HasPrefix(prefix, "/") || strings.ContainsAny(prefix, "?#") || strings.Contains(prefix, "//") ||
		slices.Contains(strings.Split(prefix, "/"), "..") || safetext.Line(prefix) != prefix {
		return "", fmt.Errorf("route prefix %q: want a path such as /vendor-a", safetext.Line(prefix))
	}
	if p := strings.TrimRight(prefix, "/"); p != "" {
		return p, nil
	}
	return "/", nil
}

// matches reports whether path falls under the route's prefix, on a
// segment boundary (/vendor-a takes /vendor-a and /vendor-a/x, not
// /vendor-ab), and the path left once the prefix is stripped.
func (r Route) matches(path string) (rest string, ok bool) {
	if r.Prefix == "/" {
		return path, true
	}
	after, ok := strings.CutPrefix(path, r.Prefix)
	if !ok || (after != "" && after[0] != '/') {
		return "", false
	}
	return after, true
}

// checkRoutes refuses two routes with one prefix.
func checkRoutes(rs []Route) error {
	if len(rs) == 0 {
		return fmt.Errorf("no route: give a provider and --upstream, or --route PREFIX=NAME@URL")
	}
	seen := map[string]bool{}
	for _, r := range rs {
		if seen[r.Prefix] {
			return fmt.Errorf("two routes for the prefix %s: give each its own", r.Prefix)
		}
		seen[r.Prefix] = true
	}
	return nil
}

// byLongestPrefix orders routes so the first match is the longest prefix.
func byLongestPrefix(rs []Route) []Route {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b Route) int { return len(b.Prefix) - len(a.Prefix) })
	return out
}
