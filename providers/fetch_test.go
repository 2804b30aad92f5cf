package providers

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/jwtclaims"
)

// fetchNow is both the client's clock and the servers' Date header in the
// fetch tests, so there is no skew unless a test makes one.
var fetchNow = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

// sentRequest is what a test server received.
type sentRequest struct {
	Method, Path, RawBody string
	Header                http.Header
	Form                  url.Values
}

// basicCreds decodes an RFC 6749 §2.3.1 Authorization header: base64 of the
// form-urlencoded id and secret joined by ":".
func (r sentRequest) basicCreds() (id, secret string, ok bool) {
	enc, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", "", false
	}
	qid, qsecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	id, err1 := url.QueryUnescape(qid)
	secret, err2 := url.QueryUnescape(qsecret)
	return id, secret, err1 == nil && err2 == nil
}

// style says how the client authenticated in this request.
func (r sentRequest) style() AuthStyle {
	switch {
	case r.Header.Get("Authorization") != "":
		return AuthBasic
	case r.Form.Has("client_secret"):
		return AuthPost
	}
	return ""
}

// creds are the credentials sent, whichever the style.
func (r sentRequest) creds() (id, secret string) {
	if id, secret, ok := r.basicCreds(); ok {
		return id, secret
	}
	return r.Form.Get("client_id"), r.Form.Get("client_secret")
}

// tokenServer is an httptest server that records every request and answers
// with respond. Its Date header is fetchNow unless respond sets one.
type tokenServer struct {
	*httptest.Server
	mu   sync.Mutex
	sent []sentRequest
}

func newTokenServer(t *testing.T, respond func(w http.ResponseWriter, r sentRequest)) *tokenServer {
	t.Helper()
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(ts.handler(respond))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) handler(respond func(w http.ResponseWriter, r sentRequest)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(raw))
		s := sentRequest{Method: r.Method, Path: r.URL.Path, RawBody: string(raw), Header: r.Header.Clone(), Form: form}
		ts.mu.Lock()
		ts.sent = append(ts.sent, s)
		ts.mu.Unlock()
		w.Header().Set("Date", fetchNow.Format(http.TimeFormat))
		respond(w, s)
	})
}

func (ts *tokenServer) requests() []sentRequest {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return slices.Clone(ts.sent)
}

// tokenRequests are the POSTs, leaving out discovery GETs.
func (ts *tokenServer) tokenRequests() []sentRequest {
	return slices.DeleteFunc(ts.requests(), func(r sentRequest) bool { return r.Method != http.MethodPost })
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, ok := v.([]byte)
	if !ok {
		if s, isStr := v.(string); isStr {
			b = []byte(s)
		} else {
			b, _ = json.Marshal(v)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// standardToken answers a token in the RFC 6749 §5.1 shape.
func standardToken(w http.ResponseWriter, token string, expiresIn int) {
	writeJSON(w, 200, map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": expiresIn})
}

func fetchClient() *Client {
	return &Client{Now: func() time.Time { return fetchNow }}
}

func testProvider(tokenURL string, style AuthStyle) Provider {
	return Provider{Name: "acme", TokenURL: tokenURL, ClientID: "id", ClientSecret: "secret", AuthStyle: style}
}

func mustError(t *testing.T, err error) *Error {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got none")
	}
	e, ok := AsError(err)
	if !ok {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	return e
}

func TestFetchSendsTheForm(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*Provider)
		style    AuthStyle
		wantForm url.Values
	}{
		{"no scopes: scope left out", nil, AuthBasic,
			url.Values{"grant_type": {"client_credentials"}}},
		{"scopes joined by a space", func(p *Provider) { p.Scopes = []string{"api/read", "api/write"} }, AuthBasic,
			url.Values{"grant_type": {"client_credentials"}, "scope": {"api/read api/write"}}},
		{"scopes joined by a comma (seed 004)", func(p *Provider) { p.Scopes = []string{"item", "event"}; p.ScopeSeparator = "," }, AuthBasic,
			url.Values{"grant_type": {"client_credentials"}, "scope": {"item,event"}}},
		{"audience and resource", func(p *Provider) { p.Audience = "https://api.example"; p.Resource = "urn:api" }, AuthBasic,
			url.Values{"grant_type": {"client_credentials"}, "audience": {"https://api.example"}, "resource": {"urn:api"}}},
		{"params, which cannot change the grant", func(p *Provider) { p.Params = map[string]string{"tenant": "t 1&2", "grant_type": "password"} }, AuthBasic,
			url.Values{"grant_type": {"client_credentials"}, "tenant": {"t 1&2"}}},
		{"post adds the credentials", func(p *Provider) { p.Scopes = []string{"s"} }, AuthPost,
			url.Values{"grant_type": {"client_credentials"}, "scope": {"s"}, "client_id": {"id"}, "client_secret": {"secret"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { standardToken(w, "tok", 3600) })
			p := testProvider(srv.URL+"/oauth2/token", tt.style)
			if tt.edit != nil {
				tt.edit(&p)
			}
			res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if res.Token.AccessToken != "tok" || res.AuthStyle != tt.style {
				t.Errorf("token %q style %s", res.Token.AccessToken, res.AuthStyle)
			}
			sent := srv.requests()
			if len(sent) != 1 {
				t.Fatalf("%d requests, want 1", len(sent))
			}
			r := sent[0]
			if r.Method != http.MethodPost || r.Path != "/oauth2/token" {
				t.Errorf("sent %s %s", r.Method, r.Path)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type = %q", ct)
			}
			if a := r.Header.Get("Accept"); a != "application/json" {
				t.Errorf("Accept = %q", a)
			}
			if !reflect.DeepEqual(r.Form, tt.wantForm) {
				t.Errorf("form = %v\nwant   %v", r.Form, tt.wantForm)
			}
			if id, secret, ok := r.basicCreds(); (tt.style == AuthBasic) != ok || (ok && (id != "id" || secret != "secret")) {
				t.Errorf("basic credentials = %q %q %v under %s", id, secret, ok, tt.style)
			}
		})
	}
}

func TestFetchBasicCredentialsWithSpecialCharacters(t *testing.T) {
	const id, secret = "my:id%+& x", "s:e%c+r&e t"
	for _, style := range []AuthStyle{AuthBasic, AuthPost} {
		t.Run(string(style), func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
				if gotID, gotSecret := r.creds(); gotID != id || gotSecret != secret {
					writeJSON(w, 401, `{"error":"invalid_client"}`)
					return
				}
				standardToken(w, "tok", 3600)
			})
			p := testProvider(srv.URL, style)
			p.ClientID, p.ClientSecret = id, secret
			if _, err := fetchClient().Fetch(context.Background(), p, FetchOptions{}); err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			r := srv.requests()[0]
			switch style {
			case AuthBasic:
				// RFC 6749 §2.3.1: form-urlencode, join, base64.
				want := "Basic " + base64.StdEncoding.EncodeToString([]byte("my%3Aid%25%2B%26+x:s%3Ae%25c%2Br%26e+t"))
				if got := r.Header.Get("Authorization"); got != want {
					t.Errorf("Authorization = %q, want %q", got, want)
				}
				if r.Form.Has("client_id") || r.Form.Has("client_secret") {
					t.Errorf("basic also put credentials in the body: %q", r.RawBody)
				}
			case AuthPost:
				if r.Header.Get("Authorization") != "" {
					t.Errorf("post also sent Authorization %q", r.Header.Get("Authorization"))
				}
				if !strings.Contains(r.RawBody, "client_secret=s%3Ae%25c%2Br%26e+t") {
					t.Errorf("body %q does not hold the form-encoded secret", r.RawBody)
				}
			}
		})
	}
	if got := BasicAuth(id, secret); got != "Basic bXklM0FpZCUyNSUyQiUyNit4OnMlM0FlJTI1YyUyQnIlMjZlK3Q=" {
		t.Errorf("BasicAuth = %q", got)
	}
}

