package sandbox

import "time"

// userClients are the clients users log in with, registered after the
// default ones. Their credentials are fake and exist only in the sandbox.
// A public client (no secret, RFC 8252 §8.4) is PublicUserClient, added
// by the tests that want one.
func userClients() []Client {
	return []Client{
		{
			// A confidential native app: a browser login with PKCE, an
			// ID token, refresh tokens that rotate on every use.
			Name:         "user-login",
			ClientID:     "tokentop-native-app",
			ClientSecret: "n4t1ve-app-s3cret-d8f2k1m9q7w3e5r0",
			Style:        StyleUser,
			Scopes:       []string{"openid", "profile", "api/read"},
			Lifetime:     10 * time.Minute,
		},
		{
			// A client whose server never returns a refresh token: its
			// token lives until it expires, then the user logs in again.
			Name:           "user-norefresh",
			ClientID:       "tokentop-short-session",
			ClientSecret:   "sh0rt-s3ssion-secret-p2x8v4n6b1c3",
			Style:          StyleUser,
			Scopes:         []string{"api/read"},
			NoRefreshToken: true,
		},
	}
}

// userNodes are the settings ProvidersYAML writes for a user-style
// client besides the common ones: its grant, the authorization endpoint
// and the keys its ID tokens verify with.
func userNodes(c Client, base string) []any {
	grant := c.Grant
	if grant == "" {
		grant = "authorization_code"
	}
	return []any{
		"grant", str(grant),
		"authorize_url", str(base + pathUserAuthorize),
		"jwks_uri", str(base + pathJWKS),
	}
}

// PublicUserClient is a public native app (RFC 8252 §8.4): no secret, so
// its token requests carry only its client_id, and PKCE alone binds the
// code to it. Register it with AddClient.
func PublicUserClient() Client {
	return Client{Name: "user-public", ClientID: "tokentop-public-app", Style: StyleUser, Scopes: []string{"openid", "api/read"}}
}
