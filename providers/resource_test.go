package providers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProtectedResourceURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example.com/v1/items/": "https://api.example.com/.well-known/oauth-protected-resource/v1/items",
		"https://api.example.com":           "https://api.example.com/.well-known/oauth-protected-resource",
		"ftp://api.example.com/x":           "",
		"/relative":                         "",
	} {
		if got := ProtectedResourceURL(in); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

// TestFindResource: the API's own identifier, from the metadata its 401
// names or from the well-known URL; a huge, hostile or missing document
// gives nothing, and what is kept is terminal-safe.
func TestFindResource(t *testing.T) {
	noProxy(t)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	doc := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }
	}
	mux.HandleFunc("GET /named/items", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="x", resource_metadata="`+srv.URL+`/meta/named"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.Handle("GET /meta/named", doc(`{"resource":"`+srv.URL+`/named\u001b[2J"}`))
	mux.Handle("GET /.well-known/oauth-protected-resource/wk", doc(`{"resource":"`+srv.URL+`/wk"}`))
	mux.Handle("GET /.well-known/oauth-protected-resource/huge", doc(`{"resource":"`+srv.URL+`/huge","x":"`+strings.Repeat("a", maxResourceMetadataBytes)+`"}`))
	mux.HandleFunc("GET /far", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="http://metadata.example.com/x"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	c := &Client{}
	p := Provider{Name: "p"}
	for path, want := range map[string]string{
		"/named/items": srv.URL + "/named", // a path above the API's; the escape sequence is dropped
		"/wk":          srv.URL + "/wk",
		"/huge":        "",
		"/far":         "", // plain http off loopback is not trusted
		"/none":        "",
	} {
		got := c.FindResource(t.Context(), p, srv.URL+path, "")
		if got.Value != want || !got.Offered() == (want != "") || (want != "" && !strings.Contains(got.From, "RFC 9728 metadata at")) {
			t.Errorf("%s: %+v, want %q", path, got, want)
		}
		assertTerminalSafe(t, path, got.Value+got.From+got.Ignored)
	}
}

// TestFindResourceChecks: RFC 9728 metadata is not trusted blindly. Its
// resource must be the identifier its URL was derived from (§3.3), else
// the document is ignored and the offer says so; a challenge's
// resource_metadata on another origin over plain http is not followed;
// and authorization_servers that leave out the provider's issuer are
// named instead of an audience to set.
func TestFindResourceChecks(t *testing.T) {
	noProxy(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"resource":"http://` + r.Host + `/x"}`))
	}))
	t.Cleanup(other.Close)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	meta := func(path, body string) {
		mux.HandleFunc("GET /.well-known/oauth-protected-resource"+path, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) })
	}
	meta("/mismatch", `{"resource":"https://api.example.test"}`)
	meta("/ours", `{"resource":"`+srv.URL+`/ours","authorization_servers":["`+srv.URL+`/auth/"]}`)
	meta("/theirs", `{"resource":"`+srv.URL+`/theirs","authorization_servers":["https://login.other.test","https://login2.other.test"]}`)
	meta("/any", `{"resource":"`+srv.URL+`/any"}`)
	// The challenge points at another origin (another port is another
	// origin) over plain http: not followed, the well-known URL is.
	mux.HandleFunc("GET /any", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+other.URL+`/.well-known/oauth-protected-resource/x"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	c := &Client{}
	p := Provider{Name: "acme", Issuer: srv.URL + "/auth", TokenURL: srv.URL + "/auth/token"}
	for _, tt := range []struct {
		path, value string
		offered     bool
		servers     string
		ignored     string
	}{
		{"/mismatch", "", false, "", "its resource https://api.example.test is not " + srv.URL + "/mismatch, the identifier it must name (RFC 9728 §3.3)"},
		{"/ours", srv.URL + "/ours", true, "", ""},
		{"/theirs", srv.URL + "/theirs", false, "https://login.other.test https://login2.other.test", ""},
		{"/any", srv.URL + "/any", true, "", ""},
	} {
		got := c.FindResource(t.Context(), p, srv.URL+tt.path, "")
		if got.Value != tt.value || got.Offered() != tt.offered || strings.Join(got.Servers, " ") != tt.servers || !strings.Contains(got.Ignored, tt.ignored) || (tt.ignored == "") != (got.Ignored == "") {
			t.Errorf("%s: %+v", tt.path, got)
		}
	}
	// A challenge's document on another origin, named as known: refused
	// over http, and said so.
	got := c.FindResource(t.Context(), p, srv.URL+"/nothing", other.URL+"/.well-known/oauth-protected-resource/x")
	if got.Value != "" || !strings.Contains(got.Ignored, "on another origin and not https: not followed") {
		t.Errorf("another origin: %+v", got)
	}
	// The hints say what the checks found, never the value of a document
	// that was ignored or of an API that takes other servers' tokens.
	e := &Error{Code: "access_denied", Status: 403, Description: "Service not found"}
	h := audienceHint(e, p, c.FindResource(t.Context(), p, srv.URL+"/theirs", ""))
	if !strings.Contains(h, "takes tokens from https://login.other.test https://login2.other.test only, not from acme's issuer "+srv.URL+"/auth") || strings.Contains(h, "set `audience: ") {
		t.Errorf("foreign servers: %q", h)
	}
	h = APIAudienceHint(p, []string{"x"}, c.FindResource(t.Context(), p, srv.URL+"/mismatch", ""))
	if !strings.Contains(h, "was ignored: its resource https://api.example.test") || strings.Contains(h, "api.example.test`") {
		t.Errorf("mismatch: %q", h)
	}
	// A document on another origin over https is followed, saying whose.
	if w := whoseMetadata("https://api.example.test/v1", "https://meta.example.net/.well-known/oauth-protected-resource/v1"); w != ", served by meta.example.net, not the API's host api.example.test" {
		t.Errorf("whose: %q", w)
	}
	if why := foreignMetadata("https://api.example.test/v1", "https://meta.example.net/x"); why != "" {
		t.Errorf("https on another origin refused: %q", why)
	}
}

// noProxy keeps the environment's proxy out of these tests.
func noProxy(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, "")
	}
}
