package providers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers/discovery"
)

// discoveryServer serves documents at paths; ISS in a body is the
// server's own URL.
func discoveryServer(t *testing.T, routes map[string]string) *tokenServer {
	t.Helper()
	var base string
	srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		if body, ok := routes[r.Path]; ok {
			writeJSON(w, 200, strings.ReplaceAll(body, "ISS", base))
			return
		}
		w.WriteHeader(404)
	})
	base = srv.URL
	return srv
}

func TestDiscoverPathIssuer(t *testing.T) {
	srv := discoveryServer(t, map[string]string{
		"/.well-known/oauth-authorization-server/tenant": `{"issuer":"ISS/tenant","token_endpoint":"ISS/tenant/token","jwks_uri":"ISS/tenant/jwks",
			"id_token_signing_alg_values_supported":["RS256"],"introspection_endpoint":"ISS/tenant/introspect"}`,
		// The root document belongs to another issuer: never used for /tenant.
		"/.well-known/oauth-authorization-server": `{"issuer":"ISS","token_endpoint":"ISS/root-token"}`,
	})
	p := testProvider(srv.URL+"/tenant/token", AuthBasic)
	p.Issuer = srv.URL + "/tenant"
	d, err := fetchClient().DiscoverDetail(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if d.Doc != discovery.DocRFC8414 || d.URL != srv.URL+"/.well-known/oauth-authorization-server/tenant" || d.Metadata.TokenEndpoint != srv.URL+"/tenant/token" {
		t.Errorf("found %s at %s: %+v", d.Doc, d.URL, d.Metadata)
	}
	if d.Metadata.IDTokenSigningAlgValuesSupported[0] != "RS256" || d.Metadata.IntrospectionEndpoint != srv.URL+"/tenant/introspect" {
		t.Errorf("metadata %+v", d.Metadata)
	}

	// OIDC appends to the issuer's path.
	srv2 := discoveryServer(t, map[string]string{
		"/realms/x/.well-known/openid-configuration": `{"issuer":"ISS/realms/x","token_endpoint":"t"}`,
	})
	p.Issuer = srv2.URL + "/realms/x"
	d, err = fetchClient().DiscoverDetail(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if d.Doc != discovery.DocOIDC || len(d.Attempts) != 2 || d.Attempts[0].Status != 404 || d.Attempts[1].Problem != "" {
		t.Errorf("doc %s attempts %+v", d.Doc, d.Attempts)
	}
}

func TestDiscoverIssuerMismatch(t *testing.T) {
	srv := discoveryServer(t, map[string]string{
		"/.well-known/oauth-authorization-server": `{"issuer":"https://evil.example","token_endpoint":"https://evil.example/token"}`,
		"/.well-known/openid-configuration":       `{"token_endpoint":"ISS/token"}`,
	})
	p := testProvider(srv.URL+"/token", AuthBasic)
	p.Issuer = srv.URL
	d, err := fetchClient().DiscoverDetail(context.Background(), p)
	e := mustError(t, err)
	var mm *discovery.IssuerMismatchError
	if !errors.As(err, &mm) || mm.Got != "https://evil.example" || mm.Want != srv.URL || mm.Guessed {
		t.Fatalf("error %v (%T), want a *discovery.IssuerMismatchError", err, e.Err)
	}
	if !strings.Contains(e.Error(), "RFC 8414 §3.3") || !strings.Contains(e.Hint, "https://evil.example") {
		t.Errorf("error %q hint %q", e.Error(), e.Hint)
	}
	if d == nil || d.Metadata != nil || len(d.Attempts) != 2 || !strings.Contains(d.Attempts[1].Problem, "names no issuer") {
		t.Errorf("discovery %+v", d)
	}

	// Without a configured issuer the token URL's origin is guessed: the
	// hint says to set the issuer the document names.
	p.Issuer = ""
	_, err = fetchClient().DiscoverDetail(context.Background(), p)
	if !errors.As(err, &mm) || !mm.Guessed || !strings.Contains(HintFor(err), "set `issuer: https://evil.example`") {
		t.Errorf("guessed issuer: %v hint %q", err, HintFor(err))
	}

	// A trailing slash is the only difference: used, with a warning.
	srv3 := discoveryServer(t, map[string]string{"/.well-known/oauth-authorization-server": `{"issuer":"ISS/","jwks_uri":"ISS/jwks"}`})
	p.Issuer = srv3.URL
	d, err = fetchClient().DiscoverDetail(context.Background(), p)
	if err != nil || len(d.Warnings) != 1 || d.Metadata.JWKSURI != srv3.URL+"/jwks" {
		t.Errorf("trailing slash: %v %+v", err, d)
	}
}

func TestResolveEndpoint(t *testing.T) {
	srv := discoveryServer(t, map[string]string{"/.well-known/oauth-authorization-server": `{"issuer":"ISS","revocation_endpoint":"ISS/revoke"}`})
	p := testProvider(srv.URL+"/token", AuthBasic)
	p.Issuer = srv.URL
	c := fetchClient()
	ctx := context.Background()
	if u, src, err := c.ResolveEndpoint(ctx, p, EndpointRevocation, nil); err != nil || u != srv.URL+"/revoke" || src != "discovery" {
		t.Errorf("revocation from discovery: %q %q %v", u, src, err)
	}
	_, _, err := c.ResolveEndpoint(ctx, p, EndpointIntrospection, nil)
	if !errors.Is(err, ErrNoEndpoint) || !strings.Contains(err.Error(), "this server offers no introspection endpoint (discovery had none); set introspection_url") {
		t.Errorf("no introspection: %v", err)
	}
	p.IntrospectURL = "https://as.example/introspect"
	if u, src, err := c.ResolveEndpoint(ctx, p, EndpointIntrospection, nil); err != nil || u != p.IntrospectURL || src != "config" {
		t.Errorf("introspection from config: %q %q %v", u, src, err)
	}
	p.Issuer = srv.URL + "/nothing"
	_, _, err = c.ResolveEndpoint(ctx, p, EndpointRevocation, nil)
	if !errors.Is(err, ErrNoEndpoint) || !strings.Contains(err.Error(), "discovery failed") {
		t.Errorf("discovery failed: %v", err)
	}
}
