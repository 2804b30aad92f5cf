package providers

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/confyaml"
	"gopkg.in/yaml.v3"
)

// contractYAML is the example every change must keep loading.
const contractYAML = `providers:
  - name: cognito-dev
    env: sandbox
    preset: cognito                      # optional
    token_url: https://auth.example.com/oauth2/token
    issuer: https://auth.example.com     # optional
    client_id: my-client
    client_secret: ${COGNITO_SECRET}     # or: client_secret_ref: env:VAR | file:PATH | cmd:COMMAND
    auth_style: basic                    # basic | post | auto (default auto)
    scopes: [api/write]
    scope_separator: " "                 # "," for providers that want comma lists
    audience: https://api.example.com    # sent as ` + "`audience`" + `
    resource: https://api.example.com    # sent as ` + "`resource`" + ` (RFC 8707)
    params: {tenant: acme}               # extra form fields
    response: {access_token: accessToken, expires_at: accessTokenExpiresAt}  # optional mapping
    quota: {limit: 1000, per: month}
    timeout: 15s
    endpoints:
      - {name: items, method: GET, url: https://api.example.com/v1/items, headers: {Accept: application/json}}
`

// testEnv is a fixed environment for LoadConfig.
func testEnv(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// seedsEnv is the environment testdata/seeds.yaml expects.
func seedsEnv() map[string]string {
	return map[string]string{
		"AUTH_PROVIDER_DEV_SECRET": "s0", "OAUTH_V2_HOST": "https://api.vendor.example",
		"OAUTH_V2_SECRET": "s1", "A55_SECRET": "s2", "WAVE_AUTH_URL": "https://wave.us.auth0.com",
		"WAVE_SECRET": "s3", "ANTS_SECRET": "s4",
	}
}

func contractProvider(secret string) Provider {
	return Provider{
		Name:           "cognito-dev",
		Env:            "sandbox",
		Preset:         "cognito",
		TokenURL:       "https://auth.example.com/oauth2/token",
		Issuer:         "https://auth.example.com",
		ClientID:       "my-client",
		ClientSecret:   secret,
		AuthStyle:      AuthBasic,
		Scopes:         []string{"api/write"},
		ScopeSeparator: " ",
		Audience:       "https://api.example.com",
		Resource:       "https://api.example.com",
		Params:         map[string]string{"tenant": "acme"},
		Response:       &ResponseMapping{AccessToken: "accessToken", ExpiresAt: "accessTokenExpiresAt"},
		Quota:          &Quota{Limit: 1000, Per: PerMonth},
		Timeout:        Duration(15 * time.Second),
		Endpoints: []Endpoint{{
			Name: "items", Method: "GET", URL: "https://api.example.com/v1/items",
			Headers: map[string]string{"Accept": "application/json"},
		}},
	}
}

func TestLoadConfigContractExample(t *testing.T) {
	ps, err := LoadConfig(strings.NewReader(contractYAML), testEnv(map[string]string{"COGNITO_SECRET": "pa$$w0rd"}))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	want := []Provider{contractProvider("pa$$w0rd")}
	if !reflect.DeepEqual(ps, want) {
		t.Fatalf("LoadConfig:\n got %+v\nwant %+v", ps, want)
	}
}

func TestLoadConfigNilLookupUsesEnvironment(t *testing.T) {
	t.Setenv("TOKENTOP_TEST_SECRET", "from-os")
	ps, err := LoadConfig(strings.NewReader(strings.ReplaceAll(contractYAML, "COGNITO_SECRET", "TOKENTOP_TEST_SECRET")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].ClientSecret != "from-os" {
		t.Fatalf("secret = %q, want from-os", ps[0].ClientSecret)
	}
}

// minimal is a valid provider body; tests append a line or two to it.
const minimal = "providers:\n  - name: p\n    client_id: c\n    token_url: https://auth.example.com/token\n"

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // the lines of the error, exactly
	}{
		{"empty file", "", []string{"the config is empty; it needs a providers: list"}},
		{"only comments", "# nothing\n\n", []string{"the config is empty; it needs a providers: list"}},
		{"no providers key", "other: 1\n", []string{`line 1: unknown key "other" at the top level (known keys: providers)`}},
		{"providers misspelt", "provider:\n  - name: p\n", []string{`line 1: unknown key "provider" at the top level (did you mean "providers"?)`}},
		{"missing providers list", "{}\n", []string{`the config has no providers: list; start the file with "providers:" and one "- name: ..." entry per provider`}},
		{"providers null", "providers:\n", []string{"line 1: providers: is empty; add at least one provider"}},
		{"providers empty", "providers: []\n", []string{"line 1: providers: is empty; add at least one provider"}},
		{"top-level list", "- name: p\n", []string{`line 1: the config starts with a list; put "providers:" on the line before it`}},
		{"top-level scalar", "hello\n", []string{`line 1: the config must be a mapping that starts with "providers:"`}},
		{"syntax", "providers: [\n", []string{"the config is not valid YAML: line 1: did not find expected node content"}},
		{"second document", minimal + "---\nproviders: []\n", []string{"line 6: the file holds a second YAML document (after ---); put every provider under one providers: list"}},
		{"unknown key with suggestion", minimal + "    scope: [a]\n", []string{`line 5: unknown key "scope" in provider (did you mean "scopes"?)`}},
		{"camelCase key", minimal + "    clientSecret: x\n", []string{`line 5: unknown key "clientSecret" in provider (did you mean "client_secret"?)`}},
		{"key with no suggestion", minimal + "    colour: blue\n", []string{`line 5: unknown key "colour" in provider`}},
		{"unknown key in quota", minimal + "    quota: {limt: 5, per: day}\n", []string{`line 5: unknown key "limt" in quota (did you mean "limit"?)`}},
		{"unknown key in endpoint", minimal + "    endpoints:\n      - name: a\n        url: https://x/\n        header: {A: b}\n", []string{`line 8: unknown key "header" in endpoint (did you mean "headers"?)`}},
		{"unknown key in response", minimal + "    response: {token: t}\n", []string{`line 5: unknown key "token" in response (did you mean "token_type"?)`}},
		{"duplicate key", minimal + "    client_id: d\n", []string{`line 5: "client_id" is set twice in provider (first at line 3)`}},
		{"duplicate param", minimal + "    params:\n      a: 1\n      a: 2\n", []string{`line 7: "a" is set twice in params (first at line 6)`}},
		{"scopes as a string", minimal + "    scopes: api/write\n", []string{`line 5: scopes must be a list (- item, or [a, b]), not a single value`}},
		{"quota as a string", minimal + "    quota: 1000/month\n", []string{`line 5: quota must be a mapping (key: value), not a single value`}},
		{"name as a list", "providers:\n  - name: [a]\n", []string{`line 2: name must be a single value, not a list`}},
		{"bad duration", minimal + "    timeout: soon\n", []string{`line 5: timeout: duration "soon": want a value such as 15s or 1m30s`}},
		{"huge duration", minimal + "    timeout: 10000000000\n", []string{`line 5: timeout: duration "10000000000": too long`}},
		{"secret suggests client_secret", minimal + "    secret: x\n", []string{`line 5: unknown key "secret" in provider (did you mean "client_secret"?)`}},
		{"negative duration", minimal + "    default_lifetime: -5s\n", []string{`line 5: default_lifetime: duration "-5s": must not be negative`}},
		{"limit not a number", minimal + "    quota: {limit: lots, per: day}\n", []string{`line 5: limit must be a whole number, not "lots"`}},
		{"limit a fraction", minimal + "    quota: {limit: 1.5, per: day}\n", []string{`line 5: limit must be a whole number, not "1.5"`}},
		{"insecure_http not a bool", minimal + "    insecure_http: maybe\n", []string{`line 5: insecure_http must be true or false, not "maybe"`}},
		{"null provider entry", "providers:\n  -\n", []string{"line 2: an entry of providers is empty"}},
		{"unset variable", minimal + "    client_secret: ${NOPE}\n    notes: ${NOPE} and ${ALSO_NOPE}\n", []string{
			"line 5: ${NOPE} is not set", "line 6: ${NOPE} is not set", "line 6: ${ALSO_NOPE} is not set"}},
		{"unset variable in a list", minimal + "    scopes:\n      - ok\n      - ${SCOPE}\n", []string{"line 7: ${SCOPE} is not set"}},
		{"empty scope_separator", minimal + "    scope_separator: \"\"\n", []string{`line 5: provider "p": scope_separator is empty; leave it out for the default (a space)`}},
		{"duplicate names", minimal + "  - name: p\n    client_id: c2\n    token_url: https://auth.example.com/token\n", []string{
			`line 5: provider "p" is defined twice (first at line 2)`}},
		{"anchored mistake reported once", "providers:\n  - &p {name: a, client_id: c, token_url: 'https://x/t', scop: x}\n  - *p\n", []string{
			`line 2: unknown key "scop" in provider (did you mean "scopes"?)`}},
		{"alias used twice", "providers:\n  - &p {name: a, client_id: c, token_url: 'https://x/t'}\n  - *p\n", []string{
			`line 3: provider "a" is defined twice (first at line 2)`}},
		{"invalid provider", "providers:\n  - name: Bad Name\n    token_url: ftp://x/y\n    auth_style: Basic\n", []string{
			`line 2: provider "Bad Name": name may use only a-z, 0-9, ".", "_" and "-"`,
			`line 2: provider "Bad Name": client_id is not set`,
			`line 3: provider "Bad Name": token_url "ftp://x/y" is not an absolute http(s) URL`,
			`line 4: provider "Bad Name": auth_style "Basic" is not one of basic, post, auto, private_key_jwt, tls_client_auth`}},
		{"invalid endpoint points at its entry", minimal + "    endpoints:\n      - {name: a, url: https://x/}\n      - {name: a, url: nowhere}\n", []string{
			`line 7: provider "p": endpoint "a" is listed twice (entries 1 and 2)`,
			`line 7: provider "p": endpoint "a": url "nowhere" is not an absolute http(s) URL`}},
		{"unknown preset", minimal + "    preset: cognitoo\n", []string{
			`line 5: provider "p": unknown preset "cognitoo" (did you mean "cognito"?); known presets: cognito, auth0, entra, okta, keycloak, ants, generic`}},
		{"auth0 without audience", minimal + "    preset: auth0\n", []string{
			`line 5: provider "p": auth0 needs an audience (the API identifier, such as https://api.example.com)`}},
		{"bad quota", minimal + "    quota: {limit: 0, per: week}\n", []string{
			`line 5: provider "p": quota limit must be a whole number greater than 0`,
			`line 5: provider "p": quota per "week" is not one of hour, day, month`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(tt.yaml), testEnv(nil))
			if err == nil {
				t.Fatalf("LoadConfig succeeded, want:\n%s", strings.Join(tt.want, "\n"))
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("error:\n%s\nwant:\n%s", err, strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLoadConfigAnchorsAndMerge(t *testing.T) {
	in := `providers:
  - &base
    name: base
    preset: okta
    issuer: https://acme.okta.com/oauth2/default
    client_id: shared
    client_secret_ref: env:OKTA_SECRET
  - <<: *base
    name: other
    scopes: [read]
`
	ps, err := LoadConfig(strings.NewReader(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[1].Name != "other" || ps[1].ClientID != "shared" || ps[1].Issuer != ps[0].Issuer || ps[1].Scopes[0] != "read" {
		t.Fatalf("merge: %+v", ps)
	}
}

func TestLoadConfigWrapsCauses(t *testing.T) {
	_, err := LoadConfig(strings.NewReader("providers: ["), nil)
	var ye confyaml.SyntaxError
	if !errors.As(err, &ye) || ye.Err == nil {
		t.Fatalf("syntax error does not wrap the parser's error: %#v", err)
	}
	readErr := errors.New("disk on fire")
	_, err = LoadConfig(iotestErrReader{readErr}, nil)
	if !errors.Is(err, readErr) {
		t.Fatalf("read error not wrapped: %v", err)
	}
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

func TestConfigEnvExpansion(t *testing.T) {
	env := testEnv(map[string]string{
		"A": "alpha", "EMPTY": "", "DOLLAR": "x${A}y$$", "LIMIT": "250", "T": "90", "NULLISH": "null",
	})
	tests := []struct{ value, want string }{
		{"${A}", "alpha"},
		{"pre-${A}-post", "pre-alpha-post"},
		{"${A}${A}", "alphaalpha"},
		{"${EMPTY}", ""},
		{"${NULLISH}", "null"},
		{"${DOLLAR}", "x${A}y$$"}, // a value is not expanded again
		{"pa$$word", "pa$$word"},
		{"$A and $", "$A and $"},
		{"cost: 5$", "cost: 5$"},
		{"$${A}", "${A}"},
		{"$$${A}", "$${A}"}, // "$" then the escape "$${"
		{"${", "${"},
		{"${}", "${}"},
		{"${1A}", "${1A}"},
		{"${A B}", "${A B}"},
		{"${A", "${A"},
		{"}${A}{", "}alpha{"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			in := minimal + "    notes: '" + tt.value + "'\n    client_secret: \"" + tt.value + "\"\n"
			ps, err := LoadConfig(strings.NewReader(in), env)
			if err != nil {
				t.Fatal(err)
			}
			if ps[0].Notes != tt.want || ps[0].ClientSecret != tt.want {
				t.Fatalf("notes %q, secret %q; want %q", ps[0].Notes, ps[0].ClientSecret, tt.want)
			}
		})
	}

	t.Run("typed values and keys", func(t *testing.T) {
		in := minimal + "    quota:\n      limit: ${LIMIT}\n      per: day\n    timeout: \"${T}\"\n    params:\n      ${A}: ${A}\n"
		ps, err := LoadConfig(strings.NewReader(in), env)
		if err != nil {
			t.Fatal(err)
		}
		p := ps[0]
		if p.Quota.Limit != 250 || p.Timeout != Duration(90*time.Second) {
			t.Fatalf("quota %v, timeout %v; want 250/day, 1m30s", p.Quota, p.Timeout)
		}
		if !reflect.DeepEqual(p.Params, map[string]string{"${A}": "alpha"}) {
			t.Fatalf("params = %v; keys must not be expanded, values must", p.Params)
		}
	})
	t.Run("an explicit !!str tag keeps a number a string", func(t *testing.T) {
		_, err := LoadConfig(strings.NewReader(minimal+"    quota:\n      limit: !!str ${LIMIT}\n      per: day\n"), env)
		if err == nil || err.Error() != `line 6: limit must be a whole number, not "250"` {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestMarshalConfigRoundTrip(t *testing.T) {
	tricky := Provider{
		Name: "tricky.one_2", ClientID: "123", ClientSecret: "${NOT_A_VAR} $$ $x: #hash, [x] {y}\n'\"\\",
		TokenURL: "http://127.0.0.1:8080/token", Scopes: []string{"a b", "true", "~", "*"}, ScopeSeparator: ",",
		Params: map[string]string{"null": "null", "k": "yes", "": "empty key is still data", "nl": "\n", "lead": " x\ny"},
		Env:    "\ta\nb", CAFile: "\xff\xfe not UTF-8 ${X}",
		Notes: "line one\nline two ${X}\n", DefaultLifetime: Duration(90 * time.Minute), InsecureHTTP: true,
	}
	for _, tt := range []struct {
		name string
		ps   []Provider
	}{
		{"contract example", []Provider{contractProvider("s3cr3t${x}")}},
		{"tricky values", []Provider{tricky}},
		{"several", []Provider{contractProvider("a"), {Name: "b", ClientID: "b", ClientSecretRef: "env:B_SECRET", TokenURL: "https://b/t"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := MarshalConfig(tt.ps, true)
			if err != nil {
				t.Fatal(err)
			}
			back, err := loadUnvalidated(out)
			if err != nil {
				t.Fatalf("reload: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(back, tt.ps) {
				t.Fatalf("round trip changed the providers\n got %+v\nwant %+v\n%s", back, tt.ps, out)
			}
		})
	}
}

// loadUnvalidated reads a file the way LoadConfig does but keeps providers
// that fail Validate, so round trips of odd values can be checked.
func loadUnvalidated(b []byte) ([]Provider, error) {
	root, err := confyaml.Parse(b)
	if err != nil {
		return nil, err
	}
	if err := confyaml.ExpandEnv(root, testEnv(nil)); err != nil {
		return nil, err
	}
	var cfg Config
	if err := root.Decode(&cfg); err != nil {
		return nil, err
	}
	for i := range cfg.Providers {
		normalize(&cfg.Providers[i])
	}
	return cfg.Providers, nil
}

func TestMarshalConfigWithoutSecrets(t *testing.T) {
	ps := []Provider{
		contractProvider("hunter2-very-secret"),
		{Name: "ref", ClientID: "r", ClientSecretRef: "cmd:pass show api/ref", TokenURL: "https://r.example.com/t"},
	}
	out, err := MarshalConfig(ps, false)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, "hunter2") || strings.Contains(s, "client_secret:") {
		t.Fatalf("secret written without withSecrets:\n%s", s)
	}
	if !strings.Contains(s, "client_secret_ref: 'cmd:pass show api/ref'") && !strings.Contains(s, "client_secret_ref: cmd:pass show api/ref") {
		t.Fatalf("client_secret_ref missing:\n%s", s)
	}
	if !strings.Contains(s, "client_id: my-client # client_secret left out") {
		t.Fatalf("no note where the secret was left out:\n%s", s)
	}
	if ps[0].ClientSecret != "hunter2-very-secret" {
		t.Fatal("MarshalConfig changed its argument")
	}
	back, err := LoadConfig(strings.NewReader(s), nil)
	if err != nil {
		t.Fatalf("reload: %v\n%s", err, s)
	}
	want := contractProvider("")
	if !reflect.DeepEqual(back[0], want) || !reflect.DeepEqual(back[1], ps[1]) {
		t.Fatalf("reload:\n got %+v\nwant %+v", back, []Provider{want, ps[1]})
	}
}

func TestMarshalConfigFormat(t *testing.T) {
	out, err := MarshalConfig([]Provider{contractProvider("s")}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `providers:
  - name: cognito-dev
    env: sandbox
    preset: cognito
    token_url: https://auth.example.com/oauth2/token
    issuer: https://auth.example.com
    client_id: my-client
    client_secret: s
    auth_style: basic
    scopes: [api/write]
    scope_separator: ' '
    audience: https://api.example.com
    resource: https://api.example.com
    params: {tenant: acme}
    response: {access_token: accessToken, expires_at: accessTokenExpiresAt}
    quota: {limit: 1000, per: month}
    endpoints:
      - name: items
        method: GET
        url: https://api.example.com/v1/items
        headers: {Accept: application/json}
    timeout: 15s
`
	if string(out) != want {
		t.Fatalf("MarshalConfig:\n%s\nwant:\n%s", out, want)
	}
}

func TestValidate(t *testing.T) {
	ok := Provider{Name: "p", ClientID: "c", TokenURL: "https://auth.example.com/token"}
	with := func(f func(*Provider)) Provider {
		p := ok.clone()
		f(&p)
		return p
	}
	tests := []struct {
		name string
		p    Provider
		want []string
	}{
		{"valid", ok, nil},
		{"valid loopback http", with(func(p *Provider) { p.TokenURL = "http://localhost:9000/token" }), nil},
		{"valid insecure http", with(func(p *Provider) { p.TokenURL = "http://auth.internal/token"; p.InsecureHTTP = true }), nil},
		{"valid full", contractProvider("s"), nil},
		{"valid refs", with(func(p *Provider) { p.ClientSecretRef = " file:~/.secret " }), nil},
		{"valid endpoint overrides", with(func(p *Provider) {
			p.JWKSURI, p.IntrospectURL, p.RevokeURL = "https://as.example/jwks", "https://as.example/introspect", "http://localhost:1/revoke"
		}), nil},
		{"bad endpoint overrides", with(func(p *Provider) { p.JWKSURI, p.RevokeURL = "keys.json", "http://as.example/revoke" }), []string{
			`provider "p": jwks_uri "keys.json" is not an absolute http(s) URL`,
			`provider "p": revocation_url "http://as.example/revoke" uses plain http to a host that is not loopback; use https, or set insecure_http: true`}},
		{"no name", with(func(p *Provider) { p.Name = "" }), []string{`provider (no name): name is not set`}},
		{"bad name", with(func(p *Provider) { p.Name = "Prod API" }), []string{`provider "Prod API": name may use only a-z, 0-9, ".", "_" and "-"`}},
		{"no client id", with(func(p *Provider) { p.ClientID = " " }), []string{`provider "p": client_id is not set`}},
		{"no token url", with(func(p *Provider) { p.TokenURL = "" }), []string{`provider "p": token_url is not set`}},
		{"issuer without preset", with(func(p *Provider) { p.TokenURL = ""; p.Issuer = "https://id.example.com" }), []string{
			`provider "p": token_url is not set; add it, or a preset that derives it from issuer (cognito, auth0, entra, okta, keycloak, ants)`}},
		{"issuer with generic preset", with(func(p *Provider) { p.TokenURL = ""; p.Issuer = "https://id.example.com"; p.Preset = "generic" }), []string{
			`provider "p": token_url is not set, and the generic preset cannot derive it from issuer`}},
		{"relative token url", with(func(p *Provider) { p.TokenURL = "/oauth/token" }), []string{`provider "p": token_url "/oauth/token" is not an absolute http(s) URL`}},
		{"plain http", with(func(p *Provider) { p.TokenURL = "http://auth.example.com/token" }), []string{
			`provider "p": token_url "http://auth.example.com/token" uses plain http to a host that is not loopback; use https, or set insecure_http: true`}},
		{"derived url from a bad issuer", with(func(p *Provider) { p.TokenURL = ""; p.Issuer = "auth.example.com"; p.Preset = "okta" }), []string{
			`provider "p": the token URL "auth.example.com/v1/token" (issuer + the okta preset's path) is not an absolute http(s) URL`,
			`provider "p": issuer "auth.example.com" is not an absolute http(s) URL`}},
		{"bad auth style", with(func(p *Provider) { p.AuthStyle = "header" }), []string{`provider "p": auth_style "header" is not one of basic, post, auto, private_key_jwt, tls_client_auth`}},
		{"both secrets", with(func(p *Provider) { p.ClientSecret = "x"; p.ClientSecretRef = "env:X" }), []string{`provider "p": set client_secret or client_secret_ref, not both`}},
		{"ref without prefix is not echoed", with(func(p *Provider) { p.ClientSecretRef = "hunter2" }), []string{
			`provider "p": client_secret_ref must start with env:, file: or cmd: (a secret itself belongs in client_secret)`}},
		{"ref naming nothing", with(func(p *Provider) { p.ClientSecretRef = "env:" }), []string{`provider "p": client_secret_ref "env:" names nothing after "env:"`}},
		{"empty scope", with(func(p *Provider) { p.Scopes = []string{"a", ""} }), []string{`provider "p": scopes entry 2 is empty`}},
		{"empty param key", with(func(p *Provider) { p.Params = map[string]string{"": "x"} }), []string{`provider "p": params has an empty key`}},
		{"quota", with(func(p *Provider) { p.Quota = &Quota{Limit: -1} }), []string{
			`provider "p": quota limit must be a whole number greater than 0`, `provider "p": quota per is not set; use hour, day or month`}},
		{"endpoint over plain http to a remote host", with(func(p *Provider) {
			p.Endpoints = []Endpoint{{Name: "items", URL: "http://api.example.com/v1/items"}}
		}), []string{`provider "p": endpoint "items": url "http://api.example.com/v1/items" uses plain http to a host that is not loopback; use https, or set insecure_http: true`}},
		{"endpoint over plain http with insecure_http", with(func(p *Provider) {
			p.TokenURL, p.InsecureHTTP = "http://auth.internal/token", true
			p.Endpoints = []Endpoint{{Name: "items", URL: "http://api.internal/v1/items"}}
		}), nil},
		{"negative durations", with(func(p *Provider) { p.Timeout = -1; p.DefaultLifetime = -1 }), []string{
			`provider "p": timeout must not be negative`, `provider "p": default_lifetime must not be negative`}},
		{"default_lifetime over 10 years", with(func(p *Provider) { p.DefaultLifetime = Duration(MaxLifetime + time.Hour) }), []string{
			`provider "p": default_lifetime 87601h0m0s is more than tokentop's limit of 10 years (87600h)`}},
		{"endpoints", with(func(p *Provider) {
			p.Endpoints = []Endpoint{
				{Name: "", URL: "https://x/"},
				{Name: "a", URL: "https://x/", Method: "GET / HTTP"},
				{Name: "a"},
				{Name: "h", URL: "https://x/", Headers: map[string]string{"X-A": "ok\r\nInjected: 1", "Bad Name": "v"}},
			}
		}), []string{
			`provider "p": endpoint 1 has no name`,
			`provider "p": endpoint "a": method "GET / HTTP" is not a valid HTTP method`,
			`provider "p": endpoint "a" is listed twice (entries 2 and 3)`,
			`provider "p": endpoint "a" has no url`,
			`provider "p": endpoint "h": header name "Bad Name" is not valid`,
			`provider "p": endpoint "h": header "X-A" holds the control character U+000D at byte 3; remove it`,
		}},
		{"all problems at once", Provider{Name: "x", Preset: "nope"}, []string{
			`provider "x": unknown preset "nope"; known presets: cognito, auth0, entra, okta, keycloak, ants, generic`,
			`provider "x": client_id is not set`,
			`provider "x": token_url is not set`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate passed, want:\n%s", strings.Join(tt.want, "\n"))
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Validate:\n%s\nwant:\n%s", err, strings.Join(tt.want, "\n"))
			}
			if errs := unjoin(err); len(errs) != len(tt.want) {
				t.Fatalf("Validate joined %d errors, want %d", len(errs), len(tt.want))
			}
		})
	}
}

func TestDurationYAML(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"15s", 15 * time.Second},
		{"90", 90 * time.Second},
		{"1.5", 1500 * time.Millisecond},
		{"1m30s", 90 * time.Second},
		{`"2h"`, 2 * time.Hour},
		{"~", 0},
	} {
		var v struct {
			D Duration `yaml:"d"`
		}
		if err := yaml.Unmarshal([]byte("d: "+tt.in), &v); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if time.Duration(v.D) != tt.want {
			t.Errorf("%s decoded as %v, want %v", tt.in, time.Duration(v.D), tt.want)
		}
		out, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := "d: " + time.Duration(v.D).String() + "\n"; string(out) != want {
			t.Errorf("%s encoded as %q, want %q", tt.in, out, want)
		}
	}
	var v struct {
		D Duration `yaml:"d"`
	}
	for _, bad := range []string{"forever", "1.5.3", "10000000000", "-3s"} {
		if err := yaml.Unmarshal([]byte("d: "+bad), &v); err == nil {
			t.Errorf("%q decoded as %v", bad, time.Duration(v.D))
		}
	}
}

func TestQuotaYAML(t *testing.T) {
	for _, in := range []string{"    quota: {limit: 1000, per: month}\n", "    quota:\n      limit: 1000\n      per: month\n"} {
		ps, err := LoadConfig(strings.NewReader(minimal+in), nil)
		if err != nil {
			t.Fatal(err)
		}
		if q := ps[0].Quota; q == nil || *q != (Quota{Limit: 1000, Per: PerMonth}) || q.String() != "1000/month" {
			t.Fatalf("quota = %v", q)
		}
	}
	ps, err := LoadConfig(strings.NewReader(minimal+"    quota: ~\n"), nil)
	if err != nil || ps[0].Quota != nil {
		t.Fatalf("quota: ~ gave %v, %v; want no quota", ps, err)
	}
}

func TestConfigSeeds(t *testing.T) {
	f, err := os.Open("testdata/seeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := LoadConfig(f, testEnv(seedsEnv()))
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		name, tokenURL, scope, sep, audience string
		style                                AuthStyle
		quota                                string
		mapping                              *ResponseMapping
	}
	wants := []want{
		{"auth-provider-dev", "https://auth-provider-dev.auth.eu-west-1.amazoncognito.com/oauth2/token", "api/write", " ", "", AuthBasic, "", nil},
		{"oauth-v2-basic", "https://api.vendor.example/oauth/v2/token", "", " ", "", AuthBasic, "", nil},
		{"a55", "https://smart-capital.auth.us-east-1.amazoncognito.com/oauth2/token", "", " ", "", AuthPost, "", nil},
		{"bemobi-wave", "https://wave.us.auth0.com/oauth/token", "", " ", "https://api.wave.bemobi.com", AuthPost, "1000/month", nil},
		{"ants", "https://iam.ants.tech/oauth/token", "item,event", ",", "", AuthPost, "",
			&ResponseMapping{AccessToken: "accessToken", ExpiresAt: "accessTokenExpiresAt"}},
	}
	if len(ps) != len(wants) {
		t.Fatalf("got %d providers, want %d", len(ps), len(wants))
	}
	for i, w := range wants {
		e, _, err := effective(ps[i])
		if err != nil {
			t.Fatal(err)
		}
		q := ""
		if e.Quota != nil {
			q = e.Quota.String()
		}
		got := want{e.Name, e.TokenURL, strings.Join(e.Scopes, e.Separator()), e.Separator(), e.Audience, e.Style(), q, e.Response}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("provider %d:\n got %+v\nwant %+v", i, got, w)
		}
		if e.ClientSecret == "" {
			t.Errorf("%s: secret not expanded", e.Name)
		}
	}
}
