package providers

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// echoSecret has characters that form-encoding, JSON and HTML escape, so
// each of its forms is a different string.
const echoSecret = "s3cr3t/with+odd&chars=<x> and more"

// forms are the ways a value shows up on the wire and in records.
func forms(v string) []string {
	j, _ := json.Marshal(v)
	return []string{v, url.QueryEscape(v), strings.Trim(string(j), `"`)}
}

// noLeak fails when text holds any form of any of secrets.
func noLeak(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, f := range forms(s) {
			if strings.Contains(text, f) {
				t.Errorf("%s holds a secret (%q):\n%s", where, f, text)
				return
			}
		}
	}
}

// recordText is everything a flight record holds, as stored.
func recordText(t *testing.T, exs []Exchange) string {
	t.Helper()
	b, err := json.Marshal(exs)
	if err != nil {
		t.Fatal(err)
	}
	// Undo JSON's HTML escapes, so a secret stored with them is found.
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
}

// echoAll is a token endpoint that refuses every request and quotes it
// whole: the body, and the Authorization header, in error_description
// (JSON) or in a text/plain body.
func echoAll(asText bool) func(w http.ResponseWriter, r sentRequest) {
	return func(w http.ResponseWriter, r sentRequest) {
		echo := fmt.Sprintf("bad request %s; Authorization: %s", r.RawBody, r.Header.Get("Authorization"))
		if asText {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(400)
			io.WriteString(w, echo)
			return
		}
		writeJSON(w, 400, map[string]string{"error": "invalid_request", "error_description": echo})
	}
}

func TestEchoedRequestIsRedactedEverywhere(t *testing.T) {
	keyFile := writeKey(t, newECKey(t, elliptic.P256()))
	for _, style := range []AuthStyle{AuthPost, AuthBasic, AuthPrivateKeyJWT} {
		for _, asText := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s text=%v", style, asText), func(t *testing.T) {
				srv := newTokenServer(t, echoAll(asText))
				p := testProvider(srv.URL, style)
				p.ClientSecret = echoSecret
				if style == AuthPrivateKeyJWT {
					p = jwtProvider(srv.URL, keyFile)
				}
				res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
				e := mustError(t, err)
				sent := srv.tokenRequests()[0]
				secrets := []string{echoSecret}
				switch style {
				case AuthPost:
					if !strings.Contains(sent.RawBody, url.QueryEscape(echoSecret)) {
						t.Fatalf("the secret was not sent: %s", sent.RawBody)
					}
				case AuthBasic:
					cred, _ := strings.CutPrefix(sent.Header.Get("Authorization"), "Basic ")
					secrets = append(secrets, cred)
				case AuthPrivateKeyJWT:
					assertion := sent.Form.Get("client_assertion")
					if len(assertion) < 100 {
						t.Fatalf("no assertion sent: %v", sent.Form)
					}
					secrets = append(secrets, assertion)
				}
				for where, text := range map[string]string{
					"the error": e.Error(), "the summary": e.Summary(), "the hint": e.Hint,
					"the record": recordText(t, res.Exchanges),
				} {
					noLeak(t, where, text, secrets...)
				}
				if !strings.Contains(e.Error(), Redacted) || !strings.Contains(res.Exchanges[0].ResponseBody, Redacted) {
					t.Errorf("the echo should show where the secret was: error %q, body %q", e.Error(), res.Exchanges[0].ResponseBody)
				}
			})
		}
	}
}

func TestFormEncodedTokenAnswerIsRefusedWithoutQuotingIt(t *testing.T) {
	const tok, refresh = "form-access-token-0123456789", "form-refresh-token-0123456789"
	for _, body := range []string{
		"access_token=" + tok + "&token_type=bearer&refresh_token=" + refresh,
		"token_type=bearer&access_token=" + url.QueryEscape(tok+"/+") + "&expires_in=3600",
		"access_token=abc&token_type=bearer", // under MinRedactLen: by name only
	} {
		t.Run(body, func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
				w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
				io.WriteString(w, body)
			})
			res, err := fetchClient().Fetch(context.Background(), testProvider(srv.URL, AuthBasic), FetchOptions{})
			e := mustError(t, err)
			if e.Kind != KindResponse || !strings.Contains(e.Error(), "not a JSON token response") {
				t.Fatalf("error %v", e)
			}
			record := recordText(t, res.Exchanges)
			for where, text := range map[string]string{"the error": e.Error(), "the hint": e.Hint, "the record": record} {
				noLeak(t, where, text, tok, tok+"/+", refresh)
				if strings.Contains(text, "access_token=abc") {
					t.Errorf("%s quotes the short token: %s", where, text)
				}
			}
			if !strings.Contains(e.Error(), "access_token="+Redacted) {
				t.Errorf("the error should say what came: %q", e.Error())
			}
		})
	}
}

