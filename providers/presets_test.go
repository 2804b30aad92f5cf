package providers

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestPresetsTable(t *testing.T) {
	type row struct {
		style     AuthStyle
		sep       string
		tokenPath string
		mapping   *ResponseMapping
	}
	want := map[string]row{
		"cognito":  {AuthAuto, "", "/oauth2/token", nil},
		"auth0":    {AuthPost, "", "/oauth/token", nil},
		"entra":    {AuthPost, "", "/oauth2/v2.0/token", nil},
		"okta":     {AuthBasic, "", "/v1/token", nil},
		"keycloak": {AuthBasic, "", "/protocol/openid-connect/token", nil},
		"ants":     {AuthPost, ",", "/oauth/token", &ResponseMapping{AccessToken: "accessToken", ExpiresAt: "accessTokenExpiresAt"}},
		"generic":  {AuthAuto, "", "", nil},
	}
	var names []string
	for _, p := range Presets() {
		names = append(names, p.Name)
		w, ok := want[p.Name]
		if !ok {
			t.Errorf("unexpected preset %q", p.Name)
			continue
		}
		if got := (row{p.AuthStyle, p.ScopeSeparator, p.TokenPath, p.Response}); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: got %+v, want %+v", p.Name, got, w)
		}
		if p.Description == "" {
			t.Errorf("%s has no description", p.Name)
		}
		if lp, ok := LookupPreset(p.Name); !ok || !reflect.DeepEqual(lp, p) {
			t.Errorf("LookupPreset(%q) = %+v, %v", p.Name, lp, ok)
		}
	}
	if got := strings.Join(names, ","); got != "cognito,auth0,entra,okta,keycloak,ants,generic" {
		t.Errorf("preset order %s", got)
	}
	if _, ok := LookupPreset("Cognito"); ok {
		t.Error("LookupPreset is case-insensitive; names are exact")
	}
	// Each call is a fresh copy: changing one cannot leak into the next.
	ps := Presets()
	ps[5].Response.AccessToken = "mutated"
	if p, _ := LookupPreset("ants"); p.Response.AccessToken != "accessToken" {
		t.Error("Presets shares its response mapping between calls")
	}
}

func TestPresetEffectiveTokenURL(t *testing.T) {
	tests := []struct{ preset, issuer, want string }{
		{"cognito", "https://auth.example.com", "https://auth.example.com/oauth2/token"},
		{"cognito", "https://auth.example.com/", "https://auth.example.com/oauth2/token"},
		{"auth0", "https://acme.eu.auth0.com/", "https://acme.eu.auth0.com/oauth/token"},
		{"entra", "https://login.microsoftonline.com/TENANT/v2.0", "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token"},
		{"entra", "https://login.microsoftonline.com/TENANT/v2.0/", "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token"},
		{"entra", "https://login.microsoftonline.com/TENANT", "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token"},
		{"okta", "https://x.okta.com/oauth2/default", "https://x.okta.com/oauth2/default/v1/token"},
		{"keycloak", "https://sso.example.com/realms/R", "https://sso.example.com/realms/R/protocol/openid-connect/token"},
		{"ants", "https://iam.ants.tech", "https://iam.ants.tech/oauth/token"},
		{"generic", "https://id.example.com", ""},
	}
	for _, tt := range tests {
		p := Provider{Name: "p", ClientID: "c", Preset: tt.preset, Issuer: tt.issuer}
		e, s, err := effective(p)
		if err != nil {
			t.Fatal(err)
		}
		if e.TokenURL != tt.want {
			t.Errorf("%s %s: token_url %q, want %q", tt.preset, tt.issuer, e.TokenURL, tt.want)
		}
		wantSetting := Setting{"token_url", tt.want, "preset " + tt.preset}
		if tt.want == "" {
			wantSetting = Setting{"token_url", "(not set)", "default"}
		}
		if got := settingFor(t, s, "token_url"); got != wantSetting {
			t.Errorf("%s: setting %+v, want %+v", tt.preset, got, wantSetting)
		}
		// An explicit token_url always wins.
		p.TokenURL = "https://explicit.example.com/token"
		if e, _, _ := effective(p); e.TokenURL != p.TokenURL {
			t.Errorf("%s: explicit token_url replaced by %q", tt.preset, e.TokenURL)
		}
	}
}

