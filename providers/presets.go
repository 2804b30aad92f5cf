package providers

import (
	"strings"
)

// Preset holds the defaults of a known kind of token server. A preset only
// fills what a provider leaves empty: explicit config always wins, and
// [Provider.Describe] lists where every setting came from.
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
