package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// KeyFiles are the PEM files [Server.AddKeyClients] writes: the private
// key of the private_key_jwt client, the client certificate and key of the
// tls_client_auth client, and the CA that issued the sandbox's TLS server
// certificate and that client certificate. They are throwaway credentials
// for the sandbox only.
type KeyFiles struct {
	Dir string
	// JWTKey is jwt-client's private key (PKCS#8, EC P-256).
	JWTKey string
	// CA is the sandbox CA certificate, for tokentop's ca_file.
	CA string
	// ClientCert and ClientKey are mtls-client's certificate and key.
	ClientCert, ClientKey string
}

// The names of the clients AddKeyClients registers, and the subject of the
// tls_client_auth client's certificate.
const (
	JWTClientName  = "jwt-client"
	MTLSClientName = "mtls-client"
	mtlsSubject    = "CN=mtls-client,O=tokentop sandbox"
)

// certLifetime is how long the sandbox's certificates are valid. They use
// the real clock (Options.Now is for tokens): TLS stacks check them
// against the real time.
const certLifetime = 30 * 24 * time.Hour

// keyClients is what the key-based styles add to a Server: the TLS server
// certificate, the CA pool client certificates must chain to, the https
// base URL once StartTLS runs, and the assertion ids already used.
type keyClients struct {
	mu      sync.Mutex
	files   *KeyFiles
	server  *tls.Certificate
	pool    *x509.CertPool
	tlsBase string
	jtis    map[string]time.Time // client id + " " + jti → assertion expiry
}

// AddKeyClients generates fresh throwaway credentials, writes them into dir
// (made 0700 if missing; keys 0600) and registers two clients that use
// them: jwt-client (private_key_jwt, at /jwt/oauth2/token, its public key
// known to the sandbox) and mtls-client (tls_client_auth, at
// /mtls/oauth2/token, which answers only over the listener of
// [Server.StartTLS]). ProvidersYAML then lists them, pointing at the files.
// Calling it again replaces the files and the clients' keys.
func (s *Server) AddKeyClients(dir string) (KeyFiles, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return KeyFiles{}, fmt.Errorf("sandbox: key files: %w", err)
	}
	kf := KeyFiles{
		Dir:        dir,
		JWTKey:     filepath.Join(dir, "jwt-client.key"),
		CA:         filepath.Join(dir, "ca.pem"),
		ClientCert: filepath.Join(dir, "mtls-client.pem"),
		ClientKey:  filepath.Join(dir, "mtls-client.key"),
	}
	jwtKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return KeyFiles{}, fmt.Errorf("sandbox: generate the jwt-client key: %w", err)
	}
	pki, err := newPKI()
	if err != nil {
		return KeyFiles{}, err
	}
	jwtPEM, err := privatePEM(jwtKey)
	if err != nil {
		return KeyFiles{}, err
	}
	clientKeyPEM, err := privatePEM(pki.clientKey)
	if err != nil {
		return KeyFiles{}, err
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{kf.JWTKey, jwtPEM, 0o600},
		{kf.CA, certPEM(pki.ca.Raw), 0o644},
		{kf.ClientCert, certPEM(pki.clientDER), 0o644},
		{kf.ClientKey, clientKeyPEM, 0o600},
	} {
		if err := writeFileMode(f.path, f.data, f.mode); err != nil {
			return KeyFiles{}, fmt.Errorf("sandbox: key files: %w", err)
		}
	}

	pool := x509.NewCertPool()
	pool.AddCert(pki.ca)
	s.kc.mu.Lock()
	s.kc.files, s.kc.server, s.kc.pool = &kf, &pki.server, pool
	s.kc.mu.Unlock()

	s.AddClient(Client{
		Name: JWTClientName, ClientID: "jwt-client-7f3a", Style: StylePrivateKeyJWT,
		Scopes: []string{"api/read", "api/write"}, RequestScopes: []string{"api/read"},
		PublicKey: &jwtKey.PublicKey, KeyID: ecKeyID(&jwtKey.PublicKey), PrivateKeyFile: kf.JWTKey,
	})
	s.AddClient(Client{
		Name: MTLSClientName, ClientID: "mtls-client-4c1d", Style: StyleMTLS,
		Scopes: []string{"api/read"}, CertSubject: mtlsSubject,
		TLSCertFile: kf.ClientCert, TLSKeyFile: kf.ClientKey, CAFile: kf.CA,
	})
	return kf, nil
}

