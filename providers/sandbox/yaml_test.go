package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// yamlProvider mirrors the keys of tokentop's providers file.
type yamlProvider struct {
	Name           string   `yaml:"name"`
	Env            string   `yaml:"env"`
	Preset         string   `yaml:"preset"`
	TokenURL       string   `yaml:"token_url"`
	Issuer         string   `yaml:"issuer"`
	ClientID       string   `yaml:"client_id"`
	ClientSecret   string   `yaml:"client_secret"`
	AuthStyle      string   `yaml:"auth_style"`
	BasicEncoding  string   `yaml:"basic_encoding"`
	Scopes         []string `yaml:"scopes"`
	ScopeSeparator string   `yaml:"scope_separator"`
	Audience       string   `yaml:"audience"`
	Grant          string   `yaml:"grant"`
	AuthorizeURL   string   `yaml:"authorize_url"`
	JWKSURI        string   `yaml:"jwks_uri"`
	Quota          *struct {
		Limit int    `yaml:"limit"`
		Per   string `yaml:"per"`
	} `yaml:"quota"`
	Response *struct {
		AccessToken string `yaml:"access_token"`
		ExpiresAt   string `yaml:"expires_at"`
	} `yaml:"response"`
	Endpoints []struct {
		Name   string `yaml:"name"`
		Method string `yaml:"method"`
		URL    string `yaml:"url"`
	} `yaml:"endpoints"`
}

func parseProviders(t *testing.T, doc string) []yamlProvider {
	t.Helper()
	var f struct {
		Providers []yamlProvider `yaml:"providers"`
	}
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("providers YAML does not parse: %v\n%s", err, doc)
	}
	return f.Providers
}

func TestProvidersYAMLShape(t *testing.T) {
	e := newEnv(t)
	e.s.AddClient(oddClient)
	e.s.AddClient(Client{Name: "yes", ClientID: "1_000", ClientSecret: "on", Style: StyleCognito})
	base := "http://127.0.0.1:4321"
	doc := e.s.ProvidersYAML(base + "/")

	if !strings.HasPrefix(doc, "#") || !strings.Contains(strings.SplitN(doc, "\n", 2)[0], "sandbox") {
		t.Errorf("first line %q is not a sandbox comment", strings.SplitN(doc, "\n", 2)[0])
	}
	for _, quoted := range []string{`client_id: "1_000"`, `client_secret: "on"`, `name: "yes"`} {
		if !strings.Contains(doc, quoted) {
			t.Errorf("YAML 1.1-ambiguous value not quoted: want %s", quoted)
		}
	}

	// Key order is part of the contract.
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatal(err)
	}
	var keys []string
	first := root.Content[0].Content[1].Content[0]
	for i := 0; i < len(first.Content); i += 2 {
		keys = append(keys, first.Content[i].Value)
	}
	if want := []string{"name", "env", "preset", "token_url", "issuer", "client_id", "client_secret", "auth_style", "scopes", "endpoints"}; !slices.Equal(keys, want) {
		t.Errorf("cognito-dev keys %v, want %v", keys, want)
	}

	ps := parseProviders(t, doc)
	byName := map[string]yamlProvider{}
	for _, p := range ps {
		byName[p.Name] = p
	}
	clients := e.s.Clients()
	if len(ps) != len(clients) {
		t.Fatalf("%d entries for %d clients", len(ps), len(clients))
	}
	for _, c := range clients {
		p := byName[c.Name]
		// Each style has its own issuer, so discovery finds its token
		// endpoint; Cognito's is the root one.
		if p.Env != "sandbox" || p.Issuer != base+styleIssuerPath(c.Style) || p.ClientID != c.ClientID {
			t.Errorf("%s: env %q issuer %q client_id %q", c.Name, p.Env, p.Issuer, p.ClientID)
		}
		if (p.ClientSecret == c.ClientSecret) == c.Broken || (c.Style != StyleUser && p.Grant != c.Grant) {
			t.Errorf("%s: secret %q (broken %v)", c.Name, p.ClientSecret, c.Broken)
		}
		if len(p.Endpoints) == 0 || p.Endpoints[0].URL != base+"/api/v1/items" || p.Endpoints[0].Method != "GET" {
			t.Errorf("%s: endpoints %+v", c.Name, p.Endpoints)
		}
	}

	want := map[string]struct{ preset, path, auth, scopes string }{
		"cognito-dev": {"cognito", "/oauth2/token", "basic", "api/write"},
		"a55":         {"cognito", "/oauth2/token", "post", ""},
		"basic-only":  {"generic", "/oauth/v2/token", "basic", ""},
		"auth0-prod":  {"auth0", "/oauth/token", "post", "read:items write:items"},
		"ants":        {"ants", "/ants/oauth/token", "post", "item event"},
		"short-lived": {"cognito", "/oauth2/token", "basic", "api/read"},
		"broken":      {"cognito", "/oauth2/token", "basic", "api/read"},
		"odd":         {"cognito", "/oauth2/token", "basic", "api/read"},
	}
	for name, w := range want {
		p := byName[name]
		if p.Preset != w.preset || p.TokenURL != base+w.path || p.AuthStyle != w.auth || strings.Join(p.Scopes, " ") != w.scopes {
			t.Errorf("%s: preset %q token_url %q auth_style %q scopes %v; want %+v", name, p.Preset, p.TokenURL, p.AuthStyle, p.Scopes, w)
		}
	}
	if p := byName["odd"]; p.ClientID != oddClient.ClientID || p.ClientSecret != oddClient.ClientSecret {
		t.Errorf("odd credentials did not round-trip: %q %q", p.ClientID, p.ClientSecret)
	}
	a := byName["auth0-prod"]
	if a.Audience != "https://api.sandbox.test" || a.Quota == nil || a.Quota.Limit != 1000 || a.Quota.Per != "month" {
		t.Errorf("auth0-prod audience %q quota %+v", a.Audience, a.Quota)
	}
	ants := byName["ants"]
	if ants.ScopeSeparator != "," || ants.Response == nil || ants.Response.AccessToken != "accessToken" || ants.Response.ExpiresAt != "accessTokenExpiresAt" {
		t.Errorf("ants separator %q response %+v", ants.ScopeSeparator, ants.Response)
	}
}

