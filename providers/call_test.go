package providers

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/headers"
)

func TestCall(t *testing.T) {
	const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzIn0.c2ln"
	tests := []struct {
		name        string
		tok         *Token
		req         CallRequest
		respond     func(w http.ResponseWriter)
		wantMethod  string
		wantAuth    string
		wantHeaders map[string]string // sent
		wantBody    string            // sent
		status      int
		bodyHas     []string // in CallResult.Body
		bodyHasNot  []string
		wwwAuth     string
		rate        headers.RateLimit
	}{
		{
			name: "GET by default, bearer token, JSON accepted",
			tok:  &Token{AccessToken: token, TokenType: "Bearer"},
			req:  CallRequest{URL: "/api/v1/"},
			respond: func(w http.ResponseWriter) {
				w.Header().Set("X-RateLimit-Limit", "100")
				w.Header().Set("X-RateLimit-Remaining", "99")
				w.Header().Set("X-RateLimit-Reset", "30")
				writeJSON(w, 200, `{"ok":true}`)
			},
			wantMethod: "GET", wantAuth: "Bearer " + token,
			wantHeaders: map[string]string{"Accept": "application/json", "User-Agent": "tokentop"},
			status:      200, bodyHas: []string{`{"ok":true}`},
			rate: headers.RateLimit{Limit: 100, Remaining: 99, Reset: fetchNow.Add(30 * time.Second), Found: true},
		},
		{
			name: "POST with a body, headers and lower-case method",
			tok:  &Token{AccessToken: token, TokenType: "Bearer"},
			req: CallRequest{Method: " post ", URL: "/api/v1/charges", Body: `{"amount":1}`,
				Headers: http.Header{"X-Request-Id": {"r-1"}, "Accept": {"application/vnd.api+json"}, "Authorization": {"Basic overridden"}}},
			respond:    func(w http.ResponseWriter) { writeJSON(w, 201, `{"id":"ch_1"}`) },
			wantMethod: "POST", wantAuth: "Bearer " + token,
			wantHeaders: map[string]string{"X-Request-Id": "r-1", "Accept": "application/vnd.api+json", "Content-Type": "application/json"},
			wantBody:    `{"amount":1}`, status: 201, bodyHas: []string{`"ch_1"`},
		},
		{
			name: "content type kept when given",
			tok:  &Token{AccessToken: token},
			req:  CallRequest{Method: "PUT", URL: "/x", Body: "a=1", Headers: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}},
			respond: func(w http.ResponseWriter) {
				w.WriteHeader(204)
			},
			wantMethod: "PUT", wantAuth: "Bearer " + token, // empty token type means Bearer
			wantHeaders: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, wantBody: "a=1", status: 204,
		},
		{
			name:       "DPoP token type is sent as is",
			tok:        &Token{AccessToken: token, TokenType: "DPoP"},
			req:        CallRequest{URL: "/x"},
			respond:    func(w http.ResponseWriter) { w.WriteHeader(200) },
			wantMethod: "GET", wantAuth: "DPoP " + token, status: 200,
		},
		{
			name:       "no token, no Authorization",
			req:        CallRequest{URL: "/x"},
			respond:    func(w http.ResponseWriter) { w.WriteHeader(200) },
			wantMethod: "GET", status: 200,
		},
		{
			name: "401 with a challenge, sanitised",
			tok:  &Token{AccessToken: token, TokenType: "Bearer"},
			req:  CallRequest{URL: "/x"},
			respond: func(w http.ResponseWriter) {
				w.Header().Set("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"The token \u202eexpired\"") // Go refuses control bytes in headers; bidi gets through
				writeJSON(w, 401, `{"message":"expired"}`)
			},
			wantMethod: "GET", wantAuth: "Bearer " + token, status: 401,
			wwwAuth: `Bearer error="invalid_token", error_description="The token expired"`,
		},
		{
			name: "the token is redacted from the answer and escapes removed",
			tok:  &Token{AccessToken: token, TokenType: "Bearer"},
			req:  CallRequest{URL: "/headers"},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, 200, "{\"headers\":{\"Authorization\":\"Bearer "+token+"\"},\"note\":\"\x1b]52;c;ZXZpbA==\x07hi\"}")
			},
			wantMethod: "GET", wantAuth: "Bearer " + token, status: 200,
			bodyHas: []string{`"Authorization":"Bearer [redacted]"`, `"note":"hi"`}, bodyHasNot: []string{token, "\x1b", "\a"},
		},
		{
			name: "draft RateLimit header",
			tok:  &Token{AccessToken: token},
			req:  CallRequest{URL: "/x"},
			respond: func(w http.ResponseWriter) {
				w.Header().Set("RateLimit", `"default";r=4;t=60`)
				w.Header().Set("RateLimit-Policy", `"default";q=5;w=60`)
				w.WriteHeader(200)
			},
			wantMethod: "GET", wantAuth: "Bearer " + token, status: 200,
			rate: headers.RateLimit{Limit: 5, Remaining: 4, Reset: fetchNow.Add(time.Minute), Policy: `"default";q=5;w=60`, Found: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { tt.respond(w) })
			req := tt.req
			req.URL = srv.URL + req.URL
			res, err := fetchClient().Call(context.Background(), Provider{Name: "acme"}, tt.tok, req)
			if err != nil {
				t.Fatalf("Call: %v", err)
			}
			sent := srv.requests()
			if len(sent) != 1 {
				t.Fatalf("%d requests", len(sent))
			}
			s := sent[0]
			if s.Method != tt.wantMethod || s.Header.Get("Authorization") != tt.wantAuth || s.RawBody != tt.wantBody {
				t.Errorf("sent %s Authorization %q body %q; want %s %q %q", s.Method, s.Header.Get("Authorization"), s.RawBody, tt.wantMethod, tt.wantAuth, tt.wantBody)
			}
			for k, v := range tt.wantHeaders {
				if got := s.Header.Get(k); got != v {
					t.Errorf("sent %s = %q, want %q", k, got, v)
				}
			}
			if res.Status != tt.status || res.Method != tt.wantMethod || res.URL != req.URL || res.Proto != "HTTP/1.1" || res.OK() != (tt.status < 300) {
				t.Errorf("result %s %s %d %s OK=%v", res.Method, res.URL, res.Status, res.Proto, res.OK())
			}
			if res.Timings.Total <= 0 {
				t.Errorf("Timings.Total = %v", res.Timings.Total)
			}
			for _, h := range tt.bodyHas {
				if !strings.Contains(res.Body, h) {
					t.Errorf("Body %q does not hold %q", res.Body, h)
				}
			}
			for _, h := range tt.bodyHasNot {
				if strings.Contains(res.Body, h) {
					t.Errorf("Body %q holds %q", res.Body, h)
				}
			}
			if res.WWWAuthenticate != tt.wwwAuth {
				t.Errorf("WWWAuthenticate = %q, want %q", res.WWWAuthenticate, tt.wwwAuth)
			}
			rl := res.RateLimit
			if rl.Limit != tt.rate.Limit || rl.Remaining != tt.rate.Remaining || !rl.Reset.Equal(tt.rate.Reset) || rl.Policy != tt.rate.Policy || rl.Found != tt.rate.Found {
				t.Errorf("RateLimit = %+v, want %+v", rl, tt.rate)
			}
		})
	}
}

