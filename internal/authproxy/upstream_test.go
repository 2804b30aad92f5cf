package authproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/internal/testsupport/sandboxenv"
)

// echoed is what the echo upstream saw of a request.
type echoed struct {
	Path  string `json:"path"`
	Query string `json:"query"`
	Auth  string `json:"auth"`
	Body  int    `json:"body"`
}

// echoUpstream answers every request with what it saw.
func echoUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(echoed{Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), Body: int(n)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func decodeEcho(t *testing.T, body string) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return e
}

// TestRoutesForTwoProviders: two prefixes, two providers, each request
// with its own provider's token and the prefix stripped; a path under
// neither is 404.
func TestRoutesForTwoProviders(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	up := echoUpstream(t)
	h := startProxy(t, env, Options{Routes: []Route{
		mustRoute(t, "/a", cognito, up.URL+"/base"),
		mustRoute(t, "/b/", "a55", up.URL),
	}})
	_, body := h.do("GET", "/a/items?page=2", nil, nil)
	a := decodeEcho(t, body)
	if a.Path != "/base/items" || a.Query != "page=2" || a.Auth != "Bearer "+h.cached(cognito) {
		t.Fatalf("route /a: %+v", a)
	}
	_, body = h.do("GET", "/b/things", nil, nil)
	b := decodeEcho(t, body)
	if b.Path != "/things" || b.Auth != "Bearer "+h.cached("a55") {
		t.Fatalf("route /b: %+v", b)
	}
	if a.Auth == b.Auth {
		t.Fatal("two providers sent one token")
	}
	for _, p := range []string{"/c", "/ab/items"} {
		if status, body := h.do("GET", p, nil, nil); status != http.StatusNotFound || !strings.Contains(body, "no route for "+p) {
			t.Fatalf("%s: %d %s", p, status, body)
		}
	}
}

// TestClientAuthorizationReplaced: the client's own header never reaches
// the upstream, and the log says it was replaced (without its value).
func TestClientAuthorizationReplaced(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	up := echoUpstream(t)
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, up.URL)}})
	const own = "Bearer the-clients-own-credential-0123456789"
	_, body := h.do("GET", "/x", nil, http.Header{"Authorization": {own}})
	if e := decodeEcho(t, body); e.Auth != "Bearer "+h.cached(cognito) {
		t.Fatalf("the upstream saw %q", e.Auth)
	}
	h.waitLog("GET /x", "Authorization header was replaced")
	h.assertNoSecretInLog(own, "the-clients-own-credential", h.cached(cognito))
}

// TestLogShowsNoSecrets: method, path and status are logged; query values
// that may be secret, and the token wherever a client put it, are not.
func TestLogShowsNoSecrets(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	up := echoUpstream(t)
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, up.URL)}})
	h.do("GET", "/warm", nil, nil)
	tok := h.cached(cognito)
	const key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
	h.do("GET", "/v1/search?api_key="+key+"&page=2&q=anvil&state=0123456789abcdef0123&echo="+tok, nil, nil)
	h.do("POST", "/hooks/"+tok+"/fire", strings.NewReader("x"), nil)
	h.waitLog("GET /v1/search?api_key=[redacted]&page=2&q=anvil&state=[redacted]&echo=[redacted]", "POST /hooks/[redacted]/fire", "status=200", "provider="+cognito, "took=")
	h.assertNoSecretInLog(tok, key, "0123456789abcdef0123")
}

// rejecting is an upstream that refuses every token as invalid_token and
// counts the requests and body bytes it got.
func rejecting(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token", error_description="The access token was revoked"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestRejectingUpstreamCostsOneExtraToken: an upstream that refuses every
// token gets each request twice at most, and the proxy fetches one new
// token within the force interval, not one per request.
func TestRejectingUpstreamCostsOneExtraToken(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	up, n := rejecting(t)
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, up.URL)}})
	for range 5 {
		if status, _ := h.do("GET", "/x", nil, nil); status != http.StatusUnauthorized {
			t.Fatalf("status %d, want the upstream's 401 passed on", status)
		}
	}
	if got := env.Sandbox.Issued(cognitoID); got != 2 {
		t.Fatalf("issued %d tokens, want 2 (the first, one replacement)", got)
	}
	// The first request went twice (old token, new token), then the new
	// token's refusal asks too soon for a third: once each.
	if got := n.Load(); got != 6 {
		t.Fatalf("the upstream got %d requests, want 6", got)
	}
	h.waitLog("less than the force interval ago")
}

// TestLargeBodyStreamedNotRetried: a body over the held size is streamed,
// and its 401 is passed on rather than sent again; a small one is sent
// again.
func TestLargeBodyStreamedNotRetried(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	up, n := rejecting(t)
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, up.URL)}, MaxHeldBody: 1024})
	big := bytes.Repeat([]byte("b"), 4096)
	if status, _ := h.do("POST", "/upload", bytes.NewReader(big), nil); status != http.StatusUnauthorized {
		t.Fatalf("status %d", status)
	}
	if got := n.Load(); got != 1 {
		t.Fatalf("a streamed body was sent %d times, want 1", got)
	}
	h.waitLog("the body was streamed")
	// Unknown length, over the held size: read up to it, then streamed.
	if status, _ := h.do("POST", "/upload", io.MultiReader(bytes.NewReader(big)), nil); status != http.StatusUnauthorized {
		t.Fatalf("status %d", status)
	}
	if got := n.Load(); got != 2 {
		t.Fatalf("a streamed body of unknown length was sent again (%d requests)", got)
	}
	if status, _ := h.do("POST", "/upload", strings.NewReader("small"), nil); status != http.StatusUnauthorized {
		t.Fatalf("status %d", status)
	}
	if got := n.Load(); got != 4 {
		t.Fatalf("a held body should be sent twice: %d requests in all, want 4", got)
	}
}

// TestUnreachableUpstream: 502, with a body naming the upstream.
func TestUnreachableUpstream(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	upstream := "http://" + testsupport.ClosedAddr(t) + "/api"
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", cognito, upstream)}})
	status, body := h.do("GET", "/items", nil, nil)
	if status != http.StatusBadGateway || !strings.Contains(body, "the upstream "+upstream+" did not answer") || !strings.Contains(body, "refused") {
		t.Fatalf("%d %s", status, body)
	}
	if sm := h.summaryAfter(cognito, 1); sm.Proxy.Statuses["failed"] != 1 || sm.LastCall.Status != 0 {
		t.Fatalf("figures %+v, last call %+v", sm.Proxy, sm.LastCall)
	}
}

// TestNoTokenAnswers502: a provider whose token cannot be had gets a 502
// naming it, with the hint, and nothing reaches the upstream.
func TestNoTokenAnswers502(t *testing.T) {
	env := sandboxenv.Start(t, sandboxenv.Options{})
	up, n := rejecting(t)
	h := startProxy(t, env, Options{Routes: []Route{mustRoute(t, "/", "broken", up.URL)}})
	status, body := h.do("GET", "/x", nil, nil)
	if status != http.StatusBadGateway || !strings.Contains(body, "no token for broken") || !strings.Contains(body, "invalid_client") || !strings.Contains(body, "hint:") {
		t.Fatalf("%d %s", status, body)
	}
	if n.Load() != 0 {
		t.Fatal("a request without a token reached the upstream")
	}
}

// TestPortInUse: a clear error that says what to do.
func TestPortInUse(t *testing.T) {
	ln, err := Listen(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Listen(context.Background(), ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()+" is already in use") || !strings.Contains(err.Error(), "--listen") {
		t.Fatalf("err = %v", err)
	}
}
