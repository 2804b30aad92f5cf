package providers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/discovery"
)

// mtlsTokenServer accepts only a certificate of pki's CA whose subject CN
// is cn, and records the forms it was sent.
func mtlsTokenServer(t *testing.T, pki *testPKI, cn string) (srvURL string, forms func() []url.Values) {
	t.Helper()
	var mu sync.Mutex
	var sent []url.Values
	srv := pki.mtlsServer(t, func(w http.ResponseWriter, r *http.Request, client *x509.Certificate) {
		raw, _ := io.ReadAll(r.Body)
		f, _ := url.ParseQuery(string(raw))
		if r.Header.Get("Authorization") != "" {
			f.Set("Authorization", r.Header.Get("Authorization"))
		}
		mu.Lock()
		sent = append(sent, f)
		mu.Unlock()
		if client == nil || client.Subject.CommonName != cn || f.Get("client_id") != "mtls-c" {
			writeJSON(w, 401, `{"error":"invalid_client","error_description":"no certificate this server knows"}`)
			return
		}
		standardToken(w, "mtls-tok-"+client.Subject.CommonName, 3600)
	})
	return srv.URL, func() []url.Values {
		mu.Lock()
		defer mu.Unlock()
		return append([]url.Values(nil), sent...)
	}
}

func TestFetchTLSClientAuth(t *testing.T) {
	pki := newTestPKI(t)
	srvURL, forms := mtlsTokenServer(t, pki, "client-a")
	certFile, keyFile := pki.clientFiles(t, "client-a")
	p := Provider{Name: "m", TokenURL: srvURL + "/token", ClientID: "mtls-c", AuthStyle: AuthTLSClient,
		CAFile: pki.caFile, TLSCertFile: certFile, TLSKeyFile: keyFile}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	c := &Client{}
	defer c.CloseIdleConnections()
	res, err := c.Fetch(context.Background(), p, FetchOptions{})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if res.Token.AccessToken != "mtls-tok-client-a" || res.AuthStyle != AuthTLSClient {
		t.Errorf("token %q style %q", res.Token.AccessToken, res.AuthStyle)
	}
	f := forms()[0]
	if f.Get("client_id") != "mtls-c" || f.Has("client_secret") || f.Has("client_assertion") || f.Has("Authorization") || f.Get("grant_type") != "client_credentials" {
		t.Errorf("form %v", f)
	}
	ex := res.Exchanges[0]
	if ex.AuthStyle != AuthTLSClient || !strings.Contains(ex.Credential, `subject="CN=client-a"`) || !strings.Contains(ex.Credential, "sha256=") {
		t.Errorf("flight record: style %q credential %q", ex.AuthStyle, ex.Credential)
	}
	if b, _ := json.Marshal(res.Exchanges); strings.Contains(string(b), "PRIVATE KEY") {
		t.Error("key material in the flight record")
	}
}

func TestFetchTLSClientAuthRefused(t *testing.T) {
	pki := newTestPKI(t)
	srvURL, _ := mtlsTokenServer(t, pki, "client-a")
	certB, keyB := pki.clientFiles(t, "client-b")
	other := newTestPKI(t)
	strangerCert, strangerKey := other.clientFiles(t, "client-a")
	base := Provider{Name: "m", TokenURL: srvURL + "/token", ClientID: "mtls-c", AuthStyle: AuthTLSClient, CAFile: pki.caFile}

	t.Run("no certificate", func(t *testing.T) {
		p := base
		p.AuthStyle, p.ClientSecret = AuthPost, "secret"
		_, err := (&Client{}).Fetch(context.Background(), p, FetchOptions{})
		if e := mustError(t, err); e.Code != "invalid_client" || e.Status != 401 {
			t.Errorf("error %+v", e)
		}
	})
	t.Run("a certificate the server does not know", func(t *testing.T) {
		p := base
		p.TLSCertFile, p.TLSKeyFile = certB, keyB
		_, err := (&Client{}).Fetch(context.Background(), p, FetchOptions{})
		e := mustError(t, err)
		if e.Code != "invalid_client" || !strings.Contains(e.Hint, "did not accept the client certificate for mtls-c") {
			t.Errorf("error %+v hint %q", e, e.Hint)
		}
	})
	t.Run("a certificate of another CA", func(t *testing.T) {
		p := base
		p.TLSCertFile, p.TLSKeyFile = strangerCert, strangerKey
		_, err := (&Client{}).Fetch(context.Background(), p, FetchOptions{})
		e := mustError(t, err)
		if e.Kind != KindTransport || e.Code != "tls" || !strings.Contains(e.Hint, "refused the client certificate") {
			t.Errorf("error %+v hint %q", e, e.Hint)
		}
	})
	t.Run("expired", func(t *testing.T) {
		c, k := pki.issue(t, "client-a", x509.ExtKeyUsageClientAuth, time.Now().Add(-time.Minute))
		p := base
		p.TLSCertFile, p.TLSKeyFile = writeFile(t, "c.pem", c), writeFile(t, "k.pem", k)
		_, err := (&Client{}).Fetch(context.Background(), p, FetchOptions{})
		e := mustError(t, err)
		if e.Kind != KindConfig || !strings.Contains(e.Error(), "expired at") || !strings.Contains(e.Hint, "renew") {
			t.Errorf("error %+v", e)
		}
	})
	t.Run("plain http", func(t *testing.T) {
		p := base
		p.TokenURL = "http://127.0.0.1:1/token"
		p.TLSCertFile, p.TLSKeyFile = certB, keyB
		_, err := (&Client{Transport: refusingTransport{t}}).Fetch(context.Background(), p, FetchOptions{})
		if e := mustError(t, err); e.Kind != KindConfig || !strings.Contains(e.Error(), "needs an https token_url") {
			t.Errorf("error %+v", e)
		}
	})
}

