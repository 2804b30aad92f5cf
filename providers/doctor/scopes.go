package doctor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/safetext"
)

// scopeCheck compares the scopes asked for with those granted (the
// response's scope, else the JWT's scope or scp) and, when the server
// lists them (discovery's scopes_supported; nil when unknown), those it
// supports. A scope the server does not support is a failure naming it;
// one it supports but did not grant is a warning (many servers drop a
// scope silently and answer 200); extra scopes are only noted.
func scopeCheck(p providers.Provider, t *providers.Token, supported []string) check.Check {
	asked := p.Scopes
	granted, source, stated := grantedScopes(t)
	unsupported, unsupportedHint := providers.UnsupportedScopes(p, supported)
	var missing, extra []string
	for _, s := range asked {
		if stated && !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	for _, s := range granted {
		if !slices.Contains(asked, s) {
			extra = append(extra, s)
		}
	}
	detail := "asked " + orNone(asked)
	switch {
	case stated:
		detail += fmt.Sprintf(" · granted %s (from %s)", orNone(granted), source)
	case len(asked) > 0:
		// RFC 6749 §5.1: scope may be left out when it is what was asked.
		detail += "; the server did not say, which RFC 6749 §5.1 allows when it granted them all"
	default:
		detail = "none asked for, none stated"
	}
	if len(missing) > 0 {
		detail += " · not granted: " + strings.Join(missing, " ")
	}
	if len(extra) > 0 {
		detail += " · also granted: " + strings.Join(extra, " ")
	}
	detail = safetext.Line(detail)
	switch {
	case len(unsupported) > 0:
		h := unsupportedHint
		if len(missing) > 0 {
			h += "; it answered 200 and dropped it silently"
		}
		return check.Failed(StepScopes, detail+" · not supported: "+safetext.Line(strings.Join(unsupported, " ")), safetext.Line(h))
	case len(missing) > 0:
		h := fmt.Sprintf("the server answered 200 and dropped scope %s: client %s is not allowed it; enable %s for the client at the vendor, or stop asking for it: set `scopes: [%s]`",
			strings.Join(missing, " "), p.ClientID, strings.Join(missing, " "), strings.Join(without(asked, missing), ", "))
		return check.Warned(StepScopes, detail, safetext.Line(h))
	}
	return check.Passed(StepScopes, detail)
}

// without is ss less the items of drop, in order.
func without(ss, drop []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

// orNone lists scopes, or says "none".
func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, " ")
}

// grantedScopes is what the server says it granted: the response's scope,
// else the JWT's scope or scp claim; ok is false when neither says.
func grantedScopes(t *providers.Token) (scopes []string, source string, ok bool) {
	scope, source := t.GrantedScope()
	if source == "" {
		return nil, "", false
	}
	return strings.FieldsFunc(scope, func(r rune) bool { return r == ' ' || r == ',' }), source, true
}

// scopes compares the scopes granted with those asked for and those the
// server supports (see scopeCheck); meta may be nil.
func (r *doctorRun) scopes(t *providers.Token, meta *discovery.Metadata) {
	var supported []string
	if meta != nil {
		supported = meta.ScopesSupported
	}
	r.add(scopeCheck(r.p, t, supported))
}
