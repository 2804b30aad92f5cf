package providers

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// FieldSpec describes one setting of a [Provider]. The table [Fields] is the
// one place a setting is described: it drives the keys the providers file
// accepts, [Provider.Validate] and its wording, [Provider.Describe] (what
// `tokentop show`, `tokentop diff` and the dashboard's detail print), the
// flags of `tokentop add` and the dashboard's add/edit form.
//
// To add a setting: add the field (with its yaml and json tags) to
// Provider, and one entry to [Fields]. A test fails until both are there.
type FieldSpec struct {
	// Key is the setting's key in the providers file (its yaml tag).
	Key string
	// Flag is the `tokentop add` flag ("" for none), FlagKind how it is
	// taken and Usage its help.
	Flag     string
	FlagKind FlagKind
	Usage    string
	// Page is the page of the add/edit form the setting is on (0: not in
	// the form); Label is its title there, Help its description,
	// Placeholder its example and Choices, when set, make it a select.
	Page        int
	Label, Help string
	Placeholder string
	Choices     []Choice
	// Secret settings are never shown, printed or checked as text.
	Secret bool
	// Required settings are checked first, so a missing one leads the list.
	Required bool
	// Get is the setting as the text a form field starts with.
	Get func(p *Provider) string
	// Set writes the setting from a flag's or a form field's text (empty
	// text clears it); for a FlagList setting, each call adds one entry.
	// Its error is worded for the user.
	Set func(p *Provider, s string) error

	check    func(v *validation)
	describe func(d *description)
}

// FlagKind is how `tokentop add` takes a setting.
type FlagKind uint8

// The kinds of flag.
const (
	// FlagText is --flag VALUE.
	FlagText FlagKind = iota + 1
	// FlagList is --flag VALUE, repeatable: each value is one entry.
	FlagList
	// FlagDuration is --flag 1m30s.
	FlagDuration
	// FlagBool is --flag alone (true), or --flag=false.
	FlagBool
)

// Choice is one option of a setting chosen from a list in the form.
type Choice struct{ Label, Value string }

// FieldByKey finds a setting of [Fields] by its key.
func FieldByKey(key string) (FieldSpec, bool) {
	for _, f := range Fields() {
		if f.Key == key {
			return f, true
		}
	}
	return FieldSpec{}, false
}

// text is a plain string setting at *at(p).
func text(key string, at func(p *Provider) *string) FieldSpec {
	return FieldSpec{
		Key:      key,
		Get:      func(p *Provider) string { return *at(p) },
		Set:      func(p *Provider, s string) error { *at(p) = s; return nil },
		describe: func(d *description) { d.addIf(key, *at(&d.p)) },
	}
}

// with sets the flag and its usage.
func (f FieldSpec) with(flag, usage string) FieldSpec {
	f.Flag, f.Usage = flag, usage
	if f.FlagKind == 0 {
		f.FlagKind = FlagText
	}
	return f
}

// form puts the setting on page of the form, titled label.
func (f FieldSpec) form(page int, label, help string) FieldSpec {
	f.Page, f.Label, f.Help = page, label, help
	return f
}

