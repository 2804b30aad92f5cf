package providers

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tokentop/tokentop/providers/headers"
)

// explainKeyRefusal words an API's 401 or 403 to an API key: the key is
// wrong or revoked, or went where the API does not read it. What the API
// said of itself (its error and description) is quoted; the hint names
// where the key went and where APIs commonly want it.
func explainKeyRefusal(res *CallResult, p Provider, r headers.APIRefusal) headers.APIRefusal {
	said := keyErrorWords(res.Body)
	if said == "" && r.HasBearer && r.Bearer.Description != "" {
		said = quoted(r.Bearer.Description)
	}
	k := p.Placement()
	r.Summary = fmt.Sprintf("the API refused the API key, sent as %s", k)
	if said != "" {
		r.Summary += ": the API says " + said
	}
	lower := strings.ToLower(said)
	switch {
	case strings.Contains(lower, "revoked") || strings.Contains(lower, "disabled") || strings.Contains(lower, "deleted"):
		r.Hint = "the key was revoked at the vendor: create a new one and store it with `tokentop add NAME --client-secret-stdin`"
	case strings.Contains(lower, "expired"):
		r.Hint = "the key expired at the vendor: create a new one, store it with `tokentop add NAME --client-secret-stdin`, and set expires: to its new date"
	default:
		r.Hint = "the key is wrong or revoked, or sent where the API does not read it (it went as " + k.String() + "): " +
			"check it in the vendor's console, and try where APIs commonly want one: " + keyAlternatives(k)
	}
	return r
}

// keyAlternatives lists the common places for a key other than k.
func keyAlternatives(k KeyPlacement) string {
	all := []struct{ setting, where string }{
		{"key_header: X-API-Key", "header X-Api-Key"},
		{"key_header: Authorization (Bearer)", `header Authorization ("Bearer " prefix)`},
		{"key_prefix: none (the key alone in Authorization)", "header Authorization"},
		{"key_query: api_key", "query parameter api_key"},
	}
	var out []string
	for _, a := range all {
		if a.where != k.String() {
			out = append(out, "`"+a.setting+"`")
		}
	}
	return strings.Join(out, ", ")
}

// keyErrorWords is what a JSON error body says ("key_revoked: This key
// was revoked"), one sanitised line; "" when the body says nothing so.
func keyErrorWords(body string) string {
	var v struct {
		Error       any    `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
	if len(body) > MaxBodyBytes || json.Unmarshal([]byte(body), &v) != nil {
		return ""
	}
	code := ""
	switch e := v.Error.(type) {
	case string:
		code = e
	case map[string]any: // {"error": {"message": "…"}}
		if m, ok := e["message"].(string); ok && v.Message == "" {
			v.Message = m
		}
	}
	words := []string{}
	for _, w := range []string{code, v.Description, v.Message} {
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return ""
	}
	return quoted(strings.Join(words, ": "))
}
