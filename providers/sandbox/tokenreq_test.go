package sandbox

import (
	"encoding/base64"
	"errors"
	"testing"
)

func TestParseBasic(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		header, id, secret string
		ok                 bool
	}{
		{"Basic " + b64("id:secret"), "id", "secret", true},
		{"basic " + b64("id:secret"), "id", "secret", true},
		{"Basic " + b64("a%3Ab:c%3Ad%25e"), "a:b", "c:d%e", true},
		{"Basic " + b64("my+id:s+e%2Bc%26r%20et"), "my id", "s e+c&r et", true},
		{"Basic " + b64("id:sec:ret"), "id", "sec:ret", true},
		{"Basic " + b64("id:"), "id", "", true},
		{"Basic " + b64("idsecret"), "", "", false},
		{"Basic " + b64("id:100%"), "", "", false},
		{"Basic !!!", "", "", false},
		{"Bearer " + b64("id:secret"), "", "", false},
		{"Basic", "", "", false},
	}
	for _, tc := range tests {
		id, secret, err := parseBasic(tc.header)
		if (err == nil) != tc.ok || id != tc.id || secret != tc.secret {
			t.Errorf("parseBasic(%q) = %q, %q, %v; want %q, %q, ok %v", tc.header, id, secret, err, tc.id, tc.secret, tc.ok)
		}
		if err != nil && !errors.Is(err, errBasic) {
			t.Errorf("parseBasic(%q): error %v does not wrap errBasic", tc.header, err)
		}
	}
}
