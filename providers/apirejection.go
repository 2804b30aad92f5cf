package providers

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"

	"github.com/tokentop/tokentop/providers/headers"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/safetext"
)

// rejection is what an API's words say is wrong with a token it refused.
type rejection int

const (
	// rejectIssuer: the API trusts another issuer (iss).
	rejectIssuer rejection = iota + 1
	// rejectKey: the API has no key that verifies the token's signature,
	// which for a well-signed token means it trusts another issuer.
	rejectKey
	// rejectAudience: the token is for another audience (aud).
	rejectAudience
)

// apiPhrase is one framework's words for a rejection, as it writes them
// in a WWW-Authenticate error_description or in the answer's body.
type apiPhrase struct {
	framework string
	// parts must all occur, in this order, in the lower-cased text
	// (what sits between them is the value the framework names).
	parts []string
	kind  rejection
}

// apiPhrases are the words of the common API frameworks and gateways, the
// most specific first. The one place that maps an API's words to a cause.
func apiPhrases() []apiPhrase {
	return []apiPhrase{
		// Spring Security (spring-security-oauth2-resource-server).
		{"Spring Security", []string{"jwt issuer is not valid"}, rejectIssuer},
		{"Spring Security", []string{"the iss claim is not valid"}, rejectIssuer},
		{"Spring Security", []string{"another algorithm expected, or no matching key(s) found"}, rejectKey},
		{"Spring Security", []string{"signed jwt rejected: invalid signature"}, rejectKey},
		{"Spring Security", []string{"the aud claim is not valid"}, rejectAudience},
		// ASP.NET Core JwtBearer (Microsoft.IdentityModel).
		{"ASP.NET", []string{"the issuer '", "' is invalid"}, rejectIssuer},
		{"ASP.NET", []string{"idx10205"}, rejectIssuer},
		{"ASP.NET", []string{"the signature key was not found"}, rejectKey},
		{"ASP.NET", []string{"idx10501"}, rejectKey},
		{"ASP.NET", []string{"idx10503"}, rejectKey},
		{"ASP.NET", []string{"the audience '", "' is invalid"}, rejectAudience},
		{"ASP.NET", []string{"idx10214"}, rejectAudience},
		// express-jwt / jsonwebtoken (Node.js).
		{"express-jwt", []string{"jwt issuer invalid"}, rejectIssuer},
		{"express-jwt", []string{"jwt audience invalid"}, rejectAudience},
		// Kong's jwt plugin.
		{"Kong", []string{"no credentials found for given 'iss'"}, rejectIssuer},
		{"Kong", []string{"bad token; invalid signature"}, rejectKey},
		// AWS API Gateway's JWT authorizer.
		{"AWS API Gateway", []string{"the token does not have a valid issuer"}, rejectIssuer},
		{"AWS API Gateway", []string{"the token does not have a valid audience"}, rejectAudience},
		// Generic words, last: jsonwebtoken's and many others'.
		{"", []string{"invalid signature"}, rejectKey},
		{"", []string{"no matching key"}, rejectKey},
	}
}

// bearerRejection reads an RFC 6750 invalid_token whose description no
// framework's phrase matched but that names the issuer or the signature:
// within a Bearer challenge those words are safe to go by.
func bearerRejection(b headers.BearerChallenge) (apiPhrase, bool) {
	if b.Error != "invalid_token" {
		return apiPhrase{}, false
	}
	switch d := strings.ToLower(b.Description); {
	case strings.Contains(d, "issuer"):
		return apiPhrase{parts: []string{"issuer"}, kind: rejectIssuer}, true
	case strings.Contains(d, "signature") || strings.Contains(d, "no key") || strings.Contains(d, "unknown key"):
		return apiPhrase{parts: []string{"signature"}, kind: rejectKey}, true
	case strings.Contains(d, "audience") || strings.Contains(d, "aud "):
		return apiPhrase{parts: []string{"aud"}, kind: rejectAudience}, true
	}
	return apiPhrase{}, false
}

// maxScannedBody bounds how much of an answer's body is searched for a
// framework's words.
const maxScannedBody = 4 << 10

