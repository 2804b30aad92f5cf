package doctor

import (
	"context"
	"crypto/rsa"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/clockskew"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// The doctor's verdicts on the failures of issue 11, each with the exact
// change it proposes.

// wantHint fails unless the check's hint holds every one of want.
func wantHint(t *testing.T, c check.Check, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(c.Hint, w) {
			t.Fatalf("%s: hint %q does not hold %q (detail %q)", c.Name, c.Hint, w, c.Detail)
		}
	}
	assertTerminalSafe(t, c.Name, c.Detail+c.Hint)
}

// TestDoctorHTMLAnswers: a page where a token response should be is read
// by its title and heading, and said for what it is.
func TestDoctorHTMLAnswers(t *testing.T) {
	page := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	_, ps, base := doctorSandboxWith(t, func(mux *http.ServeMux) {
		mux.Handle("POST /gw/token", page(200, `<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><a href="/login">Sign in</a></body></html>`))
		mux.Handle("POST /sso/token", page(200, "<html><head><title>Acme</title></head><body><h1>Sign in with your \x1b[1mSSO\x1b[0m account</h1></body></html>"))
	})
	c := &providers.Client{}
	for _, tt := range []struct {
		path, detail string
		hint         []string
	}{
		{"/gw/token", `titled "502 Bad Gateway"`, []string{"the authorization server failed behind its gateway", "nothing to change in your settings"}},
		{"/sso/token", `heading "Sign in with your SSO account"`, []string{"web login page", "set `token_url: " + base + "/oauth2/token`"}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			p := ps["cognito-dev"]
			p.TokenURL = base + tt.path
			d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
			tok := checkNamed(t, d, StepToken)
			wantStatus(t, tok, check.Fail, tt.detail)
			wantHint(t, tok, tt.hint...)
		})
	}
}

// TestDoctorWrongTokenURL: a 404 or 405 at token_url while discovery
// names another token endpoint offers that one.
func TestDoctorWrongTokenURL(t *testing.T) {
	_, ps, base := doctorSandboxWith(t, nil)
	c := &providers.Client{}
	for _, tt := range []struct{ path, detail string }{
		{"/oauth2/tokens", "answered 404"}, // a path the server does not have
		{"/api/v1/admin", "answered 405"},  // the API's URL, which takes GET only
	} {
		t.Run(tt.path, func(t *testing.T) {
			p := ps["cognito-dev"]
			p.TokenURL = base + tt.path
			d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
			tok := checkNamed(t, d, StepToken)
			wantStatus(t, tok, check.Fail, tt.detail)
			wantHint(t, tok, "names token_endpoint "+base+"/oauth2/token", "set `token_url: "+base+"/oauth2/token`")
		})
	}
	// Without discovery there is nothing to offer: the hint says where the
	// right URL is.
	_, ps, base = doctorSandboxWith(t, func(mux *http.ServeMux) {
		mux.Handle("GET /.well-known/", http.NotFoundHandler())
	})
	p := ps["cognito-dev"]
	p.TokenURL = base + "/oauth2/tokens"
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	tok := checkNamed(t, d, StepToken)
	wantStatus(t, tok, check.Fail, "answered 404")
	wantHint(t, tok, "check token_url", "the vendor's documentation")
}

// TestDoctorTokenDiesEarly: a JWT whose exp is earlier than expires_in
// says is cached by exp, and one dead on arrival is the issuer's to fix
// when the clocks agree.
func TestDoctorTokenDiesEarly(t *testing.T) {
	sb, ps := doctorSandbox(t)
	c := &providers.Client{}
	p := ps["cognito-dev"] // expires_in 3600

	sb.SetFaults(sandbox.Faults{ExpOffset: -50 * time.Minute})
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	tok := checkNamed(t, d, StepToken)
	wantStatus(t, tok, check.Warn, "(jwt exp)")
	wantHint(t, tok, "the JWT's exp", "before what expires_in says", "tell the issuer")
	if left := time.Until(d.Token.ExpiresAt); left > 10*time.Minute+clockskew.Tolerance {
		t.Fatalf("the token is kept for %s, past its exp", left)
	}

	sb.SetFaults(sandbox.Faults{ExpOffset: -61 * time.Minute})
	d = Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	tok = checkNamed(t, d, StepToken)
	wantStatus(t, tok, check.Fail, "expired on arrival")
	wantHint(t, tok, "the issuer mints tokens that are already expired", "refreshing only gets another dead token")
	for _, bad := range []string{"sync", "--force-refresh", "this machine's clock is"} {
		if strings.Contains(tok.Hint, bad) {
			t.Fatalf("the hint blames the wrong party (%q): %q", bad, tok.Hint)
		}
	}
	wantStatus(t, checkNamed(t, d, StepTestCall), check.Skip, "no token")
}

