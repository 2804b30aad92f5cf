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
	mux.HandleFunc("GET /named", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="x", resource_metadata="`+srv.URL+`/meta/named"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.Handle("GET /meta/named", doc(`{"resource":"https://api.named.test\u001b[2J"}`))
	mux.Handle("GET /.well-known/oauth-protected-resource/wk", doc(`{"resource":"https://api.wk.test"}`))
	mux.Handle("GET /.well-known/oauth-protected-resource/huge", doc(`{"resource":"https://api.huge.test","x":"`+strings.Repeat("a", maxResourceMetadataBytes)+`"}`))
	mux.HandleFunc("GET /far", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="http://metadata.example.com/x"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	c := &Client{}
	p := Provider{Name: "p"}
	for path, want := range map[string]string{
		"/named": "https://api.named.test", // the escape sequence is dropped
		"/wk":    "https://api.wk.test",
		"/huge":  "",
		"/far":   "", // plain http off loopback is not trusted
		"/none":  "",
	} {
		got := c.FindResource(t.Context(), p, srv.URL+path, "")
		if got.Value != want || (want != "" && !strings.Contains(got.From, "RFC 9728 metadata at")) {
			t.Errorf("%s: %+v, want %q", path, got, want)
		}
		assertTerminalSafe(t, path, got.Value+got.From)
	}
}

// noProxy keeps the environment's proxy out of these tests.
func noProxy(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, "")
	}
}