func TestPresetEffectiveDefaultsAndSources(t *testing.T) {
	p := Provider{Name: "a", Preset: "ants", ClientID: "c", TokenURL: "https://iam.ants.tech/oauth/token",
		ClientSecret: "super-secret-value", Scopes: []string{"item", "event"}}
	e, s, err := effective(p)
	if err != nil {
		t.Fatal(err)
	}
	if e.AuthStyle != AuthPost || e.ScopeSeparator != "," || !reflect.DeepEqual(e.Response, &ResponseMapping{AccessToken: "accessToken", ExpiresAt: "accessTokenExpiresAt"}) {
		t.Fatalf("ants defaults not applied: %+v", e)
	}
	want := []Setting{
		{"name", "a", "config"},
		{"preset", "ants", "config"},
		{"token_url", "https://iam.ants.tech/oauth/token", "config"},
		{"client_id", "c", "config"},
		{"client_secret", "(set, encrypted)", "config"},
		{"auth_style", "post", "preset ants"},
		{"scopes", "item,event", "config"},
		{"scope_separator", `","`, "preset ants"},
		{"response.access_token", "accessToken", "preset ants"},
		{"response.expires_at", "accessTokenExpiresAt", "preset ants"},
		{"timeout", "15s", "default"},
		{"default_lifetime", "1h", "default"},
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("settings:\n got %+v\nwant %+v", s, want)
	}
	if p.AuthStyle != "" || p.Response != nil {
		t.Fatal("Effective changed its receiver")
	}

	// Without a preset the defaults are the built-in ones, and the copy
	// leaves them to the accessors.
	plain := Provider{Name: "b", ClientID: "c", TokenURL: "https://x/t"}
	e, s, err = effective(plain)
	if err != nil || !reflect.DeepEqual(e, plain) {
		t.Fatalf("no preset: %+v, %v", e, err)
	}
	for _, w := range []Setting{
		{"auth_style", "auto", "default"}, {"scopes", "(none)", "default"},
		{"scope_separator", `" "`, "default"}, {"client_secret", "(none)", "default"},
	} {
		if got := settingFor(t, s, w.Key); got != w {
			t.Errorf("got %+v, want %+v", got, w)
		}
	}
}

func TestPresetExplicitConfigWins(t *testing.T) {
	p := Provider{Name: "a", Preset: "ants", ClientID: "c", TokenURL: "https://x/t", AuthStyle: AuthBasic,
		ScopeSeparator: " ", Response: &ResponseMapping{AccessToken: "data.token", ExpiresIn: "ttl"}}
	e, s, err := effective(p)
	if err != nil {
		t.Fatal(err)
	}
	if e.AuthStyle != AuthBasic || e.ScopeSeparator != " " {
		t.Fatalf("explicit auth_style/scope_separator replaced: %+v", e)
	}
	// The mapping is filled field by field: only expires_at comes from the preset.
	if want := (ResponseMapping{AccessToken: "data.token", ExpiresIn: "ttl", ExpiresAt: "accessTokenExpiresAt"}); *e.Response != want {
		t.Fatalf("response = %+v, want %+v", *e.Response, want)
	}
	for _, w := range []Setting{
		{"auth_style", "basic", "config"}, {"scope_separator", `" "`, "config"},
		{"response.access_token", "data.token", "config"}, {"response.expires_in", "ttl", "config"},
		{"response.expires_at", "accessTokenExpiresAt", "preset ants"},
	} {
		if got := settingFor(t, s, w.Key); got != w {
			t.Errorf("got %+v, want %+v", got, w)
		}
	}
	e.Response.AccessToken = "changed"
	if p.Response.AccessToken != "data.token" {
		t.Fatal("the effective copy shares its response mapping with the provider")
	}
}