// Fields lists the settings of a provider in the order `tokentop show`
// prints them. Each call returns a fresh copy.
func Fields() []FieldSpec {
	return append([]FieldSpec{
		nameField(),
		text("env", func(p *Provider) *string { return &p.Env }).
			with("env", "an environment label: sandbox, prod, …").
			form(1, "Env", "a label: prod, staging, sandbox…"),
		presetField(),
		grantField(),
		authorizeURLField(),
		redirectPortField(),
		deviceAuthURLField(),
		tokenURLField(),
		withCheck(text("issuer", func(p *Provider) *string { return &p.Issuer }).
			with("issuer", "the issuer (for presets and discovery)"), checkIssuerURL).
			form(4, "Issuer", "for presets and discovery"),
		urlField("jwks_uri", func(p *Provider) *string { return &p.JWKSURI }).
			with("jwks-uri", "the JWKS that verifies the tokens (default: from discovery)").
			form(4, "JWKS URI", "blank: from discovery"),
		urlField("introspection_url", func(p *Provider) *string { return &p.IntrospectURL }).
			with("introspection-url", "the RFC 7662 introspection endpoint (default: from discovery)").
			form(4, "Introspection URL", "RFC 7662; blank: from discovery"),
		urlField("revocation_url", func(p *Provider) *string { return &p.RevokeURL }).
			with("revocation-url", "the RFC 7009 revocation endpoint (default: from discovery)").
			form(4, "Revocation URL", "RFC 7009; blank: from discovery"),
		clientIDField(),
		clientSecretField(),
		withCheck(FieldSpec{
			Key: "client_secret_ref", Get: func(p *Provider) string { return p.ClientSecretRef },
			Set: func(p *Provider, s string) error { p.ClientSecretRef = s; return nil },
		}.with("client-secret-ref", "resolve the secret at fetch time: env:VAR, file:PATH or cmd:COMMAND"), checkSecretRef).
			form(3, "Client secret from", "instead of a stored secret: env:VAR, file:PATH or cmd:COMMAND"),
		authStyleField(),
		basicEncodingField().form(3, "HTTP Basic encoding", "form (RFC 6749, the default) or raw, for servers that do not decode"),
		keyField("private_key_file", func(p *Provider) *string { return &p.PrivateKeyFile }, describePrivateKeyFile).
			with("private-key-file", "PEM private key that signs the client assertion (--auth private_key_jwt)").
			form(3, "Private key file", "private_key_jwt: PEM key that signs the assertion (0600)"),
		keyField("private_key_kid", func(p *Provider) *string { return &p.PrivateKeyKID }, describePrivateKeyKID).
			with("private-key-kid", "kid header of the client assertion").
			form(3, "Private key kid", "private_key_jwt: the assertion's kid header"),
		keyField("assertion_alg", func(p *Provider) *string { return &p.AssertionAlg }, describeAssertionAlg).
			with("assertion-alg", "signing algorithm of the assertion (default: from the key: RS256, ES256, EdDSA)").
			form(3, "Assertion alg", "blank: from the key (RS256, ES256, EdDSA)"),
		keyField("assertion_audience", func(p *Provider) *string { return &p.AssertionAudience }, describeAssertionAudience).
			with("assertion-audience", "aud of the assertion (default: the issuer, else the token URL)").
			form(3, "Assertion audience", "blank: the issuer, else the token URL"),
		keyField("tls_cert_file", func(p *Provider) *string { return &p.TLSCertFile }, describeTLSFile("tls_cert_file", func(p *Provider) string { return p.TLSCertFile })).
			with("tls-cert", "PEM client certificate presented in the TLS handshake (--auth tls_client_auth)").
			form(3, "TLS client certificate", "tls_client_auth: PEM certificate file"),
		keyField("tls_key_file", func(p *Provider) *string { return &p.TLSKeyFile }, describeTLSFile("tls_key_file", func(p *Provider) string { return p.TLSKeyFile })).
			with("tls-key", "PEM private key of --tls-cert").
			form(3, "TLS client key", "tls_client_auth: PEM key of the certificate (0600)"),
		scopesField(),
		separatorField().form(4, "Scope separator", `how scopes are joined: blank for " ", or ","`),
		resourceField("audience", func(p *Provider) *string { return &p.Audience }).
			with("audience", "sent as audience (Auth0 and others)").
			form(2, "Audience", "Auth0 and others want the API identifier"),
		resourceField("resource", func(p *Provider) *string { return &p.Resource }).
			with("resource", "sent as resource (RFC 8707)").
			form(4, "Resource", "sent as resource (RFC 8707)"),
		paramsField().form(4, "Extra form fields", "one KEY=VALUE a line, sent with the token request"),
		{Key: "response", describe: describeResponse},
		quotaField(),
		endpointsField(),
		timeoutField().form(4, "Timeout", "of one exchange: blank for 15s"),
		defaultLifetimeField().form(4, "Default lifetime", "assumed when the server gives no expiry: blank for 1h"),
		text("ca_file", func(p *Provider) *string { return &p.CAFile }).
			with("ca-file", "PEM CA certificates to trust besides the system's").
			form(3, "CA file", "PEM CA certificates to trust besides the system's"),
		insecureHTTPField().form(4, "Plain http", "allow an http:// token URL on a host that is not loopback"),
		text("notes", func(p *Provider) *string { return &p.Notes }).with("notes", "free text").
			form(4, "Notes", "free text"),
	}, apiKeyFields()...)
}