// TestDoctorScopesDroppedSilently: a server that answers 200 without a
// scope asked for is a warning naming it; a scope the server does not
// support at all is a failure naming it, with the scopes to keep.
func TestDoctorScopesDroppedSilently(t *testing.T) {
	sb, ps := doctorSandbox(t)
	sb.SetFaults(sandbox.Faults{DropUnknownScopes: true})
	c := &providers.Client{}
	p := ps["cognito-dev"]

	p.Scopes = []string{"api/write", "item"} // item is another client's
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	sc := checkNamed(t, d, StepScopes)
	wantStatus(t, sc, check.Warn, "not granted: item")
	wantHint(t, sc, "dropped scope item", "client "+p.ClientID+" is not allowed it", "set `scopes: [api/write]`")

	p.Scopes = []string{"api/write", "api/delete"} // no client has it
	d = Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
	sc = checkNamed(t, d, StepScopes)
	wantStatus(t, sc, check.Fail, "not supported: api/delete")
	wantHint(t, sc, "does not support scope api/delete", "set `scopes: [api/write]`", "dropped it silently")
}

// TestDoctorSignatures: three causes of a signature the JWKS does not bear
// out, each with its own advice.
func TestDoctorSignatures(t *testing.T) {
	t.Run("the issuer signs with a key it does not publish", func(t *testing.T) {
		sb, ps := doctorSandbox(t)
		sb.SetFaults(sandbox.Faults{UnpublishedKey: verifyKeys()[1]})
		c := &providers.Client{}
		p := ps["cognito-dev"]
		d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
		sig := checkNamed(t, d, "JWT signature")
		wantStatus(t, sig, check.Fail, "unknown key")
		wantHint(t, sig, "the issuer signs with key", "its own JWKS", "does not publish", "report it to the issuer")
	})
	t.Run("keys rotated under the cached token", func(t *testing.T) {
		sb, ps := doctorSandbox(t)
		c := &providers.Client{}
		p := ps["cognito-dev"]
		res, err := c.Fetch(t.Context(), p, providers.FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cached := res.Token
		sb.RotateKeyTo(verifyKeys()[1])
		kid := sb.RotateKeyTo(verifyKeys()[2]) // the cached token's key is dropped
		fetch := func(ctx context.Context, retry Retry) (Fetched, error) {
			if !retry.Fresh {
				return Fetched{Token: cached, Cached: true}, nil
			}
			return directFetch(c, p)(ctx, Retry{})
		}
		d := Run(t.Context(), c, p, Options{Fetch: fetch})
		sig := checkNamed(t, d, "JWT signature")
		wantStatus(t, sig, check.Fail, "a fresh token (kid "+kid+") verifies")
		wantHint(t, sig, "rotated its keys under the cached token", "refresh it, `tokentop token cognito-dev --force-refresh`")
	})
	t.Run("the token is not from this issuer", func(t *testing.T) {
		sb, ps := doctorSandbox(t)
		p := ps["cognito-dev"]
		prod, err := sandbox.New(sandbox.Options{Key: verifyKeys()[2]}).Mint(sandbox.MintOptions{Issuer: "https://prod.example", ClientID: p.ClientID})
		if err != nil {
			t.Fatal(err)
		}
		d := Run(t.Context(), &providers.Client{}, p, Options{Fetch: forgedFetch(prod)})
		for _, step := range []string{"JWT signature", "JWT iss"} {
			ch := checkNamed(t, d, step)
			if ch.Status != check.Fail {
				t.Fatalf("%s: %s %q", step, ch.Status, ch.Detail)
			}
			wantHint(t, ch, "the token is not from this issuer: it names https://prod.example", "use the provider that issued it")
		}
		// The kid is the issuer's, the key does not verify: not its token.
		bad, err := sb.MintBadSignature(providers.DiscoveryBase(p), p.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		d = Run(t.Context(), &providers.Client{}, p, Options{Fetch: forgedFetch(bad)})
		sig := checkNamed(t, d, "JWT signature")
		wantStatus(t, sig, check.Fail, "bad signature")
		wantHint(t, sig, "the token is not from this issuer: key "+sb.KeyID(), "though the kid matches")
	})
}

// TestDoctorAudience: a refusal that points at the audience says whether
// one was sent and, when the API names itself (RFC 9728), the value to
// set; metadata whose resource is not the identifier its URL was derived
// from (RFC 9728 §3.3) is ignored and said so.
func TestDoctorAudience(t *testing.T) {
	sb, ps, base := doctorSandboxWith(t, func(mux *http.ServeMux) {
		// An API that checks aud, and says so; its metadata names itself.
		mux.HandleFunc("GET /aud-api", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The audience is invalid", resource_metadata="http://`+r.Host+`/.well-known/oauth-protected-resource/aud-api"`)
			w.WriteHeader(http.StatusUnauthorized)
		})
		mux.HandleFunc("GET /.well-known/oauth-protected-resource/aud-api", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"resource":"http://` + r.Host + `/aud-api","authorization_servers":["http://` + r.Host + `"]}`))
		})
	})
	api := base + "/api" // the sandbox API's identifier: its metadata is at …/oauth-protected-resource/api
	c := &providers.Client{}
	for _, tt := range []struct {
		name     string
		audience string
		resource string // the API's RFC 9728 resource ("" publishes none)
		hint     []string
	}{
		{"none sent, the API names itself", "", api, []string{"no audience or resource was sent", "the API names itself " + api, "set `audience: " + api + "`"}},
		{"a wrong one sent", "https://api.wrong.test", api, []string{`audience "https://api.wrong.test" was sent and refused`, "set `audience: " + api + "`"}},
		{"none sent, the API silent", "", "", []string{"no audience or resource was sent", "set `audience:` to the API's identifier", "tokentop doctor auth0-prod"}},
		// RFC 9728 §3.3: a document naming another resource than the one
		// its URL was derived from is not used.
		{"none sent, the metadata not the API's", "", "https://api.sandbox.test", []string{"no audience or resource was sent", "set `audience:` to the API's identifier",
			"the RFC 9728 metadata at " + base + "/.well-known/oauth-protected-resource/api was ignored: its resource https://api.sandbox.test is not " + api}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sb.SetFaults(sandbox.Faults{Resource: tt.resource})
			p := ps["auth0-prod"]
			// Without the auth0 preset, which would not let an empty
			// audience past the settings step.
			p.Preset, p.Audience = "", tt.audience
			d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p)})
			tok := checkNamed(t, d, StepToken)
			wantStatus(t, tok, check.Fail, "access_denied")
			wantHint(t, tok, tt.hint...)
			if strings.Contains(tok.Hint, "`audience: https://api.sandbox.test`") {
				t.Fatalf("the value of ignored metadata is offered: %q", tok.Hint)
			}
			// token, the dashboard and the doctor share the hint: it is
			// the fetch's own.
			_, err := c.Fetch(t.Context(), p, providers.FetchOptions{})
			if got := safetext.Line(providers.HintFor(err)); got != tok.Hint {
				t.Fatalf("token's hint %q, the doctor's %q", got, tok.Hint)
			}
		})
	}

	// The API refuses the token's aud: its RFC 9728 metadata says which,
	// and `tokentop call` (Client.Call, then ExplainCall) says the same.
	sb.SetFaults(sandbox.Faults{})
	p := ps["cognito-dev"]
	d := Run(t.Context(), c, p, Options{Fetch: directFetch(c, p), Endpoint: base + "/aud-api"})
	call := checkNamed(t, d, StepTestCall)
	wantStatus(t, call, check.Fail, "does not accept the token's audience")
	wantHint(t, call, "the token has aud "+base+"/api", "no audience or resource was asked for", "the API names itself "+base+"/aud-api", "set `audience: "+base+"/aud-api`")
	res, err := c.Fetch(t.Context(), p, providers.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Call(t.Context(), p, res.Token, providers.CallRequest{Method: http.MethodGet, URL: base + "/aud-api"})
	if err != nil {
		t.Fatal(err)
	}
	why := providers.ExplainCall(out, providers.CallContext{Provider: p, Token: res.Token})
	if got := safetext.Line(why.Hint); got != call.Hint {
		t.Fatalf("call's hint %q, the doctor's %q", got, call.Hint)
	}
}

// verifyKeys are the RSA keys the sandboxes of these tests sign with
// (the providers package's verification tests use the same three).
func verifyKeys() [3]*rsa.PrivateKey {
	return [3]*rsa.PrivateKey{testsupport.RSAKey(0), testsupport.RSAKey(1), testsupport.RSAKey(2)}
}

// assertTerminalSafe fails when s holds a control character, a bidi
// override or invalid UTF-8.
func assertTerminalSafe(t *testing.T, what, s string) {
	t.Helper()
	for i, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || !utf8.ValidString(s) {
			t.Errorf("%s holds %U at %d: %q", what, r, i, s)
			return
		}
	}
}
