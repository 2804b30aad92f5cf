package authproxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/headers"
)

// attempt is what the proxy knows of one request while it is passed on;
// it travels in the request's context from ServeHTTP to the transport,
// which run on the same goroutine.
type attempt struct {
	route *route
	token *providers.Token
	// body is the held body; nil when the body is streamed and the
	// request cannot be sent again.
	body *heldBody
	// clientAuth is true when the client sent its own Authorization (or
	// its own copy of the API key's header or query parameter).
	clientAuth bool
	// retried is true when the request was sent again with a new token,
	// newToken when that token was fetched for it; replaceErr says why no
	// new token could be had.
	retried, newToken bool
	replaceErr        error
	// notReplayable is true when the upstream refused the token but the
	// body was streamed, so the request was not sent again.
	notReplayable bool
	// headersAt is when the upstream's response headers arrived, and
	// rateLimit what they said of the rate limit.
	headersAt time.Time
	rateLimit headers.RateLimit
	// upstreamErr is why the upstream gave no answer; clientGone is true
	// when the client left before the end of the answer.
	upstreamErr error
	clientGone  bool
}

type attemptKey struct{}

func withAttempt(ctx context.Context, a *attempt) context.Context {
	return context.WithValue(ctx, attemptKey{}, a)
}

func attemptFrom(ctx context.Context) *attempt {
	a, _ := ctx.Value(attemptKey{}).(*attempt)
	return a
}

// maxDrain bounds what is read of a rejected answer before its connection
// is given up rather than reused.
const maxDrain = 64 << 10

// retrying sends a request and, when the upstream rejects its token as
// invalid_token and the request's body is held, sends it once more with
// a new token.
type retrying struct {
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t retrying) RoundTrip(req *http.Request) (*http.Response, error) {
	a := attemptFrom(req.Context())
	resp, err := t.base.RoundTrip(req)
	if err != nil || a == nil || !invalidToken(resp) || req.Context().Err() != nil {
		return resp, err
	}
	if a.body == nil {
		a.notReplayable = true
		return resp, nil
	}
	tok, fetched, rerr := a.route.tokens.replace(req.Context(), a.token.AccessToken)
	if rerr != nil {
		a.replaceErr = rerr
		return resp, nil
	}
	_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	resp.Body.Close()
	again := req.Clone(req.Context())
	a.route.setCredential(again, tok)
	again.Body = a.body.reader()
	if again.Body != nil {
		again.GetBody = func() (io.ReadCloser, error) { return a.body.reader(), nil }
	}
	a.token, a.retried, a.newToken = tok, true, fetched
	return t.base.RoundTrip(again)
}

// invalidToken reports a 401 whose Bearer challenge names invalid_token.
func invalidToken(resp *http.Response) bool {
	if resp.StatusCode != http.StatusUnauthorized {
		return false
	}
	b, ok := headers.BearerFrom(resp.Header.Values("WWW-Authenticate")...)
	return ok && b.Error == "invalid_token"
}

// TransportFor is a transport with http.DefaultTransport's settings that
// trusts the CA certificates in caFile besides the system's ("": the
// system's only): a provider's ca_file, for an API behind a private CA.
func TransportFor(caFile string) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if caFile == "" {
		return t, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("reading the CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA file %s holds no PEM certificate", caFile)
	}
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}
