package authproxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/log"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
)

// The sandbox client the tests send most requests for.
const (
	cognito   = "cognito-dev"
	cognitoID = "3bn43arz0h95uqtbqodz8jn54g"
)

// harness is a proxy served on loopback over a sandbox's store.
type harness struct {
	t      testing.TB
	env    *sandboxenv.Env
	proxy  *Proxy
	url    string // the proxy's base URL
	log    *testsupport.LockedBuffer
	client *http.Client
	stop   func()
}

// startProxy serves a proxy with o (its engine and logger set here) until
// the test ends, or stop.
func startProxy(t testing.TB, env *sandboxenv.Env, o Options) *harness {
	t.Helper()
	h := &harness{t: t, env: env, log: &testsupport.LockedBuffer{}}
	o.Engine = env.Store
	o.Logger = log.NewWithOptions(h.log, log.Options{Level: log.DebugLevel})
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	h.proxy = p
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := Listen(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.url = "http://" + ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, ln) }()
	tr := &http.Transport{}
	h.client = &http.Client{Transport: tr}
	h.stop = sync.OnceFunc(func() {
		tr.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	t.Cleanup(h.stop)
	return h
}

// mustRoute is NewRoute that must succeed.
func mustRoute(t testing.TB, prefix, provider, upstream string) Route {
	t.Helper()
	r, err := NewRoute(prefix, provider, upstream)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// do sends a request through the proxy and returns the status and body.
func (h *harness) do(method, path string, body io.Reader, header http.Header) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// cached is the provider's cached access token.
func (h *harness) cached(name string) string {
	h.t.Helper()
	tok, err := h.env.Store.CachedToken(context.Background(), name)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok.AccessToken
}

// revoke revokes the provider's cached token at the sandbox (RFC 7009),
// leaving it in the cache: only the upstream knows.
func (h *harness) revoke(name string) string {
	h.t.Helper()
	ctx := context.Background()
	p, err := h.env.Store.ProviderWithSecret(ctx, name)
	if err != nil {
		h.t.Fatal(err)
	}
	tok := h.cached(name)
	if _, err := (&providers.Client{}).Revoke(ctx, p, tok, providers.EndpointOptions{}); err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// assertNoSecretInLog fails when the log holds any of the values.
func (h *harness) assertNoSecretInLog(values ...string) {
	h.t.Helper()
	logText := h.log.String()
	for _, v := range values {
		if v != "" && strings.Contains(logText, v) {
			h.t.Fatalf("the log holds a secret (%.12s…):\n%s", v, logText)
		}
	}
}

// waitLog waits until the log holds every one of texts (a request's line
// is written once its answer is sent, so just after the client has it)
// and returns the log.
func (h *harness) waitLog(texts ...string) string {
	h.t.Helper()
	return testsupport.WaitForText(h.t, h.log.String, texts...)
}

// summaryAfter flushes the figures until they count requests for the
// provider (each request is counted once its answer is sent) and returns
// the provider's summary.
func (h *harness) summaryAfter(name string, requests int64) store.Summary {
	h.t.Helper()
	var sm store.Summary
	testsupport.Eventually(h.t, fmt.Sprintf("the figures of %d requests", requests), func() bool {
		if err := h.proxy.Flush(context.Background()); err != nil {
			h.t.Fatal(err)
		}
		var err error
		if sm, err = h.env.Store.Summary(context.Background(), name); err != nil {
			h.t.Fatal(err)
		}
		return sm.Proxy != nil && sm.Proxy.Requests >= requests
	})
	return sm
}
