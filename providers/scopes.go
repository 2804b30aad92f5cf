package providers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tokentop/tokentop/providers/safetext"
)

// UnsupportedScopes are the scopes p asks for that supported (discovery's
// scopes_supported) does not list, and the hint that names them and the
// setting without them: "the server does not support scope admin (its
// discovery document lists read write): remove it, set `scopes: [read]`".
// Nothing when supported is empty (unknown) or lists them all. The one
// place the words live: the token request's invalid_scope and the
// doctor's scope step use it.
func UnsupportedScopes(p Provider, supported []string) ([]string, string) {
	if len(supported) == 0 {
		return nil, ""
	}
	var unsupported, keep []string
	for _, s := range p.Scopes {
		if slices.Contains(supported, s) {
			keep = append(keep, s)
		} else {
			unsupported = append(unsupported, s)
		}
	}
	if len(unsupported) == 0 {
		return nil, ""
	}
	word := "scope"
	if len(unsupported) > 1 {
		word = "scopes"
	}
	fix := fmt.Sprintf("set `scopes: [%s]`", strings.Join(keep, ", "))
	if len(keep) == 0 {
		fix = "ask for one it lists, or none (remove `scopes`)"
	}
	return unsupported, safetext.Line(fmt.Sprintf("the server does not support %s %s (its discovery document lists %s): remove %s, %s",
		word, strings.Join(unsupported, " "), strings.Join(supported, " "), pronoun(len(unsupported)), fix))
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
