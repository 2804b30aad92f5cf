package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// keyProvider is a providers entry with the key styles' keys.
type keyProvider struct {
	Name           string   `yaml:"name"`
	TokenURL       string   `yaml:"token_url"`
	Issuer         string   `yaml:"issuer"`
	ClientID       string   `yaml:"client_id"`
	ClientSecret   string   `yaml:"client_secret"`
	AuthStyle      string   `yaml:"auth_style"`
	Scopes         []string `yaml:"scopes"`
	PrivateKeyFile string   `yaml:"private_key_file"`
	PrivateKeyKID  string   `yaml:"private_key_kid"`
	CAFile         string   `yaml:"ca_file"`
	TLSCertFile    string   `yaml:"tls_cert_file"`
	TLSKeyFile     string   `yaml:"tls_key_file"`
}

func parseKeyProviders(t *testing.T, doc string) map[string]keyProvider {
	t.Helper()
	var f struct {
		Providers []keyProvider `yaml:"providers"`
	}
	if err := yaml.Unmarshal([]byte(doc), &f); err != nil {
		t.Fatalf("providers YAML: %v\n%s", err, doc)
	}
	out := map[string]keyProvider{}
	for _, p := range f.Providers {
		out[p.Name] = p
	}
	return out
}

func jsonDecode(b []byte, v any) error { return json.Unmarshal(b, v) }

// tlsClient trusts the sandbox CA and presents cert when it is not nil.
func tlsClient(t *testing.T, kf KeyFiles, cert *tls.Certificate) *http.Client {
	t.Helper()
	ca, err := os.ReadFile(kf.CA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("no CA certificate")
	}
	conf := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if cert != nil {
		conf.Certificates = []tls.Certificate{*cert}
	}
	tr := &http.Transport{TLSClientConfig: conf}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func startTLS(t *testing.T, s *Server) string {
	t.Helper()
	base, stop, err := s.StartTLS(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	return base
}

func mtlsPost(t *testing.T, hc *http.Client, url, clientID string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(form("grant_type", "client_credentials", "client_id", clientID).Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return readReply(t, resp)
}

func TestMTLS(t *testing.T) {
	e, kf := keyEnv(t)
	base := startTLS(t, e.s)
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("base %q", base)
	}
	c := e.client(t, MTLSClientName)
	cert, err := tls.LoadX509KeyPair(kf.ClientCert, kf.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	r := mtlsPost(t, tlsClient(t, kf, &cert), base+pathMTLS, c.ClientID)
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	tok, _ := r.object(t)["access_token"].(string)
	if cl := e.claims(t, tok); cl["sub"] != c.ClientID || cl["iss"] != base+"/"+StyleMTLS {
		t.Errorf("claims %v", cl)
	}

	ps := parseKeyProviders(t, e.s.ProvidersYAML(e.ts.URL))
	m := ps[MTLSClientName]
	if m.TokenURL != base+pathMTLS || m.Issuer != base+"/"+StyleMTLS || m.AuthStyle != "tls_client_auth" || m.CAFile != kf.CA ||
		m.TLSCertFile != kf.ClientCert || m.TLSKeyFile != kf.ClientKey || m.ClientSecret != "" {
		t.Errorf("mtls-client entry %+v", m)
	}
}

func TestMTLSRefusals(t *testing.T) {
	e, kf := keyEnv(t)
	base := startTLS(t, e.s)
	c := e.client(t, MTLSClientName)
	cert, err := tls.LoadX509KeyPair(kf.ClientCert, kf.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	// A certificate of another sandbox's CA, with the same subject.
	other := New(Options{Key: testKey()})
	okf, err := other.AddKeyClients(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := tls.LoadX509KeyPair(okf.ClientCert, okf.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	e.s.AddClient(Client{Name: "pinned", ClientID: "pinned-1", Style: StyleMTLS, CertSubject: "CN=someone else"})

	tests := []struct {
		name, url, clientID string
		cert                *tls.Certificate
		status              int
		desc                string
	}{
		{"no certificate", base + pathMTLS, c.ClientID, nil, 401, "no client certificate was presented"},
		{"another CA's certificate", base + pathMTLS, c.ClientID, &stranger, 401, "not one the sandbox CA issued"},
		{"another client's subject", base + pathMTLS, "pinned-1", &cert, 401, `subject "CN=mtls-client,O=tokentop sandbox" is not the one registered`},
		{"unknown client", base + pathMTLS, "nobody", &cert, 401, `no tls_client_auth client "nobody"`},
		{"no client_id", base + pathMTLS, "", &cert, 400, "client_id is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mtlsPost(t, tlsClient(t, kf, tt.cert), tt.url, tt.clientID)
			desc, _ := r.object(t)["error_description"].(string)
			if r.status != tt.status || !strings.Contains(desc, tt.desc) {
				t.Errorf("%d %s; want %d saying %q", r.status, r.body, tt.status, tt.desc)
			}
		})
	}
	t.Run("plain http", func(t *testing.T) {
		r := e.token(t, tokenCall{path: pathMTLS, form: form("grant_type", "client_credentials", "client_id", c.ClientID)})
		desc, _ := r.object(t)["error_description"].(string)
		if r.status != 401 || !strings.Contains(desc, "connect over https") {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
	if n := e.s.Issued(c.ClientID); n != 0 {
		t.Errorf("%d tokens issued to refused clients", n)
	}
}

func TestStartTLSNeedsKeyClients(t *testing.T) {
	if _, _, err := New(Options{Key: testKey()}).StartTLS(context.Background(), "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "AddKeyClients") {
		t.Errorf("StartTLS without AddKeyClients: %v", err)
	}
}

func readReply(t *testing.T, resp *http.Response) reply {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}