// styleServer accepts the credentials id/secret in the accept style only and
// answers any other request with refuse.
func styleServer(t *testing.T, accept AuthStyle, refuse func(w http.ResponseWriter)) *tokenServer {
	return newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		id, secret := r.creds()
		if r.style() == accept && id == "id" && secret == "secret" {
			standardToken(w, "tok-"+string(accept), 3600)
			return
		}
		refuse(w)
	})
}

func TestFetchAuthStyles(t *testing.T) {
	invalidClient401 := func(w http.ResponseWriter) { writeJSON(w, 401, `{"error":"invalid_client"}`) }
	invalidClient400 := func(w http.ResponseWriter) { writeJSON(w, 400, `{"error":"invalid_client","error_description":"bad"}`) }
	bare401 := func(w http.ResponseWriter) { w.WriteHeader(401) }
	tests := []struct {
		name       string
		configured AuthStyle
		learned    AuthStyle
		accept     AuthStyle // "" accepts nothing
		refuse     func(http.ResponseWriter)
		wantSent   []AuthStyle
		wantStyle  AuthStyle
		wantCode   string // "" means success
		wantHint   string
	}{
		{name: "auto: basic refused with 401 invalid_client, post works", configured: AuthAuto, accept: AuthPost, refuse: invalidClient401,
			wantSent: []AuthStyle{AuthBasic, AuthPost}, wantStyle: AuthPost},
		{name: "auto: basic refused with 400 invalid_client, post works", configured: AuthAuto, accept: AuthPost, refuse: invalidClient400,
			wantSent: []AuthStyle{AuthBasic, AuthPost}, wantStyle: AuthPost},
		{name: "auto: basic refused with a bare 401, post works", configured: AuthAuto, accept: AuthPost, refuse: bare401,
			wantSent: []AuthStyle{AuthBasic, AuthPost}, wantStyle: AuthPost},
		{name: "unset style is auto", configured: "", accept: AuthPost, refuse: bare401,
			wantSent: []AuthStyle{AuthBasic, AuthPost}, wantStyle: AuthPost},
		{name: "auto: basic works first time", configured: AuthAuto, accept: AuthBasic, refuse: bare401,
			wantSent: []AuthStyle{AuthBasic}, wantStyle: AuthBasic},
		{name: "auto, learned post: post first", configured: AuthAuto, learned: AuthPost, accept: AuthPost, refuse: bare401,
			wantSent: []AuthStyle{AuthPost}, wantStyle: AuthPost},
		{name: "auto, learned post, now basic-only: back to basic", configured: AuthAuto, learned: AuthPost, accept: AuthBasic, refuse: invalidClient401,
			wantSent: []AuthStyle{AuthPost, AuthBasic}, wantStyle: AuthBasic},
		{name: "auto, learned basic: basic first", configured: AuthAuto, learned: AuthBasic, accept: AuthPost, refuse: bare401,
			wantSent: []AuthStyle{AuthBasic, AuthPost}, wantStyle: AuthPost},
		{name: "auto: both refused", configured: AuthAuto, accept: "", refuse: invalidClient401,
			wantSent: []AuthStyle{AuthBasic, AuthPost}, wantStyle: AuthPost, wantCode: "invalid_client", wantHint: "both auth styles were refused"},
		{name: "auto: both refused with bare 401s", configured: AuthAuto, accept: "", refuse: bare401,
			wantSent: []AuthStyle{AuthBasic, AuthPost}, wantStyle: AuthPost, wantCode: "-", wantHint: "the server refused the client credentials: check the client id and secret"},
		{name: "basic never retries", configured: AuthBasic, accept: AuthPost, refuse: invalidClient401,
			wantSent: []AuthStyle{AuthBasic}, wantStyle: AuthBasic, wantCode: "invalid_client", wantHint: "try `auth_style: post`"},
		{name: "post never retries", configured: AuthPost, accept: AuthBasic, refuse: invalidClient400,
			wantSent: []AuthStyle{AuthPost}, wantStyle: AuthPost, wantCode: "invalid_client", wantHint: "try `auth_style: basic`"},
		{name: "auto: invalid_scope does not retry", configured: AuthAuto, accept: "",
			refuse:   func(w http.ResponseWriter) { writeJSON(w, 400, `{"error":"invalid_scope"}`) },
			wantSent: []AuthStyle{AuthBasic}, wantStyle: AuthBasic, wantCode: "invalid_scope", wantHint: "refused the scopes"},
		{name: "auto: 403 access_denied does not retry", configured: AuthAuto, accept: "",
			refuse:   func(w http.ResponseWriter) { writeJSON(w, 403, `{"error":"access_denied"}`) },
			wantSent: []AuthStyle{AuthBasic}, wantStyle: AuthBasic, wantCode: "access_denied", wantHint: "audience"},
		{name: "auto: 500 does not retry", configured: AuthAuto, accept: "",
			refuse:   func(w http.ResponseWriter) { w.WriteHeader(500) },
			wantSent: []AuthStyle{AuthBasic}, wantStyle: AuthBasic, wantCode: "-", wantHint: "authorization server failed"},
		{name: "auto: 429 does not retry", configured: AuthAuto, accept: "",
			refuse:   func(w http.ResponseWriter) { w.Header().Set("Retry-After", "7"); w.WriteHeader(429) },
			wantSent: []AuthStyle{AuthBasic}, wantStyle: AuthBasic, wantCode: "-", wantHint: "rate limiting"},
		{name: "auto: a 200 carrying invalid_client retries", configured: AuthAuto, accept: AuthPost,
			refuse:   func(w http.ResponseWriter) { writeJSON(w, 200, `{"error":"invalid_client"}`) },
			wantSent: []AuthStyle{AuthBasic, AuthPost}, wantStyle: AuthPost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := styleServer(t, tt.accept, tt.refuse)
			p := testProvider(srv.URL, tt.configured)
			res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{Learned: tt.learned})
			if res == nil {
				t.Fatal("Fetch returned a nil Result")
			}
			var sent []AuthStyle
			for _, r := range srv.tokenRequests() {
				sent = append(sent, r.style())
			}
			if !slices.Equal(sent, tt.wantSent) {
				t.Errorf("styles sent = %v, want %v", sent, tt.wantSent)
			}
			if len(res.Exchanges) != len(sent) {
				t.Fatalf("%d exchanges recorded for %d requests", len(res.Exchanges), len(sent))
			}
			for i, ex := range res.Exchanges {
				if ex.AuthStyle != sent[i] {
					t.Errorf("exchange %d AuthStyle = %s, want %s", i, ex.AuthStyle, sent[i])
				}
			}
			if res.AuthStyle != tt.wantStyle {
				t.Errorf("Result.AuthStyle = %s, want %s", res.AuthStyle, tt.wantStyle)
			}
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if want := "tok-" + string(tt.wantStyle); res.Token.AccessToken != want {
					t.Errorf("token %q, want %q", res.Token.AccessToken, want)
				}
				if last := res.Exchanges[len(res.Exchanges)-1]; !last.OK() || last.Status != 200 {
					t.Errorf("last exchange not OK: %+v", last)
				}
				return
			}
			e := mustError(t, err)
			if res.Token != nil {
				t.Errorf("a token came back with the error: %+v", res.Token)
			}
			if code := strings.TrimPrefix(tt.wantCode, "-"); e.Code != code {
				t.Errorf("Code = %q, want %q", e.Code, code)
			}
			if !strings.Contains(e.Hint, tt.wantHint) {
				t.Errorf("Hint = %q, want it to hold %q", e.Hint, tt.wantHint)
			}
			last := res.Exchanges[len(res.Exchanges)-1]
			if last.Hint != e.Hint || last.Error != e.Summary() || last.OK() {
				t.Errorf("last exchange Error %q Hint %q; want %q %q", last.Error, last.Hint, e.Summary(), e.Hint)
			}
		})
	}
}

