package providers

// Grant is the kind of credential a provider holds and how tokentop gets
// a token for it.
type Grant string

// The grants. An empty grant is client_credentials, so every providers
// file written before grants existed means what it meant.
const (
	// GrantClientCredentials exchanges the client's own credentials at
	// the token endpoint (RFC 6749 §4.4): the default.
	GrantClientCredentials Grant = "client_credentials"
	// GrantAuthorizationCode logs a user in through a browser, with PKCE
	// (RFC 7636, S256) and a loopback redirect (RFC 8252).
	GrantAuthorizationCode Grant = "authorization_code"
	// GrantDeviceCode logs a user in on another device (RFC 8628): a
	// verification URI and a user code, polled for.
	GrantDeviceCode Grant = "device_code"
	// GrantRefreshToken keeps a user's session alive with a refresh token
	// given by hand or by an earlier login (RFC 6749 §6).
	GrantRefreshToken Grant = "refresh_token"
	// GrantAPIKey is a static key sent as a header or query parameter;
	// nothing is exchanged.
	GrantAPIKey Grant = "api_key"
)

// Grants lists the grants in the order help and the form show them.
func Grants() []Grant {
	return []Grant{GrantClientCredentials, GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken, GrantAPIKey}
}

// Valid reports whether g is one of [Grants] (empty counts as
// client_credentials).
func (g Grant) Valid() bool {
	if g == "" {
		return true
	}
	for _, k := range Grants() {
		if g == k {
			return true
		}
	}
	return false
}

// Of is the grant with the default filled in.
func (g Grant) Of() Grant {
	if g == "" {
		return GrantClientCredentials
	}
	return g
}

// UserLogin reports whether tokens of this grant come from a user's login
// (authorization code, device code) or a refresh token the user holds,
// rather than from the client's own credentials.
func (g Grant) UserLogin() bool {
	switch g {
	case GrantAuthorizationCode, GrantDeviceCode, GrantRefreshToken:
		return true
	}
	return false
}
