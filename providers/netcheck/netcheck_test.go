package netcheck

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/check"
)

// stepsByName indexes checks by their step.
func stepsByName(t *testing.T, checks []check.Check) map[string]check.Check {
	t.Helper()
	m := make(map[string]check.Check, len(checks))
	for _, c := range checks {
		m[c.Name] = c
	}
	for _, s := range []string{StepDNS, StepTCP, StepTLS} {
		if _, ok := m[s]; !ok {
			t.Fatalf("no %s step in %+v", s, checks)
		}
	}
	return m
}

func wantStatus(t *testing.T, c check.Check, status check.Status, detail string) {
	t.Helper()
	if c.Status != status || !strings.Contains(c.Detail, detail) {
		t.Fatalf("%s: got %s %q (hint %q), want %s containing %q", c.Name, c.Status, c.Detail, c.Hint, status, detail)
	}
	if status == check.Fail && c.Hint == "" {
		t.Fatalf("%s failed without a hint: %q", c.Name, c.Detail)
	}
}

// noProxy keeps the environment's proxy out of these tests.
func noProxy(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, "")
	}
}

func TestCheckNetworkPlainHTTP(t *testing.T) {
	noProxy(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	got := stepsByName(t, Run(context.Background(), srv.URL+"/oauth/token", Options{}))
	wantStatus(t, got[StepDNS], check.Pass, "IP address")
	wantStatus(t, got[StepTCP], check.Pass, "connected to "+srv.Listener.Addr().String())
	wantStatus(t, got[StepTLS], check.Skip, "plain http")
}

func TestCheckNetworkRefused(t *testing.T) {
	noProxy(t)
	addr := testsupport.ClosedAddr(t)
	got := stepsByName(t, Run(context.Background(), "https://"+addr+"/token", Options{}))
	wantStatus(t, got[StepTCP], check.Fail, "refused")
	if !strings.Contains(got[StepTCP].Hint, "nothing listens") {
		t.Fatalf("hint %q", got[StepTCP].Hint)
	}
	wantStatus(t, got[StepTLS], check.Skip, "no connection")
}

func TestCheckNetworkBadURL(t *testing.T) {
	got := stepsByName(t, Run(context.Background(), "ftp://x", Options{}))
	wantStatus(t, got[StepDNS], check.Fail, "not an http(s) URL")
	wantStatus(t, got[StepTCP], check.Skip, "")
}

func TestCheckNetworkTLS(t *testing.T) {
	noProxy(t)
	srv := quietTLSServer(nil)
	defer srv.Close()
	ca := writePEM(t, "ca.pem", srv.Certificate().Raw)
	ctx := context.Background()

	untrusted := stepsByName(t, Run(ctx, srv.URL, Options{}))
	wantStatus(t, untrusted[StepTLS], check.Fail, "authority this machine does not trust")
	if !strings.Contains(untrusted[StepTLS].Hint, "ca_file") {
		t.Fatalf("hint %q", untrusted[StepTLS].Hint)
	}

	trusted := stepsByName(t, Run(ctx, srv.URL, Options{TLS: rootsFrom(ca)}))
	wantStatus(t, trusted[StepTLS], check.Pass, "certificate for example.com")

	// The certificate names 127.0.0.1 and example.com, not localhost.
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	wrongHost := stepsByName(t, Run(ctx, "https://localhost:"+strconv.Itoa(port), Options{TLS: rootsFrom(ca)}))
	wantStatus(t, wrongHost[StepTLS], check.Fail, "not valid for localhost")

	bad := stepsByName(t, Run(ctx, srv.URL, Options{TLS: rootsFrom(filepath.Join(t.TempDir(), "missing.pem"))}))
	wantStatus(t, bad[StepTLS], check.Fail, "ca_file")
	if !strings.Contains(bad[StepTLS].Hint, "fix ca_file") {
		t.Fatalf("the setup error's hint is not the step's: %q", bad[StepTLS].Hint)
	}
}

func TestCheckNetworkCertificateExpiry(t *testing.T) {
	noProxy(t)
	now := time.Now()
	for _, tt := range []struct {
		name     string
		notAfter time.Time
		status   check.Status
		detail   string
	}{
		{"expired", now.Add(-72 * time.Hour), check.Fail, "expired 3 days ago"},
		{"expiring", now.Add(5 * 24 * time.Hour), check.Warn, "expires in 5 days"},
		{"valid", now.Add(90 * 24 * time.Hour), check.Pass, "valid until"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			caFile, cert := issueServerCert(t, tt.notAfter)
			srv := quietTLSServer(&tls.Config{Certificates: []tls.Certificate{cert}})
			defer srv.Close()
			got := stepsByName(t, Run(context.Background(), srv.URL, Options{Now: func() time.Time { return now }, TLS: rootsFrom(caFile)}))
			wantStatus(t, got[StepTLS], tt.status, tt.detail)
			if !strings.Contains(got[StepTLS].Detail, "from tokentop test CA") {
				t.Fatalf("the issuer is not named: %q", got[StepTLS].Detail)
			}
		})
	}
}

// rootsFrom is a TLS configuration trusting the PEM certificates of
// caFile (as a provider's ca_file makes one); a missing file is a
// SetupError naming it.
func rootsFrom(caFile string) func() (*tls.Config, error) {
	return func() (*tls.Config, error) {
		data, err := os.ReadFile(caFile)
		if err != nil {
			return nil, &SetupError{Detail: "cannot read ca_file: " + err.Error(), Hint: "fix ca_file: it must name a readable PEM file of CA certificates"}
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(data)
		return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}, nil
	}
}

// quietTLSServer is an httptest TLS server (with conf when it is set) that
// does not log the handshakes the checks end early on purpose.
func quietTLSServer(conf *tls.Config) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = conf
	srv.StartTLS()
	return srv
}

// issueServerCert makes a CA and a leaf for 127.0.0.1 valid until
// notAfter; it returns the CA's PEM file and the leaf.
func issueServerCert(t *testing.T, notAfter time.Time) (string, tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokentop test CA"},
		NotBefore: time.Now().Add(-365 * 24 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: notAfter,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, "ca.pem", caDER), tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func writePEM(t *testing.T, name string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckNetworkExpiredIntermediate: an expired intermediate is named as
// such, not taken for a leaf that is "not valid yet".
func TestCheckNetworkExpiredIntermediate(t *testing.T) {
	noProxy(t)
	now := time.Now()
	newCert := func(tmpl, parent *x509.Certificate, pub, signer any) *x509.Certificate {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokentop test root"},
		NotBefore: now.Add(-365 * 24 * time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	root := newCert(rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	interKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	inter := newCert(&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "tokentop test intermediate"},
		NotBefore: now.Add(-365 * 24 * time.Hour), NotAfter: now.Add(-48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, root, &interKey.PublicKey, rootKey)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := newCert(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(90 * 24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}, inter, &leafKey.PublicKey, interKey)
	srv := quietTLSServer(&tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Raw, inter.Raw}, PrivateKey: leafKey}}})
	defer srv.Close()
	got := stepsByName(t, Run(context.Background(), srv.URL, Options{Now: func() time.Time { return now }, TLS: rootsFrom(writePEM(t, "root.pem", root.Raw))}))
	wantStatus(t, got[StepTLS], check.Fail, "expired 2 days ago (the intermediate tokentop test intermediate)")
}
