package providers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/headers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// CallRequest is one test-call of an API with a bearer token.
type CallRequest struct {
	Method  string
	URL     string
	Headers http.Header
	Body    string
}

// CallResult is an API's answer to a test-call, sanitised for a terminal,
// the token redacted wherever it appears and the headers bounded as a
// flight record's are.
type CallResult struct {
	Method  string
	URL     string
	Status  int
	Proto   string
	Headers http.Header
	Body    string
	// RawBody is the body as the server sent it (the bearer token
	// redacted), for a writer that wants the bytes: `tokentop call` into
	// a pipe or a file. It is never drawn; Body is.
	RawBody   []byte
	Truncated bool
	Timings   Timings
	RateLimit headers.RateLimit
	// WWWAuthenticate is the challenge of a 401/403, sanitised.
	WWWAuthenticate string
	// Resource is what the API says of itself (RFC 9728, through
	// [Client.FindResource]) when it refused the token's audience, for
	// [ExplainCall]'s hint: every test-call gets the doctor's value.
	Resource ResourceOffer `json:"-"`
}

// RequestFromEndpoint makes a CallRequest from a saved endpoint.
func RequestFromEndpoint(e Endpoint) CallRequest {
	h := http.Header{}
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	return CallRequest{Method: e.Method, URL: e.URL, Headers: h, Body: e.Body}
}

// CheckCallURL applies token_url's rule to a test-call's URL, since the
// call carries the bearer token: https, or plain http to a loopback host
// only, unless p sets insecure_http. It holds for every test-call: a URL
// given to `tokentop call`, the dashboard's custom test-call, a saved
// endpoint and the doctor's.
func CheckCallURL(p Provider, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return &Error{Kind: KindConfig, Provider: p.Name, Description: fmt.Sprintf("the test-call URL %q is not an absolute http(s) URL", safetext.Line(raw))}
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) && !p.InsecureHTTP {
		return &Error{Kind: KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("refusing to send the bearer token over plain http to %s: a test-call follows token_url's rule (https, or http to a loopback host only)", safetext.Line(u.Host)),
			Hint:        fmt.Sprintf("use https, or set `insecure_http: true` on %s if you really mean it", p.Name)}
	}
	return nil
}

// Call sends r to an API with "Authorization: <tokenType> <accessToken>"
// (an API key where p's [Provider.Placement] says), for the provider p (its CA file and timeout apply; redirects are not
// followed). The URL must pass [CheckCallURL]. The body is kept up to 1 MiB
// and marked truncated past that.
func (c *Client) Call(ctx context.Context, p Provider, tok *Token, r CallRequest) (*CallResult, error) {
	method := strings.ToUpper(strings.TrimSpace(r.Method))
	if method == "" {
		method = http.MethodGet
	}
	if err := CheckCallURL(p, r.URL); err != nil {
		return nil, fmt.Errorf("test-call %s %s: %w", method, safetext.Line(r.URL), err)
	}
	hc, err := c.httpClient(p)
	if err != nil {
		return nil, err
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, p.EffectiveTimeout())
	defer cancel()
	req, err := newAPIRequest(ctx, method, r, p, tok)
	if err != nil {
		return nil, fmt.Errorf("test-call %s %s: %w", method, safetext.Line(r.URL), err)
	}
	// The token is redacted by value from all that is shown or kept of
	// the answer (an API may echo it in a header or a text body), and by
	// name with every other secret field.
	rd := &secrets{}
	if tok != nil {
		rd.add(tok.AccessToken)
	}
	where := rd.line(r.URL)
	tr := &tracer{start: time.Now()}
	resp, err := hc.Do(req.WithContext(tr.withContext(ctx)))
	if err != nil {
		e := transportError(ctx, err, Provider{Name: p.Name, TokenURL: r.URL, Timeout: p.Timeout})
		e.peer = "the API"
		rd.err(e)
		return nil, fmt.Errorf("test-call %s %s: %w", method, where, e)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	rl := headers.ParseRateLimit(resp.Header, c.now())
	if rl.Policy != "" {
		rl.Policy = Truncate(rd.line(resp.Header.Get("RateLimit-Policy")), headers.MaxPolicy)
	}
	res := &CallResult{
		Method: method, URL: where, Status: resp.StatusCode, Proto: safetext.Line(resp.Proto),
		Headers:         rd.headers(resp.Header),
		Timings:         tr.timings(time.Now()),
		RateLimit:       rl,
		WWWAuthenticate: cutText(rd.line(resp.Header.Get("WWW-Authenticate"))),
	}
	// Redacted whole, then cut: a cut first could leave a token's start.
	shown := rd.sanitized(string(raw), safetext.Sanitize)
	if len(shown) > MaxBodyBytes {
		shown = shown[:cutAt(shown, MaxBodyBytes)]
	}
	res.Body, res.Truncated = shown, len(raw) > MaxBodyBytes
	res.RawBody = rd.byValue(raw[:min(len(raw), MaxBodyBytes)])
	if err != nil {
		return res, fmt.Errorf("test-call %s %s: reading the answer: %w", method, res.URL, rd.err(err))
	}
	if refusesAudience(res) {
		res.Resource = c.FindResource(parent, p, r.URL, headers.ResourceMetadata(res.Challenges()...))
	}
	return res, nil
}

// OK reports a 2xx status.
func (r *CallResult) OK() bool { return r.Status >= 200 && r.Status < 300 }

// newAPIRequest is the test-call's request: r's headers, JSON unless they
// say otherwise, and tok as the Authorization (an API key where p says).
func newAPIRequest(ctx context.Context, method string, r CallRequest, p Provider, tok *Token) (*http.Request, error) {
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if r.Body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "tokentop")
	switch {
	case tok.IsAPIKey():
		k := p.Placement()
		k.Strip(req)
		k.Apply(req, tok.AccessToken)
	case tok != nil:
		typ := tok.TokenType
		if typ == "" {
			typ = "Bearer"
		}
		req.Header.Set("Authorization", typ+" "+tok.AccessToken)
	}
	return req, nil
}
