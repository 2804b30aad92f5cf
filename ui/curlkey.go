package ui

import (
	"strings"

	"github.com/tokentop/tokentop/providers"
)

// keyCurlArg is curl's argument that sends an API key, substituted by
// the shell from sub ("$(tokentop token NAME)"): a header with its
// prefix, or --url-query for a query parameter (curl 7.87 and later).
// The provider's own words (sanitised on the way in, as every string
// from the store) are escaped for the double quotes.
func keyCurlArg(k providers.KeyPlacement, sub string) string {
	if k.Query != "" {
		return ` --url-query "` + dquoted(k.Query) + "=" + sub + `"`
	}
	return ` -H "` + dquoted(k.Header) + ": " + dquoted(k.Prefix) + sub + `"`
}

// dquoted escapes s for a POSIX shell's double quotes.
func dquoted(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s)
}
