// Package netcheck checks the way to a URL step by step: DNS, a TCP
// connection, and the TLS handshake with the server's certificate chain,
// host name and expiry judged by hand, so that a failure names its reason.
// The doctor runs it against the token endpoint; it knows nothing of
// providers (a TLS configuration is handed in).
package netcheck

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/safetext"
)

// The names of the network steps, as reports show them.
const (
	StepDNS = "DNS"
	StepTCP = "TCP"
	StepTLS = "TLS"
)

// certWarnWithin is how close to its expiry a server certificate makes the
// TLS step warn.
const certWarnWithin = 14 * 24 * time.Hour

// defaultTimeout bounds a step when Options give no timeout (a
// provider's own default).
const defaultTimeout = 15 * time.Second

// maxDialAddrs is how many resolved addresses the TCP step tries.
const maxDialAddrs = 3

// netTarget is where requests to a URL go.
type netTarget struct {
	scheme, host, port string
	// proxy is the proxy the request goes through, when the environment
	// sets one for this URL; the steps then check the way to the proxy.
	proxy *url.URL
}

func targetOf(raw string) (netTarget, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return netTarget{}, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	t := netTarget{scheme: u.Scheme, host: u.Hostname(), port: u.Port()}
	if t.port == "" {
		t.port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if proxy, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err == nil && proxy != nil {
		t.proxy = proxy
	}
	return t, nil
}

// Options say how the checks reach the target.
type Options struct {
	// Timeout bounds each step; zero means 15 s.
	Timeout time.Duration
	// Now is the clock a certificate's dates are judged by; nil means
	// time.Now.
	Now func() time.Time
	// TLS makes the TLS client configuration of the handshake (its roots,
	// a client certificate); nil means TLS 1.2 or newer with the system's
	// roots. When it fails, the TLS step fails with its words, and with
	// its hint when the error is a *SetupError.
	TLS func() (*tls.Config, error)
}

// SetupError is a TLS client configuration that cannot be made (an
// unreadable CA file, an unusable client certificate), and what to fix.
type SetupError struct {
	Detail, Hint string
}

func (e *SetupError) Error() string { return e.Detail }

// Run diagnoses the way to rawURL (normally a token endpoint): DNS, then
// TCP, then TLS, in that order. A failed step skips the steps after it,
// which could only fail for the same reason. ctx bounds the whole run.
func Run(ctx context.Context, rawURL string, o Options) []check.Check {
	t, err := targetOf(rawURL)
	if err != nil {
		return []check.Check{
			check.Failed(StepDNS, safetext.Line(err.Error()), "set token_url to the full https:// address of the token endpoint"),
			check.Skipped(StepTCP, "no address to connect to"),
			check.Skipped(StepTLS, "no address to connect to"),
		}
	}
	timeout := cmp.Or(o.Timeout, defaultTimeout)
	host, port, via := t.host, t.port, ""
	if t.proxy != nil {
		host, port = t.proxy.Hostname(), t.proxy.Port()
		if port == "" {
			port = map[string]string{"https": "443"}[t.proxy.Scheme]
			if port == "" {
				port = "80"
			}
		}
		via = fmt.Sprintf(" (the proxy %s, from the environment)", safetext.Line(t.proxy.Host))
	}

	dns, addrs := checkDNS(ctx, host, via, timeout)
	if dns.Status == check.Fail {
		return []check.Check{dns, check.Skipped(StepTCP, "the host did not resolve"), check.Skipped(StepTLS, "the host did not resolve")}
	}
	tcp, addr := checkTCP(ctx, addrs, port, via, timeout)
	if tcp.Status == check.Fail {
		return []check.Check{dns, tcp, check.Skipped(StepTLS, "no connection")}
	}
	switch {
	case t.scheme == "http":
		return []check.Check{dns, tcp, check.Skipped(StepTLS, "plain http: no TLS to check")}
	case t.proxy != nil:
		return []check.Check{dns, tcp, check.Skipped(StepTLS, "through a proxy: the token request checks TLS end to end")}
	}
	return []check.Check{dns, tcp, checkTLS(ctx, o, addr, t.host)}
}

// checkDNS resolves host; an IP address needs no lookup.
func checkDNS(ctx context.Context, host, via string, timeout time.Duration) (check.Check, []string) {
	if ip := net.ParseIP(host); ip != nil {
		return check.Passed(StepDNS, fmt.Sprintf("%s%s is an IP address: nothing to resolve", host, via)), []string{host}
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	took := time.Since(start)
	if err != nil || len(ips) == 0 {
		ch := check.Failed(StepDNS, fmt.Sprintf("%s%s does not resolve", safetext.Line(host), via),
			"check the host in token_url (a typo, a region, or a VPN that is off)")
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsTimeout {
			ch.Detail = fmt.Sprintf("no DNS answer for %s%s within %s", safetext.Line(host), via, timeout)
			ch.Hint = "the resolver is slow or unreachable: check the network or the VPN"
		}
		ch.Took = took
		return ch, nil
	}
	addrs := make([]string, 0, len(ips))
	for _, ip := range ips {
		addrs = append(addrs, ip.IP.String())
	}
	ch := check.Passed(StepDNS, fmt.Sprintf("%s%s → %s", safetext.Line(host), via, strings.Join(addrs, ", ")))
	ch.Took = took
	return ch, addrs
}

// checkTCP connects to the first of addrs that answers on port and returns
// the address that did.
func checkTCP(ctx context.Context, addrs []string, port, via string, timeout time.Duration) (check.Check, string) {
	d := net.Dialer{Timeout: timeout}
	var errs []string
	refused := true
	for i, a := range addrs {
		if i == maxDialAddrs {
			break
		}
		addr := net.JoinHostPort(a, port)
		start := time.Now()
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			conn.Close()
			ch := check.Passed(StepTCP, fmt.Sprintf("connected to %s%s", addr, via))
			ch.Took = time.Since(start)
			return ch, addr
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			refused = false
		}
		errs = append(errs, fmt.Sprintf("%s: %s", addr, dialReason(err)))
	}
	hint := "a firewall, a proxy the environment does not name, or a VPN that is off: check the network path to the host"
	if refused {
		hint = "nothing listens there: check the port in the URL and that the server is up"
	}
	return check.Failed(StepTCP, "could not connect: "+safetext.Line(strings.Join(errs, "; ")), hint), ""
}

// dialReason words a dial error briefly.
func dialReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "unreachable"
	}
	return err.Error()
}

