package providers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// sandboxProviders serves a sandbox and loads its providers YAML.
func sandboxProviders(t *testing.T) (*sandbox.Server, map[string]Provider) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Key: testsupport.RSAKey(0)})
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	ps, err := LoadConfig(strings.NewReader(sb.ProvidersYAML(ts.URL)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Provider{}
	for _, p := range ps {
		out[p.Name] = p
	}
	return sb, out
}

func TestIntrospectRevokeAgainstSandbox(t *testing.T) {
	_, ps := sandboxProviders(t)
	c := &Client{}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	for _, name := range []string{"cognito-dev", "auth0-prod", "basic-only", "ants"} {
		t.Run(name, func(t *testing.T) {
			p := ps[name]
			res, err := c.Fetch(ctx, p, FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tok := res.Token.AccessToken
			in, err := c.Introspect(ctx, p, tok, EndpointOptions{})
			if err != nil {
				t.Fatal(err)
			}
			i := in.Introspection
			if !i.Active || i.ClientID != p.ClientID || i.ExpiresAt.IsZero() || i.Issuer != p.Issuer || in.Source != "discovery" || !strings.HasSuffix(in.Endpoint, "/oauth2/introspect") {
				t.Errorf("introspection %+v from %s (%s)", i, in.Endpoint, in.Source)
			}
			ex := in.Exchanges[0]
			if ex.Kind != "introspection" || strings.Contains(ex.RequestBody, tok) || strings.Contains(ex.RequestBody, p.ClientSecret) ||
				strings.Contains(ex.RequestHeaders.Get("Authorization"), "Basic "+tok) || !ex.OK() {
				t.Errorf("exchange %+v", ex)
			}
			rv, err := c.Revoke(ctx, p, tok, EndpointOptions{})
			if err != nil || rv.Status != 200 || rv.Exchanges[0].Kind != "revocation" {
				t.Fatalf("revoke: %v %+v", err, rv)
			}
			in, err = c.Introspect(ctx, p, tok, EndpointOptions{})
			if err != nil || in.Introspection.Active {
				t.Errorf("after revoke: %v %+v", err, in.Introspection)
			}
		})
	}
}

func TestIntrospectErrors(t *testing.T) {
	_, ps := sandboxProviders(t)
	c := &Client{}
	ctx := context.Background()

	// A wrong secret: invalid_client, worded for the endpoint; auto tries
	// both styles.
	p := ps["broken"]
	p.AuthStyle = AuthAuto
	res, err := c.Introspect(ctx, p, "x", EndpointOptions{})
	e := mustError(t, err)
	if e.Status != 401 || !strings.Contains(e.Error(), "the introspection endpoint answered 401 invalid_client") || len(res.Exchanges) != 2 {
		t.Errorf("error %q, %d exchanges", e.Error(), len(res.Exchanges))
	}

	// No endpoint anywhere.
	srv := discoveryServer(t, map[string]string{"/.well-known/oauth-authorization-server": `{"issuer":"ISS"}`})
	q := testProvider(srv.URL+"/token", AuthBasic)
	_, err = c.Revoke(ctx, q, "x", EndpointOptions{})
	if !errors.Is(err, ErrNoEndpoint) || !strings.Contains(err.Error(), "no revocation endpoint (discovery had none); set revocation_url") {
		t.Errorf("no endpoint: %v", err)
	}

	// An answer that is not RFC 7662.
	srv2 := discoveryServer(t, map[string]string{"/introspect": `{"valid":true}`})
	q.IntrospectURL = srv2.URL + "/introspect"
	_, err = c.Introspect(ctx, q, "x", EndpointOptions{})
	if e := mustError(t, err); e.Kind != KindResponse || !strings.Contains(e.Error(), "not RFC 7662") {
		t.Errorf("bad answer: %v", err)
	}
	if _, err := ParseIntrospection([]byte(`{"active":true,"exp":"1700000000","aud":["a","b"],"scope":"x\u001b[2Jy"}`)); err != nil {
		t.Error(err)
	}
	in, _ := ParseIntrospection([]byte(`{"active":true,"exp":"1700000000","aud":["a","b"],"scope":"x\u001b[2Jy"}`))
	if in.ExpiresAt.Unix() != 1700000000 || len(in.Audience) != 2 || in.Scope != "xy" {
		t.Errorf("parsed %+v", in)
	}
}

// TestIntrospectOversizedAnswer: an answer over MaxBodyBytes is an error
// worded for the endpoint, and the flight record keeps only its start, as
// for the token endpoint.
func TestIntrospectOversizedAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"active":true,"pad":"`+strings.Repeat("x", MaxBodyBytes+10)+`"}`)
	}))
	defer srv.Close()
	p := testProvider(srv.URL+"/token", AuthBasic)
	p.IntrospectURL = srv.URL + "/introspect"
	res, err := (&Client{}).Introspect(context.Background(), p, "opaque-token-0123456789", EndpointOptions{})
	e := mustError(t, err)
	if e.Kind != KindResponse || !strings.Contains(e.Error(), "the introspection endpoint's answer is larger than") || !strings.Contains(e.Hint, "introspection_url") {
		t.Errorf("error %q (hint %q)", e.Error(), e.Hint)
	}
	if len(res.Exchanges) != 1 || len(res.Exchanges[0].ResponseBody) > 8192 || res.Exchanges[0].Error == "" {
		t.Errorf("the record keeps %d bytes of body (error %q): %.200q", len(res.Exchanges[0].ResponseBody), res.Exchanges[0].Error, res.Exchanges[0].ResponseBody)
	}
}
