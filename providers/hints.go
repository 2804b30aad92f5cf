package providers

// fetchNewHint is the hint for a token that is no longer good: expired,
// revoked, or not active by the server's word. NAME is the provider's
// (see HintWithName).
const fetchNewHint = "fetch a new one: tokentop token NAME --force-refresh"

// NotActiveError is the error of an introspection whose answer says the
// token is not active (RFC 7662 §2.2), for the provider called name.
func NotActiveError(name string) *Error {
	return &Error{Kind: KindResponse, Provider: name,
		Description: "the server says the token is not active (expired, revoked, or not one it issued)",
		Hint:        HintWithName(fetchNewHint, name)}
}