// TestProvidersYAMLWorks acts on each entry as tokentop would and checks
// that every client but the broken one gets a token that the API accepts.
func TestProvidersYAMLWorks(t *testing.T) {
	e := newEnv(t)
	e.s.AddClient(oddClient)
	e.s.AddClient(RawBasicClient())
	for _, p := range parseProviders(t, e.s.ProvidersYAML(e.ts.URL)) {
		if p.Grant != "" {
			continue // a user's login: user_test.go and TestDeviceLoginFromProvidersYAML log in with it
		}
		t.Run(p.Name, func(t *testing.T) {
			sep := p.ScopeSeparator
			if sep == "" {
				sep = " "
			}
			f := url.Values{"grant_type": {"client_credentials"}}
			if len(p.Scopes) > 0 {
				f.Set("scope", strings.Join(p.Scopes, sep))
			}
			if p.Audience != "" {
				f.Set("audience", p.Audience)
			}
			var auth string
			switch p.AuthStyle {
			case "basic" /* form-encoded, RFC 6749 §2.3.1 */ :
				auth = basicHeader(url.QueryEscape(p.ClientID), url.QueryEscape(p.ClientSecret))
				if p.BasicEncoding == "raw" {
					auth = basicHeader(p.ClientID, p.ClientSecret)
				}
			case "post":
				f.Set("client_id", p.ClientID)
				f.Set("client_secret", p.ClientSecret)
			default:
				t.Fatalf("auth_style %q", p.AuthStyle)
			}
			req, err := http.NewRequest(http.MethodPost, p.TokenURL, strings.NewReader(f.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r := do(t, req)
			if p.Name == "broken" {
				r.wantJSON(t, http.StatusBadRequest, `{"error":"invalid_client"}`)
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("token: %d %s", r.status, r.body)
			}
			field := "access_token"
			if p.Response != nil {
				field = p.Response.AccessToken
			}
			tok, _ := r.object(t)[field].(string)
			ep := p.Endpoints[0]
			api, _ := http.NewRequest(ep.Method, ep.URL, nil)
			api.Header.Set("Authorization", "Bearer "+tok)
			if r := do(t, api); r.status != http.StatusOK {
				t.Errorf("%s: %d %s", ep.Name, r.status, r.body)
			}
		})
	}
}
