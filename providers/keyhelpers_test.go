package providers

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// testRSAKey is one 2048-bit key for every test that wants RSA, apart
// from the verify tests' keys.
func testRSAKey() *rsa.PrivateKey { return testsupport.RSAKey(3) }

func newECKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newEd25519Key(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writeFile writes data to name in a new temporary directory.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pemBytes(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// keyPEM encodes key as PKCS#8, or in the older format its type has
// ("RSA PRIVATE KEY", "EC PRIVATE KEY") when legacy is set.
func keyPEM(t testing.TB, key crypto.Signer, legacy bool) []byte {
	t.Helper()
	if legacy {
		switch k := key.(type) {
		case *rsa.PrivateKey:
			return pemBytes("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k))
		case *ecdsa.PrivateKey:
			der, err := x509.MarshalECPrivateKey(k)
			if err != nil {
				t.Fatal(err)
			}
			return pemBytes("EC PRIVATE KEY", der)
		}
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemBytes("PRIVATE KEY", der)
}

// writeKey writes key as a PKCS#8 PEM file and returns its path.
func writeKey(t testing.TB, key crypto.Signer) string {
	t.Helper()
	return writeFile(t, "key.pem", keyPEM(t, key, false))
}

// testPKI is a throwaway CA with a server certificate for 127.0.0.1 and
// client certificates made on demand.
type testPKI struct {
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caFile string
	server tls.Certificate
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	caKey := newECKey(t, elliptic.P256())
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tokentop test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pki := &testPKI{ca: ca, caKey: caKey, caFile: writeFile(t, "ca.pem", pemBytes("CERTIFICATE", der))}
	certPEM, keyPEMBytes := pki.issue(t, "127.0.0.1", x509.ExtKeyUsageServerAuth, time.Now().Add(time.Hour))
	if pki.server, err = tls.X509KeyPair(certPEM, keyPEMBytes); err != nil {
		t.Fatal(err)
	}
	return pki
}

// issue makes a certificate for cn signed by the CA, with notAfter as its
// end, and returns it and its key as PEM.
func (pki *testPKI) issue(t testing.TB, cn string, usage x509.ExtKeyUsage, notAfter time.Time) (certPEM, keyPEMBytes []byte) {
	t.Helper()
	key := newECKey(t, elliptic.P256())
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-2 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	if ip := net.ParseIP(cn); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, pki.ca, &key.PublicKey, pki.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pemBytes("CERTIFICATE", der), keyPEM(t, key, false)
}

// clientFiles issues a client certificate and writes it and its key.
func (pki *testPKI) clientFiles(t testing.TB, cn string) (certFile, keyFile string) {
	t.Helper()
	c, k := pki.issue(t, cn, x509.ExtKeyUsageClientAuth, time.Now().Add(time.Hour))
	return writeFile(t, "client.pem", c), writeFile(t, "client-key.pem", k)
}

// mtlsServer is an https server of pki that asks for a client certificate
// and hands what it got (verified against pki's CA, or nil) to handle.
func (pki *testPKI) mtlsServer(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, client *x509.Certificate)) *httptest.Server {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(pki.ca)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var client *x509.Certificate
		if len(r.TLS.VerifiedChains) > 0 {
			client = r.TLS.VerifiedChains[0][0]
		}
		handle(w, r, client)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{pki.server},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}