// TestClientCertificateWithAnotherStyle: a certificate is presented under
// basic too, for servers that want mTLS on the connection and a secret.
func TestClientCertificateWithAnotherStyle(t *testing.T) {
	pki := newTestPKI(t)
	var got atomic.Value
	srv := pki.mtlsServer(t, func(w http.ResponseWriter, r *http.Request, client *x509.Certificate) {
		if client != nil {
			got.Store(client.Subject.CommonName)
		}
		standardToken(w, "t", 60)
	})
	certFile, keyFile := pki.clientFiles(t, "client-a")
	p := Provider{Name: "m", TokenURL: srv.URL + "/token", ClientID: "c", ClientSecret: "s", AuthStyle: AuthBasic,
		CAFile: pki.caFile, TLSCertFile: certFile, TLSKeyFile: keyFile}
	res, err := (&Client{}).Fetch(context.Background(), p, FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Load() != "client-a" || !strings.Contains(res.Exchanges[0].Credential, "client-a") {
		t.Errorf("server saw %q; credential %q", got, res.Exchanges[0].Credential)
	}
}

// TestIntrospectUsesMTLSEndpointAlias: with a client certificate, the
// introspection endpoint is discovery's mtls_endpoint_aliases entry
// (RFC 8705 §5), where the certificate is asked for; without one, the
// plain endpoint. A plain http endpoint is refused for tls_client_auth.
func TestIntrospectUsesMTLSEndpointAlias(t *testing.T) {
	pki := newTestPKI(t)
	alias := pki.mtlsServer(t, func(w http.ResponseWriter, r *http.Request, client *x509.Certificate) {
		if client == nil || client.Subject.CommonName != "client-a" {
			writeJSON(w, 401, `{"error":"invalid_client"}`)
			return
		}
		writeJSON(w, 200, `{"active":true,"client_id":"mtls-c"}`)
	})
	plain := pki.mtlsServer(t, func(w http.ResponseWriter, r *http.Request, client *x509.Certificate) {
		writeJSON(w, 401, `{"error":"invalid_client","error_description":"no client authentication"}`)
	})
	d := &discovery.Result{Metadata: &discovery.Metadata{
		IntrospectionEndpoint: plain.URL + "/introspect",
		MTLSEndpointAliases:   map[string]string{"introspection_endpoint": alias.URL + "/introspect"},
	}}
	certFile, keyFile := pki.clientFiles(t, "client-a")
	p := Provider{Name: "m", TokenURL: alias.URL + "/token", ClientID: "mtls-c", AuthStyle: AuthTLSClient,
		CAFile: pki.caFile, TLSCertFile: certFile, TLSKeyFile: keyFile}
	c := &Client{}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	res, err := c.Introspect(ctx, p, "tok", EndpointOptions{Discovery: d})
	if err != nil {
		t.Fatalf("Introspect: %v", err)
	}
	if !res.Introspection.Active || res.Endpoint != alias.URL+"/introspect" || res.Source != "discovery's mtls_endpoint_aliases" {
		t.Errorf("introspection %+v at %s (%s)", res.Introspection, res.Endpoint, res.Source)
	}
	// A client with a secret and no certificate uses the plain endpoint.
	sp := Provider{Name: "s", TokenURL: plain.URL + "/token", ClientID: "c", ClientSecret: "s", AuthStyle: AuthBasic, CAFile: pki.caFile}
	if got, _, err := c.ResolveEndpoint(ctx, sp, EndpointIntrospection, d); err != nil || got != plain.URL+"/introspect" {
		t.Errorf("without a certificate: %q %v", got, err)
	}
	// tls_client_auth over plain http presents no certificate.
	p.IntrospectURL = "http://127.0.0.1:1/introspect"
	_, err = c.Introspect(ctx, p, "tok", EndpointOptions{Discovery: d})
	if e := mustError(t, err); e.Kind != KindConfig || !strings.Contains(e.Error(), "needs an https introspection endpoint") {
		t.Errorf("plain http under tls_client_auth: %v", err)
	}
}

// TestIntrospectRefusedCertificateHint: a TLS alert at the introspection
// endpoint is explained as at the token endpoint: with a certificate
// configured, the server refused it.
func TestIntrospectRefusedCertificateHint(t *testing.T) {
	pki := newTestPKI(t)
	srv := pki.mtlsServer(t, func(w http.ResponseWriter, r *http.Request, client *x509.Certificate) {
		writeJSON(w, 200, `{"active":true}`)
	})
	srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
	certFile, keyFile := newTestPKI(t).clientFiles(t, "client-a") // another CA
	p := Provider{Name: "m", TokenURL: srv.URL + "/token", IntrospectURL: srv.URL + "/introspect", ClientID: "mtls-c",
		AuthStyle: AuthTLSClient, CAFile: pki.caFile, TLSCertFile: certFile, TLSKeyFile: keyFile}
	c := &Client{}
	defer c.CloseIdleConnections()
	_, err := c.Introspect(context.Background(), p, "opaque-token-0123456789", EndpointOptions{})
	e := mustError(t, err)
	if e.Kind != KindTransport || !strings.Contains(e.Error(), "could not reach the introspection endpoint") || !strings.Contains(e.Hint, "refused the client certificate") {
		t.Errorf("error %q hint %q", e.Error(), e.Hint)
	}
}
