package providers

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// transports keeps one *http.Transport per (CA file, timeout, client
// certificate) so connections are reused across fetches. It belongs to a
// Client, never to the package.
type transports struct {
	mu   sync.Mutex
	byID map[transportKey]*http.Transport
	// resolver replaces the system's (tests: a name that resolves to a
	// public address, with no network).
	resolver *net.Resolver
}

type transportKey struct {
	caFile  string
	timeout time.Duration
	// certID hashes the client certificate and key files (zero without
	// one): a renewed certificate gets a new transport.
	certID [32]byte
	// loopbackHTTP: the provider has no insecure_http, so its plain-http
	// connections are checked to go to loopback (loopbackOnly); they are
	// pooled apart from those of a provider with insecure_http.
	loopbackHTTP bool
}

// httpClient returns an *http.Client for p that never follows redirects and
// has connect, TLS-handshake and response-header timeouts of p's timeout.
// With tls_cert_file and tls_key_file it presents that client certificate
// (RFC 8705), read afresh each time so a renewed one is picked up; an
// unreadable, mismatched or expired one is a KindConfig error.
func (c *Client) httpClient(p Provider) (*http.Client, error) {
	hc, _, err := c.httpClientCert(p)
	return hc, err
}

// httpClientCert is httpClient that also returns the client certificate
// presented (nil when none).
func (c *Client) httpClientCert(p Provider) (*http.Client, *clientCert, error) {
	var cc *clientCert
	if p.TLSCertFile != "" || p.TLSKeyFile != "" || p.Style() == AuthTLSClient {
		var err error
		if cc, err = loadClientCert(p); err != nil {
			return nil, nil, &Error{Kind: KindConfig, Provider: p.Name, Description: "unusable client certificate", Err: err}
		}
		if err := cc.usable(p, c.now()); err != nil {
			return nil, nil, err
		}
	}
	rt := c.Transport
	if rt == nil {
		t, err := c.transports.get(p.CAFile, p.EffectiveTimeout(), cc, !p.InsecureHTTP)
		if err != nil {
			return nil, nil, err
		}
		rt = t
	}
	if !p.InsecureHTTP {
		rt = loopbackOnly{next: rt}
	}
	return &http.Client{
		Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, cc, nil
}

func (ts *transports) get(caFile string, timeout time.Duration, cc *clientCert, loopbackHTTP bool) (*http.Transport, error) {
	key := transportKey{caFile: caFile, timeout: timeout, loopbackHTTP: loopbackHTTP}
	if cc != nil {
		key.certID = cc.id
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t, ok := ts.byID[key]; ok {
		return t, nil
	}
	tlsConf, err := TLSConfig(caFile)
	if err != nil {
		return nil, err
	}
	if cc != nil {
		tlsConf.Certificates = []tls.Certificate{cc.cert}
	}
	t := &http.Transport{
		Proxy: proxyUnlessMarked,
		DialContext: (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second,
			Resolver: ts.resolver, ControlContext: checkLoopbackDial}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		// The default is 10 MiB: an answer's headers past 1 MiB are an
		// error naming the limit, not a large allocation.
		MaxResponseHeaderBytes: MaxResponseHeaderBytes,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    64,
		IdleConnTimeout:        90 * time.Second,
	}
	if ts.byID == nil {
		ts.byID = make(map[transportKey]*http.Transport)
	}
	ts.byID[key] = t
	return t, nil
}

// TLSConfig is the TLS client configuration for a provider: TLS 1.2 or
// newer, and the system roots plus caFile's certificates when it is set.
// An unreadable caFile, or one without a certificate, is a KindConfig
// *Error.
func TLSConfig(caFile string) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return conf, nil
	}
	pem, err := os.ReadFile(expandHome(caFile))
	if err != nil {
		return nil, &Error{Kind: KindConfig, Description: "cannot read ca_file", Err: err}
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &Error{Kind: KindConfig, Description: fmt.Sprintf("ca_file %s holds no PEM certificate", caFile)}
	}
	conf.RootCAs = pool
	return conf, nil
}

// CloseIdleConnections closes the idle connections of every transport.
func (ts *transports) closeIdle() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, t := range ts.byID {
		t.CloseIdleConnections()
	}
}