// match reports where the lower-cased text holds every part, in order:
// from the first part's start to the last part's end.
func (ph apiPhrase) match(lower string) (start, end int, ok bool) {
	i := 0
	for k, p := range ph.parts {
		j := strings.Index(lower[i:], p)
		if j < 0 {
			return 0, 0, false
		}
		if k == 0 {
			start = i + j
		}
		i += j + len(p)
	}
	return start, i, true
}

// matchRejection finds the first phrase in any of the texts (the
// WWW-Authenticate description first, then the body), and returns it
// with the words around it: the JSON string or the line that holds it.
func matchRejection(texts ...string) (apiPhrase, string, bool) {
	phrases := apiPhrases()
	for _, t := range texts {
		if len(t) > maxScannedBody {
			t = t[:maxScannedBody]
		}
		lower := strings.ToLower(t)
		for _, ph := range phrases {
			if start, end, ok := ph.match(lower); ok {
				from := strings.LastIndexAny(t[:start], "\"\n") + 1
				to := len(t)
				if k := strings.IndexAny(t[end:], "\"\n"); k >= 0 {
					to = end + k
				}
				return ph, t[from:to], true
			}
		}
	}
	return apiPhrase{}, "", false
}

// expectedAfter pulls the value an API says it expected out of its
// words: express-jwt's "expected: X" and ASP.NET's "ValidIssuer: 'X'" or
// "ValidAudience: 'X'". It returns "" when the text names none.
func expectedAfter(text string) string {
	lower := strings.ToLower(text)
	for _, marker := range []string{"expected: ", "validissuer: '", "validaudience: '", "validissuers: '", "validaudiences: '"} {
		i := strings.Index(lower, marker)
		if i < 0 {
			continue
		}
		rest := text[i+len(marker):]
		end := strings.IndexAny(rest, "'\" ,;)}")
		if end >= 0 {
			rest = rest[:end]
		}
		rest = strings.TrimRight(rest, ".")
		if rest != "" && !strings.EqualFold(rest, "null") {
			return safetext.Line(rest)
		}
	}
	return ""
}

// CallContext is what is known of a test-call besides the answer: the
// provider whose token was sent, the token, and whether the doctor has
// verified its signature against its issuer's keys.
type CallContext struct {
	Provider Provider
	Token    *Token
	// SignatureVerified is true when the token's signature checked out
	// against its own issuer's JWKS in this run.
	SignatureVerified bool
}

// ExplainCall explains an API's answer to a test-call: a 401 or 403 from
// its WWW-Authenticate (RFC 6750 §3, see [ExplainRefusal]), and, from the
// WWW-Authenticate description or the body, the words of the common
// frameworks (Spring Security, ASP.NET, express-jwt, Kong, AWS API
// Gateway) for a token of another issuer or audience. The hints name the
// provider. The doctor's test-call step, `tokentop call` and the
// dashboard's test-call all use it.
func ExplainCall(res *CallResult, cc CallContext) headers.APIRefusal {
	scope := ""
	if cc.Token != nil {
		scope, _ = cc.Token.GrantedScope()
	}
	r := headers.ExplainRefusal(res.Status, scope, res.Challenges()...)
	refused := res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden
	switch {
	case refused && cc.Token.IsAPIKey():
		r = explainKeyRefusal(res, cc.Provider, r)
	case refused:
		if ph, text, ok := matchRejection(r.Bearer.Description, res.Body); ok {
			r.Summary, r.Hint = rejectionText(ph, text, cc, res.Resource)
		} else if ph, ok := bearerRejection(r.Bearer); ok {
			r.Summary, r.Hint = rejectionText(ph, r.Bearer.Description, cc, res.Resource)
		}
	}
	r.Hint = HintWithName(r.Hint, cc.Provider.Name)
	return r
}

// Challenges are a test-call answer's WWW-Authenticate values.
func (res *CallResult) Challenges() []string {
	if vs := res.Headers.Values("WWW-Authenticate"); len(vs) > 0 {
		return vs
	}
	if res.WWWAuthenticate != "" {
		return []string{res.WWWAuthenticate}
	}
	return nil
}