func TestPresetEntraDefaultScope(t *testing.T) {
	base := Provider{Name: "graph", Preset: "entra", ClientID: "c", Issuer: "https://login.microsoftonline.com/t1/v2.0"}
	tests := []struct {
		name                           string
		resource, audience             string
		scopes                         []string
		wantScopes                     []string
		wantResource, wantAudience     string
		wantResourceSet, wantAudienceS Setting
	}{
		{
			name: "resource becomes the scope", resource: "https://graph.microsoft.com",
			wantScopes:      []string{"https://graph.microsoft.com/.default"},
			wantResourceSet: Setting{"resource", "(not sent: became the scope https://graph.microsoft.com/.default)", "preset entra"},
		},
		{
			name: "audience when there is no resource", audience: "api://my-api",
			wantScopes:    []string{"api://my-api/.default"},
			wantAudienceS: Setting{"audience", "(not sent: became the scope api://my-api/.default)", "preset entra"},
		},
		{
			name: "resource wins over audience; both dropped", resource: "https://management.core.windows.net/", audience: "api://other",
			wantScopes:      []string{"https://management.core.windows.net//.default"},
			wantResourceSet: Setting{"resource", "(not sent: became the scope https://management.core.windows.net//.default)", "preset entra"},
			wantAudienceS:   Setting{"audience", "(not sent: became the scope https://management.core.windows.net//.default)", "preset entra"},
		},
		{
			name: "explicit scopes win", resource: "https://graph.microsoft.com", scopes: []string{"https://graph.microsoft.com/.default"},
			wantScopes: []string{"https://graph.microsoft.com/.default"}, wantResource: "https://graph.microsoft.com",
			wantResourceSet: Setting{"resource", "https://graph.microsoft.com", "config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base.clone()
			p.Resource, p.Audience, p.Scopes = tt.resource, tt.audience, tt.scopes
			e, s, err := effective(p)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e.Scopes, tt.wantScopes) || e.Resource != tt.wantResource || e.Audience != tt.wantAudience {
				t.Fatalf("scopes %q resource %q audience %q", e.Scopes, e.Resource, e.Audience)
			}
			if e.TokenURL != "https://login.microsoftonline.com/t1/oauth2/v2.0/token" || e.Style() != AuthPost {
				t.Fatalf("token_url %q, auth %s", e.TokenURL, e.Style())
			}
			if tt.wantResourceSet.Key != "" {
				if got := settingFor(t, s, "resource"); got != tt.wantResourceSet {
					t.Errorf("resource setting %+v, want %+v", got, tt.wantResourceSet)
				}
			}
			if tt.wantAudienceS.Key != "" {
				if got := settingFor(t, s, "audience"); got != tt.wantAudienceS {
					t.Errorf("audience setting %+v, want %+v", got, tt.wantAudienceS)
				}
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
	// Without the preset nothing is rewritten.
	p := Provider{Name: "x", ClientID: "c", TokenURL: "https://x/t", Resource: "https://graph.microsoft.com"}
	if e, _, _ := effective(p); e.Scopes != nil || e.Resource != p.Resource {
		t.Fatalf("rewrote scopes without the entra preset: %+v", e)
	}
}

func TestPresetAuth0NeedsAudience(t *testing.T) {
	p := Provider{Name: "wave", Preset: "auth0", ClientID: "c", Issuer: "https://wave.us.auth0.com"}
	err := p.Validate()
	if err == nil || err.Error() != `provider "wave": auth0 needs an audience (the API identifier, such as https://api.example.com)` {
		t.Fatalf("Validate = %v", err)
	}
	p.Audience = "https://api.wave.bemobi.com"
	if err := p.Validate(); err != nil {
		t.Fatalf("with audience: %v", err)
	}
	e, _, _ := effective(p)
	if e.TokenURL != "https://wave.us.auth0.com/oauth/token" || e.Style() != AuthPost {
		t.Fatalf("auth0 effective %+v", e)
	}
}

func TestPresetSettingsNeverShowTheSecret(t *testing.T) {
	const secret = "0xDEADBEEF-secret"
	for _, p := range []Provider{
		{Name: "a", ClientID: "c", ClientSecret: secret, Preset: "cognito", Issuer: "https://a.example.com"},
		{Name: "b", ClientID: "c", ClientSecret: secret, ClientSecretRef: "env:B"},
	} {
		_, s, _ := effective(p)
		for _, x := range s {
			if strings.Contains(x.Value, secret) {
				t.Fatalf("setting %s shows the secret", x.Key)
			}
		}
		if got := settingFor(t, s, "client_secret"); got != (Setting{"client_secret", "(set, encrypted)", "config"}) {
			t.Fatalf("client_secret setting %+v", got)
		}
	}
	p := Provider{Name: "r", ClientID: "c", ClientSecretRef: "cmd:pass show r"}
	_, s, _ := effective(p)
	if got := settingFor(t, s, "client_secret"); got != (Setting{"client_secret", "cmd:pass show r", "config"}) {
		t.Fatalf("ref setting %+v", got)
	}
}

func TestPresetUnknown(t *testing.T) {
	p := Provider{Name: "x", ClientID: "c", Preset: "okat", Issuer: "https://x.okta.com/oauth2/default"}
	e, s, err := effective(p)
	want := `provider "x": unknown preset "okat" (did you mean "okta"?); known presets: cognito, auth0, entra, okta, keycloak, ants, generic`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if e.TokenURL != "" || len(s) == 0 {
		t.Fatalf("unknown preset still applied something: %+v", e)
	}
}

func TestPresetEffectiveIsDeepCopy(t *testing.T) {
	p := contractProvider("s")
	e, _, err := effective(p)
	if err != nil {
		t.Fatal(err)
	}
	e.Scopes[0] = "x"
	e.Params["tenant"] = "x"
	e.Quota.Limit = 1
	e.Endpoints[0].Headers["Accept"] = "x"
	if !reflect.DeepEqual(p, contractProvider("s")) {
		t.Fatal("changing the effective copy changed the provider")
	}
}

func settingFor(t *testing.T, s []Setting, key string) Setting {
	t.Helper()
	for _, x := range s {
		if x.Key == key {
			return x
		}
	}
	t.Fatalf("no setting %q in %+v", key, s)
	return Setting{}
}

// effective is p resolved and described, as most of these tests want both.
func effective(p Provider) (Provider, []Setting, error) {
	e, err := p.Resolve()
	s, derr := p.Describe()
	if (err == nil) != (derr == nil) {
		panic(fmt.Sprintf("Resolve said %v and Describe %v", err, derr))
	}
	return e, s, err
}