// writeFileMode writes data to path with mode, also when path exists with
// another mode.
func writeFileMode(path string, data []byte, mode os.FileMode) error {
	if err := os.WriteFile(path, data, mode); err != nil {
		return err
	}
	return os.Chmod(path, mode)
}

// pki is a throwaway CA, a server certificate for 127.0.0.1, ::1 and
// localhost, and a client certificate for mtls-client, all EC P-256 (fast
// to make, so the demo starts at once).
type pki struct {
	ca        *x509.Certificate
	server    tls.Certificate
	clientDER []byte
	clientKey *ecdsa.PrivateKey
}

func newPKI() (*pki, error) {
	fail := func(what string, err error) (*pki, error) {
		return nil, fmt.Errorf("sandbox: make the %s: %w", what, err)
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fail("CA key", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "tokentop sandbox CA", Organization: []string{"tokentop sandbox"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return fail("CA certificate", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return fail("CA certificate", err)
	}
	issue := func(tmpl *x509.Certificate) ([]byte, *ecdsa.PrivateKey, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl.SerialNumber, tmpl.NotBefore, tmpl.NotAfter = serial(), now.Add(-time.Hour), now.Add(certLifetime)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		return der, key, err
	}
	serverDER, serverKey, err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "127.0.0.1", Organization: []string{"tokentop sandbox"}},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return fail("server certificate", err)
	}
	clientDER, clientKey, err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "mtls-client", Organization: []string{"tokentop sandbox"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return fail("client certificate", err)
	}
	return &pki{
		ca:        ca,
		server:    tls.Certificate{Certificate: [][]byte{serverDER, caDER}, PrivateKey: serverKey},
		clientDER: clientDER,
		clientKey: clientKey,
	}, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120)) // crypto/rand does not fail
	return n
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func privatePEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("sandbox: encode a key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ecKeyID is the RFC 7638 JWK thumbprint of an EC P-256 public key.
func ecKeyID(pub *ecdsa.PublicKey) string {
	ecdhPub, err := pub.ECDH()
	if err != nil {
		return ""
	}
	raw := ecdhPub.Bytes() // 0x04 || X || Y, 32 bytes each for P-256
	b, _ := json.Marshal(struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
		Y   string `json:"y"`
	}{"P-256", "EC", base64.RawURLEncoding.EncodeToString(raw[1:33]), base64.RawURLEncoding.EncodeToString(raw[33:])})
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// KeyFiles reports the files AddKeyClients wrote, and false before it ran.
func (s *Server) KeyFiles() (KeyFiles, bool) {
	s.kc.mu.Lock()
	defer s.kc.mu.Unlock()
	if s.kc.files == nil {
		return KeyFiles{}, false
	}
	return *s.kc.files, true
}

// isKeyStyle reports whether a style proves clients with a key rather than
// a secret.
func isKeyStyle(style string) bool { return style == StylePrivateKeyJWT || style == StyleMTLS }

// keyFilesSet reports whether ProvidersYAML can write c: a key-style client
// needs the files tokentop will read.
func keyFilesSet(c Client) bool {
	switch c.Style {
	case StylePrivateKeyJWT:
		return c.PrivateKeyFile != ""
	case StyleMTLS:
		return c.TLSCertFile != "" && c.TLSKeyFile != ""
	}
	return true
}

// keyFileNodes are the providers-file keys of a key-style client's files.
func keyFileNodes(c Client) []any {
	var kv []any
	switch c.Style {
	case StylePrivateKeyJWT:
		kv = append(kv, "private_key_file", str(c.PrivateKeyFile))
		if c.KeyID != "" {
			kv = append(kv, "private_key_kid", str(c.KeyID))
		}
	case StyleMTLS:
		if c.CAFile != "" {
			kv = append(kv, "ca_file", str(c.CAFile))
		}
		kv = append(kv, "tls_cert_file", str(c.TLSCertFile), "tls_key_file", str(c.TLSKeyFile))
	}
	return kv
}

// clientBase is the base URL ProvidersYAML gives c: the https one of
// StartTLS for tls_client_auth clients ("" before it runs, which leaves
// them out), else base.
func (s *Server) clientBase(c Client, base string) string {
	if c.Style != StyleMTLS {
		return base
	}
	s.kc.mu.Lock()
	defer s.kc.mu.Unlock()
	return s.kc.tlsBase
}
