package discovery

import (
	"strings"
	"testing"
)

func TestWellKnownURLs(t *testing.T) {
	tests := []struct {
		issuer string
		want   []string
	}{
		{"https://as.example", []string{
			"https://as.example/.well-known/oauth-authorization-server",
			"https://as.example/.well-known/openid-configuration"}},
		{"https://as.example/", []string{
			"https://as.example/.well-known/oauth-authorization-server",
			"https://as.example/.well-known/openid-configuration"}},
		{"https://as.example/tenant/v2.0/", []string{
			"https://as.example/.well-known/oauth-authorization-server/tenant/v2.0",
			"https://as.example/tenant/v2.0/.well-known/openid-configuration",
			"https://as.example/tenant/v2.0/.well-known/oauth-authorization-server"}},
		{"not a url", nil},
		{"ftp://as.example", nil},
	}
	for _, tt := range tests {
		got := WellKnownURLs(tt.issuer)
		var urls []string
		for _, w := range got {
			urls = append(urls, w.URL)
		}
		if strings.Join(urls, " ") != strings.Join(tt.want, " ") {
			t.Errorf("WellKnownURLs(%q) = %v, want %v", tt.issuer, urls, tt.want)
		}
	}
}

// TestCheckIssuer: RFC 8414 §3.3, with a trailing slash let through as a
// warning and a guessed issuer said to be one.
func TestCheckIssuer(t *testing.T) {
	wk := WellKnown{Doc: DocOIDC, URL: "https://as.example/.well-known/openid-configuration"}
	r := &Result{Issuer: "https://as.example"}
	if err := r.CheckIssuer(&Metadata{Issuer: "https://as.example"}, wk); err != nil || len(r.Warnings) != 0 {
		t.Fatalf("the same issuer: %v %v", err, r.Warnings)
	}
	if err := r.CheckIssuer(&Metadata{Issuer: "https://as.example/"}, wk); err != nil || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "trailing slash") {
		t.Fatalf("a trailing slash: %v %v", err, r.Warnings)
	}
	err := r.CheckIssuer(&Metadata{Issuer: "https://other.example"}, wk)
	mm, ok := err.(*IssuerMismatchError)
	if !ok || mm.Got != "https://other.example" || mm.Want != "https://as.example" || mm.Guessed || !strings.Contains(mm.Hint(), "check `issuer`") {
		t.Fatalf("another issuer: %v", err)
	}
	guessed := &Result{Issuer: "https://as.example", IssuerGuessed: true}
	if mm, ok := guessed.CheckIssuer(&Metadata{}, wk).(*IssuerMismatchError); !ok || !strings.Contains(mm.Error(), "names no issuer") || !strings.Contains(mm.Hint(), "metadata is incomplete") {
		t.Fatalf("no issuer: %v", mm)
	}
	if mm, ok := guessed.CheckIssuer(&Metadata{Issuer: "https://real.example"}, wk).(*IssuerMismatchError); !ok || !strings.Contains(mm.Hint(), "set `issuer: https://real.example`") {
		t.Fatalf("a guessed issuer: %v", mm)
	}
}

// TestDecode: every string of a document is made safe for a terminal.
func TestDecode(t *testing.T) {
	md, err := Decode([]byte(`{"issuer":"https://as.example\u001b[2J","scopes_supported":["a\u009bb"],"mtls_endpoint_aliases":{"token_endpoint\u0007":"https://mtls\u202e.example"}}`))
	if err != nil {
		t.Fatal(err)
	}
	all := md.Issuer + strings.Join(md.ScopesSupported, "")
	for k, v := range md.MTLSEndpointAliases {
		all += k + v
	}
	if strings.ContainsAny(all, "\x1b\u009b\a\u202e") {
		t.Fatalf("unsafe text kept: %q", all)
	}
	if _, err := Decode([]byte(`not json`)); err == nil {
		t.Fatal("not JSON decoded")
	}
}
