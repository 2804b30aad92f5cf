package providers

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// fuzzEnv is the fixed environment of the fuzz tests: the variables of
// testdata/seeds.yaml and a few more.
func fuzzEnv(k string) (string, bool) {
	switch k {
	case "COGNITO_SECRET":
		return "s3cr$$t${X}", true
	case "LIMIT":
		return "1000", true
	case "EMPTY":
		return "", true
	}
	v, ok := seedsEnv()[k]
	return v, ok
}

// FuzzLoadConfig checks that LoadConfig never panics and that whatever it
// accepts survives MarshalConfig and LoadConfig unchanged, with and
// without secrets.
func FuzzLoadConfig(f *testing.F) {
	f.Add(contractYAML)
	f.Add(minimal)
	f.Add(minimal + "    scopes: [a, b]\n    scope_separator: \",\"\n    quota:\n      limit: ${LIMIT}\n      per: day\n")
	f.Add("providers:\n  - &p {name: a, client_id: b, token_url: 'https://x/t', notes: '$${A} $$ $'}\n  - <<: *p\n    name: b\n")
	f.Add("providers:\n  - name: e\n    preset: entra\n    client_id: c\n    issuer: https://login.microsoftonline.com/t/v2.0\n    resource: https://graph.microsoft.com\n")
	f.Add("providers:\n  - {name: x, client_id: \"\\x01\\xff\", token_url: 'http://[::1]/t', timeout: 90, client_secret: ${EMPTY}}\n")
	// The key styles read their files: these exist for the run.
	pki := newTestPKI(f)
	certFile, keyFile := pki.clientFiles(f, "fuzz")
	jwtKey := writeKey(f, newEd25519Key(f))
	f.Add("providers:\n  - name: j\n    token_url: https://a.example/t\n    client_id: c\n    auth_style: private_key_jwt\n" +
		"    private_key_file: " + strconv.Quote(jwtKey) + "\n    private_key_kid: k1\n    assertion_alg: EdDSA\n    assertion_audience: https://a.example/\n")
	f.Add("providers:\n  - {name: m, token_url: 'https://a.example/t', client_id: c, auth_style: tls_client_auth, ca_file: " + strconv.Quote(pki.caFile) +
		", tls_cert_file: " + strconv.Quote(certFile) + ", tls_key_file: " + strconv.Quote(keyFile) + "}\n")
	f.Fuzz(func(t *testing.T, in string) {
		ps, err := LoadConfig(strings.NewReader(in), fuzzEnv)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		out, err := MarshalConfig(ps, true)
		if err != nil {
			t.Fatalf("MarshalConfig of a loaded config: %v", err)
		}
		back, err := LoadConfig(bytes.NewReader(out), fuzzEnv)
		if err != nil {
			t.Fatalf("reload: %v\n--- written:\n%s", err, out)
		}
		if !reflect.DeepEqual(back, ps) {
			t.Fatalf("round trip changed the providers\n got %#v\nwant %#v\n--- written:\n%s", back, ps, out)
		}

		out, err = MarshalConfig(ps, false)
		if err != nil {
			t.Fatalf("MarshalConfig without secrets: %v", err)
		}
		back, err = LoadConfig(bytes.NewReader(out), fuzzEnv)
		if err != nil {
			t.Fatalf("reload without secrets: %v\n--- written:\n%s", err, out)
		}
		for i := range ps {
			ps[i].ClientSecret = ""
		}
		if !reflect.DeepEqual(back, ps) {
			t.Fatalf("round trip without secrets\n got %#v\nwant %#v\n--- written:\n%s", back, ps, out)
		}
	})
}

// FuzzMarshalConfig builds a valid provider from arbitrary field values
// (which random YAML rarely reaches) and checks that MarshalConfig writes
// a file LoadConfig reads back to the same provider.
func FuzzMarshalConfig(f *testing.F) {
	f.Add("my-client", "s3cr${X}t $$", "api/write", "tenant", "acme", "application/json", "notes\nmore", int64(15e9))
	f.Add("123", "null", "true", "~", "", "- x", "# not a comment", int64(-1))
	f.Add("a: b", "'\"\\\x00\xff", "[x]", "{y}", "${Y}", "\t", "\u2028\u0085", int64(1<<62))
	f.Fuzz(func(t *testing.T, clientID, secret, scope, paramKey, paramValue, header, notes string, timeout int64) {
		p := Provider{
			Name: "fuzz", ClientID: clientID, ClientSecret: secret, TokenURL: "https://auth.example.com/token",
			Scopes: []string{scope}, Params: map[string]string{paramKey: paramValue}, Notes: notes,
			Timeout: Duration(timeout), Response: &ResponseMapping{ExpiresAt: paramValue},
			Endpoints: []Endpoint{{Name: "e", URL: "https://api.example.com/", Headers: map[string]string{"X-H": header}, Body: notes}},
		}
		normalize(&p)
		if p.Validate() != nil {
			return
		}
		out, err := MarshalConfig([]Provider{p}, true)
		if err != nil {
			t.Fatalf("MarshalConfig: %v", err)
		}
		back, err := LoadConfig(bytes.NewReader(out), fuzzEnv)
		if err != nil {
			t.Fatalf("reload: %v\n--- written:\n%s", err, out)
		}
		if !reflect.DeepEqual(back, []Provider{p}) {
			t.Fatalf("round trip changed the provider\n got %#v\nwant %#v\n--- written:\n%s", back[0], p, out)
		}
	})
}

// TestConfigFuzzCorpusLoads keeps the committed corpus useful: every entry
// but the error_ ones must load, so fuzzing starts from valid configs.
func TestConfigFuzzCorpusLoads(t *testing.T) {
	files, err := filepath.Glob("testdata/fuzz/FuzzLoadConfig/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		header, lit, _ := strings.Cut(string(b), "\n")
		lit = strings.TrimSpace(lit)
		if header != "go test fuzz v1" || !strings.HasPrefix(lit, "string(") || !strings.HasSuffix(lit, ")") {
			t.Fatalf("%s: not a go test fuzz v1 string entry", f)
		}
		in, err := strconv.Unquote(lit[len("string(") : len(lit)-1])
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		_, err = LoadConfig(strings.NewReader(in), fuzzEnv)
		if wantErr := strings.HasPrefix(filepath.Base(f), "error_"); (err != nil) != wantErr {
			t.Errorf("%s: LoadConfig error %v, want an error: %v", f, err, wantErr)
		}
	}
}