// Vendors as the seed pages describe them.

func seed000Cognito(t *testing.T) *tokenServer {
	return newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		id, secret, ok := r.basicCreds()
		switch {
		case r.Path != "/oauth2/token":
			w.WriteHeader(404)
		case !ok || id != "id" || secret != "secret":
			writeJSON(w, 400, `{"error":"invalid_client"}`)
		case r.Form.Get("scope") != "api/write":
			writeJSON(w, 400, `{"error":"invalid_scope"}`)
		default:
			tok := hs256JWT(t, jwt.MapClaims{"client_id": id, "scope": "api/write", "exp": fetchNow.Add(time.Hour).Unix()}, "KO6key")
			standardToken(w, tok, 3600)
		}
	})
}

func TestFetchSeeds(t *testing.T) {
	const opaque001 = "NgXCXRKc/Qk+Mz0Yjw="
	const opaque004 = "5474r2x214z26484u2e4y4a403q5e4z5m4j4b403s526"
	const auth0Audience = "https://api.wave.bemobi.com"

	cognito := seed000Cognito
	basicOnly := func(t *testing.T) *tokenServer { // seed 001
		return newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
			id, secret, ok := r.basicCreds()
			if r.Path != "/oauth/v2/token" || !ok || id != "id" || secret != "secret" {
				w.WriteHeader(401)
				return
			}
			writeJSON(w, 200, `{"token_type": "Bearer", "expires_in": 3600, "access_token": "`+opaque001+`"}`)
		})
	}
	cognitoPost := func(t *testing.T) *tokenServer { // seed 002
		return newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
			if r.Form.Get("client_id") != "id" || r.Form.Get("client_secret") != "secret" || r.Header.Get("Authorization") != "" || r.Form.Has("scope") {
				writeJSON(w, 400, `{"error":"invalid_client"}`)
				return
			}
			tok := hs256JWT(t, jwt.MapClaims{"exp": fetchNow.Add(time.Hour).Unix()}, "KO6")
			standardToken(w, tok, 3600)
		})
	}
	auth0 := func(t *testing.T) *tokenServer { // seed 003
		return newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
			switch {
			case r.Form.Get("client_id") != "id" || r.Form.Get("client_secret") != "secret":
				writeJSON(w, 401, `{"error":"access_denied","error_description":"Unauthorized"}`)
			case r.Form.Get("audience") == "":
				writeJSON(w, 403, `{"error":"access_denied","error_description":"No audience parameter was provided, and no default audience has been configured"}`)
			case r.Form.Get("audience") != auth0Audience:
				writeJSON(w, 403, `{"error":"access_denied","error_description":"Service not found: `+r.Form.Get("audience")+`"}`)
			default:
				tok := rs256JWT(t, jwt.MapClaims{"aud": auth0Audience, "azp": "id", "exp": fetchNow.Add(24 * time.Hour).Unix()}, "auth0-kid")
				writeJSON(w, 200, map[string]any{"access_token": tok, "scope": "read:payments", "expires_in": 86400, "token_type": "Bearer"})
			}
		})
	}
	ants := func(t *testing.T) *tokenServer { // seed 004
		allowed := map[string]bool{"item": true, "event": true, "profile": true, "promotion": true}
		return newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
			if r.Form.Get("client_id") != "id" || r.Form.Get("client_secret") != "secret" {
				writeJSON(w, 401, `{"statusCode":401,"status":401,"code":401,"message":"Invalid client: client is invalid","name":"invalid_client"}`)
				return
			}
			for _, s := range strings.Split(r.Form.Get("scope"), ",") {
				if !allowed[s] {
					writeJSON(w, 400, `{"statusCode":400,"status":400,"code":400,"message":"Invalid scope: Requested scope is invalid","name":"invalid_scope"}`)
					return
				}
			}
			writeJSON(w, 200, `{
    "accessToken": "`+opaque004+`",
    "accessTokenExpiresAt": "`+fetchNow.Add(time.Hour).Format("2006-01-02T15:04:05.000Z07:00")+`",
    "scope": "`+r.Form.Get("scope")+`"
}`)
		})
	}

	tests := []struct {
		name   string
		server func(*testing.T) *tokenServer
		path   string
		edit   func(*Provider)
		check  func(t *testing.T, res *Result, err error, sent []sentRequest)
	}{
		{
			name: "000 Cognito, basic, scope api/write", server: cognito, path: "/oauth2/token",
			edit: func(p *Provider) { p.AuthStyle = AuthBasic; p.Scopes = []string{"api/write"} },
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				if err != nil {
					t.Fatal(err)
				}
				if len(sent) != 1 || sent[0].Form.Get("scope") != "api/write" || sent[0].Form.Has("client_secret") {
					t.Errorf("sent %+v", sent)
				}
				tok := res.Token
				if !jwtclaims.LooksLikeJWT(tok.AccessToken) || tok.ExpirySource != "expires_in" || !tok.ExpiresAt.Equal(fetchNow.Add(time.Hour)) || tok.ExpiryAssumed {
					t.Errorf("token %+v", tok)
				}
				if c, err := jwtclaims.Decode(tok.AccessToken); err != nil || c.Scope != "api/write" || c.KeyID != "KO6key" {
					t.Errorf("claims %+v %v", c, err)
				}
			},
		},
		{
			name: "000 Cognito, wrong secret under basic", server: cognito, path: "/oauth2/token",
			edit: func(p *Provider) { p.AuthStyle = AuthBasic; p.Scopes = []string{"api/write"}; p.ClientSecret = "wrong" },
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				e := mustError(t, err)
				if e.Kind != KindOAuth || e.Code != "invalid_client" || e.Status != 400 || !strings.Contains(e.Hint, "auth_style: post") {
					t.Errorf("error %+v", e)
				}
			},
		},
		{
			name: "001 basic-only, opaque token, auto", server: basicOnly, path: "/oauth/v2/token",
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				if err != nil {
					t.Fatal(err)
				}
				if len(sent) != 1 || res.AuthStyle != AuthBasic || res.Token.AccessToken != opaque001 || res.Token.TokenType != "Bearer" {
					t.Errorf("style %s token %+v", res.AuthStyle, res.Token)
				}
			},
		},
		{
			name: "001 bad credentials: 401 under both styles", server: basicOnly, path: "/oauth/v2/token",
			edit: func(p *Provider) { p.ClientSecret = "wrong" },
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				e := mustError(t, err)
				if e.Kind != KindHTTP || e.Status != 401 || len(res.Exchanges) != 2 {
					t.Errorf("error %+v after %d exchanges", e, len(res.Exchanges))
				}
				if strings.Contains(e.Hint, "auth_style") || !strings.Contains(e.Hint, "check the client id and secret") {
					t.Errorf("Hint = %q: both styles were tried, so suggesting one is wrong", e.Hint)
				}
			},
		},
		{
			name: "002 Cognito, post, no scope", server: cognitoPost, path: "/oauth2/token",
			edit: func(p *Provider) { p.AuthStyle = AuthPost },
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				if err != nil {
					t.Fatal(err)
				}
				if len(sent) != 1 || sent[0].Form.Has("scope") || res.Token.ExpirySource != "expires_in" {
					t.Errorf("sent %+v token %+v", sent, res.Token)
				}
			},
		},
		{
			name: "003 Auth0, post, audience", server: auth0, path: "/oauth/token",
			edit: func(p *Provider) { p.AuthStyle = AuthPost; p.Audience = auth0Audience },
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				if err != nil {
					t.Fatal(err)
				}
				if sent[0].Form.Get("audience") != auth0Audience || res.Token.Scope != "read:payments" || !res.Token.ExpiresAt.Equal(fetchNow.Add(24*time.Hour)) {
					t.Errorf("sent %v token %+v", sent[0].Form, res.Token)
				}
			},
		},
		{
			name: "003 Auth0 without an audience: 403 access_denied", server: auth0, path: "/oauth/token",
			edit: func(p *Provider) { p.AuthStyle = AuthPost },
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				e := mustError(t, err)
				if e.Kind != KindOAuth || e.Status != 403 || e.Code != "access_denied" || !strings.Contains(e.Description, "No audience parameter") {
					t.Errorf("error %+v", e)
				}
				if !strings.Contains(e.Hint, "audience") {
					t.Errorf("Hint = %q, want it to mention the audience", e.Hint)
				}
			},
		},
		{
			name: "003 Auth0 with the wrong audience", server: auth0, path: "/oauth/token",
			edit: func(p *Provider) { p.AuthStyle = AuthPost; p.Audience = "https://api.wrong" },
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				e := mustError(t, err)
				if e.Code != "access_denied" || !strings.Contains(e.Hint, `"https://api.wrong"`) {
					t.Errorf("error %+v", e)
				}
			},
		},
		{
			name: "003 Auth0 wrong secret: 401 access_denied", server: auth0, path: "/oauth/token",
			edit: func(p *Provider) { p.AuthStyle = AuthPost; p.Audience = auth0Audience; p.ClientSecret = "x" },
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				e := mustError(t, err)
				if e.Status != 401 || e.Code != "access_denied" || !strings.Contains(e.Hint, "refused the client credentials") {
					t.Errorf("error %+v", e)
				}
			},
		},
		{
			name: "004 ANTS, comma scopes, camelCase answer", server: ants, path: "/oauth/token",
			edit: func(p *Provider) {
				p.AuthStyle = AuthPost
				p.Scopes = []string{"item", "event"}
				p.ScopeSeparator = ","
			},
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				if err != nil {
					t.Fatal(err)
				}
				if sent[0].Form.Get("scope") != "item,event" {
					t.Errorf("scope sent = %q", sent[0].Form.Get("scope"))
				}
				tok := res.Token
				if tok.AccessToken != opaque004 || tok.ExpirySource != "expires_at" || !tok.ExpiresAt.Equal(fetchNow.Add(time.Hour)) || tok.Scope != "item,event" {
					t.Errorf("token %+v", tok)
				}
				if strings.Contains(res.Exchanges[0].ResponseBody, opaque004) {
					t.Errorf("the record holds the token: %s", res.Exchanges[0].ResponseBody)
				}
			},
		},
		{
			name: "004 ANTS, unknown scope: its error shape", server: ants, path: "/oauth/token",
			edit: func(p *Provider) {
				p.AuthStyle = AuthPost
				p.Scopes = []string{"item", "orders"}
				p.ScopeSeparator = ","
			},
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				e := mustError(t, err)
				if e.Kind != KindOAuth || e.Code != "invalid_scope" || e.Description != "Invalid scope: Requested scope is invalid" || !strings.Contains(e.Hint, "item,orders") {
					t.Errorf("error %+v", e)
				}
			},
		},
		{
			name: "004 ANTS, scopes sent space-separated by mistake", server: ants, path: "/oauth/token",
			edit: func(p *Provider) { p.AuthStyle = AuthPost; p.Scopes = []string{"item", "event"} },
			check: func(t *testing.T, res *Result, err error, sent []sentRequest) {
				e := mustError(t, err)
				if e.Code != "invalid_scope" || !strings.Contains(e.Hint, "item event") {
					t.Errorf("error %+v", e)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.server(t)
			p := testProvider(srv.URL+tt.path, AuthAuto)
			if tt.edit != nil {
				tt.edit(&p)
			}
			res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
			if res == nil {
				t.Fatal("nil Result")
			}
			sent := srv.tokenRequests()
			if len(res.Exchanges) != len(sent) {
				t.Errorf("%d exchanges for %d requests", len(res.Exchanges), len(sent))
			}
			tt.check(t, res, err, sent)
		})
	}
}

func TestFetchRedirectIsNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			target := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { standardToken(w, "stolen", 3600) })
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
				w.Header().Set("Location", target.URL+"/oauth2/token")
				w.WriteHeader(status)
			})
			res, err := fetchClient().Fetch(context.Background(), testProvider(srv.URL, AuthAuto), FetchOptions{})
			e := mustError(t, err)
			if e.Kind != KindRedirect || e.Status != status || !strings.Contains(e.Description, target.URL+"/oauth2/token") {
				t.Errorf("error %+v", e)
			}
			if n := len(target.requests()); n != 0 {
				t.Errorf("the redirect target received %d requests; the credentials went along", n)
			}
			if len(res.Exchanges) != 1 || res.Exchanges[0].Status != status {
				t.Errorf("exchanges %+v", res.Exchanges)
			}
		})
	}
}

func TestFetchBodySizeLimit(t *testing.T) {
	// body builds a valid token response of exactly n bytes.
	body := func(n int) []byte {
		head := `{"access_token":"tok","token_type":"Bearer","expires_in":3600,"pad":"`
		tail := `"}`
		return []byte(head + strings.Repeat("a", n-len(head)-len(tail)) + tail)
	}
	tests := []struct {
		name string
		size int
		ok   bool
	}{
		{"exactly 1 MiB", MaxBodyBytes, true},
		{"1 MiB + 1", MaxBodyBytes + 1, false},
		{"4 MiB", 4 * MaxBodyBytes, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := body(tt.size)
			if len(b) != tt.size {
				t.Fatalf("body is %d bytes, want %d", len(b), tt.size)
			}
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { writeJSON(w, 200, b) })
			res, err := fetchClient().Fetch(context.Background(), testProvider(srv.URL, AuthBasic), FetchOptions{})
			ex := res.Exchanges[0]
			if len(ex.ResponseBody) > MaxRecordBody+100 {
				t.Errorf("the record keeps %d bytes of body", len(ex.ResponseBody))
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if res.Token.AccessToken != "tok" {
					t.Errorf("token %q", res.Token.AccessToken)
				}
				return
			}
			e := mustError(t, err)
			if e.Kind != KindResponse || e.Status != 200 || !strings.Contains(e.Description, "larger than 1048576 bytes") {
				t.Errorf("error %+v", e)
			}
			if res.Token != nil {
				t.Error("a cut body was parsed")
			}
		})
	}
}

