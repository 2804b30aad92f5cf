package providers

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// clientCert is a loaded client certificate with what the transport cache
// and the flight record need to know of it.
type clientCert struct {
	cert tls.Certificate
	leaf *x509.Certificate
	// id tells apart two versions of the files (a renewed certificate),
	// so a new one gets a new transport.
	id [32]byte
}

// loadClientCert reads p's tls_cert_file and tls_key_file: a PEM
// certificate (its chain may follow) and the PEM private key that matches
// it. Errors name the field at fault.
// ClientCertificate reads p's client certificate (tls_cert_file and
// tls_key_file, RFC 8705) afresh, for a TLS handshake of p's own.
func ClientCertificate(p Provider) (tls.Certificate, error) {
	cc, err := loadClientCert(p)
	if err != nil {
		return tls.Certificate{}, err
	}
	return cc.cert, nil
}

func loadClientCert(p Provider) (*clientCert, error) {
	switch {
	case p.TLSCertFile == "" && p.TLSKeyFile == "":
		return nil, fmt.Errorf("auth_style %s needs tls_cert_file and tls_key_file (a PEM client certificate and its key)", AuthTLSClient)
	case p.TLSCertFile == "":
		return nil, errors.New("tls_key_file is set without tls_cert_file; set both, or neither")
	case p.TLSKeyFile == "":
		return nil, errors.New("tls_cert_file is set without tls_key_file; set both, or neither")
	}
	certPEM, err := readKeyFile("tls_cert_file", p.TLSCertFile)
	if err != nil {
		return nil, err
	}
	if err := checkCertPEM(certPEM); err != nil {
		return nil, fmt.Errorf("tls_cert_file %s: %w", expandHome(p.TLSCertFile), err)
	}
	keyPEM, err := readPrivateKeyFile("tls_key_file", p.TLSKeyFile)
	if err != nil {
		return nil, err
	}
	if _, err := parsePrivateKeyPEM(keyPEM); err != nil {
		return nil, fmt.Errorf("tls_key_file %s: %w", expandHome(p.TLSKeyFile), err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		if strings.Contains(err.Error(), "does not match") {
			return nil, fmt.Errorf("tls_key_file %s is not the key of the certificate in tls_cert_file %s", expandHome(p.TLSKeyFile), expandHome(p.TLSCertFile))
		}
		return nil, fmt.Errorf("tls_cert_file and tls_key_file: %w", err)
	}
	leaf := cert.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("tls_cert_file %s: %w", expandHome(p.TLSCertFile), err)
		}
	}
	h := sha256.New()
	h.Write(certPEM)
	h.Write(keyPEM)
	cc := &clientCert{cert: cert, leaf: leaf}
	h.Sum(cc.id[:0])
	return cc, nil
}

// checkCertPEM says what is wrong with a certificate file (nil when
// nothing): its first certificate must parse.
func checkCertPEM(data []byte) error {
	var seen []string
	for block := range pemBlocks(data) {
		if block.Type == "CERTIFICATE" {
			if _, err := x509.ParseCertificate(block.Bytes); err != nil {
				return fmt.Errorf("holds a certificate that does not parse: %w", err)
			}
			return nil
		}
		seen = append(seen, block.Type)
	}
	return missingPEM(seen, "certificate", "-----BEGIN CERTIFICATE-----")
}

// usable refuses a certificate that is not valid at now, before a server
// refuses it with a less helpful TLS alert.
func (cc *clientCert) usable(p Provider, now time.Time) error {
	switch {
	case now.After(cc.leaf.NotAfter):
		return &Error{Kind: KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("the client certificate in tls_cert_file %s expired at %s", p.TLSCertFile, cc.leaf.NotAfter.UTC().Format(time.RFC3339)),
			Hint:        "renew the certificate (and register the new one with the server if it pins it)"}
	case now.Before(cc.leaf.NotBefore):
		return &Error{Kind: KindConfig, Provider: p.Name,
			Description: fmt.Sprintf("the client certificate in tls_cert_file %s is not valid before %s", p.TLSCertFile, cc.leaf.NotBefore.UTC().Format(time.RFC3339)),
			Hint:        "check this machine's clock"}
	}
	return nil
}

// summary describes the certificate for the flight record: subject,
// issuer, SHA-256 fingerprint and expiry. It holds nothing secret.
func (cc *clientCert) summary() string {
	fp := sha256.Sum256(cc.leaf.Raw)
	return fmt.Sprintf("client certificate subject=%q issuer=%q sha256=%x expires=%s",
		cc.leaf.Subject.String(), cc.leaf.Issuer.String(), fp[:], cc.leaf.NotAfter.UTC().Format(time.RFC3339))
}