func withCheck(f FieldSpec, check func(v *validation)) FieldSpec {
	f.check = check
	return f
}

func nameField() FieldSpec {
	f := text("name", func(p *Provider) *string { return &p.Name })
	f.Required, f.check = true, checkName
	f.describe = func(d *description) { d.add("name", d.p.Name, fromConfig) }
	return f.form(1, "Name", "a-z, 0-9, . _ -")
}

func presetField() FieldSpec {
	f := text("preset", func(p *Provider) *string { return &p.Preset }).
		with("preset", "fill defaults for a known provider: "+presetNames()).
		form(1, "Preset", "")
	f.Choices = []Choice{{"none", ""}}
	for _, p := range Presets() {
		f.Choices = append(f.Choices, Choice{p.Name, p.Name})
	}
	return f
}

func tokenURLField() FieldSpec {
	f := text("token_url", func(p *Provider) *string { return &p.TokenURL }).
		with("token-url", "the token endpoint (optional with --preset and --issuer)").
		form(1, "Token URL", "")
	f.Placeholder = "https://auth.example.com/oauth2/token"
	f.check = checkTokenURL
	f.describe = func(d *description) {
		switch {
		case d.e.TokenURL == "" && d.p.IsAPIKey():
			d.add("token_url", "(not used by api_key)", fromDefault)
		case d.e.TokenURL == "":
			d.add("token_url", "(not set)", fromDefault)
		default:
			d.add("token_url", d.e.TokenURL, d.tokenURL)
		}
	}
	return f
}

func urlField(key string, at func(p *Provider) *string) FieldSpec {
	return withCheck(text(key, at), func(v *validation) {
		if u := *at(&v.p); u != "" {
			if problem := checkURL(u, v.p.InsecureHTTP); problem != "" {
				v.add(key, -1, "%s %q %s", key, u, problem)
			}
		}
	})
}

func clientIDField() FieldSpec {
	f := text("client_id", func(p *Provider) *string { return &p.ClientID }).
		with("client-id", "the client id").
		form(2, "Client ID", "")
	f.Required = true
	f.check = func(v *validation) {
		if strings.TrimSpace(v.p.ClientID) == "" && !v.p.IsAPIKey() {
			v.add("client_id", -1, "client_id is not set")
		}
	}
	f.describe = func(d *description) { d.add("client_id", d.p.ClientID, fromConfig) }
	return f
}

func clientSecretField() FieldSpec {
	return FieldSpec{
		Key: "client_secret", Secret: true, Page: 2, Label: "Client secret",
		Get: func(*Provider) string { return "" }, // never shown
		Set: func(p *Provider, s string) error { p.ClientSecret = s; return nil },
		check: func(v *validation) {
			if v.p.ClientSecret != "" && v.p.ClientSecretRef != "" {
				v.add("client_secret_ref", -1, "set client_secret or client_secret_ref, not both")
			}
		},
		describe: func(d *description) {
			switch {
			case d.p.ClientSecret != "":
				d.add("client_secret", "(set, encrypted)", fromConfig)
			case d.p.ClientSecretRef != "":
				d.add("client_secret", d.p.ClientSecretRef, fromConfig)
			case d.p.IsAPIKey():
				d.add("client_secret", "(none: the API key goes here)", fromDefault)
			case !d.e.Style().UsesSecret():
				d.add("client_secret", "(not used by "+string(d.e.Style())+")", fromDefault)
			default:
				d.add("client_secret", "(none)", fromDefault)
			}
		},
	}
}