func TestTokensEchoedInHeadersAndBodiesAreRedacted(t *testing.T) {
	const tok, refresh, id = "echoed-access-token-0123456789", "echoed-refresh-token-012345", "echoed-id-token-0123456789"
	srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		w.Header().Set("X-Issued", "token "+tok+" for you")
		w.Header().Set("X-Refresh", refresh)
		w.Header().Set("Link", "<https://x.example/cb#access_token="+tok+">")
		writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600,
			"refresh_token": refresh, "nested": map[string]string{"id_token": id, "note": "id " + id}})
	})
	c := fetchClient()
	p := testProvider(srv.URL, AuthPost)
	p.ClientSecret = echoSecret
	res, err := c.Fetch(context.Background(), p, FetchOptions{})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if res.Token.AccessToken != tok {
		t.Fatalf("token %q", res.Token.AccessToken)
	}
	record := recordText(t, res.Exchanges)
	noLeak(t, "the record", record, tok, refresh, id, echoSecret)
	if res.Exchanges[0].ResponseHeaders.Get("X-Issued") != "token "+Redacted+" for you" {
		t.Errorf("X-Issued recorded as %q", res.Exchanges[0].ResponseHeaders.Get("X-Issued"))
	}

	// A test-call of an API that echoes the token in headers and a text
	// body.
	api := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("X-Echo", got)
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="token `+got+` is revoked"`)
		w.Header().Set("RateLimit-Policy", "100;w=60;note="+got)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(401)
		fmt.Fprintf(w, "you sent %s\n<input name=access_token value=%s>", got, got)
	})
	out, err := c.Call(context.Background(), p, res.Token, CallRequest{URL: api.URL + "/v1/items"})
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	b, _ := json.Marshal(out)
	noLeak(t, "the test-call result", string(b), tok)
	if !strings.Contains(out.Body, "you sent "+Redacted) || out.Headers.Get("X-Echo") != Redacted {
		t.Errorf("test-call body %q, X-Echo %q", out.Body, out.Headers.Get("X-Echo"))
	}
}

func TestHugeHeaderIsAnErrorNamingTheLimit(t *testing.T) {
	huge := strings.Repeat("h", 8<<20)
	srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		w.Header().Set("X-Huge", huge)
		writeJSON(w, 200, `{"access_token":"never-read-0123456789","expires_in":60}`)
	})
	c := fetchClient()
	p := testProvider(srv.URL, AuthBasic)
	res, err := c.Fetch(context.Background(), p, FetchOptions{})
	e := mustError(t, err)
	if e.Kind != KindResponse || e.Code != "headers_too_large" || !strings.Contains(e.Error(), "over 1 MiB, tokentop's limit") || e.Hint == "" {
		t.Fatalf("error %q (kind %s, code %s, hint %q)", e.Error(), e.Kind, e.Code, e.Hint)
	}
	if ex := res.Exchanges[0]; ex.Error != e.Summary() || len(ex.ResponseHeaders) != 0 {
		t.Errorf("record: error %q, %d response headers", ex.Error, len(ex.ResponseHeaders))
	}
	_, err = c.Call(context.Background(), p, &Token{AccessToken: "t"}, CallRequest{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "tokentop's limit") {
		t.Errorf("test-call error %v", err)
	}
}

// headerLines counts a header's lines and bytes as boundHeaders does.
func headerLines(h http.Header) (lines, size int) {
	for k, vs := range h {
		for _, v := range vs {
			lines++
			size += len(k) + len(v)
		}
	}
	return lines, size
}

func TestManyHeadersAreBoundedInTheRecord(t *testing.T) {
	const n = 3000
	srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		for i := range n {
			w.Header().Set(fmt.Sprintf("A-Filler-%04d", i), strings.Repeat("v", 200))
		}
		w.Header().Set("X-Long", strings.Repeat("L", 100<<10))
		writeJSON(w, 401, `{"error":"invalid_client"}`)
	})
	res, err := fetchClient().Fetch(context.Background(), testProvider(srv.URL, AuthBasic), FetchOptions{})
	mustError(t, err)
	h := res.Exchanges[0].ResponseHeaders
	lines, size := headerLines(h)
	if lines > MaxRecordHeaders || size > MaxRecordHeaderBytes {
		t.Errorf("the record keeps %d header lines, %d bytes", lines, size)
	}
	cut := h.Get(HeadersCutKey)
	if !strings.Contains(cut, "more headers") || !strings.Contains(cut, "cut for the record") {
		t.Errorf("no marker of the cut headers: %q", cut)
	}
	if h.Get("Content-Type") != "application/json" || h.Get("Date") == "" {
		t.Errorf("the headers triage needs were cut: %v", h)
	}
	if ex := res.Exchanges[0]; ex.Bounded().ResponseHeaders.Get(HeadersCutKey) != cut {
		t.Error("bounding a bounded record changed it")
	}
}

func TestBoundHeaders(t *testing.T) {
	long := strings.Repeat("é", MaxRecordHeaderValue) // 2 bytes a rune
	h := boundHeaders(http.Header{"X-Long": {long}, "Date": {"today"}})
	v := h.Get("X-Long")
	if len(v) > MaxRecordHeaderValue || !strings.Contains(v, "cut)") || !strings.HasPrefix(v, "éé") {
		t.Errorf("a long value is kept as %d bytes ending %q", len(v), v[len(v)-20:])
	}
	if h.Get("Date") != "today" {
		t.Errorf("Date lost: %v", h)
	}
	small := http.Header{"A": {"1"}}
	if got := boundHeaders(small); len(got) != 1 || got.Get("A") != "1" || got.Get(HeadersCutKey) != "" {
		t.Errorf("a small header changed: %v", got)
	}
}

func TestSecretsByValue(t *testing.T) {
	var s secrets
	s.addBasic("client id", echoSecret)
	basic := strings.TrimPrefix(BasicAuth("client id", echoSecret), "Basic ")
	raw := base64.StdEncoding.EncodeToString([]byte("client id:" + echoSecret))
	j, _ := json.Marshal(echoSecret)
	slashed := strings.ReplaceAll(strings.Trim(string(j), `"`), "/", `\/`)
	for _, text := range []string{
		"plain " + echoSecret + " text",
		"form client_id=x&client_secret=" + url.QueryEscape(echoSecret),
		"path /" + url.PathEscape(echoSecret),
		"json " + string(j) + " and " + slashed,
		"html <p>" + html.EscapeString(echoSecret) + "</p>",
		"header Authorization: Basic " + basic + " or " + raw,
	} {
		got := s.text(text)
		noLeak(t, "text", got, echoSecret, basic, raw)
		if !strings.Contains(got, Redacted) {
			t.Errorf("%q: nothing redacted: %q", text, got)
		}
	}

	var short secrets
	short.add("abc")
	for text, want := range map[string]string{
		"abc is a word; abcdef too":                "abc is a word; abcdef too",
		"client_id=x&client_secret=abc&scope=a":    "client_id=x&client_secret=" + Redacted + "&scope=a",
		`{"client_secret": "abc", "k": "abc"}`:     `{"client_secret": "` + Redacted + `", "k": "abc"}`,
		`desc: \"client_secret\":\"abc\"`:          `desc: \"client_secret\":\"` + Redacted + `\"`,
		"ACCESS_TOKEN=abc; my_token=abc; token=ab": "ACCESS_TOKEN=" + Redacted + "; my_token=abc; token=" + Redacted,
		`"read client_secret=abc\u0026scope=x"`:    `"read client_secret=` + Redacted + `\u0026scope=x"`,
	} {
		if got := short.text(text); got != want {
			t.Errorf("text(%q)\n got %q\nwant %q", text, got, want)
		}
	}
}

