package authproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
)

// BenchmarkProxyRequest is a small GET straight to an upstream and the
// same through the proxy with the token in memory: the proxy's cost per
// request (a second loopback hop, the header, the log line, the figures).
func BenchmarkProxyRequest(b *testing.B) {
	env := sandboxenv.Start(b, sandboxenv.Options{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true}`)
	}))
	b.Cleanup(up.Close)
	h := startProxy(b, env, Options{Routes: []Route{mustRoute(b, "/", cognito, up.URL)}}).url
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func(url string) {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get(h + "/warm")
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			get(up.URL + "/x")
		}
	})
	b.Run("proxy", func(b *testing.B) {
		for b.Loop() {
			get(h + "/x")
		}
	})
	if n := env.Sandbox.Issued(cognitoID); n != 1 {
		b.Fatalf("issued %d tokens", n)
	}
}
