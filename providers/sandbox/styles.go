package sandbox

import "time"

// Token endpoint paths, one per style.
const (
	pathCognito   = "/oauth2/token"
	pathBasicOnly = "/oauth/v2/token"
	pathAuth0     = "/oauth/token"
	pathANTS      = "/ants/oauth/token"
	pathJWT       = "/jwt/oauth2/token"
	pathMTLS      = "/mtls/oauth2/token"
)

// style describes how a vendor style is reached and configured.
type style struct {
	path      string        // token endpoint
	preset    string        // tokentop preset name
	authStyle string        // auth_style tokentop should use by default
	lifetime  time.Duration // default token lifetime
}

// styleInfo returns the description of a style name.
func styleInfo(name string) (style, bool) {
	switch name {
	case StyleCognito:
		return style{pathCognito, "cognito", "basic", time.Hour}, true
	case StyleBasicOnly:
		return style{pathBasicOnly, "generic", "basic", time.Hour}, true
	case StyleAuth0:
		return style{pathAuth0, "auth0", "post", 24 * time.Hour}, true
	case StyleANTS:
		return style{pathANTS, "ants", "post", time.Hour}, true
	case StylePrivateKeyJWT:
		return style{pathJWT, "generic", "private_key_jwt", time.Hour}, true
	case StyleMTLS:
		return style{pathMTLS, "generic", "tls_client_auth", time.Hour}, true
	case StyleUser:
		return style{pathUserToken, "generic", "post", time.Hour}, true
	}
	return style{}, false
}