// checkTLS shakes hands with addr as serverName, then verifies the chain,
// the host name and the expiry itself, so that a failure names the reason
// and still shows what the server presented.
func checkTLS(ctx context.Context, o Options, addr, serverName string) check.Check {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.TLS != nil {
		c, err := o.TLS()
		if err != nil {
			hint := "fix the TLS settings (ca_file, tls_cert_file, tls_key_file)"
			var se *SetupError
			if errors.As(err, &se) {
				hint = se.Hint
			}
			return check.Failed(StepTLS, safetext.Line(err.Error()), hint)
		}
		conf = c.Clone()
	}
	conf.ServerName = serverName
	// Verification happens below, by hand, to say what is wrong.
	conf.InsecureSkipVerify = true
	timeout := cmp.Or(o.Timeout, defaultTimeout)
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: conf}).DialContext(ctx, "tcp", addr)
	took := time.Since(start)
	if err != nil {
		ch := check.Failed(StepTLS, "TLS handshake failed: "+safetext.Line(unwrapURLError(err).Error()),
			"the server may not speak TLS on this port (try http:// for a plain listener), or wants a client certificate")
		ch.Took = took
		return ch
	}
	state := conn.(*tls.Conn).ConnectionState()
	conn.Close()
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	ch := verifyChain(state, serverName, conf.RootCAs, now())
	ch.Took = took
	return ch
}

// unwrapURLError is the error under a *url.Error, which names the URL
// the step already shows.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// verifyChain judges what the server presented in state.
func verifyChain(state tls.ConnectionState, serverName string, roots *x509.CertPool, now time.Time) check.Check {
	certs := state.PeerCertificates
	if len(certs) == 0 {
		return check.Failed(StepTLS, "the server presented no certificate", "the server's TLS set-up is broken: tell its operator")
	}
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	desc := fmt.Sprintf("%s, certificate for %s from %s, valid until %s",
		tls.VersionName(state.Version), certNames(leaf), certName(leaf.Issuer.CommonName, leaf.Issuer.Organization),
		leaf.NotAfter.UTC().Format("2006-01-02"))
	_, err := leaf.Verify(x509.VerifyOptions{DNSName: serverName, Roots: roots, Intermediates: inter, CurrentTime: now})
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case err == nil:
	case errors.As(err, &host):
		return check.Failed(StepTLS, fmt.Sprintf("%s: not valid for %s", safetext.Line(desc), safetext.Line(serverName)),
			"the host in the URL is not one the certificate names: use the host name the vendor documents")
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		// Any certificate of the chain may be out of its time: name it.
		bad, which := leaf, ""
		if invalid.Cert != nil && !invalid.Cert.Equal(leaf) {
			bad = invalid.Cert
			which = fmt.Sprintf(" (the intermediate %s)", safetext.Line(certName(bad.Subject.CommonName, bad.Subject.Organization)))
		}
		if now.After(bad.NotAfter) {
			return check.Failed(StepTLS, fmt.Sprintf("%s: expired %s ago%s", safetext.Line(desc), roundAge(now.Sub(bad.NotAfter)), which),
				"the server's certificate has expired: tell its operator (or check this machine's clock)")
		}
		return check.Failed(StepTLS, fmt.Sprintf("%s: not valid yet (from %s)%s", safetext.Line(desc), bad.NotBefore.UTC().Format(time.RFC3339), which),
			"check this machine's clock")
	case errors.As(err, &unknown):
		return check.Failed(StepTLS, fmt.Sprintf("%s: signed by an authority this machine does not trust", safetext.Line(desc)),
			"for a private CA, set ca_file to its PEM certificate")
	default:
		return check.Failed(StepTLS, fmt.Sprintf("%s: %s", safetext.Line(desc), safetext.Line(err.Error())),
			"the certificate chain does not verify: tell the server's operator")
	}
	if left := leaf.NotAfter.Sub(now); left < certWarnWithin {
		return check.Warned(StepTLS, fmt.Sprintf("%s: expires in %s", safetext.Line(desc), roundAge(left)),
			"the certificate expires soon: tell the server's operator")
	}
	return check.Passed(StepTLS, safetext.Line(desc))
}

// certNames is the names a certificate is for.
func certNames(c *x509.Certificate) string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return certName(c.Subject.CommonName, c.Subject.Organization)
	}
	if len(names) > 3 {
		names = append(names[:3], fmt.Sprintf("+%d more", len(names)-3))
	}
	return strings.Join(names, ", ")
}

func certName(cn string, org []string) string {
	switch {
	case cn != "":
		return cn
	case len(org) > 0:
		return org[0]
	}
	return "(no name)"
}

// roundAge words a long duration in whole days, a short one in hours or
// less.
func roundAge(d time.Duration) string {
	switch {
	case d >= 36*time.Hour:
		return fmt.Sprintf("%d days", int((d+12*time.Hour)/(24*time.Hour)))
	case d >= time.Hour:
		return d.Round(time.Hour).String()
	}
	return d.Round(time.Second).String()
}
