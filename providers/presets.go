package providers

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers/suggest"
)

// Preset holds the defaults of a known kind of token server. A preset only
// fills what a provider leaves empty: explicit config always wins, and
// [Provider.Effective] lists where every setting came from.
type Preset struct {
	Name        string
	Description string
	// AuthStyle is how the server wants the client credentials.
	AuthStyle AuthStyle
	// ScopeSeparator joins scopes ("" means the default, a space).
	ScopeSeparator string
	// TokenPath is appended to the issuer when token_url is empty.
	TokenPath string
	// IssuerSuffix is cut from the end of the issuer before TokenPath is
	// appended (entra: ".../TENANT/v2.0" → ".../TENANT/oauth2/v2.0/token").
	IssuerSuffix string
	// DefaultScopeSuffix, when set and the provider has no scopes, turns
	// resource (else audience) into the one scope RESOURCE+suffix, and
	// resource and audience are then not sent (entra's "/.default").
	DefaultScopeSuffix string
	// Response maps a non-standard token response.
	Response *ResponseMapping
	// Docs is where the vendor documents its client credentials flow.
	Docs string
	// AssertionAudience is the aud of a private_key_jwt assertion when the
	// provider sets none: [AudienceTokenURL] for servers that want the
	// token endpoint; empty means the issuer.
	AssertionAudience string
}

// AudienceTokenURL as a preset's AssertionAudience makes the token URL the
// assertion's aud.
const AudienceTokenURL = "token_url"

// Presets lists the known presets. Each call returns a fresh copy.
func Presets() []Preset {
	return []Preset{{
		Name: "cognito",
		Description: "Amazon Cognito user pool. issuer is the pool's domain (https://DOMAIN.auth.REGION.amazoncognito.com); " +
			"the secret may go as HTTP Basic or in the body; scopes look like resource-server/scope (api/write).",
		AuthStyle: AuthAuto,
		TokenPath: "/oauth2/token",
		Docs:      "https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html",
	}, {
		Name: "auth0",
		Description: "Auth0 tenant (issuer https://TENANT.auth0.com). Needs audience, the identifier of the API; " +
			"credentials go in the body.",
		AuthStyle: AuthPost,
		TokenPath: "/oauth/token",
		Docs:      "https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-credentials-flow",
	}, {
		Name: "entra",
		Description: "Microsoft identity platform v2 (Entra ID), issuer https://login.microsoftonline.com/TENANT/v2.0. " +
			"With no scopes, resource (or audience) becomes the scope RESOURCE/.default and is not sent itself.",
		AuthStyle:          AuthPost,
		TokenPath:          "/oauth2/v2.0/token",
		IssuerSuffix:       "/v2.0",
		DefaultScopeSuffix: "/.default",
		Docs:               "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow",
		AssertionAudience:  AudienceTokenURL,
	}, {
		Name:        "okta",
		Description: "Okta authorization server (issuer https://ORG.okta.com/oauth2/default); credentials as HTTP Basic.",
		AuthStyle:   AuthBasic,
		TokenPath:   "/v1/token",
		Docs:        "https://developer.okta.com/docs/guides/implement-grant-type/clientcreds/main/",
		// Okta wants the full token endpoint URL as the assertion's aud.
		AssertionAudience: AudienceTokenURL,
	}, {
		Name:        "keycloak",
		Description: "Keycloak realm (issuer https://HOST/realms/REALM); credentials as HTTP Basic.",
		AuthStyle:   AuthBasic,
		TokenPath:   "/protocol/openid-connect/token",
		Docs:        "https://www.keycloak.org/docs/latest/securing_apps/",
	}, {
		Name: "ants",
		Description: "ANTS IAM (issuer https://iam.ants.tech): credentials in the body, comma-separated scopes " +
			"(item, event, profile, promotion), and a response with accessToken and accessTokenExpiresAt (a time) " +
			"instead of access_token and expires_in.",
		AuthStyle:      AuthPost,
		ScopeSeparator: ",",
		TokenPath:      "/oauth/token",
		Response:       &ResponseMapping{AccessToken: "accessToken", ExpiresAt: "accessTokenExpiresAt"},
	}, {
		Name: "generic",
		Description: "Any RFC 6749 server: set token_url. tokentop tries HTTP Basic, then the body, " +
			"and remembers what worked.",
		AuthStyle: AuthAuto,
		Docs:      "https://www.rfc-editor.org/rfc/rfc6749#section-4.4",
	}}
}

