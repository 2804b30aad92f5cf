package authproxy

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers"
)

func TestParseRoute(t *testing.T) {
	r, err := ParseRoute("/vendor-a/=vendor-a@https://api.vendor-a.example/v2")
	if err != nil || r.Prefix != "/vendor-a" || r.Provider != "vendor-a" || r.Upstream.String() != "https://api.vendor-a.example/v2" {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{
		"vendor-a", "/a=name", "/a=@https://x", "=n@https://x", "a=n@https://x", "/a=n@ftp://x",
		"/a=n@https://user:pw@x", "/a=n@https://x/?k=v", "/a/../b=n@https://x", "/a//b=n@https://x", "/a\x1b[2J=n@https://x",
	} {
		if _, err := ParseRoute(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		} else if strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("%q: the error holds an escape: %q", bad, err)
		}
	}
}

func TestRouteMatchesOnSegments(t *testing.T) {
	a := Route{Prefix: "/vendor-a"}
	for path, want := range map[string]string{"/vendor-a": "", "/vendor-a/": "/", "/vendor-a/items": "/items"} {
		if got, ok := a.matches(path); !ok || got != want {
			t.Errorf("%s: %q %v, want %q", path, got, ok, want)
		}
	}
	if _, ok := a.matches("/vendor-ab"); ok {
		t.Error("/vendor-a took /vendor-ab")
	}
	root := Route{Prefix: "/"}
	if got, ok := root.matches("/x/y"); !ok || got != "/x/y" {
		t.Errorf("/ strips nothing: %q", got)
	}
	if err := checkRoutes([]Route{{Prefix: "/a"}, {Prefix: "/a"}}); err == nil {
		t.Error("two routes with one prefix accepted")
	}
	ordered := byLongestPrefix([]Route{{Prefix: "/"}, {Prefix: "/a"}, {Prefix: "/a/b"}})
	if ordered[0].Prefix != "/a/b" || ordered[2].Prefix != "/" {
		t.Errorf("order %v", ordered)
	}
}

func TestAuthorizationHeader(t *testing.T) {
	for typ, want := range map[string]string{
		"": "Bearer t0k", "bearer": "Bearer t0k", "BEARER": "Bearer t0k", "DPoP": "DPoP t0k", "Bad Type": "Bearer t0k", "x\r\nInjected: 1": "Bearer t0k",
	} {
		if got := authorization(&providers.Token{AccessToken: "t0k", TokenType: typ}); got != want {
			t.Errorf("type %q: %q, want %q", typ, got, want)
		}
	}
}

func TestLogPath(t *testing.T) {
	const tok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for raw, want := range map[string]string{
		"/v1/items?page=2&sort=name":                        "/v1/items?page=2&sort=name",
		"/v1/items?access_token=abc":                        "/v1/items?access_token=[redacted]",
		"/v1/items?x=" + tok:                                "/v1/items?x=[redacted]",
		"/v1/items?from=2024-06-01T00:00:00Z":               "/v1/items?from=2024-06-01T00%3A00%3A00Z",
		"/v1/items?id=0f8fad5b-d9cb-469f-a165-70867728950e": "/v1/items?id=[redacted]",
		"/hooks/" + tok:                                     "/hooks/[redacted]",
		"/a%1b%5b2J?flag":                                   "/a%1b%5b2J?flag",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := logPath(u, []string{tok}); got != want {
			t.Errorf("%s: %q, want %q", raw, got, want)
		}
	}
	long, _ := url.Parse("/" + strings.Repeat("a", 1000))
	if n := len([]rune(logPath(long, nil))); n > maxLogPath {
		t.Errorf("a long path is logged at %d runes", n)
	}
}

func TestStatusClass(t *testing.T) {
	for status, want := range map[int]string{0: "failed", 101: "1xx", 200: "2xx", 204: "2xx", 302: "3xx", 401: "4xx", 503: "5xx", 999: "other"} {
		if got := statusClass(status); got != want {
			t.Errorf("%d: %s, want %s", status, got, want)
		}
	}
}
