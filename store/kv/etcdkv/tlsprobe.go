package etcdkv

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// probeWait bounds each step of a TLS probe: the handshake, and the wait
// for the server's verdict on the client certificate afterwards.
const probeWait = time.Second

// tlsProblem looks for why a TLS cluster did not answer: it shakes hands
// with each endpoint on its own and returns the first certificate problem
// found (a server certificate this machine does not trust, a client
// certificate the server refuses or misses), nil when every handshake it
// could make went through or none could be made for another reason (the
// members are down, for instance).
func tlsProblem(ctx context.Context, endpoints []string, cfg *tls.Config) error {
	for _, e := range endpoints {
		u, err := url.Parse(e)
		if err != nil || u.Host == "" {
			continue
		}
		if err := probe(ctx, u.Host, cfg); err != nil {
			return fmt.Errorf("%s: %w", e, err)
		}
	}
	return nil
}

// probe shakes hands with host and waits briefly for a refusal of the
// client certificate, which TLS 1.3 sends after the handshake.
func probe(ctx context.Context, host string, cfg *tls.Config) error {
	ctx, cancel := context.WithTimeout(ctx, probeWait)
	defer cancel()
	c := cfg.Clone()
	if c.ServerName == "" {
		c.ServerName, _, _ = net.SplitHostPort(host)
	}
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
	if err != nil {
		return nil // not a certificate problem
	}
	conn := tls.Client(raw, c)
	defer conn.Close()
	if err := conn.HandshakeContext(ctx); err != nil {
		return certProblem(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(probeWait / 2)); err != nil {
		return nil
	}
	var b [1]byte
	_, err = conn.Read(b[:])
	return certProblem(err)
}

// certProblem is err when it is a verdict on the certificates: this
// machine's on the server's certificate, or the server's alert; nil
// otherwise (a time out, a closed connection).
func certProblem(err error) error {
	var (
		verify *tls.CertificateVerificationError
		op     *net.OpError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &verify):
		return err
	case errors.As(err, &op) && op.Op == "remote error":
		return err
	}
	return nil
}

// explainTLS is err, the failure to reach a TLS cluster, unless a probe
// finds a certificate problem: then an error that says so and which file
// to check.
func (c Config) explainTLS(ctx context.Context, cfg *tls.Config, err error) error {
	problem := tlsProblem(ctx, c.Endpoints, cfg)
	if problem == nil {
		return err
	}
	hint := "check the CA file trusted for etcd, and the client certificate and key"
	var op *net.OpError
	switch {
	case errors.As(problem, new(*tls.CertificateVerificationError)):
		hint = "this machine does not trust the server's certificate: check the CA file trusted for etcd"
	case errors.As(problem, &op) && len(cfg.Certificates) == 0:
		hint = "the server wants a client certificate and none was given"
	case errors.As(problem, &op):
		hint = "the server refused the client certificate: check that its CA signed it and that it is not expired"
	}
	return fmt.Errorf("cannot connect to %s: the TLS handshake failed on a certificate: %w (%s)", c.where(), problem, hint)
}