func grantField() FieldSpec {
	choices := make([]Choice, 0, len(Grants()))
	for _, g := range Grants() {
		choices = append(choices, Choice{string(g), string(g)})
	}
	return FieldSpec{
		Key: "grant", Flag: "grant", FlagKind: FlagText,
		Usage: "the kind of credential: client_credentials (default), authorization_code, device_code, refresh_token or api_key",
		// On the form's first page: what the rest of the form asks for
		// depends on it.
		Page: 1, Label: "Grant", Help: "client_credentials unless a user logs in (l in the dashboard) or it is an API key",
		Choices: choices,
		Get:     func(p *Provider) string { return string(p.Grant.Of()) },
		Set:     func(p *Provider, s string) error { p.Grant = Grant(strings.ToLower(s)); return nil },
		check: func(v *validation) {
			if !v.p.Grant.Valid() {
				v.add("grant", -1, "grant %q is not one of client_credentials, authorization_code, device_code, refresh_token, api_key", v.p.Grant)
			}
		},
		// Shown when set: client credentials, the default, needs no line.
		describe: func(d *description) { d.addIf("grant", string(d.p.Grant)) },
	}
}

func authStyleField() FieldSpec {
	return FieldSpec{
		Key: "auth_style", Flag: "auth", FlagKind: FlagText,
		Usage: "client authentication: basic, post, auto (default), private_key_jwt or tls_client_auth",
		Page:  1, Label: "Client authentication",
		Choices: []Choice{
			{"auto (basic, then body)", string(AuthAuto)},
			{"basic (Authorization header)", string(AuthBasic)},
			{"post (credentials in the body)", string(AuthPost)},
			// The key styles' files are set in the config file (or with
			// tokentop add); offering them in the form keeps an edit from
			// turning such a provider back into auto.
			{"private_key_jwt (signed assertion)", string(AuthPrivateKeyJWT)},
			{"tls_client_auth (client certificate)", string(AuthTLSClient)},
		},
		Get: func(p *Provider) string { return string(p.Style()) },
		Set: func(p *Provider, s string) error { p.AuthStyle = AuthStyle(strings.ToLower(s)); return nil },
		check: func(v *validation) {
			if !v.p.AuthStyle.Valid() {
				v.add("auth_style", -1, "auth_style %q is not one of basic, post, auto, private_key_jwt, tls_client_auth", v.p.AuthStyle)
				return
			}
			v.errs = append(v.errs, v.p.keyProblems(v.e)...)
		},
		describe: func(d *description) { d.add("auth_style", string(d.e.Style()), d.style) },
	}
}

func basicEncodingField() FieldSpec {
	return FieldSpec{
		Key: "basic_encoding", Flag: "basic-encoding", FlagKind: FlagText,
		Usage: "how HTTP Basic writes the id and secret: form (RFC 6749, default) or raw (for servers that do not decode)",
		Get:   func(p *Provider) string { return string(p.BasicEncoding) },
		Set:   func(p *Provider, s string) error { p.BasicEncoding = BasicEncoding(s); return nil },
		check: func(v *validation) {
			if !v.p.BasicEncoding.Valid() {
				v.add("basic_encoding", -1, "basic_encoding %q is not one of form (RFC 6749, the default) or raw", v.p.BasicEncoding)
			}
		},
		describe: func(d *description) {
			if st := d.e.Style(); st == AuthBasic || st == AuthAuto || d.p.BasicEncoding != "" {
				d.add("basic_encoding", string(d.e.BasicEncodingOf()), originOf(d.p.BasicEncoding != ""))
			}
		},
	}
}