func TestCallBodyLimitAndRedirect(t *testing.T) {
	big := strings.Repeat("x", MaxBodyBytes+10)
	target := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { w.WriteHeader(200) })
	srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		switch r.Path {
		case "/big":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, big)
		case "/moved":
			http.Redirect(w, &http.Request{Method: "GET"}, target.URL+"/elsewhere", http.StatusFound)
		}
	})
	tok := &Token{AccessToken: "T"}
	res, err := fetchClient().Call(context.Background(), Provider{}, tok, CallRequest{URL: srv.URL + "/big"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || len(res.Body) != MaxBodyBytes {
		t.Errorf("Truncated %v, body %d bytes", res.Truncated, len(res.Body))
	}
	res, err = fetchClient().Call(context.Background(), Provider{}, tok, CallRequest{URL: srv.URL + "/moved"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusFound || res.Headers.Get("Location") != target.URL+"/elsewhere" {
		t.Errorf("status %d Location %q", res.Status, res.Headers.Get("Location"))
	}
	if n := len(target.requests()); n != 0 {
		t.Errorf("the redirect was followed with the bearer token (%d requests)", n)
	}
}

func TestCallErrors(t *testing.T) {
	refused := "http://" + testsupport.ClosedAddr(t) + "/x"
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // deliberately slow
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)

	tests := []struct {
		name string
		p    Provider
		url  string
		code string
		msg  []string
	}{
		{"refused", Provider{Name: "acme"}, refused, "refused", []string{"test-call GET " + refused, "could not reach the API", "refused"}},
		{"timeout", Provider{Name: "acme", Timeout: Duration(200 * time.Millisecond)}, slow.URL, "timeout", []string{"could not reach the API", "no answer within 200ms"}},
		{"bad URL", Provider{}, "http://[::1", "", []string{"test-call GET"}},
		{"bad ca_file", Provider{CAFile: "/nonexistent/ca.pem"}, slow.URL, "", []string{"cannot read ca_file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := fetchClient().Call(context.Background(), tt.p, &Token{AccessToken: "T"}, CallRequest{URL: tt.url})
			if err == nil {
				t.Fatalf("Call = %+v, want an error", res)
			}
			for _, m := range tt.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not hold %q", err, m)
				}
			}
			if strings.Contains(err.Error(), "token endpoint") {
				t.Errorf("error %q talks of the token endpoint on an API call", err)
			}
			if tt.code != "" {
				if e, ok := AsError(err); !ok || e.Code != tt.code || e.Kind != KindTransport {
					t.Errorf("error %#v, want transport code %q", err, tt.code)
				}
			}
		})
	}
}

