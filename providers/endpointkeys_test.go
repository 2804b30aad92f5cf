package providers

import (
	"strings"
	"testing"
)

func TestEndpointKeysRoundTrip(t *testing.T) {
	in := "providers:\n  - name: k\n    token_url: https://as.example/token\n" +
		"    jwks_uri: https://as.example/jwks\n    introspection_url: https://as.example/introspect\n    revocation_url: https://as.example/revoke\n" +
		"    client_id: c\n"
	ps, err := LoadConfig(strings.NewReader(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	if p.JWKSURI != "https://as.example/jwks" || p.IntrospectURL != "https://as.example/introspect" || p.RevokeURL != "https://as.example/revoke" {
		t.Fatalf("loaded %+v", p)
	}
	out, err := MarshalConfig(ps, false)
	if err != nil || string(out) != in {
		t.Errorf("round trip:\n%s\nwant\n%s (%v)", out, in, err)
	}
	_, settings, _ := effective(p)
	var keys []string
	for _, s := range settings {
		keys = append(keys, s.Key)
	}
	if got := strings.Join(keys, " "); !strings.Contains(got, "jwks_uri introspection_url revocation_url") {
		t.Errorf("settings %s", got)
	}
	if _, err := LoadConfig(strings.NewReader(strings.Replace(in, "jwks_uri", "jwks_url", 1)), nil); err == nil || !strings.Contains(err.Error(), `did you mean "jwks_uri"`) {
		t.Errorf("misspelt key: %v", err)
	}
}