// LookupPreset finds a preset by name.
func LookupPreset(name string) (Preset, bool) {
	for _, p := range Presets() {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// presetNames lists the preset names for messages.
func presetNames() string {
	var names []string
	for _, p := range Presets() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// derivingPresets lists the presets that derive token_url from issuer.
func derivingPresets() string {
	var names []string
	for _, p := range Presets() {
		if p.TokenPath != "" {
			names = append(names, p.Name)
		}
	}
	return strings.Join(names, ", ")
}

// Setting is one effective setting of a provider, for `tokentop show`.
// Source is "config", "preset NAME" or "default". Value never holds the
// client secret.
type Setting struct {
	Key, Value, Source string
}

// The sources of a Setting other than "preset NAME".
const (
	SourceConfig  = "config"
	SourceDefault = "default"
)

// Effective returns a copy of p with its preset's defaults filled in where
// p leaves a field empty, and every setting with where it came from. The
// built-in defaults (auth_style auto, a space between scopes, timeout 15s,
// default_lifetime 1h) appear in the settings but are left to the accessors
// ([Provider.Style] and the rest) rather than written into the copy.
//
// An unknown preset is an error naming the known ones; the copy and the
// settings are then those of p without a preset.
func (p Provider) Effective() (Provider, []Setting, error) {
	e := p.clone()
	var pre Preset
	var err error
	if p.Preset != "" {
		var ok bool
		if pre, ok = LookupPreset(p.Preset); !ok {
			msg := fmt.Sprintf("unknown preset %q", p.Preset)
			if s := suggest.Closest(p.Preset, strings.Split(presetNames(), ", ")); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			err = &Problem{Provider: p.Name, Field: "preset", Index: -1, Msg: msg + "; known presets: " + presetNames()}
		}
	}
	fromPreset := "preset " + pre.Name

	var s []Setting
	add := func(key, value, source string) { s = append(s, Setting{Key: key, Value: value, Source: source}) }
	addIf := func(key, value string) {
		if value != "" {
			add(key, value, SourceConfig)
		}
	}
	// fill sets *field from the preset when it is empty and says where the
	// result came from.
	fill := func(field *string, preset string) string {
		switch {
		case *field != "":
			return SourceConfig
		case preset != "":
			*field = preset
			return fromPreset
		}
		return SourceDefault
	}

	add("name", p.Name, SourceConfig)
	addIf("env", p.Env)
	addIf("preset", p.Preset)

	tokenSource := SourceConfig
	if e.TokenURL == "" && e.Issuer != "" && pre.TokenPath != "" {
		issuer := strings.TrimSuffix(strings.TrimRight(e.Issuer, "/"), pre.IssuerSuffix)
		e.TokenURL = strings.TrimRight(issuer, "/") + pre.TokenPath
		tokenSource = fromPreset
	}
	if e.TokenURL == "" {
		add("token_url", "(not set)", SourceDefault)
	} else {
		add("token_url", e.TokenURL, tokenSource)
	}
	addIf("issuer", p.Issuer)
	addIf("jwks_uri", p.JWKSURI)
	addIf("introspection_url", p.IntrospectURL)
	addIf("revocation_url", p.RevokeURL)
	add("client_id", p.ClientID, SourceConfig)
	switch {
	case p.ClientSecret != "":
		add("client_secret", "(set, encrypted)", SourceConfig)
	case p.ClientSecretRef != "":
		add("client_secret", p.ClientSecretRef, SourceConfig)
	default:
		add("client_secret", "(none)", SourceDefault)
	}

	style := string(e.AuthStyle)
	src := fill(&style, string(pre.AuthStyle))
	e.AuthStyle = AuthStyle(style)
	add("auth_style", string(e.Style()), src)
	if !e.Style().UsesSecret() {
		for i := range s {
			if s[i].Key == "client_secret" && s[i].Source == SourceDefault {
				s[i].Value = "(not used by " + string(e.Style()) + ")"
			}
		}
	}
	if st := e.Style(); st == AuthBasic || st == AuthAuto || p.BasicEncoding != "" {
		add("basic_encoding", string(e.BasicEncodingOf()), sourceOf(p.BasicEncoding != ""))
	}
	s = append(s, e.keySettings(p, pre, fromPreset)...)

	sepSource := fill(&e.ScopeSeparator, pre.ScopeSeparator)

	scopeSource, resourceNote := SourceConfig, ""
	if len(e.Scopes) == 0 && pre.DefaultScopeSuffix != "" && (e.Resource != "" || e.Audience != "") {
		base := e.Resource
		if base == "" {
			base = e.Audience
		}
		scope := base + pre.DefaultScopeSuffix
		e.Scopes = []string{scope}
		e.Resource, e.Audience = "", ""
		scopeSource = fromPreset
		resourceNote = fmt.Sprintf("(not sent: became the scope %s)", scope)
	}
	if len(e.Scopes) == 0 {
		add("scopes", "(none)", SourceDefault)
	} else {
		add("scopes", strings.Join(e.Scopes, e.Separator()), scopeSource)
	}
	add("scope_separator", strconv.Quote(e.Separator()), sepSource)
	for _, f := range []struct{ key, value string }{{"audience", p.Audience}, {"resource", p.Resource}} {
		switch {
		case f.value != "" && resourceNote != "":
			add(f.key, resourceNote, fromPreset)
		case f.value != "":
			add(f.key, f.value, SourceConfig)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(p.Params)) {
		add("params."+k, p.Params[k], SourceConfig)
	}

	var r ResponseMapping
	if e.Response != nil {
		r = *e.Response
	}
	var pr ResponseMapping
	if pre.Response != nil {
		pr = *pre.Response
	}
	for _, f := range []struct {
		key           string
		field, preset *string
	}{
		{"access_token", &r.AccessToken, &pr.AccessToken},
		{"token_type", &r.TokenType, &pr.TokenType},
		{"expires_in", &r.ExpiresIn, &pr.ExpiresIn},
		{"expires_at", &r.ExpiresAt, &pr.ExpiresAt},
		{"scope", &r.Scope, &pr.Scope},
	} {
		if src := fill(f.field, *f.preset); *f.field != "" {
			add("response."+f.key, *f.field, src)
		}
	}
	if r.IsZero() {
		e.Response = nil
	} else {
		e.Response = &r
	}

	if p.Quota != nil {
		add("quota", p.Quota.String(), SourceConfig)
	}
	for _, ep := range p.Endpoints {
		method := ep.Method
		if method == "" {
			method = "GET"
		}
		add("endpoints."+ep.Name, method+" "+ep.URL, SourceConfig)
	}
	add("timeout", shortDuration(p.EffectiveTimeout()), sourceOf(p.Timeout > 0))
	add("default_lifetime", shortDuration(p.EffectiveLifetime()), sourceOf(p.DefaultLifetime > 0))
	addIf("ca_file", p.CAFile)
	if p.InsecureHTTP {
		add("insecure_http", "true", SourceConfig)
	}
	addIf("notes", p.Notes)
	return e, s, err
}

// keySettings fills e.AssertionAudience under private_key_jwt (the
// configured one, else the token URL when the preset wants it or there is
// no issuer, else the issuer) and lists the key and certificate settings.
// Nothing here reads a file: the key's own facts are [KeyFacts].
func (e *Provider) keySettings(p Provider, pre Preset, fromPreset string) []Setting {
	var s []Setting
	add := func(key, value, source string) { s = append(s, Setting{Key: key, Value: value, Source: source}) }
	if p.PrivateKeyFile != "" || e.Style() == AuthPrivateKeyJWT {
		add("private_key_file", cmp.Or(p.PrivateKeyFile, "(not set)"), sourceOf(p.PrivateKeyFile != ""))
		if p.PrivateKeyKID != "" {
			add("private_key_kid", p.PrivateKeyKID, SourceConfig)
		} else {
			add("private_key_kid", "(none: no kid header)", SourceDefault)
		}
		add("assertion_alg", cmp.Or(p.AssertionAlg, "(from the key)"), sourceOf(p.AssertionAlg != ""))
	}
	if e.Style() == AuthPrivateKeyJWT {
		src := SourceConfig
		switch {
		case e.AssertionAudience != "":
		case pre.AssertionAudience == AudienceTokenURL:
			e.AssertionAudience, src = e.TokenURL, fromPreset
		case e.Issuer != "":
			e.AssertionAudience, src = e.Issuer, SourceDefault
		default:
			e.AssertionAudience, src = e.TokenURL, SourceDefault
		}
		add("assertion_audience", cmp.Or(e.AssertionAudience, "(not set)"), src)
	} else if p.AssertionAudience != "" {
		add("assertion_audience", p.AssertionAudience, SourceConfig)
	}
	if p.TLSCertFile != "" || p.TLSKeyFile != "" || e.Style() == AuthTLSClient {
		add("tls_cert_file", cmp.Or(p.TLSCertFile, "(not set)"), sourceOf(p.TLSCertFile != ""))
		add("tls_key_file", cmp.Or(p.TLSKeyFile, "(not set)"), sourceOf(p.TLSKeyFile != ""))
	}
	return s
}

func sourceOf(set bool) string {
	if set {
		return SourceConfig
	}
	return SourceDefault
}

// shortDuration writes 1h rather than Go's 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