func TestFetchTimeout(t *testing.T) {
	// A deliberately slow endpoint: it answers only after the client gave up.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The request's context ends when the client goes, once the body
		// has been read.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		standardToken(w, "late", 3600)
	}))
	t.Cleanup(slow.Close)
	p := testProvider(slow.URL, AuthAuto)
	p.Timeout = Duration(200 * time.Millisecond)
	res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
	e := mustError(t, err)
	if e.Kind != KindTransport || e.Code != "timeout" || !strings.Contains(e.Description, "200ms") || !strings.Contains(e.Hint, "timeout") {
		t.Errorf("error %+v", e)
	}
	if len(res.Exchanges) != 1 || res.Exchanges[0].Status != 0 || res.Exchanges[0].Error == "" {
		t.Errorf("exchanges %+v", res.Exchanges)
	}
}

func TestFetchCanceled(t *testing.T) {
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so the context ends when the client goes
		close(arrived)
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := fetchClient().Fetch(ctx, testProvider(srv.URL, AuthAuto), FetchOptions{})
	if e := mustError(t, err); e.Kind != KindTransport || e.Code != "canceled" {
		t.Errorf("error %+v", e)
	}
}

func TestFetchConnectionRefused(t *testing.T) {
	addr := testsupport.ClosedAddr(t)
	res, err := fetchClient().Fetch(context.Background(), testProvider("http://"+addr+"/token", AuthAuto), FetchOptions{})
	e := mustError(t, err)
	if e.Kind != KindTransport || e.Code != "refused" || !strings.Contains(e.Description, addr) || e.Hint == "" {
		t.Errorf("error %+v", e)
	}
	if len(res.Exchanges) != 1 {
		t.Errorf("%d exchanges: a refused connection is not retried", len(res.Exchanges))
	}
}

// TestFetchDNS makes the dialer fail as a resolver would, without asking any
// DNS server.
func TestFetchDNS(t *testing.T) {
	c := fetchClient()
	c.Transport = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}
	_, err := c.Fetch(context.Background(), testProvider("https://auth.tokentop-test.invalid/oauth2/token", AuthAuto), FetchOptions{})
	e := mustError(t, err)
	if e.Kind != KindTransport || e.Code != "dns" || !strings.Contains(e.Description, "auth.tokentop-test.invalid") || !strings.Contains(e.Hint, "check the host") {
		t.Errorf("error %+v", e)
	}
}

func TestTransportError(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	p := Provider{Name: "p", TokenURL: "https://auth.example/token", Timeout: Duration(3 * time.Second)}
	urlErr := func(err error) error { return &url.Error{Op: "Post", URL: p.TokenURL, Err: err} }
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		code string
		desc string
	}{
		{"dns", context.Background(), urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "auth.example", IsNotFound: true}}), "dns", "auth.example does not resolve"},
		{"dns timeout is a timeout", context.Background(), urlErr(&net.DNSError{Err: "i/o timeout", Name: "auth.example", IsTimeout: true}), "timeout", "3s"},
		{"refused", context.Background(), urlErr(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), "refused", "auth.example refused"},
		{"deadline", context.Background(), urlErr(context.DeadlineExceeded), "timeout", "no answer within 3s"},
		{"canceled", canceled, urlErr(context.Canceled), "canceled", "canceled"},
		{"canceled error with a live context is not a cancel", context.Background(), urlErr(context.Canceled), "network", ""},
		{"unknown authority", context.Background(), urlErr(&tls.CertificateVerificationError{Err: errors.New("x509: certificate signed by unknown authority")}), "tls", "not trusted"},
		{"other", context.Background(), urlErr(io.ErrUnexpectedEOF), "network", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := transportError(tt.ctx, tt.err, p)
			if e.Kind != KindTransport || e.Code != tt.code || e.Provider != "p" || !strings.Contains(e.Description, tt.desc) {
				t.Errorf("transportError = %+v, want code %q description with %q", e, tt.code, tt.desc)
			}
			var ue *url.Error
			if errors.As(e, &ue) {
				t.Errorf("the *url.Error (which repeats the URL) was kept: %v", e)
			}
		})
	}
}

func writeCertPEM(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFetchTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { standardToken(w, "tls-tok", 3600) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		caFile string
		kind   ErrorKind
		code   string
		msg    string
	}{
		{name: "untrusted without ca_file", kind: KindTransport, code: "tls", msg: "ca_file"},
		{name: "trusted with ca_file", caFile: writeCertPEM(t, srv)},
		{name: "ca_file missing", caFile: filepath.Join(t.TempDir(), "nope.pem"), kind: KindConfig, msg: "cannot read ca_file"},
		{name: "ca_file without a certificate", caFile: notPEM, kind: KindConfig, msg: "holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testProvider(srv.URL+"/token", AuthBasic)
			p.CAFile = tt.caFile
			c := &Client{}
			defer c.CloseIdleConnections()
			res, err := c.Fetch(context.Background(), p, FetchOptions{})
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if res.Token.AccessToken != "tls-tok" {
					t.Errorf("token %q", res.Token.AccessToken)
				}
				return
			}
			e := mustError(t, err)
			if e.Kind != tt.kind || e.Code != tt.code || e.Provider != "acme" || !strings.Contains(e.Error()+" "+e.Hint, tt.msg) {
				t.Errorf("error %+v (hint %q)", e, e.Hint)
			}
		})
	}
}

// refusingTransport fails the test if the client tries to send anything.
type refusingTransport struct{ t *testing.T }

func (rt refusingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.t.Errorf("a request was sent to %s", r.URL)
	return nil, errors.New("refusingTransport")
}

