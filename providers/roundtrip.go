package providers

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// target is an endpoint of the authorization server, as errors name it.
type target struct {
	url string
	// peer is "the introspection endpoint"…, "" for the token endpoint
	// (see Error.peer).
	peer string
	// setting is the config key that sets the URL.
	setting string
}

// name is how a sentence names the endpoint.
func (t target) name() string { return cmp.Or(t.peer, "the token endpoint") }

// postRecorded POSTs form (with the headers in h) to t, the way every
// request to an authorization server is made: form-encoded, asking for
// JSON, traced, the answer read up to MaxBodyBytes. It records the request,
// the status, the answer's headers, the timings and the server's Date in
// ex, redacted with rd, which first learns the tokens the answer carries;
// the answer's body is left to the caller, which knows what it means. A
// failed request, an unreadable body and a body larger than MaxBodyBytes
// are an *Error worded for t and redacted, with ex's Error, Hint and a
// redacted start of the body set.
func (c *Client) postRecorded(ctx context.Context, hc *http.Client, p Provider, t target, form url.Values, h http.Header, ex *Exchange, rd *secrets) (*serverAnswer, error) {
	ex.Method = http.MethodPost
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, strings.NewReader(form.Encode()))
	if err != nil {
		e := &Error{Kind: KindConfig, Provider: p.Name, Description: "bad " + t.setting, Err: err}
		rd.err(e)
		ex.Error = e.Summary()
		return nil, e
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tokentop")
	ex.RequestHeaders, ex.RequestBody = rd.headers(req.Header), rd.form(form)

	// Errors are worded for the endpoint actually called.
	at := p
	at.TokenURL = t.url
	fail := func(e *Error) (*serverAnswer, error) {
		e.Provider, e.peer = p.Name, t.peer
		rd.err(e)
		ex.Error, ex.Hint = e.Summary(), e.Hint
		return nil, e
	}
	tr := &tracer{start: time.Now()}
	resp, err := hc.Do(req.WithContext(tr.withContext(ctx)))
	if err != nil {
		ex.Timings = tr.timings(time.Now())
		return fail(transportError(ctx, err, at))
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	ex.Timings = tr.timings(time.Now())
	ex.Status = resp.StatusCode
	rd.learnAnswer(body, p.Response)
	ex.ResponseHeaders = rd.headers(resp.Header)
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		ex.ServerDate = d
	}
	switch {
	case readErr != nil:
		ex.ResponseBody = rd.body(body)
		return fail(transportError(ctx, readErr, at))
	case len(body) > MaxBodyBytes:
		// Redacted whole, then cut: a cut first could leave a token's
		// start behind.
		if b := rd.body(body); len(b) > 4096 {
			ex.ResponseBody = b[:cutAt(b, 4096)] + "\n… (the start of a larger answer)"
		} else {
			ex.ResponseBody = b
		}
		return fail(&Error{Kind: KindResponse, Status: resp.StatusCode,
			Description: fmt.Sprintf("%s's answer is larger than %d bytes; tokentop will not parse a cut body", t.name(), MaxBodyBytes),
			Hint:        fmt.Sprintf("check %s: an authorization server's answer is a few kilobytes at most", t.setting)})
	}
	return &serverAnswer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}
