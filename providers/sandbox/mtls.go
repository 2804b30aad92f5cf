package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
)

// StartTLS listens on addr with TLS (the server certificate that
// [Server.AddKeyClients] made, for 127.0.0.1, ::1 and localhost) and serves
// s there, asking every client for a certificate; it is where mtls-client
// gets tokens, and ProvidersYAML points it there. baseURL is "https://"
// plus the address bound. Handshake errors are not logged. stop works as
// [Server.Start]'s does.
func (s *Server) StartTLS(ctx context.Context, addr string) (baseURL string, stop func(context.Context) error, err error) {
	conf, err := s.TLSConfig()
	if err != nil {
		return "", nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("sandbox: listen on %s: %w", addr, err)
	}
	baseURL = "https://" + ln.Addr().String()
	s.kc.mu.Lock()
	s.kc.tlsBase = baseURL
	s.kc.mu.Unlock()
	return baseURL, s.serve(ctx, tls.NewListener(ln, conf), log.New(io.Discard, "", 0)), nil
}

// TLSConfig is the server side of the sandbox's TLS listener, for serving
// it some other way (httptest). Client certificates are asked for but not
// checked in the handshake: the mTLS token endpoint checks them, so that a
// refusal is an OAuth error that says why.
func (s *Server) TLSConfig() (*tls.Config, error) {
	s.kc.mu.Lock()
	defer s.kc.mu.Unlock()
	if s.kc.server == nil {
		return nil, errors.New("sandbox: no TLS certificate yet: call AddKeyClients first")
	}
	return &tls.Config{
		Certificates: []tls.Certificate{*s.kc.server},
		ClientAuth:   tls.RequestClientCert,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// handleMTLS is the tls_client_auth token endpoint (RFC 8705 §2.1.1): the
// client sends client_id and no secret, and proves itself with the
// certificate it presented in the TLS handshake, which must chain to the
// sandbox CA and have the subject registered for the client. Refusals are
// 401 invalid_client, worded to say which check failed.
func (s *Server) handleMTLS(w http.ResponseWriter, r *http.Request) {
	s.serveKeyStyle(w, r, s.verifyClientCert)
}

func (s *Server) verifyClientCert(r *http.Request, req tokenRequest) (Client, *oauthError) {
	if r.TLS == nil {
		return Client{}, refuseClient("this endpoint authenticates clients by their TLS certificate: connect over https to the sandbox's TLS listener")
	}
	if req.source == credBasic || req.form.Has("client_secret") {
		return Client{}, refuseClient("this endpoint authenticates clients by tls_client_auth: present a client certificate, and send no secret")
	}
	id := req.form.Get("client_id")
	if id == "" {
		return Client{}, badRequest(errInvalidRequest, "client_id is missing (RFC 8705 §2 wants it in the body)")
	}
	c, ok := s.clientByID(StyleMTLS, id)
	if !ok {
		return Client{}, refuseClient(fmt.Sprintf("no tls_client_auth client %q is registered", id))
	}
	certs := r.TLS.PeerCertificates
	if len(certs) == 0 {
		return Client{}, refuseClient("no client certificate was presented in the TLS handshake")
	}
	s.kc.mu.Lock()
	pool := s.kc.pool
	s.kc.mu.Unlock()
	inter := x509.NewCertPool()
	for _, ic := range certs[1:] {
		inter.AddCert(ic)
	}
	if _, err := certs[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return Client{}, refuseClient("the client certificate is not one the sandbox CA issued for client authentication")
	}
	if got := certs[0].Subject.String(); got != c.CertSubject {
		return Client{}, refuseClient(fmt.Sprintf("the client certificate's subject %q is not the one registered for this client (%q)", got, c.CertSubject))
	}
	return c, nil
}
