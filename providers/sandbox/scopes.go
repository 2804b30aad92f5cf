package sandbox

import (
	"slices"
	"strings"
)

// grantScopes checks the requested scopes against the allowed ones. An
// empty request grants all allowed scopes. It returns the granted scopes
// (in request order, without repeats) and the requested scopes that are
// not allowed.
func grantScopes(requested, allowed []string) (granted, unknown []string) {
	if len(requested) == 0 {
		return slices.Clone(allowed), nil
	}
	for _, sc := range requested {
		switch {
		case !slices.Contains(allowed, sc):
			unknown = append(unknown, sc)
		case !slices.Contains(granted, sc):
			granted = append(granted, sc)
		}
	}
	return granted, unknown
}

// splitComma splits a comma-separated scope list, trimming spaces around
// each item. An empty item is kept (as "") so that it is rejected.
func splitComma(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}