// keyField is a setting of the key-based auth styles; auth_style checks
// them all (see keyProblems). Nothing here reads a file: the key's own
// facts are [KeyFacts].
func keyField(key string, at func(p *Provider) *string, describe func(d *description)) FieldSpec {
	f := text(key, at)
	f.describe = describe
	return f
}

// signsAssertion is whether the private_key_jwt settings are shown.
func (d *description) signsAssertion() bool {
	return d.p.PrivateKeyFile != "" || d.e.Style() == AuthPrivateKeyJWT
}

func describePrivateKeyFile(d *description) {
	if d.signsAssertion() {
		d.add("private_key_file", orUnset(d.p.PrivateKeyFile), originOf(d.p.PrivateKeyFile != ""))
	}
}

func describePrivateKeyKID(d *description) {
	switch {
	case !d.signsAssertion():
	case d.p.PrivateKeyKID != "":
		d.add("private_key_kid", d.p.PrivateKeyKID, fromConfig)
	default:
		d.add("private_key_kid", "(none: no kid header)", fromDefault)
	}
}

func describeAssertionAlg(d *description) {
	if d.signsAssertion() {
		d.add("assertion_alg", cmp.Or(d.p.AssertionAlg, "(from the key)"), originOf(d.p.AssertionAlg != ""))
	}
}

func describeAssertionAudience(d *description) {
	switch {
	case d.e.Style() == AuthPrivateKeyJWT:
		d.add("assertion_audience", orUnset(d.e.AssertionAudience), d.assertionAud)
	case d.p.AssertionAudience != "":
		d.add("assertion_audience", d.p.AssertionAudience, fromConfig)
	}
}

// describeTLSFile shows the client certificate's files when either is set
// or the style needs them.
func describeTLSFile(key string, value func(p *Provider) string) func(d *description) {
	return func(d *description) {
		if d.p.TLSCertFile != "" || d.p.TLSKeyFile != "" || d.e.Style() == AuthTLSClient {
			d.add(key, orUnset(value(&d.p)), originOf(value(&d.p) != ""))
		}
	}
}

func scopesField() FieldSpec {
	return FieldSpec{
		Key: "scopes", Flag: "scope", FlagKind: FlagText, Usage: "scopes, separated by spaces or commas",
		Page: 2, Label: "Scopes", Help: "separated by spaces or commas",
		Get: func(p *Provider) string { return strings.Join(p.Scopes, " ") },
		Set: func(p *Provider, s string) error { p.Scopes = SplitScopes(s); return nil },
		check: func(v *validation) {
			for i, s := range v.p.Scopes {
				if strings.TrimSpace(s) == "" {
					v.add("scopes", i, "scopes entry %d is empty", i+1)
				}
			}
		},
		describe: func(d *description) {
			if len(d.e.Scopes) == 0 {
				d.add("scopes", "(none)", fromDefault)
			} else {
				d.add("scopes", strings.Join(d.e.Scopes, d.e.Separator()), d.scopes)
			}
		},
	}
}

// SplitScopes splits scopes typed on one line, at spaces and commas.
func SplitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

func separatorField() FieldSpec {
	f := text("scope_separator", func(p *Provider) *string { return &p.ScopeSeparator }).
		with("scope-separator", `how scopes are joined in the request (default " "; "," for some providers)`)
	f.describe = func(d *description) {
		d.add("scope_separator", strconv.Quote(d.e.Separator()), d.separator)
	}
	return f
}

