package sandbox

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// testKey is the signing key the tests' sandboxes share.
func testKey() *rsa.PrivateKey { return testsupport.RSAKey(0) }

// testStart is the fake clock's starting time.
var testStart = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// env is a sandbox under test, served by httptest.
type env struct {
	s   *Server
	ts  *httptest.Server
	clk *testsupport.Clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := testsupport.NewClock(testStart)
	s := New(Options{Now: clk.Now, Key: testKey()})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &env{s: s, ts: ts, clk: clk}
}

// defaultClient returns the default client with that name.
func (e *env) client(t *testing.T, name string) Client {
	t.Helper()
	for _, c := range e.s.Clients() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no client named %q", name)
	return Client{}
}

// tokenCall describes one request to a token endpoint.
type tokenCall struct {
	path        string
	method      string // default POST
	contentType string // default form
	form        url.Values
	basic       *[2]string // id, secret; form-encoded as RFC 6749 §2.3.1 says
	rawBasic    *[2]string // id, secret; joined without encoding
	auth        string     // a literal Authorization header
}

// reply is a response, read fully.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) token(t *testing.T, c tokenCall) reply {
	t.Helper()
	r, err := e.tryToken(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryToken is token for goroutines other than the test's own.
func (e *env) tryToken(c tokenCall) (reply, error) {
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, e.ts.URL+c.path, strings.NewReader(c.form.Encode()))
	if err != nil {
		return reply{}, err
	}
	ct := c.contentType
	if ct == "" {
		ct = "application/x-www-form-urlencoded"
	}
	req.Header.Set("Content-Type", ct)
	if c.basic != nil {
		req.Header.Set("Authorization", basicHeader(url.QueryEscape(c.basic[0]), url.QueryEscape(c.basic[1])))
	}
	if c.rawBasic != nil {
		req.Header.Set("Authorization", basicHeader(c.rawBasic[0], c.rawBasic[1]))
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	return fetch(req)
}

func basicHeader(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// get calls the API with an optional bearer token.
func (e *env) get(t *testing.T, path, token string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	r, err := fetch(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fetch sends req and reads the whole response.
func fetch(req *http.Request) (reply, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: read body: %w", req.Method, req.URL, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// object decodes a JSON object body.
func (r reply) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

// keys are the sorted top-level keys of a JSON object body.
func (r reply) keys(t *testing.T) []string {
	t.Helper()
	return slices.Sorted(maps.Keys(r.object(t)))
}

// wantJSON checks status and that the body equals want as JSON.
func (r reply) wantJSON(t *testing.T, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d (body %s)", r.status, status, r.body)
	}
	var got, exp any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("want %q: %v", want, err)
	}
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if string(gb) != string(eb) {
		t.Errorf("body %s, want %s", gb, eb)
	}
}

// claims verifies a JWT with the server's public key at the fake clock's
// time and returns its claims.
func (e *env) claims(t *testing.T, tok string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) {
		return &testKey().PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(e.clk.Now))
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	return claims
}

// form builds url.Values from alternating keys and values.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// creds returns a client's id and secret as a Basic pair.
func creds(c Client) *[2]string { return &[2]string{c.ClientID, c.ClientSecret} }
