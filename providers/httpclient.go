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

// transports keeps one *http.Transport per (CA file, timeout) so connections
// are reused across fetches. It belongs to a Client, never to the package.
type transports struct {
	mu   sync.Mutex
	byID map[transportKey]*http.Transport
}

type transportKey struct {
	caFile  string
	timeout time.Duration
}

// httpClient returns an *http.Client for p that never follows redirects and
// has connect, TLS-handshake and response-header timeouts of p's timeout.
func (c *Client) httpClient(p Provider) (*http.Client, error) {
	rt := c.Transport
	if rt == nil {
		t, err := c.transports.get(p.CAFile, p.EffectiveTimeout())
		if err != nil {
			return nil, err
		}
		rt = t
	}
	return &http.Client{
		Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}

func (ts *transports) get(caFile string, timeout time.Duration) (*http.Transport, error) {
	key := transportKey{caFile, timeout}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t, ok := ts.byID[key]; ok {
		return t, nil
	}
	tlsConf, err := tlsConfig(caFile)
	if err != nil {
		return nil, err
	}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
	}
	if ts.byID == nil {
		ts.byID = make(map[transportKey]*http.Transport)
	}
	ts.byID[key] = t
	return t, nil
}

// tlsConfig is the TLS client configuration for a provider: TLS 1.2 or
// newer, and the system roots plus caFile's certificates when it is set.
func tlsConfig(caFile string) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return conf, nil
	}
	pem, err := os.ReadFile(caFile)
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
