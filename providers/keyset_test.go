package providers

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/jwtverify"
)

func TestExpectationsAndJWKSURL(t *testing.T) {
	p := Provider{Issuer: "https://as.example", Audience: "https://api", Resource: "https://res"}
	d := &discovery.Result{Metadata: &discovery.Metadata{Issuer: "https://as.example/", JWKSURI: "https://as.example/jwks", IDTokenSigningAlgValuesSupported: []string{"ES256"}}}
	o := Expectations(p, d)
	if o.Issuer != "https://as.example/" || strings.Join(o.Audiences, " ") != "https://api https://res" || o.Algs[0] != "ES256" {
		t.Errorf("expectations %+v", o)
	}
	if u, src := JWKSURL(p, d); u != "https://as.example/jwks" || src != "discovery" {
		t.Errorf("jwks %q %q", u, src)
	}
	p.JWKSURI = "https://keys.example"
	if u, src := JWKSURL(p, d); u != p.JWKSURI || src != "config" {
		t.Errorf("jwks %q %q", u, src)
	}
}

func TestFetchKeySetErrors(t *testing.T) {
	c := &Client{}
	ctx := context.Background()
	if _, err := c.FetchKeySet(ctx, Provider{Name: "p"}, "http://keys.example/jwks"); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("plain http: %v", err)
	}
	srv := newTokenServer(t, func(w http.ResponseWriter, r sentRequest) { writeJSON(w, 404, `{}`) })
	_, err := c.FetchKeySet(ctx, Provider{Name: "p"}, srv.URL+"/jwks")
	if e := mustError(t, err); e.Kind != KindHTTP {
		t.Errorf("404: %+v", e)
	}
}

// TestShortLifetime: what verification calls a short lifetime is twice
// the smallest refresh margin, as its hint says.
func TestShortLifetime(t *testing.T) {
	if jwtverify.ShortLifetime != 2*MinRefreshMargin {
		t.Fatalf("jwtverify.ShortLifetime is %s, twice MinRefreshMargin is %s", jwtverify.ShortLifetime, 2*MinRefreshMargin)
	}
}
