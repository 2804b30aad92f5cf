package providers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// transportError classifies a failure before an answer arrived.
func transportError(ctx context.Context, err error, p Provider) *Error {
	e := &Error{Kind: KindTransport, Provider: p.Name, Code: "network", Err: unwrapURLError(err)}
	host := p.TokenURL
	if u, perr := url.Parse(p.TokenURL); perr == nil {
		host = u.Host
	}
	var dnsErr *net.DNSError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	var verifyErr *tls.CertificateVerificationError
	var netErr net.Error
	var notLoopback *NotLoopbackError
	switch {
	case errors.As(err, &notLoopback):
		// Refused before the connection was made: nothing was sent.
		e.Kind, e.Code, e.Err = KindConfig, "not_loopback", notLoopback
		e.Hint = "check what the name resolves to (/etc/hosts, the DNS server); use https, or set `insecure_http: true` on the provider if you really mean it"
	case headersTooLarge(err):
		// Not a failure to reach the server: its answer was refused.
		e.Kind, e.Code, e.Err = KindResponse, "headers_too_large", nil
		e.Description = fmt.Sprintf("%s answered with headers over %s, tokentop's limit (MaxResponseHeaderBytes); the answer was not read", host, byteSize(MaxResponseHeaderBytes))
		e.Hint = "a server's headers are a few kilobytes: check the URL, and any proxy in between that may add to them"
	case errors.Is(err, context.Canceled) && ctx.Err() == context.Canceled:
		e.Code, e.Description = "canceled", "canceled"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		e.Code = "timeout"
		e.Description = fmt.Sprintf("no answer within %s", p.EffectiveTimeout())
		e.Hint = "the server is slow or unreachable: check connectivity, or raise the provider's `timeout`"
		e.Err = nil
	case errors.As(err, &dnsErr):
		e.Code = "dns"
		e.Description = fmt.Sprintf("the host name %s does not resolve", dnsErr.Name)
		e.Hint = "check the host in token_url (a typo, a region, or a VPN that is off)"
		e.Err = nil
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Code = "refused"
		e.Description = fmt.Sprintf("connection to %s refused", host)
		e.Hint = "nothing listens there: check the port in token_url and that the server is up"
		e.Err = nil
	case errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &certInvalid), errors.As(err, &verifyErr):
		e.Code = "tls"
		e.Description = "the server's TLS certificate was not trusted"
		e.Hint = "for a private CA set `ca_file`; check the host name matches the certificate and that it has not expired"
	case strings.Contains(err.Error(), "remote error: tls:"):
		// An alert from the server: under TLS 1.3 a refused client
		// certificate shows only on the first read after the handshake.
		e.Code = "tls"
		e.Description = "the server broke off the TLS connection"
		if p.TLSCertFile != "" {
			e.Hint = "the server refused the client certificate: check that it trusts the certificate's issuer and knows this certificate (tls_cert_file)"
		} else {
			e.Hint = "the server may want a client certificate: set auth_style: tls_client_auth with tls_cert_file and tls_key_file"
		}
	}
	return e
}

// headersTooLarge reports whether err is the transport refusing an answer
// whose headers pass MaxResponseHeaderBytes (HTTP/1 or HTTP/2). net/http
// exports no error value for it, so its words are matched.
func headersTooLarge(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "server response headers exceeded") ||
		strings.Contains(msg, "response header list larger than")
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
