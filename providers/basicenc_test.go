package providers

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

func TestBasicAuthWith(t *testing.T) {
	dec := func(h string) string {
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := dec(BasicAuthWith(BasicForm, "a b", "x+y/z=")); got != "a+b:x%2By%2Fz%3D" {
		t.Errorf("form: %q", got)
	}
	if got := dec(BasicAuthWith(BasicRaw, "a b", "x+y/z=")); got != "a b:x+y/z=" {
		t.Errorf("raw: %q", got)
	}
	if BasicAuth("id", "s+") != BasicAuthWith(BasicForm, "id", "s+") || BasicAuthWith("", "id", "s+") != BasicAuth("id", "s+") {
		t.Error("the default is not form")
	}
	if FormEncodingChanges("client-1", "abc.DEF_~-9") || !FormEncodingChanges("client", "a+b") || !FormEncodingChanges("a:b", "x") {
		t.Error("FormEncodingChanges")
	}
}

func TestLoadConfigBasicEncoding(t *testing.T) {
	const doc = `providers:
  - name: a
    token_url: https://auth.example.com/oauth2/token
    client_id: c
    client_secret: s
    auth_style: basic
    basic_encoding: %s
`
	ps, err := LoadConfig(strings.NewReader(fmt.Sprintf(doc, "raw")), nil)
	if err != nil || ps[0].BasicEncoding != BasicRaw {
		t.Fatalf("raw: %v %+v", err, ps)
	}
	_, err = LoadConfig(strings.NewReader(fmt.Sprintf(doc, "hex")), nil)
	if err == nil || !strings.Contains(err.Error(), "basic_encoding \"hex\" is not one of form") {
		t.Fatalf("hex: %v", err)
	}
}
