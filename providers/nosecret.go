package providers

import (
	"fmt"
	"strings"
)

// NoSecret reports whether p's auth style sends a client secret (basic,
// post or auto) while p has none: no client_secret and no
// client_secret_ref. A secret kept apart from p (the store keeps it
// encrypted) must be in p.ClientSecret, or counted by the caller.
func NoSecret(p Provider) bool {
	return p.Style().UsesSecret() && p.ClientSecret == "" && strings.TrimSpace(p.ClientSecretRef) == ""
}

// NoSecretHint says, for every place that meets it (import, add, the
// doctor, a refused token request), that the provider called name has no
// client secret, and how to give it one.
func NoSecretHint(name string) string {
	return fmt.Sprintf("no client secret is set for %s: give it one with `tokentop add %s --client-secret-stdin` (which sets only the secret), "+
		"or with `client_secret:` or `client_secret_ref:` in the YAML and `tokentop import`", name, name)
}