// resourceField is audience or resource: under a preset that turns them
// into a scope (entra's "/.default"), they are shown as not sent.
func resourceField(key string, at func(p *Provider) *string) FieldSpec {
	f := text(key, at)
	f.describe = func(d *description) {
		switch v := *at(&d.p); {
		case v != "" && d.scopeFromResource != "":
			d.add(key, fmt.Sprintf("(not sent: became the scope %s)", d.scopeFromResource), fromPreset)
		case v != "":
			d.add(key, v, fromConfig)
		}
	}
	if key == "audience" {
		f.check = func(v *validation) {
			if v.e.Preset == "auth0" && v.e.Audience == "" {
				v.add("preset", -1, "auth0 needs an audience (the API identifier, such as https://api.example.com)")
			}
		}
	}
	return f
}

func paramsField() FieldSpec {
	return FieldSpec{
		Key: "params", Flag: "param", FlagKind: FlagList, Usage: "an extra form field KEY=VALUE (repeatable)",
		Get: func(p *Provider) string {
			lines := make([]string, 0, len(p.Params))
			for _, k := range slices.Sorted(maps.Keys(p.Params)) {
				lines = append(lines, k+"="+p.Params[k])
			}
			return strings.Join(lines, "\n")
		},
		Set: func(p *Provider, kv string) error {
			if kv == "" {
				p.Params = nil
				return nil
			}
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return fmt.Errorf("--param %q: want KEY=VALUE", kv)
			}
			if p.Params == nil {
				p.Params = map[string]string{}
			}
			p.Params[k] = v
			return nil
		},
		check: func(v *validation) {
			if _, ok := v.p.Params[""]; ok {
				v.add("params", -1, "params has an empty key")
			}
		},
		describe: func(d *description) {
			for _, k := range slices.Sorted(maps.Keys(d.p.Params)) {
				d.add("params."+k, d.p.Params[k], fromConfig)
			}
		},
	}
}

func describeResponse(d *description) {
	if d.e.Response == nil {
		return
	}
	for i, f := range responseFields(d.e.Response) {
		if *f.at != "" {
			d.add("response."+f.key, *f.at, d.response[i])
		}
	}
}

func quotaField() FieldSpec {
	return FieldSpec{
		Key: "quota", Flag: "quota", FlagKind: FlagText, Usage: "token quota, for example 1000/month, 50/day, 10/hour",
		Page: 2, Label: "Quota", Help: "tokens per period: 1000/month, 50/day, 10/hour; blank for none",
		Get: func(p *Provider) string {
			if p.Quota == nil {
				return ""
			}
			return p.Quota.String()
		},
		Set: func(p *Provider, s string) error {
			p.Quota = nil
			if strings.TrimSpace(s) == "" {
				return nil
			}
			q, err := ParseQuota(s)
			if err != nil {
				return err
			}
			p.Quota = &q
			return nil
		},
		check: checkQuota,
		describe: func(d *description) {
			if d.p.Quota != nil {
				d.add("quota", d.p.Quota.String(), fromConfig)
			}
		},
	}
}

func endpointsField() FieldSpec {
	return FieldSpec{
		Key: "endpoints", Flag: "endpoint", FlagKind: FlagList,
		Usage: "a saved API endpoint NAME=URL or NAME=METHOD:URL (repeatable)",
		Set: func(p *Provider, s string) error {
			name, rest, ok := strings.Cut(s, "=")
			if !ok || name == "" || rest == "" {
				return fmt.Errorf("--endpoint %q: want NAME=URL or NAME=METHOD:URL", s)
			}
			ep := Endpoint{Name: name, Method: "GET", URL: rest}
			if m, u, ok := strings.Cut(rest, ":"); ok && m != "" && strings.ToUpper(m) == m && !strings.HasPrefix(u, "//") {
				ep.Method, ep.URL = m, u
			}
			p.Endpoints = append(p.Endpoints, ep)
			return nil
		},
		check: func(v *validation) { v.errs = append(v.errs, v.p.endpointProblems()...) },
		describe: func(d *description) {
			for _, ep := range d.p.Endpoints {
				d.add("endpoints."+ep.Name, cmp.Or(ep.Method, "GET")+" "+ep.URL, fromConfig)
			}
		},
	}
}