func TestFetchChecksTheTokenURL(t *testing.T) {
	tests := []struct {
		name, url string
		insecure  bool
		msg, hint string
	}{
		{name: "plain http to a remote host", url: "http://auth.example.com/oauth2/token", msg: "refusing to send client credentials over plain http to auth.example.com", hint: "insecure_http"},
		{name: "plain http to a remote IP", url: "http://10.1.2.3:8080/token", msg: "plain http", hint: "insecure_http"},
		{name: "not absolute", url: "/oauth2/token", msg: "not an absolute http(s) URL"},
		{name: "empty", url: "", msg: "not an absolute http(s) URL"},
		{name: "other scheme", url: "ftp://auth.example.com/token", msg: "not an absolute http(s) URL"},
		{name: "escapes in the URL are sanitised", url: "ftp://x/\x1b[31m", msg: `"ftp://x/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fetchClient()
			c.Transport = refusingTransport{t}
			c.LookupEnv = func(string) (string, bool) {
				t.Error("the secret was resolved for a URL that cannot be used")
				return "", false
			}
			p := testProvider(tt.url, AuthAuto)
			p.ClientSecretRef = "env:SECRET"
			res, err := c.Fetch(context.Background(), p, FetchOptions{})
			e := mustError(t, err)
			if e.Kind != KindConfig || !strings.Contains(e.Error(), tt.msg) || !strings.Contains(e.Hint, tt.hint) {
				t.Errorf("error %q hint %q", e.Error(), e.Hint)
			}
			if len(res.Exchanges) != 0 {
				t.Errorf("%d exchanges", len(res.Exchanges))
			}
		})
	}
}

func TestFetchLoopbackAndInsecureHTTP(t *testing.T) {
	srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { standardToken(w, "tok", 3600) })
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// Every dial goes to the test server, whatever the host: no other network.
	toServer := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	tests := []struct {
		name     string
		url      string
		insecure bool
	}{
		{"127.0.0.1", "http://127.0.0.1:" + port + "/token", false},
		{"localhost", "http://localhost:" + port + "/token", false},
		{"LOCALHOST", "http://LOCALHOST:" + port + "/token", false},
		{"a .localhost name", "http://auth.localhost:" + port + "/token", false},
		{"[::1]", "http://[::1]:" + port + "/token", false},
		{"remote host with insecure_http", "http://auth.example.com/token", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fetchClient()
			c.Transport = toServer
			p := testProvider(tt.url, AuthBasic)
			p.InsecureHTTP = tt.insecure
			res, err := c.Fetch(context.Background(), p, FetchOptions{})
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if res.Token.AccessToken != "tok" {
				t.Errorf("token %q", res.Token.AccessToken)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "a.localhost": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true,
		"example.com": false, "localhost.example.com": false, "10.0.0.1": false, "0.0.0.0": false, "": false, "127.0.0.1.nip.io": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestFetchFlightRecord(t *testing.T) {
	// A PHP-style answer: "/" escaped as "\/", and token-like fields at
	// several depths. None may reach the record.
	const access = "acc/ess+tok=="
	const refresh = "refresh-SECRET"
	const idToken = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."
	answer := `{"access_token":"acc\/ess+tok==","token_type":"Bearer","expires_in":3600,` +
		`"refresh_token":"` + refresh + `","id_token":"` + idToken + `","meta":{"token":"nested-SECRET","note":"kept"}}`
	const secret = "s3cr3t-VALUE"

	for _, style := range []AuthStyle{AuthBasic, AuthPost} {
		t.Run(string(style), func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
				w.Header().Set("Set-Cookie", "session=COOKIE-SECRET")
				writeJSON(w, 200, answer)
			})
			p := testProvider(srv.URL+"/oauth2/token", style)
			p.ClientSecret = secret
			p.Scopes = []string{"api/write"}
			res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if res.Token.AccessToken != access {
				t.Fatalf("token %q, want %q", res.Token.AccessToken, access)
			}
			ex := res.Exchanges[0]
			if ex.Provider != "acme" || ex.Method != "POST" || ex.URL != p.TokenURL || ex.AuthStyle != style || ex.Status != 200 || !ex.OK() {
				t.Errorf("exchange %+v", ex)
			}
			if !ex.Started.Equal(fetchNow) {
				t.Errorf("Started = %v, want the client's clock %v", ex.Started, fetchNow)
			}
			if !ex.ServerDate.Equal(fetchNow) {
				t.Errorf("ServerDate = %v, want the Date header %v", ex.ServerDate, fetchNow)
			}
			if ex.Timings.Total <= 0 {
				t.Errorf("Timings.Total = %v", ex.Timings.Total)
			}
			form, err := url.ParseQuery(ex.RequestBody)
			if err != nil {
				t.Fatal(err)
			}
			switch style {
			case AuthBasic:
				if got := ex.RequestHeaders.Get("Authorization"); got != "Basic "+Redacted {
					t.Errorf("recorded Authorization = %q", got)
				}
				if form.Has("client_secret") {
					t.Errorf("recorded body %q", ex.RequestBody)
				}
			case AuthPost:
				if form.Get("client_secret") != Redacted || form.Get("client_id") != "id" {
					t.Errorf("recorded body %q", ex.RequestBody)
				}
				if ex.RequestHeaders.Get("Authorization") != "" {
					t.Errorf("recorded Authorization %q", ex.RequestHeaders.Get("Authorization"))
				}
			}
			if form.Get("scope") != "api/write" || form.Get("grant_type") != "client_credentials" {
				t.Errorf("recorded body %q lost the scope or grant", ex.RequestBody)
			}
			if got := ex.ResponseHeaders.Get("Set-Cookie"); got != Redacted {
				t.Errorf("recorded Set-Cookie = %q", got)
			}
			if !strings.Contains(ex.ResponseBody, `"note":"kept"`) || !strings.Contains(ex.ResponseBody, `"expires_in":3600`) {
				t.Errorf("the record lost harmless fields: %s", ex.ResponseBody)
			}
			// Nothing secret anywhere in the stored form of the record.
			stored, _ := json.Marshal(res.Exchanges)
			raw := fmt.Sprint(ex.RequestHeaders, ex.RequestBody, ex.ResponseHeaders, ex.ResponseBody)
			for _, s := range []string{secret, access, `acc\/ess`, refresh, idToken, "nested-SECRET", "COOKIE-SECRET",
				base64.StdEncoding.EncodeToString([]byte("id:" + secret))} {
				if strings.Contains(string(stored), s) || strings.Contains(raw, s) {
					t.Errorf("the record holds %q:\n%s", s, raw)
				}
			}
		})
	}
}

func TestFetchFlightRecordOnParseFailure(t *testing.T) {
	tests := []struct {
		name, answer, token string
		mapping             *ResponseMapping
	}{
		{"bad expires_in", `{"access_token":"bad-expiry-TOKEN","expires_in":"soon"}`, "bad-expiry-TOKEN", nil},
		{"expired on arrival", `{"access_token":"expired-TOKEN","expires_at":1000000000}`, "expired-TOKEN", nil},
		{"mapped field, bad expiry", `{"data":{"jwt":"mapped-TOKEN","ttl":"never"}}`, "mapped-TOKEN", &ResponseMapping{AccessToken: "data.jwt", ExpiresIn: "data.ttl"}},
		{"200 carrying an error beside a token", `{"error":"server_error","accessToken":"camel-TOKEN"}`, "camel-TOKEN", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { writeJSON(w, 200, tt.answer) })
			p := testProvider(srv.URL, AuthBasic)
			p.Response = tt.mapping
			res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
			mustError(t, err)
			if body := res.Exchanges[0].ResponseBody; strings.Contains(body, tt.token) || !strings.Contains(body, Redacted) {
				t.Errorf("record body %s", body)
			}
		})
	}
}

func TestFetchSecretRefs(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ACME_SECRET": "s3cret", "EMPTY": ""}
	tests := []struct {
		name, ref string
		wantErr   string // "" means the fetch works with the secret s3cret
	}{
		{"env", "env:ACME_SECRET", ""},
		{"file", "file:" + secretFile, ""},
		{"cmd", "cmd:printf s3cret", ""},
		{"cmd with a trailing newline", "cmd:echo s3cret", ""},
		{"surrounding space", "  env:ACME_SECRET ", ""},
		{"env unset", "env:NOPE", "the environment variable NOPE is not set"},
		{"file missing", "file:" + filepath.Join(dir, "missing"), "no such file"},
		{"cmd fails", "cmd:echo vault sealed >&2; exit 3", "failed: vault sealed: exit status 3"},
		{"cmd prints nothing", "cmd:true", "printed nothing"},
		{"unknown kind", "vault:kv/acme", "want env:VAR, file:PATH or cmd:COMMAND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
				if _, secret := r.creds(); secret != "s3cret" {
					writeJSON(w, 401, `{"error":"invalid_client"}`)
					return
				}
				standardToken(w, "tok", 3600)
			})
			c := fetchClient()
			c.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			p := testProvider(srv.URL, AuthBasic)
			p.ClientSecret = "ignored-when-a-ref-is-set"
			p.ClientSecretRef = tt.ref
			res, err := c.Fetch(context.Background(), p, FetchOptions{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if res.Token.AccessToken != "tok" {
					t.Errorf("token %q", res.Token.AccessToken)
				}
				return
			}
			e := mustError(t, err)
			if e.Kind != KindConfig || e.Provider != "acme" || !strings.Contains(e.Error(), "cannot resolve the client secret") || !strings.Contains(e.Error(), tt.wantErr) {
				t.Errorf("error %q (kind %s), want config error holding %q", e.Error(), e.Kind, tt.wantErr)
			}
			if n := len(srv.requests()); n != 0 {
				t.Errorf("%d requests sent without a secret", n)
			}
		})
	}
}

func TestResolveSecretEmptyEnvAndPlainSecret(t *testing.T) {
	lookup := func(k string) (string, bool) { return "", k == "EMPTY" }
	if s, err := ResolveSecret(context.Background(), Provider{ClientSecretRef: "env:EMPTY"}, lookup); err != nil || s != "" {
		t.Errorf("set but empty variable: %q %v", s, err)
	}
	if s, err := ResolveSecret(context.Background(), Provider{ClientSecret: "plain"}, nil); err != nil || s != "plain" {
		t.Errorf("plain secret: %q %v", s, err)
	}
	t.Setenv("TOKENTOP_TEST_SECRET", "from-os")
	if s, err := ResolveSecret(context.Background(), Provider{ClientSecretRef: "env:TOKENTOP_TEST_SECRET"}, nil); err != nil || s != "from-os" {
		t.Errorf("nil lookup uses the environment: %q %v", s, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ResolveSecret(ctx, Provider{ClientSecretRef: "cmd:printf x"}, nil); err == nil {
		t.Error("cmd: ran under a canceled context")
	}
}

func TestFetchInvalidScopeHint(t *testing.T) {
	tests := []struct {
		name      string
		discovery string // served at /.well-known/oauth-authorization-server; "" is a 404
		oidc      string // served at /.well-known/openid-configuration
		scopes    []string
		want      []string
		absent    []string
	}{
		{name: "RFC 8414 metadata offers scopes", discovery: `{"issuer":"x","scopes_supported":["read","write","\u001b[31mevil"]}`,
			// The scope it does not offer is named, with the setting
			// without it (once: "refused: admin write; offers: read write").
			scopes: []string{"admin", "write"}, want: []string{"the server does not support scope admin (its discovery document lists read write evil): remove it, set `scopes: [write]`"}},
		{name: "OIDC fallback", oidc: `{"issuer":"x","scopes_supported":["openid","api"]}`,
			scopes: []string{"admin"}, want: []string{"does not support scope admin (its discovery document lists openid api)", "ask for one it lists, or none"}},
		{name: "every scope offered", discovery: `{"issuer":"x","scopes_supported":["read","write"]}`,
			scopes: []string{"read"}, want: []string{"asked for: read", "the server offers all of them (read write): the client may not be allowed them"}, absent: []string{"does not support"}},
		{name: "no metadata", scopes: []string{"admin"}, want: []string{"asked for: admin"}, absent: []string{"offers"}},
		{name: "metadata without scopes", discovery: `{"issuer":"x"}`, scopes: []string{"admin"}, want: []string{"asked for: admin"}, absent: []string{"offers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
				switch {
				case r.Path == "/.well-known/oauth-authorization-server" && tt.discovery != "":
					writeJSON(w, 200, tt.discovery)
				case r.Path == "/.well-known/openid-configuration" && tt.oidc != "":
					writeJSON(w, 200, tt.oidc)
				case r.Path == "/oauth2/token":
					writeJSON(w, 400, `{"error":"invalid_scope","error_description":"Invalid scope"}`)
				default:
					w.WriteHeader(404)
				}
			})
			p := testProvider(srv.URL+"/oauth2/token", AuthBasic)
			p.Scopes = tt.scopes
			res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
			e := mustError(t, err)
			if e.Code != "invalid_scope" {
				t.Fatalf("error %+v", e)
			}
			for _, s := range tt.want {
				if !strings.Contains(e.Hint, s) {
					t.Errorf("Hint %q does not hold %q", e.Hint, s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(e.Hint, s) {
					t.Errorf("Hint %q holds %q", e.Hint, s)
				}
			}
			assertTerminalSafe(t, "Hint", e.Hint)
			if got := res.Exchanges[len(res.Exchanges)-1].Hint; got != e.Hint {
				t.Errorf("recorded hint %q, want %q", got, e.Hint)
			}
			if len(res.Exchanges) != 1 {
				t.Errorf("%d exchanges: discovery requests are not token exchanges", len(res.Exchanges))
			}
		})
	}
}

func TestFetchNonJSONAnswers(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		kind        ErrorKind
		msg, hint   string
	}{
		{"200 HTML login page", 200, "text/html", "<!doctype html><html><head><title>Sign In | Acme</title>", KindResponse, `an HTML page titled "Sign In | Acme"`, "web login (SSO) page"},
		{"404 HTML", 404, "text/html", "<html><title>Not Found</title></html>", KindHTTP, `answered 404: an HTML page titled "Not Found"`, "check token_url"},
		{"200 text", 200, "text/plain", "token_type=x", KindResponse, `"token_type=x"`, "check token_url"},
		{"200 empty", 200, "application/json", "", KindResponse, "empty body", ""},
		{"200 carrying an error", 200, "application/json", `{"error":"invalid_request","error_description":"audience is required"}`, KindOAuth, "answered 200 invalid_request: a 2xx answer carrying an error: audience is required", "no audience or resource was sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			res, err := fetchClient().Fetch(context.Background(), testProvider(srv.URL, AuthBasic), FetchOptions{})
			e := mustError(t, err)
			if e.Kind != tt.kind || e.Status != tt.status || !strings.Contains(e.Error(), tt.msg) || !strings.Contains(e.Hint, tt.hint) {
				t.Errorf("error %q kind %s status %d hint %q", e.Error(), e.Kind, e.Status, e.Hint)
			}
			if ex := res.Exchanges[0]; ex.Status != tt.status || ex.Error != e.Summary() || ex.ResponseBody != tt.body {
				t.Errorf("exchange %+v", ex)
			}
		})
	}
}

func TestFetchConcurrent(t *testing.T) {
	var n atomic.Int64
	srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		standardToken(w, fmt.Sprintf("tok-%d", n.Add(1)), 3600)
	})
	c := fetchClient()
	defer c.CloseIdleConnections()
	var wg sync.WaitGroup
	seen := make(chan string, 16)
	for range 16 {
		wg.Go(func() {
			res, err := c.Fetch(context.Background(), testProvider(srv.URL, AuthAuto), FetchOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			seen <- res.Token.AccessToken
		})
	}
	wg.Wait()
	close(seen)
	uniq := map[string]bool{}
	for s := range seen {
		uniq[s] = true
	}
	if len(uniq) != 16 {
		t.Errorf("%d distinct tokens from 16 fetches", len(uniq))
	}
}

func TestDiscover(t *testing.T) {
	full := `{"issuer":"ISS","token_endpoint":"ISS/oauth2/token","jwks_uri":"ISS/jwks","scopes_supported":["a","b"],` +
		`"grant_types_supported":["client_credentials"],"token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"],` +
		`"introspection_endpoint":"ISS/introspect","revocation_endpoint":"ISS/revoke"}`
	tests := []struct {
		name      string
		routes    map[string]string // path → body; a missing path is a 404
		issuer    string            // appended to the server URL when not "-"
		wantErr   ErrorKind
		wantToken string
	}{
		{name: "RFC 8414", routes: map[string]string{"/.well-known/oauth-authorization-server": full}, wantToken: "ISS/oauth2/token"},
		{name: "OIDC fallback", routes: map[string]string{"/.well-known/openid-configuration": `{"issuer":"ISS","token_endpoint":"oidc-token"}`}, wantToken: "oidc-token"},
		{name: "issuer with a trailing slash", issuer: "/", routes: map[string]string{"/.well-known/oauth-authorization-server": full}, wantToken: "ISS/oauth2/token"},
		{name: "nothing there", routes: map[string]string{}, wantErr: KindHTTP},
		{name: "malformed documents", routes: map[string]string{"/.well-known/oauth-authorization-server": "{", "/.well-known/openid-configuration": "<html>"}, wantErr: KindResponse},
		{name: "malformed, then good", routes: map[string]string{"/.well-known/oauth-authorization-server": "{", "/.well-known/openid-configuration": full}, wantToken: "ISS/oauth2/token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base string // the server's URL, set once it listens
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
				if r.Method != http.MethodGet || r.Header.Get("Accept") != "application/json" {
					t.Errorf("discovery sent %s with Accept %q", r.Method, r.Header.Get("Accept"))
				}
				if body, ok := tt.routes[r.Path]; ok {
					// ISS stands for the server's own URL: the issuer
					// check of RFC 8414 §3.3 wants the document to name it.
					writeJSON(w, 200, strings.ReplaceAll(body, "ISS", base))
					return
				}
				w.WriteHeader(404)
			})
			base = srv.URL
			p := testProvider(srv.URL+"/some/path/token", AuthBasic)
			if tt.issuer != "" {
				p.Issuer = srv.URL + tt.issuer
			}
			md, err := fetchClient().Discover(context.Background(), p)
			if tt.wantErr != "" {
				if e := mustError(t, err); e.Kind != tt.wantErr || e.Provider != "acme" {
					t.Errorf("error %+v", e)
				}
				return
			}
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			iss := func(s string) string { return strings.ReplaceAll(s, "ISS", base) }
			if md.TokenEndpoint != iss(tt.wantToken) {
				t.Errorf("TokenEndpoint = %q, want %q", md.TokenEndpoint, iss(tt.wantToken))
			}
			if tt.wantToken == "ISS/oauth2/token" && (md.JWKSURI != iss("ISS/jwks") || !slices.Equal(md.ScopesSupported, []string{"a", "b"}) ||
				len(md.TokenEndpointAuthMethodsSupported) != 2 || md.RevocationEndpoint != iss("ISS/revoke") || md.IntrospectionEndpoint != iss("ISS/introspect")) {
				t.Errorf("metadata %+v", md)
			}
		})
	}
}

func TestDiscoverTransportAndConfigErrors(t *testing.T) {
	addr := testsupport.ClosedAddr(t)
	_, err := (&Client{}).Discover(context.Background(), Provider{Name: "p", TokenURL: "http://" + addr + "/token"})
	if e := mustError(t, err); e.Kind != KindTransport || e.Code != "refused" {
		t.Errorf("error %+v", e)
	}
	_, err = (&Client{}).Discover(context.Background(), Provider{Name: "p", TokenURL: "not a url"})
	if e := mustError(t, err); e.Kind != KindConfig {
		t.Errorf("error %+v", e)
	}
}

func TestDiscoveryBase(t *testing.T) {
	tests := []struct {
		p    Provider
		want string
	}{
		{Provider{Issuer: "https://iss.example/realms/x/"}, "https://iss.example/realms/x"},
		{Provider{TokenURL: "https://auth.example:8443/oauth2/token?x=1"}, "https://auth.example:8443"},
		{Provider{TokenURL: "relative/path"}, ""},
		{Provider{}, ""},
	}
	for _, tt := range tests {
		if got := DiscoveryBase(tt.p); got != tt.want {
			t.Errorf("DiscoveryBase(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestRedactBody(t *testing.T) {
	tests := []struct {
		name, body, token, want string
	}{
		{"raw token", `{"access_token":"abc","expires_in":60}`, "abc", `{"access_token":"[redacted]","expires_in":60}`},
		{"slash escaped (PHP)", `{"access_token":"a\/b","x":1}`, "a/b", `{"access_token":"[redacted]","x":1}`},
		{"unicode escaped", `{"token_value":"\u0061bcdefgh"}`, "abcdefgh", `{"token_value":"[redacted]"}`},
		{"secret fields at any depth, layout kept", "{\n  \"data\": {\"refresh_token\": \"r\", \"list\": [{\"id_token\": \"i\"}, \"plain\"]},\n  \"ok\": true\n}", "",
			"{\n  \"data\": {\"refresh_token\": \"[redacted]\", \"list\": [{\"id_token\": \"[redacted]\"}, \"plain\"]},\n  \"ok\": true\n}"},
		{"camelCase secret fields", `{"accessToken":"x","refreshToken":"y","idToken":"z","scope":"item"}`, "", `{"accessToken":"[redacted]","refreshToken":"[redacted]","idToken":"[redacted]","scope":"item"}`},
		{"keys are not values", `{"token":{"access_token":"v"},"k":"token"}`, "", `{"token":{"access_token":"[redacted]"},"k":"token"}`},
		{"the token is redacted as a key and as a value", `{"abcdefgh":"abcdefgh"}`, "abcdefgh", `{"[redacted]":"[redacted]"}`},
		{"a token under MinRedactLen is redacted by name only", `{"access_token":"abc","note":"abc"}`, "abc", `{"access_token":"[redacted]","note":"abc"}`},
		{"non-JSON text", "token=abc&x=1", "abc", "token=[redacted]&x=1"},
		{"broken JSON keeps earlier redactions", `{"client_secret":"s", "x": `, "", `{"client_secret":"[redacted]", "x": `},
		{"empty secret values stay", `{"access_token":""}`, "", `{"access_token":""}`},
		{"escapes are sanitised after redaction", "{\"m\":\"\x1b[31mred\"}", "", `{"m":"red"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactBody([]byte(tt.body), tt.token); got != tt.want {
				t.Errorf("redactBody = %s\nwant         %s", got, tt.want)
			}
		})
	}
}

func TestRedactBodyCutsLongBodiesOnARuneBoundary(t *testing.T) {
	body := strings.Repeat("é", MaxRecordBody) // 2 bytes each
	got := redactBody([]byte("x"+body), "")
	if !strings.HasSuffix(got, "(cut at 64 KiB for the record)") || len(got) > MaxRecordBody+64 {
		t.Errorf("record body of %d bytes ends %q", len(got), got[len(got)-40:])
	}
	if !utf8.ValidString(got) {
		t.Error("the cut split a rune")
	}
}

func TestRedactHeaders(t *testing.T) {
	in := http.Header{"Authorization": {"Basic aWQ6c2VjcmV0"}, "Cookie": {"a=b"}, "Accept": {"application/json"}}
	var rd secrets
	out := rd.headers(in)
	if out.Get("Authorization") != "Basic "+Redacted || out.Get("Cookie") != Redacted || out.Get("Accept") != "application/json" {
		t.Errorf("headers = %v", out)
	}
	if in.Get("Authorization") != "Basic aWQ6c2VjcmV0" {
		t.Error("headers changed its input")
	}
	if got := rd.headers(http.Header{"Authorization": {"bare-secret-token"}}).Get("Authorization"); got != Redacted {
		t.Errorf("a value without a scheme is all secret: got %q", got)
	}
	resp := rd.headers(http.Header{"Set-Cookie": {"s=1", "t=2"}, "X-Note": {"\x1b]0;title\x07hi"}})
	if !slices.Equal(resp.Values("Set-Cookie"), []string{Redacted, Redacted}) || resp.Get("X-Note") != "hi" {
		t.Errorf("headers = %v", resp)
	}
	form, _ := url.ParseQuery(rd.form(url.Values{"client_secret": {"s"}, "client_assertion": {"jwt"}, "scope": {"a b"}}))
	if form.Get("client_secret") != Redacted || form.Get("client_assertion") != Redacted || form.Get("scope") != "a b" {
		t.Errorf("form = %v", form)
	}
}