// quoted is a framework's words as the summary quotes them: one line,
// and not longer than a sentence.
func quoted(text string) string {
	s := safetext.Line(text)
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// refusesAudience reports an API answer whose words refuse the token's
// audience: a framework's phrase, or an RFC 6750 invalid_token that names
// the audience. [Client.Call] then asks the API who it is.
func refusesAudience(res *CallResult) bool {
	if res.Status != http.StatusUnauthorized && res.Status != http.StatusForbidden {
		return false
	}
	b := headers.ExplainRefusal(res.Status, "", res.Challenges()...).Bearer
	ph, _, ok := matchRejection(b.Description, res.Body)
	if !ok {
		ph, ok = bearerRejection(b)
	}
	return ok && ph.kind == rejectAudience
}

// rejectionText words a matched rejection: what the API said, and the
// cause with the change that fixes it. offer is what the API says of
// itself (RFC 9728), for an audience its words do not name.
func rejectionText(ph apiPhrase, text string, cc CallContext, offer ResourceOffer) (summary, hint string) {
	said := quoted(text)
	if ph.framework != "" {
		said = ph.framework + ": " + said
	}
	var claims *jwtclaims.Claims
	if cc.Token != nil {
		claims, _ = jwtclaims.Decode(cc.Token.AccessToken)
	}
	iss := "(an opaque token: its issuer cannot be read)"
	if claims != nil {
		iss = cmp.Or(claims.Issuer, "(the token has no iss)")
	}
	expected := expectedAfter(text)
	switch ph.kind {
	case rejectIssuer:
		summary = "the API does not trust the token's issuer " + iss + " (" + said + ")"
		hint = issuerHint(cc.Provider, iss, expected)
	case rejectKey:
		summary = "the API has no key for the token's signature (" + said + ")"
		if cc.SignatureVerified {
			summary += "; the signature checks against the token's own issuer " + iss
			hint = issuerHint(cc.Provider, iss, expected)
		} else {
			hint = "the API trusts another issuer or environment than the token's iss " + iss + ", or the token is not signed by its issuer: " +
				"`tokentop doctor NAME` (its JWT signature step) tells which; if the signature checks against " + iss + "'s JWKS, " + envWords(cc.Provider)
		}
	case rejectAudience:
		aud := "(none)"
		if claims != nil && len(claims.Audience) > 0 {
			aud = strings.Join(claims.Audience, " ")
		}
		summary = "the API does not accept the token's audience " + aud + " (" + said + ")"
		if expected != "" {
			hint = fmt.Sprintf("the API wants aud %s: set `audience: %s` on NAME (or `resource`, if the server takes RFC 8707 resources)", expected, expected)
		} else {
			var had []string
			if claims != nil {
				had = claims.Audience
			}
			// The one explanation of an audience the API refuses: the
			// doctor's JWT and test-call steps give it too.
			hint = APIAudienceHint(cc.Provider, had, offer)
		}
	}
	return summary, hint
}

// issuerHint is the fix when the API trusts another issuer than the
// token's: the issuer it names when it does, else by the provider's env.
func issuerHint(p Provider, iss, expected string) string {
	if expected != "" && expected != iss {
		return fmt.Sprintf("the API trusts issuer %s, and NAME's token comes from %s: call it with the provider whose issuer is %s "+
			"(or set NAME's `token_url` and `issuer` to that server's)", expected, iss, expected)
	}
	return "the token comes from " + iss + ", which this API does not trust: " + envWords(p)
}

// envWords says which other token the API likely wants, by the
// provider's env label.
func envWords(p Provider) string {
	switch env := strings.ToLower(p.Env); {
	case env == "":
		return "the API wants a token of another provider or environment (a sandbox token sent to prod?): call it with the provider of the API's environment"
	case strings.Contains(env, "prod"):
		return "NAME is env " + safetext.Line(p.Env) + ", so this API is likely a sandbox's or another vendor's: call it with that environment's provider"
	default:
		return "NAME is env " + safetext.Line(p.Env) + ": a " + safetext.Line(p.Env) + " token sent to an API that trusts another (prod?) issuer: call it with that environment's provider"
	}
}
