package providers

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"

	"github.com/tokentop/tokentop/providers/safetext"
)

// The loopback rule (CheckTokenURL, CheckCallURL and the other endpoints)
// lets plain http through only to a loopback host, and judges the host by
// its name: localhost and *.localhost pass, and then the resolver decides
// where the connection goes. One that answers a public address would get
// the client secret or the bearer token in clear text. So a plain-http
// request that only the rule lets through is marked, and its connection
// is checked where it is made: the address dialled must be a loopback one,
// and no proxy is used (a proxy would resolve the name itself). https and
// insecure_http are left as they were.

// loopbackOnlyKey marks a request context whose connection must go to a
// loopback address.
type loopbackOnlyKey struct{}

// loopbackOnly is the RoundTripper of a provider without insecure_http: it
// marks its plain-http requests.
type loopbackOnly struct{ next http.RoundTripper }

func (l loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == "http" {
		r = r.WithContext(context.WithValue(r.Context(), loopbackOnlyKey{}, r.URL.Hostname()))
	}
	return l.next.RoundTrip(r)
}

// markedHost is the host of a marked request ("" when not marked).
func markedHost(ctx context.Context) string {
	host, _ := ctx.Value(loopbackOnlyKey{}).(string)
	return host
}

// NotLoopbackError is a plain-http connection refused before it was made:
// its host passed the loopback rule by name, and resolved to Addr, which
// is not a loopback address.
type NotLoopbackError struct {
	Host string
	Addr string
}

func (e *NotLoopbackError) Error() string {
	return fmt.Sprintf("refusing plain http to %s: it resolved to %s, which is not a loopback address; plain http is allowed only to this machine (the loopback rule), unless insecure_http is set", safetext.Line(e.Host), safetext.Line(e.Addr))
}

// checkLoopbackDial is the dialer's ControlContext: it runs before the
// connection is made, with the address the name resolved to, and refuses
// a non-loopback one for a marked request.
func checkLoopbackDial(ctx context.Context, _, address string, _ syscall.RawConn) error {
	host := markedHost(ctx)
	if host == "" {
		return nil
	}
	ip, _, err := net.SplitHostPort(address)
	if err != nil {
		ip = address
	}
	if a := net.ParseIP(ip); a != nil && a.IsLoopback() {
		return nil
	}
	return &NotLoopbackError{Host: host, Addr: ip}
}

// proxyUnlessMarked is http.ProxyFromEnvironment, except for a marked
// request: it goes straight to the loopback address.
func proxyUnlessMarked(r *http.Request) (*url.URL, error) {
	if markedHost(r.Context()) != "" {
		return nil, nil
	}
	return http.ProxyFromEnvironment(r)
}