func TestRequestFromEndpoint(t *testing.T) {
	r := RequestFromEndpoint(Endpoint{Name: "me", Method: "PATCH", URL: "https://api/x", Headers: map[string]string{"x-a": "1"}, Body: "{}"})
	if r.Method != "PATCH" || r.URL != "https://api/x" || r.Headers.Get("X-A") != "1" || r.Body != "{}" {
		t.Errorf("RequestFromEndpoint = %+v", r)
	}
}

// TestCallURLRule: a test-call carries the bearer token, so its URL
// follows token_url's rule: https, or plain http to a loopback host, or to
// any host when the provider sets insecure_http. 0.0.0.0 is no loopback
// name, yet dials this machine, so the refusal is seen to send nothing.
func TestCallURLRule(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		writeJSON(w, 200, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	tok := &Token{AccessToken: "T", TokenType: "Bearer"}
	tests := []struct {
		name    string
		p       Provider
		url     string
		refused bool
	}{
		{"http to 127.0.0.1", Provider{Name: "acme"}, "http://127.0.0.1:" + port + "/x", false},
		{"http to localhost", Provider{Name: "acme"}, "http://localhost:" + port + "/x", false},
		{"http to a host that is not loopback", Provider{Name: "acme"}, "http://0.0.0.0:" + port + "/x", true},
		{"the same with insecure_http", Provider{Name: "acme", InsecureHTTP: true}, "http://0.0.0.0:" + port + "/x", false},
		{"not http at all", Provider{Name: "acme", InsecureHTTP: true}, "ftp://127.0.0.1:" + port + "/x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := got.Load()
			res, err := fetchClient().Call(context.Background(), tt.p, tok, CallRequest{URL: tt.url})
			if !tt.refused {
				if err != nil || !res.OK() || got.Load() != before+1 {
					t.Fatalf("Call = %+v, %v; want a 200 from the server", res, err)
				}
				return
			}
			if err == nil || got.Load() != before {
				t.Fatalf("Call = %+v, %v; want a refusal with nothing sent", res, err)
			}
			e, ok := AsError(err)
			if !ok || e.Kind != KindConfig || CheckCallURL(tt.p, tt.url) == nil {
				t.Fatalf("error %#v, want the KindConfig of CheckCallURL", err)
			}
			if strings.HasPrefix(tt.url, "http:") && (!strings.Contains(err.Error(), "refusing to send the bearer token over plain http to 0.0.0.0:"+port) ||
				!strings.Contains(e.Hint, "use https, or set `insecure_http: true` on acme")) {
				t.Errorf("error %q, hint %q: want the rule and the fix named", err, e.Hint)
			}
		})
	}
}