func TestRedactedErrorKeepsItsChain(t *testing.T) {
	var s secrets
	s.add(echoSecret)
	inner := fmt.Errorf("malformed header line: %s", echoSecret)
	e := &Error{Kind: KindTransport, Description: "echo " + echoSecret, Err: inner}
	err := s.err(fmt.Errorf("wrapped: %w", e))
	noLeak(t, "the error", err.Error(), echoSecret)
	if got, ok := AsError(err); !ok || got != e {
		t.Fatalf("the *Error is lost: %T", err)
	}
	noLeak(t, "the inner error", e.Summary(), echoSecret)
}

func TestIntrospectionFieldsDoNotEchoTheToken(t *testing.T) {
	const tok = "introspected-token-0123456789-abcdefghijklmnopqrstuvwxyz"
	srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		writeJSON(w, 200, map[string]any{"active": true, "token": r.Form.Get("token"), "note": "about " + r.Form.Get("token")})
	})
	p := testProvider(srv.URL, AuthBasic)
	p.IntrospectURL = srv.URL + "/introspect"
	res, err := fetchClient().Introspect(context.Background(), p, tok, EndpointOptions{})
	if err != nil {
		t.Fatalf("Introspect: %v", err)
	}
	b, _ := json.Marshal(res.Introspection)
	noLeak(t, "the introspection", string(b), tok, tok[:20])
	noLeak(t, "the record", recordText(t, res.Exchanges), tok)
	if !res.Introspection.Active || !strings.Contains(string(b), "about "+Redacted) {
		t.Errorf("introspection %s", b)
	}
}

// BenchmarkRecordExchange is what redaction adds to a fetch: learning the
// secret and the answer's tokens, then redacting and bounding the record
// of a typical token exchange.
func BenchmarkRecordExchange(b *testing.B) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read write"}, "client_id": {"id"}, "client_secret": {echoSecret}}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}, "User-Agent": {"tokentop"}}
	body := []byte(`{"access_token":"` + strings.Repeat("eyJhbGciOiJSUzI1NiJ9", 40) + `","token_type":"Bearer","expires_in":3600,"scope":"read write"}`)
	resp := http.Header{"Content-Type": {"application/json"}, "Date": {"Mon, 02 Jun 2025 09:30:00 GMT"}, "Cache-Control": {"no-store"}, "Pragma": {"no-cache"}}
	for b.Loop() {
		rd := &secrets{}
		rd.learnRequest("id", echoSecret, form, h)
		rd.learnAnswer(body, nil)
		ex := Exchange{URL: "https://auth.example/oauth2/token", RequestHeaders: rd.headers(h), RequestBody: rd.form(form),
			ResponseHeaders: rd.headers(resp), ResponseBody: rd.body(body)}
		rd.exchange(&ex)
	}
}
