package providers

import (
	"fmt"
	"strings"

	"github.com/tokentop/tokentop/providers/suggest"
)

// origin is where a resolved setting came from.
type origin uint8

const (
	fromConfig origin = iota
	fromPreset
	fromDefault
)

// resolution is a provider with its preset applied (e) beside the
// provider as configured (p), and where each setting a preset can fill
// came from. [Provider.Resolve] keeps e; [Provider.Describe] reads the rest.
type resolution struct {
	p, e Provider
	pre  Preset
	// Where token_url, auth_style, scope_separator, scopes and the
	// private_key_jwt assertion's audience came from.
	tokenURL, style, separator, scopes, assertionAud origin
	// response is where each mapped response field came from, in the
	// order of [responseFields].
	response [5]origin
	// scopeFromResource is the one scope resource (else audience) became
	// under a preset's DefaultScopeSuffix, "" when it did not.
	scopeFromResource string
}

// mapped is one field of a [ResponseMapping] and its key.
type mapped struct {
	key string
	at  *string
}

// responseFields lists the fields of m with their keys, in file order.
func responseFields(m *ResponseMapping) [5]mapped {
	return [5]mapped{
		{"access_token", &m.AccessToken}, {"token_type", &m.TokenType}, {"expires_in", &m.ExpiresIn},
		{"expires_at", &m.ExpiresAt}, {"scope", &m.Scope},
	}
}

// Resolve returns a copy of p with its preset's defaults filled in where p
// leaves a field empty: the settings every fetch uses. The built-in
// defaults (auth_style auto, a space between scopes, timeout 15s,
// default_lifetime 1h) are left to the accessors ([Provider.Style] and the
// rest) rather than written into the copy. [Provider.Describe] says where
// each setting came from.
//
// An unknown preset is an error naming the known ones; the copy is then p
// without a preset.
func (p Provider) Resolve() (Provider, error) {
	r, err := p.resolve()
	return r.e, err
}

func (p Provider) resolve() (resolution, error) {
	r := resolution{p: p, e: p.clone()}
	var err error
	if p.Preset != "" {
		var ok bool
		if r.pre, ok = LookupPreset(p.Preset); !ok {
			err = unknownPreset(p)
		}
	}
	e, pre := &r.e, r.pre
	// fill sets *field from the preset when it is empty and says where the
	// result came from.
	fill := func(field *string, preset string) origin {
		switch {
		case *field != "":
			return fromConfig
		case preset != "":
			*field = preset
			return fromPreset
		}
		return fromDefault
	}

	if e.TokenURL == "" && e.Issuer != "" && pre.TokenPath != "" {
		issuer := strings.TrimSuffix(strings.TrimRight(e.Issuer, "/"), pre.IssuerSuffix)
		e.TokenURL = strings.TrimRight(issuer, "/") + pre.TokenPath
		r.tokenURL = fromPreset
	}
	style := string(e.AuthStyle)
	r.style = fill(&style, string(pre.AuthStyle))
	e.AuthStyle = AuthStyle(style)
	r.resolveAssertionAudience()

	r.separator = fill(&e.ScopeSeparator, pre.ScopeSeparator)
	if len(e.Scopes) == 0 && pre.DefaultScopeSuffix != "" && (e.Resource != "" || e.Audience != "") {
		base := e.Resource
		if base == "" {
			base = e.Audience
		}
		r.scopeFromResource = base + pre.DefaultScopeSuffix
		e.Scopes = []string{r.scopeFromResource}
		e.Resource, e.Audience = "", ""
		r.scopes = fromPreset
	}

	var m, pm ResponseMapping
	if e.Response != nil {
		m = *e.Response
	}
	if pre.Response != nil {
		pm = *pre.Response
	}
	preset := responseFields(&pm)
	for i, f := range responseFields(&m) {
		r.response[i] = fill(f.at, *preset[i].at)
	}
	if m.IsZero() {
		e.Response = nil
	} else {
		e.Response = &m
	}
	return r, err
}

// resolveAssertionAudience fills the aud of a private_key_jwt assertion:
// the configured one, else the token URL when the preset wants it or there
// is no issuer, else the issuer.
func (r *resolution) resolveAssertionAudience() {
	e := &r.e
	if e.Style() != AuthPrivateKeyJWT {
		return
	}
	switch {
	case e.AssertionAudience != "":
	case r.pre.AssertionAudience == AudienceTokenURL:
		e.AssertionAudience, r.assertionAud = e.TokenURL, fromPreset
	case e.Issuer != "":
		e.AssertionAudience, r.assertionAud = e.Issuer, fromDefault
	default:
		e.AssertionAudience, r.assertionAud = e.TokenURL, fromDefault
	}
}

// unknownPreset is the problem of a preset name that is not one of
// [Presets], with a suggestion.
func unknownPreset(p Provider) error {
	msg := fmt.Sprintf("unknown preset %q", p.Preset)
	if s := suggest.Closest(p.Preset, strings.Split(presetNames(), ", ")); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return &Problem{Provider: p.Name, Field: "preset", Index: -1, Msg: msg + "; known presets: " + presetNames()}
}
